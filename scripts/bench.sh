#!/usr/bin/env bash
# Benchmarks ActorBroker side by side with librdkafka's mock cluster. Run `scripts/bench.sh --help`.
set -euo pipefail

usage() {
  cat <<'HELP'
Usage: scripts/bench.sh [--quick] [--json FILE] [--repeat N] [SCENARIO...]

Builds ActorBroker and benchmarks/ActorBroker.Benchmarks (Release), measures this machine's limits (page-cache
write into fresh and into cached pages, sequential write with fdatasync, loopback TCP), starts one node on a fresh
data dir and free 127.0.0.1 ports (and, for cluster-acks-all, a 3-node cluster with scripts/cluster.sh), runs the
scenarios with Confluent.Kafka 2.16 (bundled librdkafka) against ActorBroker and against librdkafka's in-memory
mock cluster in the same run, and prints a table of both with their ratio. Before each scenario it measures again
how fast the machine writes into fresh page-cache pages (256 MiB): on a VM that cost depends on what ran before,
and a broker's produce path pays it. Before the first scenario the node gets unmeasured produce runs until its rate
stops rising (a fresh node spends its first minute of load compiling). Everything it started is stopped and its
temporary files removed on exit.

Scenarios (none named: all of them, in this order):
  produce-100b      100 B records, acks=1, 6 partitions, linger 5 ms: records/s, MB/s
  produce-1k        1 KiB records, acks=1 and acks=all: MB/s
  consume-1k        read 1 KiB records from the beginning of a 2 GiB topic: MB/s
  produce-consume   produce and consume at once: both MB/s
  latency           end to end at 10 000 records/s (1 KiB, linger 1 ms), no coordinated omission: p50/p99/p99.9/max
  partitions        1, 6, 64, 512 partitions: produce MB/s
  durable           fsync before the ack (topic flush.messages=1), acks=all: MB/s
  cluster-acks-all  3 nodes, replication factor 3, acks=all: MB/s and p99 latency, against the single node
  proxy-produce     the .NET actor-proxy client (ActorBroker.Client): records/s, MB/s
Every scenario reports broker CPU seconds per million records (from /proc) where it measures throughput.

Options:
  --quick       a short version of each (0.5 s warm-up, 2 s window, 1 repetition, 64 MiB consume topic,
                small machine-limit tests): a smoke check, not figures to quote
  --json FILE   also write the figures as a JSON array of {scenario, metric, unit, actorbroker, reference, ratio}
  --repeat N    repetitions of each measurement (default 3, --quick 1)
  --help        this text

Examples: scripts/bench.sh                                  # every scenario
          scripts/bench.sh --quick --json /tmp/b.json produce-1k latency

Environment: BENCH_DATA_PARENT  where temporary data dirs are made (default: $TMPDIR or /tmp)
             BENCH_KEEP_DATA=1  keep the data dirs and logs
             BENCH_SKIP_BUILD=1 use the Release builds already there (the smoke test builds them first)
The benchmark program is killed after BENCH_TIMEOUT seconds (default 3600; --quick 600) whatever happens.
HELP
}

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
log() { printf '== %s\n' "$*" >&2; }
die() { printf 'bench.sh: %s\n' "$*" >&2; exit 2; }

