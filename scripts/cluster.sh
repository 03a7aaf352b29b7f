#!/usr/bin/env bash
# A local ActorBroker cluster on one machine, for users and tests alike: node i listens on 127.0.0.i (Kafka port
# $KAFKA_PORT, Akka port $AKKA_PORT), with its own data directory and log under $CLUSTER_DIR, and every node shares
# one PostgreSQL journal (hocon/cluster-node.conf). Run `scripts/cluster.sh --help` for the commands.
set -euo pipefail

usage() {
  cat <<'HELP'
Usage: scripts/cluster.sh COMMAND [ARG]

Commands:
  start N     start PostgreSQL (installing the Debian package when missing and run as root) and N nodes; node i
              listens on 127.0.0.i. Prints the bootstrap list (127.0.0.1:9092,127.0.0.2:9092,...) as the last
              line once every node serves Kafka clients.
  stop        stop every node gracefully (SIGTERM: it leaves the cluster, handing its shards over), then PostgreSQL
  stop I      stop node I gracefully (SIGTERM: it hands its partitions and shards over, leaves, exits); waits until
              it exited. The others and PostgreSQL keep running; `restart I` starts it again
  status      each node's process state (running, paused, stopped), then `actorbroker cluster status`
  kill I      SIGKILL node I (a crash: no leave, no flush)
  pause I     SIGSTOP node I (it stops answering; the others down it after the failure-detection time)
  resume I    SIGCONT node I (if it was downed meanwhile, it restarts its actor system and rejoins)
  restart I   stop node I gracefully (if running) and start it again; waits until it serves
  add         start one more node (the next free index); prints the new bootstrap list last
  --help      this text

Files under $CLUSTER_DIR: nodeI/ (data directory), nodeI.log, nodeI.pid, postgres/ (database files and log),
cluster-id (the id every node reports to clients), seeds (the seed list fixed at `start`).

Environment:
  CLUSTER_DIR      where everything lives (default ./cluster)
  KAFKA_PORT       Kafka port of every node (default 9092)
  AKKA_PORT        Akka remoting port of every node (default 2551)
  PG_PORT          port of the PostgreSQL server this script starts on 127.0.0.1 (default 55432)
  PG_OPTIONS       extra postgres options, e.g. "-c fsync=off" for throwaway test clusters
  ACTORBROKER_POSTGRES  connection string of an existing database: no server is started
  NODE_CONFIG      HOCON file layered over hocon/cluster-node.conf for every node (optional)
  READY_TIMEOUT    seconds to wait for a node to serve (default 90)
The nodes run src/ActorBroker.Node/bin/Release/net10.0/actorbroker.dll (what scripts/run.sh builds); it is
built first when missing.
HELP
}

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cluster_dir="${CLUSTER_DIR:-./cluster}"
mkdir -p "$cluster_dir"
cluster_dir="$(cd "$cluster_dir" && pwd)"
kafka_port="${KAFKA_PORT:-9092}"
akka_port="${AKKA_PORT:-2551}"
pg_port="${PG_PORT:-55432}"
ready_timeout="${READY_TIMEOUT:-90}"
node_dll="$root/src/ActorBroker.Node/bin/Release/net10.0/actorbroker.dll"
pg_dir="$cluster_dir/postgres"

source "$root/scripts/node-runtime.sh"

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'cluster.sh: %s\n' "$*" >&2; exit 1; }

# --- helpers -------------------------------------------------------------------------------------------------
ensure_built() {
  [[ -f "$node_dll" ]] && return
  command -v dotnet >/dev/null 2>&1 || die "the .NET 10 SDK (dotnet) is needed to build ActorBroker"
  log "building ActorBroker (Release)"
  dotnet build "$root/src/ActorBroker.Node/ActorBroker.Node.csproj" -c Release -nologo -clp:ErrorsOnly >&2
}

as_postgres() { # runs a PostgreSQL server command; as root, as the postgres OS user (the server refuses root)
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_bin() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)"
  if [[ -z "$dir" || ! -x "$dir/pg_ctl" ]]; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
      log "installing PostgreSQL (apt-get install postgresql)"
      apt-cache show postgresql >/dev/null 2>&1 || apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2
      dir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)"
    else
      die "PostgreSQL server binaries not found under /usr/lib/postgresql/<version>/bin; install the 'postgresql' package (or set ACTORBROKER_POSTGRES)"
    fi
  fi
  echo "$dir"
}

