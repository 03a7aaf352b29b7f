#!/usr/bin/env bash
# Storage-layer benchmark: builds benchmarks/ActorBroker.Storage.Benchmarks (Release) and runs its --throughput mode:
# PartitionLog append throughput (1 KiB records in 16 KiB batches) with flush off, group-commit fsync every 10 ms and
# fsync per batch; plain-file sequential writes grown / SetLength / fallocate (does preallocation help?); and
# dd if=/dev/zero bs=1M count=N conv=fdatasync into the same directory, the machine's sequential write limit.
#
# Extra arguments go to the program (--mb N, --seconds S, --dd-mb N; see --help).
# With --micro, runs the BenchmarkDotNet micro-benchmarks of append and read instead (extra arguments go to BDN).
# Environment: BENCH_STORAGE_DIR  directory on the filesystem to measure (default: $TMPDIR or /tmp)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if ! command -v dotnet >/dev/null 2>&1; then
  echo "bench-storage.sh: the .NET 10 SDK (dotnet) is needed; install it and try again." >&2
  exit 1
fi

dotnet build benchmarks/ActorBroker.Storage.Benchmarks -c Release --nologo -v quiet >&2
program=benchmarks/ActorBroker.Storage.Benchmarks/bin/Release/net10.0/ActorBroker.Storage.Benchmarks.dll

if [[ "${1:-}" == "--micro" ]]; then
  shift
  exec dotnet "$program" --filter '*PartitionLogBenchmarks*' "$@"
fi
exec dotnet "$program" --throughput --dir "${BENCH_STORAGE_DIR:-${TMPDIR:-/tmp}}" "$@"