scenarios=() program_args=() quick=0 json=""
all_scenarios=" produce-100b produce-1k consume-1k produce-consume latency partitions durable cluster-acks-all proxy-produce "
while (($#)); do
  case "$1" in
    --help|-h) usage; exit 0 ;;
    --quick) quick=1; program_args+=(--quick) ;;
    --json) [[ $# -ge 2 ]] || die "--json needs a file name"; json="$(realpath -m "$2")"; program_args+=(--json "$json"); shift ;;
    --repeat) [[ $# -ge 2 ]] || die "--repeat needs a number"; program_args+=(--repeat "$2"); shift ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) [[ "$all_scenarios" == *" $1 "* ]] || die "unknown scenario $1; the scenarios are:$all_scenarios"; scenarios+=("$1") ;;
  esac
  shift
done
((${#scenarios[@]})) || read -r -a scenarios <<<"$all_scenarios"
command -v dotnet >/dev/null 2>&1 || die "the .NET 10 SDK (dotnet) is needed; install it and try again"
wants_cluster=0
[[ " ${scenarios[*]} " == *" cluster-acks-all "* ]] && wants_cluster=1

data_parent="${BENCH_DATA_PARENT:-${TMPDIR:-/tmp}}"
work="$(mktemp -d "$data_parent/actorbroker-bench.XXXXXX")"
chmod 755 "$work" # the cluster's PostgreSQL runs as the postgres user and must reach its directory
node_log="$work/node.log"
node_pid=""
cluster_dir="$work/cluster"

cleanup() {
  local rc=$?
  if [[ -n "$node_pid" ]] && kill -0 "$node_pid" 2>/dev/null; then
    log "stopping the node (pid $node_pid)"
    kill -TERM "$node_pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$node_pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$node_pid" 2>/dev/null && { log "node did not stop in 20 s: SIGKILL"; kill -KILL "$node_pid" 2>/dev/null || true; }
    wait "$node_pid" 2>/dev/null || true
  fi
  if [[ -d "$cluster_dir" ]]; then
    log "stopping the cluster"
    CLUSTER_DIR="$cluster_dir" PG_PORT="${pg_port:-0}" KAFKA_PORT="${cluster_port:-0}" scripts/cluster.sh stop >&2 || true
  fi
  if [[ "${BENCH_KEEP_DATA:-0}" == 1 ]]; then log "kept $work"; else rm -rf "$work"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { # a port nobody listens on at 127.0.0.1
  local candidate
  for _ in $(seq 1 100); do
    candidate=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null || { echo "$candidate"; return; }
  done
  die "no free port found"
}

# --- 1. Build ------------------------------------------------------------------------------------------------
node_dll="src/ActorBroker.Node/bin/Release/net10.0/actorbroker.dll"
bench_dll="benchmarks/ActorBroker.Benchmarks/bin/Release/net10.0/ActorBroker.Benchmarks.dll"
if [[ "${BENCH_SKIP_BUILD:-0}" == 1 && -f "$node_dll" && -f "$bench_dll" ]]; then
  log "BENCH_SKIP_BUILD=1: using the Release builds already there"
else
  log "building the node and the benchmarks (Release)"
  dotnet build src/ActorBroker.Node/ActorBroker.Node.csproj -c Release -nologo -clp:ErrorsOnly >&2
  dotnet build benchmarks/ActorBroker.Benchmarks/ActorBroker.Benchmarks.csproj -c Release -nologo -clp:ErrorsOnly >&2
fi

# --- 2. The machine's limits -------------------------------------------------------------------------------------
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
dd_mb=$((quick ? 64 : 1024))
# MB/s from dd's summary line ("... bytes ... copied, 1.23 s, 456 MB/s"), recomputed from bytes and seconds.
dd_mbps() { awk '/copied/ {for (i=1;i<=NF;i++) if ($i ~ /^s,?$/) secs=$(i-1); gsub(",","",secs); printf "%.0f", $1/secs/1e6}'; }
# A broker writes into the page cache, not to the disk: its CPU cost is the copy into pages. On a VM that hands
# freed memory back to the host, a page the guest has not touched lately costs far more than one it reuses, so
# both are measured: a new file (fresh pages), then the same file again in place (pages already cached).
log "page-cache write: dd ${dd_mb} MiB without sync into a new file, then again over the pages just written"
fresh_mbps="$(dd if=/dev/zero of="$work/pagecache" bs=1M count="$dd_mb" 2>&1 | dd_mbps)" || true
cached_mbps="$(dd if=/dev/zero of="$work/pagecache" bs=1M count="$dd_mb" conv=notrunc 2>&1 | dd_mbps)" || true
rm -f "$work/pagecache"
log "sequential write: dd ${dd_mb} MiB with conv=fdatasync into $data_parent"
disk_mbps="$(dd if=/dev/zero of="$work/dd" bs=1M count="$dd_mb" conv=fdatasync 2>&1 | dd_mbps)" || true
rm -f "$work/dd"

loop_mb=$((quick ? 256 : 2048))
log "loopback TCP: ${loop_mb} MiB through one 127.0.0.1 connection (a python3 socket copy loop, 1 MiB writes)"
loopback_mbps="$(/usr/bin/python3 - "$loop_mb" <<'PY' || true
import socket, sys, threading, time
total = int(sys.argv[1]) << 20
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
def sink():
    conn, _ = srv.accept()
    view = memoryview(bytearray(1 << 20)); got = 0
    while got < total:
        n = conn.recv_into(view)
        if n == 0: break
        got += n
    conn.close()
t = threading.Thread(target=sink); t.start()
c = socket.create_connection(srv.getsockname()); chunk = b"\0" * (1 << 20)
start = time.perf_counter()
for _ in range(total >> 20): c.sendall(chunk)
c.close(); t.join()
print(f"{total / (time.perf_counter() - start) / 1e6:.0f}")
PY
)"

# --- 3. The node (and the cluster) ---------------------------------------------------------------------------------
port="$(free_port)" akka_port="$(free_port)"
log "starting a node: Kafka 127.0.0.1:$port, Akka $akka_port, data in $work/node"
(source "$root/scripts/node-runtime.sh"; exec dotnet "$node_dll" run --data-dir "$work/node" --kafka-listen "127.0.0.1:$port" --akka-host 127.0.0.1 --akka-port "$akka_port") >"$node_log" 2>&1 &
node_pid=$!
for _ in $(seq 1 120); do
  grep -q 'ActorBroker ready' "$node_log" && break
  kill -0 "$node_pid" 2>/dev/null || { tail -n 30 "$node_log" >&2; die "the node exited (log above)"; }
  sleep 0.5
done
grep -q 'ActorBroker ready' "$node_log" || { tail -n 30 "$node_log" >&2; die "the node was not ready in 60 s (log above)"; }
bench_args=(--bootstrap "127.0.0.1:$port" --node-pid "$node_pid" --seed "127.0.0.1:$akka_port" --probe-dir "$work")

if ((wants_cluster)); then
  cluster_port="$(free_port)" pg_port="$(free_port)"
  export CLUSTER_DIR="$cluster_dir" KAFKA_PORT="$cluster_port" AKKA_PORT="$(free_port)" PG_PORT="$pg_port"
  log "starting a 3-node cluster (scripts/cluster.sh, Kafka port $cluster_port on 127.0.0.1-3, PostgreSQL $pg_port)"
  cluster_bootstrap="$(scripts/cluster.sh start 3 | tail -n1)" || die "scripts/cluster.sh start 3 failed; see $cluster_dir/node*.log"
  cluster_pids="$(cat "$cluster_dir"/node{1,2,3}.pid | paste -sd,)"
  bench_args+=(--cluster-bootstrap "$cluster_bootstrap" --cluster-pids "$cluster_pids")
fi

# --- 4. Benchmarks ------------------------------------------------------------------------------------------------
timeout_s="${BENCH_TIMEOUT:-$((quick ? 600 : 3600))}"
log "benchmarks: dotnet $bench_dll ${bench_args[*]} ${program_args[*]} ${scenarios[*]}"
rc=0
results="$(timeout --signal=TERM --kill-after=10 "$timeout_s" dotnet "$bench_dll" "${bench_args[@]}" "${program_args[@]}" "${scenarios[@]}")" || rc=$?
((rc == 0)) || { log "the benchmark program failed (exit $rc); node log tail:"; tail -n 20 "$node_log" >&2; }
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- 5. Summary ----------------------------------------------------------------------------------------------------
mode=""
((quick)) && mode=" (--quick: a smoke check, not figures to quote)"
cat <<SUMMARY

# ActorBroker benchmark — $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$mode

Machine: $(nproc) CPU(s) ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)), $(awk '/MemTotal/ {printf "%.0f GiB RAM", $2/1048576}' /proc/meminfo), data on $(df -PT "$work" | awk 'NR==2 {print $1" ("$2")"}')
Load average (1/5/15 min): before $load_before, after $load_after
Page-cache write (dd bs=1M count=$dd_mb, no sync): fresh pages ${fresh_mbps:-not measured} MB/s, over cached pages ${cached_mbps:-not measured} MB/s
Sequential write (dd bs=1M count=$dd_mb conv=fdatasync): ${disk_mbps:-not measured} MB/s
Loopback TCP, one connection (python3, 1 MiB writes, $loop_mb MiB): ${loopback_mbps:-not measured} MB/s

$results
SUMMARY
exit "$rc"