postgres_url() { echo "Host=127.0.0.1;Port=$pg_port;Database=actorbroker;Username=postgres;Pooling=true;Maximum Pool Size=20"; }

start_postgres() {
  [[ -n "${ACTORBROKER_POSTGRES:-}" ]] && { log "using the database in ACTORBROKER_POSTGRES"; return; }
  local bin; bin="$(pg_bin)"
  if [[ ! -f "$pg_dir/data/PG_VERSION" ]]; then
    log "initdb $pg_dir/data"
    mkdir -p "$pg_dir"
    if [[ $(id -u) -eq 0 ]]; then
      chown postgres: "$pg_dir"
      runuser -u postgres -- test -x "$pg_dir" || die "the postgres user cannot reach $pg_dir; use a CLUSTER_DIR it can traverse (e.g. under /tmp)"
    fi
    as_postgres "$bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 --locale=C >"$pg_dir/initdb.log" 2>&1 \
      || die "initdb failed: $(tail -n 5 "$pg_dir/initdb.log")"
  fi
  if as_postgres "$bin/pg_ctl" status -D "$pg_dir/data" >/dev/null 2>&1; then
    log "PostgreSQL already running on 127.0.0.1:$pg_port"
  else
    log "starting PostgreSQL on 127.0.0.1:$pg_port"
    as_postgres "$bin/pg_ctl" start -w -t 60 -D "$pg_dir/data" -l "$pg_dir/postgres.log" \
      -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=200 ${PG_OPTIONS:-}" >&2 \
      || die "PostgreSQL did not start: $(tail -n 5 "$pg_dir/postgres.log")"
  fi
  if ! as_postgres "$bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'actorbroker'" | grep -q 1; then
    as_postgres "$bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -qc "CREATE DATABASE actorbroker" >&2
  fi
}

stop_postgres() {
  [[ -n "${ACTORBROKER_POSTGRES:-}" || ! -f "$pg_dir/data/postmaster.pid" ]] && return
  local bin; bin="$(pg_bin)"
  log "stopping PostgreSQL"
  as_postgres "$bin/pg_ctl" stop -D "$pg_dir/data" -m fast -w >&2 || true
}

