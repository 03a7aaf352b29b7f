#!/usr/bin/env bash
# Captures full client sessions (produce, then consume / admin) through capture-frames.py in proxy mode in
# front of a fresh ActorBroker node, then merges at most two frames per (api key, version) into
# tests/ActorBroker.Protocol.Tests/Frames/<client>/ (merge-frames.py). Needs the node built:
#   dotnet build src/ActorBroker.Node -c Debug
# and kafkajs installed (npm ci in tests/ActorBroker.Compatibility.Tests/js).
# Env: BROKER_PORT (29392), PROXY_PORT (29393), KEEP_RAW=1 keeps the raw captures in $work.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
broker_port="${BROKER_PORT:-29392}"
proxy_port="${PROXY_PORT:-29393}"
proxy="127.0.0.1:$proxy_port"
work="$(mktemp -d /tmp/frames-session.XXXXXX)"
frames="tests/ActorBroker.Protocol.Tests/Frames"
capture="scripts/compat/capture-frames.py"

dotnet src/ActorBroker.Node/bin/Debug/net10.0/actorbroker.dll run --data-dir "$work/node" \
  --kafka-listen "127.0.0.1:$broker_port" --advertised "$proxy" >"$work/node.log" 2>&1 &
node_pid=$!
cleanup() {
  kill "$node_pid" 2>/dev/null && wait "$node_pid" 2>/dev/null || true
  [[ "${KEEP_RAW:-}" == 1 ]] || rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 120); do grep -q 'ActorBroker ready' "$work/node.log" && break; sleep 0.5; done
grep -q 'ActorBroker ready' "$work/node.log" || { cat "$work/node.log"; exit 1; }

session() { # session CLIENT -- COMMAND... (a shell snippet run with $proxy set)
  local client="$1"; shift 2
  /usr/bin/python3 "$capture" --client "$client" --listen "$proxy" --upstream "127.0.0.1:$broker_port" \
    --out "$work/captured" --duration 120 >"$work/$client.proxy.log" 2>&1 &
  local recorder=$!
  sleep 0.5
  echo "== $client"
  timeout 60 "$@"
  sleep 0.5
  kill "$recorder"; wait "$recorder" 2>/dev/null || true
  /usr/bin/python3 scripts/compat/merge-frames.py "$work/captured/$client" "$frames/$client"
}

session kafka-python -- /usr/bin/python3 scripts/compat/frames-kafka-python.py "$proxy" frames-kafka-python

session kcat -- bash -c "
  printf 'kcat-key-0:kcat value 0\nkcat-key-1:kcat value 1\n' |
    kcat -P -b '$proxy' -t frames-kcat -K: -H source=kcat -H trace=frames
  kcat -C -b '$proxy' -t frames-kcat -e -o beginning -f '%k=%s headers=%h\n'"

session kafkajs -- env NODE_PATH="$root/tests/ActorBroker.Compatibility.Tests/js/node_modules" \
  node scripts/compat/frames-kafkajs.js "$proxy" frames-kafkajs
