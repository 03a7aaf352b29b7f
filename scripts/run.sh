#!/usr/bin/env bash
# The README's run command: builds ActorBroker (Release) and starts one node with its Kafka listener on
# 127.0.0.1:9092 and its data (partition logs, SQLite journal) in ./data of the repository.
# Extra arguments go to `actorbroker run` (see `scripts/run.sh --help`), for example:
#   scripts/run.sh --kafka-listen 127.0.0.1:19092 --data-dir /tmp/broker
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if ! command -v dotnet >/dev/null 2>&1; then
  echo "run.sh: the .NET 10 SDK (dotnet) is needed to build ActorBroker; install it and try again." >&2
  exit 1
fi
echo "== building ActorBroker (Release)" >&2
dotnet build src/ActorBroker.Node/ActorBroker.Node.csproj -c Release -nologo -clp:ErrorsOnly >&2
source "$root/scripts/node-runtime.sh"
exec dotnet src/ActorBroker.Node/bin/Release/net10.0/actorbroker.dll run --config hocon/single-node.conf "$@"