node_pid() { [[ -f "$cluster_dir/node$1.pid" ]] && cat "$cluster_dir/node$1.pid" || true; }
alive() { local pid; pid="$(node_pid "$1")"; [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; }
paused() { local pid; pid="$(node_pid "$1")"; [[ -n "$pid" ]] && [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" == T ]]; }
nodes() { ls "$cluster_dir" | sed -n 's/^node\([0-9][0-9]*\)$/\1/p' | sort -n; }
bootstrap_list() { local i out=(); for i in $(nodes); do out+=("127.0.0.$i:$kafka_port"); done; (IFS=,; echo "${out[*]}"); }
check_index() { [[ "${1:-}" =~ ^[1-9][0-9]*$ && -d "$cluster_dir/node$1" ]] || die "no node '${1:-}' in $cluster_dir (nodes: $(nodes | tr '\n' ' '))"; }

# Starts node $1 in the background (its own session: it outlives this script and ignores the terminal's Ctrl+C).
launch() {
  local i=$1 seeds=() s config_args=()
  local data="$cluster_dir/node$i" nodelog="$cluster_dir/node$i.log"
  mkdir -p "$data"
  [[ -f "$data/cluster-id" ]] || cp "$cluster_dir/cluster-id" "$data/cluster-id"
  for s in $(cat "$cluster_dir/seeds"); do seeds+=(--seed "$s"); done
  config_args=(--config "$root/hocon/cluster-node.conf")
  [[ -n "${NODE_CONFIG:-}" ]] && config_args+=(--config "$NODE_CONFIG")
  echo "=== cluster.sh: starting node $i at $(date -u '+%Y-%m-%dT%H:%M:%SZ') ===" >>"$nodelog"
  ACTORBROKER_POSTGRES="${ACTORBROKER_POSTGRES:-$(postgres_url)}" setsid dotnet "$node_dll" run "${config_args[@]}" \
    --node-id "$i" --kafka-listen "127.0.0.$i:$kafka_port" --akka-host "127.0.0.$i" --akka-port "$akka_port" \
    --data-dir "$data" "${seeds[@]}" </dev/null >>"$nodelog" 2>&1 &
  echo $! >"$cluster_dir/node$i.pid"
}

# Waits until node $1 printed its ready line after its latest start marker.
wait_ready() {
  local i=$1 nodelog="$cluster_dir/node$1.log" deadline=$((SECONDS + ready_timeout))
  while ((SECONDS < deadline)); do
    if awk '/^=== cluster.sh: starting node/ {ready=0} /ActorBroker ready/ {ready=1} END {exit !ready}' "$nodelog"; then
      return 0
    fi
    alive "$i" || die "node $i exited during start-up; last lines of $nodelog:
$(tail -n 20 "$nodelog")"
    sleep 0.3
  done
  die "node $i did not serve within $ready_timeout s; last lines of $nodelog:
$(tail -n 20 "$nodelog")"
}

# Sends SIGTERM to node $1 and waits for it to leave (SIGKILL after 60 s).
stop_node() {
  local i=$1 pid; pid="$(node_pid "$i")"
  alive "$i" || return 0
  kill -CONT "$pid" 2>/dev/null || true # a paused node must run to handle SIGTERM
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 600); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  log "node $i did not stop within 60 s: SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
}

signal_node() { # signal_node SIGNAL I
  check_index "$2"
  alive "$2" || die "node $2 is not running"
  kill "-$1" "$(node_pid "$2")"
  log "sent SIG$1 to node $2 (pid $(node_pid "$2"))"
}

# --- commands ------------------------------------------------------------------------------------------------
cmd_start() {
  local n="${1:-}" i
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "start needs the number of nodes, e.g. 'start 3'"
  for i in $(nodes); do alive "$i" && die "node $i is already running (scripts/cluster.sh stop first)"; done
  ensure_built
  start_postgres
  [[ -f "$cluster_dir/cluster-id" ]] || head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$cluster_dir/cluster-id"
  local seeds=()
  for i in $(seq 1 $((n < 3 ? n : 3))); do seeds+=("127.0.0.$i:$akka_port"); done
  echo "${seeds[*]}" >"$cluster_dir/seeds"
  log "starting $n node(s) in $cluster_dir (Kafka port $kafka_port, Akka port $akka_port; seeds ${seeds[*]})"
  for i in $(seq 1 "$n"); do launch "$i"; done
  for i in $(seq 1 "$n"); do wait_ready "$i"; log "node $i serves on 127.0.0.$i:$kafka_port"; done
  bootstrap_list
}

cmd_stop() {
  local i
  if [[ -n "${1:-}" ]]; then
    check_index "$1"
    alive "$1" || die "node $1 is not running"
    log "stopping node $1"
    stop_node "$1"
    log "node $1 stopped"
    return
  fi
  for i in $(nodes); do alive "$i" && { log "stopping node $i"; stop_node "$i" & }; done
  wait
  stop_postgres
}

cmd_status() {
  local i state first=""
  for i in $(nodes); do
    if paused "$i"; then state="paused"; elif alive "$i"; then state="running"; else state="stopped"; fi
    printf 'node %s  127.0.0.%s:%s  pid %s  %s\n' "$i" "$i" "$kafka_port" "$(node_pid "$i")" "$state"
    [[ -z "$first" && "$state" == running ]] && first="127.0.0.$i:$kafka_port"
  done
  [[ -n "$first" ]] || { echo "no node is running"; return 0; }
  [[ -f "$node_dll" ]] && dotnet "$node_dll" cluster status --bootstrap "$first"
}

cmd_restart() {
  check_index "${1:-}"
  stop_node "$1"
  ensure_built
  start_postgres
  launch "$1"
  wait_ready "$1"
  log "node $1 serves on 127.0.0.$1:$kafka_port"
}

cmd_add() {
  local last i
  last="$(nodes | tail -n1)"
  [[ -n "$last" && -f "$cluster_dir/seeds" ]] || die "no cluster in $cluster_dir; use 'start N' first"
  i=$((last + 1))
  ensure_built
  launch "$i"
  wait_ready "$i"
  log "node $i serves on 127.0.0.$i:$kafka_port"
  bootstrap_list
}

case "${1:-}" in
  start) cmd_start "${2:-}" ;;
  stop) cmd_stop "${2:-}" ;;
  status) cmd_status ;;
  kill) signal_node KILL "${2:-}" ;;
  pause) signal_node STOP "${2:-}" ;;
  resume) signal_node CONT "${2:-}" ;;
  restart) cmd_restart "${2:-}" ;;
  add) cmd_add ;;
  -h|--help|help) usage ;;
  *) usage >&2; exit 2 ;;
esac
