#!/usr/bin/env bash
# Benchmarks: builds ActorBroker and the benchmark program (Release), measures the machine's own limits (CPUs,
# sequential direct disk write into the data dir's filesystem, loopback TCP), starts one node on a fresh data dir
# and a free 127.0.0.1 port, runs benchmarks/ActorBroker.Benchmarks against it and prints the figures next to the
# limits. The node is stopped (SIGTERM, then SIGKILL) and the data dir removed on any exit.
#
# Extra arguments go to the benchmark program (e.g. --scenario produce --records 50000; see its --help).
# Environment: BENCH_DATA_PARENT  where the temporary data dir is made (default: $TMPDIR or /tmp)
#              BENCH_DD_MB        size of the dd write test in MiB (default 1024; 0 skips it)
#              BENCH_MAX_SECONDS  the benchmark starts no new round after this (default 150)
#              BENCH_KEEP_DATA=1  keep the data dir and node log
# Bounded: the benchmark program is killed after BENCH_MAX_SECONDS + 120 s whatever happens.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
log() { printf '== %s\n' "$*" >&2; }

if ! command -v dotnet >/dev/null 2>&1; then
  echo "bench.sh: the .NET 10 SDK (dotnet) is needed; install it and try again." >&2
  exit 1
fi

max_seconds="${BENCH_MAX_SECONDS:-150}"
dd_mb="${BENCH_DD_MB:-1024}"
data_parent="${BENCH_DATA_PARENT:-${TMPDIR:-/tmp}}"
data_dir="$(mktemp -d "$data_parent/actorbroker-bench.XXXXXX")"
node_log="$data_dir.node.log"
node_pid=""

cleanup() {
  local rc=$?
  if [[ -n "$node_pid" ]] && kill -0 "$node_pid" 2>/dev/null; then
    log "stopping the node (pid $node_pid)"
    kill -TERM "$node_pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$node_pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$node_pid" 2>/dev/null; then
      log "node did not stop in 20 s: SIGKILL"
      kill -KILL "$node_pid" 2>/dev/null || true
    fi
    wait "$node_pid" 2>/dev/null || true
  fi
  if [[ "${BENCH_KEEP_DATA:-0}" == 1 ]]; then
    log "kept $data_dir and $node_log"
  else
    rm -rf "$data_dir" "$node_log" "$data_dir.dd"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. Build ------------------------------------------------------------------------------------------------
log "building the node and the benchmarks (Release)"
dotnet build src/ActorBroker.Node/ActorBroker.Node.csproj -c Release -nologo -clp:ErrorsOnly >&2
dotnet build benchmarks/ActorBroker.Benchmarks/ActorBroker.Benchmarks.csproj -c Release -nologo -clp:ErrorsOnly >&2
node_dll="src/ActorBroker.Node/bin/Release/net10.0/actorbroker.dll"
bench_dll="benchmarks/ActorBroker.Benchmarks/bin/Release/net10.0/ActorBroker.Benchmarks.dll"

# --- 2. The machine's limits -------------------------------------------------------------------------------------
cpus="$(nproc)"
cpu_model="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n1)"
load_before="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
fs="$(df -PT "$data_dir" | awk 'NR==2 {print $1" ("$2")"}')"

disk_mbps=""
if ((dd_mb > 0)); then
  log "dd: ${dd_mb} MiB sequential O_DIRECT write into $data_parent"
  if dd_out="$(dd if=/dev/zero of="$data_dir.dd" bs=1M count="$dd_mb" oflag=direct 2>&1)"; then
    # "1073741824 bytes (1.1 GB, 1.0 GiB) copied, 2.5 s, 429 MB/s": recompute from bytes and seconds.
    disk_mbps="$(echo "$dd_out" | awk '/copied/ {for (i=1;i<=NF;i++) if ($i ~ /^s,?$/) secs=$(i-1); gsub(",","",secs); printf "%.0f", $1/secs/1e6}')"
  else
    log "dd with oflag=direct failed ($(echo "$dd_out" | tail -n1)); no disk figure"
  fi
  rm -f "$data_dir.dd"
fi

loopback_mbps=""
py="$(command -v python3 || true)"
if [[ -n "$py" ]]; then
  log "loopback TCP: 2 GiB through one 127.0.0.1 connection (python3 sockets, 1 MiB writes)"
  loopback_mbps="$("$py" - <<'PY' || true
import socket, threading, time
total = 2 << 30
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
def sink():
    conn, _ = srv.accept()
    buf = bytearray(1 << 20); view = memoryview(buf); got = 0
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
else
  log "no python3: loopback TCP throughput skipped (nc/socat/iperf3 are not assumed)"
fi

# --- 3. The node ---------------------------------------------------------------------------------------------------
port=""
for _ in $(seq 1 50); do
  candidate=$((20000 + RANDOM % 40000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port=$candidate; break; fi
done
[[ -n "$port" ]] || { echo "bench.sh: no free port found" >&2; exit 1; }

log "starting a node: 127.0.0.1:$port, data in $data_dir"
dotnet "$node_dll" run --data-dir "$data_dir" --kafka-listen "127.0.0.1:$port" >"$node_log" 2>&1 &
node_pid=$!
for _ in $(seq 1 120); do
  grep -q 'ActorBroker ready' "$node_log" && break
  kill -0 "$node_pid" 2>/dev/null || { echo "bench.sh: the node exited:" >&2; tail -n 30 "$node_log" >&2; exit 1; }
  sleep 0.5
done
grep -q 'ActorBroker ready' "$node_log" || { echo "bench.sh: the node was not ready in 60 s:" >&2; tail -n 30 "$node_log" >&2; exit 1; }

# --- 4. Benchmarks ------------------------------------------------------------------------------------------------
bench_args=(--bootstrap "127.0.0.1:$port" --node-pid "$node_pid" --max-seconds "$max_seconds")
[[ -n "$disk_mbps" ]] && bench_args+=(--disk-write-mbps "$disk_mbps")
[[ -n "$loopback_mbps" ]] && bench_args+=(--loopback-mbps "$loopback_mbps")
log "benchmarks: dotnet $bench_dll ${bench_args[*]} $*"
results="$(timeout --signal=TERM --kill-after=10 "$((max_seconds + 120))" dotnet "$bench_dll" "${bench_args[@]}" "$@")" || {
  rc=$?
  echo "$results"
  echo "bench.sh: the benchmark program failed (exit $rc); node log tail:" >&2
  tail -n 20 "$node_log" >&2
  exit "$rc"
}
node_rss_mb="$(ps -o rss= -p "$node_pid" 2>/dev/null | awk '{printf "%.0f", $1/1024}')"
load_after="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"

# --- 5. Summary ----------------------------------------------------------------------------------------------------
cat <<SUMMARY

# ActorBroker benchmark — $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')

Machine: $cpus CPU(s) ${cpu_model:+($cpu_model)}, $(awk '/MemTotal/ {printf "%.0f GiB RAM", $2/1048576}' /proc/meminfo)
Load average (1/5/15 min): before $load_before, after $load_after
Data dir filesystem: $fs
Sequential direct write (dd bs=1M count=$dd_mb oflag=direct): ${disk_mbps:-not measured} MB/s
Loopback TCP, one connection: ${loopback_mbps:-not measured} MB/s
Node RSS after the run: ${node_rss_mb:-?} MiB
$results
SUMMARY
