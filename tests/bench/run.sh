#!/usr/bin/env bash
# run.sh [--quick]: chatd's benchmark driver (`make bench`, `make bench-quick`).
#
# Runs the five scenarios of issue 5 against chatd and each peer server that
# is available (node ws, Python websockets, websocketpp), plus a fixed-load
# curve over the number of clients for the plot. Every server is started
# fresh for every run, so one run's leftovers (history, buffers, heap) never
# show in the next one's figures. Each run prints one JSON line; they are
# collected in tests/bench/results/runs.jsonl, and report.py turns them into
# results.json and the table (table.md) printed at the end.
#
# Two parts: "main", the scenarios above, and "bus" (bus.sh): chatd nodes
# sharing a room through a Redis of the run's own, with its own table.
# BENCH_PARTS chooses (default "main bus"; BENCH_PARTS=bus for the bus only).
#
# Environment: CHATD (binary, default build/epoll/chatd), LOADGEN (default
# build/bench/loadgen), WEBSOCKETPP (default build/bench/websocketpp_broadcast),
# BENCH_SERVERS (default "chatd node_ws python_websockets websocketpp"),
# BENCH_WORKERS (load generator processes, default 2), BENCH_PORT (9180),
# RESULTS (default tests/bench/results, or tests/bench/results/quick with
# --quick), PYTHON (default /usr/bin/python3, the one with Debian's websockets),
# BENCH_PARTS (default "main bus"). The bus part uses ports BENCH_PORT to
# BENCH_PORT+2 for its nodes, and a free one for its redis-server.
#
# Deliberately left out: tuning the machine. Server and load generator share
# the same cores, as they would on a developer's laptop; the scenario
# bounds (connections, durations) keep the whole run under ~25 minutes.
set -u
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
BENCH=$ROOT/tests/bench
CHATD=${CHATD:-$ROOT/build/epoll/chatd}
LOADGEN=${LOADGEN:-$ROOT/build/bench/loadgen}
WEBSOCKETPP=${WEBSOCKETPP:-$ROOT/build/bench/websocketpp_broadcast}
PYTHON=${PYTHON:-/usr/bin/python3}
SERVERS=${BENCH_SERVERS:-chatd node_ws python_websockets websocketpp}
PORT=${BENCH_PORT:-9180}
# Two load generator processes, one per core of the machine this was written
# on: with one, the fan-out scenario measured the load generator (chatd sat
# at 55% CPU); a slow server leaves them idle, so peers lose nothing by it.
WORKERS=${BENCH_WORKERS:-2}
PARTS=${BENCH_PARTS:-main bus}
for part in $PARTS; do
  case $part in main|bus) ;; *) echo "run.sh: unknown part '$part' in BENCH_PARTS (main, bus)"; exit 2 ;; esac
done
has_part() { case " $PARTS " in *" $1 "*) return 0 ;; esac; return 1; }

QUICK=0
[ "${1:-}" = "--quick" ] && QUICK=1
# A quick run keeps its results apart, so it never overwrites a full run's.
if [ $QUICK = 1 ]; then RESULTS=${RESULTS:-$BENCH/results/quick}; else RESULTS=${RESULTS:-$BENCH/results}; fi
# A run without the main part keeps its results apart too, so a bus-only
# run never overwrites the committed full tables.
has_part main || RESULTS=$RESULTS/bus

# ===== Scenario sizes: full, or quick for a sanity run =====
if [ $QUICK = 1 ]; then
  IDLE_CLIENTS=2000; FANOUT_CLIENTS=200; FANOUT_RUNS=1; DURATION=2
  FIXED_CLIENTS=500; HANDSHAKE_CLIENTS=2000; STRANGER_CLIENTS=1000; CURVE="100 250"
  DRAIN=3
else
  IDLE_CLIENTS=15000; FANOUT_CLIENTS=1000; FANOUT_RUNS=5; DURATION=10
  FIXED_CLIENTS=5000; HANDSHAKE_CLIENTS=10000; STRANGER_CLIENTS=10000; CURVE="500 1000 2000"
  DRAIN=10
fi

mkdir -p "$RESULTS"
RUNS=$RESULTS/runs.jsonl
LOGS=$RESULTS/logs
rm -rf "$LOGS"
mkdir -p "$LOGS"
: > "$RUNS"
[ -x "$LOADGEN" ] || { echo "run.sh: no load generator at $LOADGEN (make bench builds it)"; exit 1; }
# A copy of chatd, so that a rebuild during the run cannot mix two versions.
if [ -x "$CHATD" ]; then
  cp "$CHATD" "$RESULTS/chatd.bench" && CHATD=$RESULTS/chatd.bench
fi

# ===== Servers =====

# Prints why a server cannot run here, or nothing when it can.
unavailable() {
  case $1 in
    chatd) [ -x "$CHATD" ] || echo "no chatd binary at $CHATD" ;;
    node_ws)
      command -v node >/dev/null || { echo "node is not installed"; return; }
      (cd "$BENCH/peers" && node -e "try{require('../../clients/node_modules/ws')}catch(e){require('ws')}" 2>/dev/null) ||
        echo "npm package ws missing (cd tests/clients && npm ci)" ;;
    python_websockets) "$PYTHON" -c "import websockets" 2>/dev/null || echo "python3-websockets missing" ;;
    websocketpp) [ -x "$WEBSOCKETPP" ] || echo "no websocketpp peer (apt-get install libwebsocketpp-dev libboost-dev)" ;;
    *) echo "unknown server" ;;
  esac
}

SERVER_PID=
# start_server NAME: starts it on $PORT in the background and waits until
# it accepts connections; sets SERVER_PID.
start_server() {
  local log=$LOGS/$1.log
  case $1 in
    # chatd's rate limit (20 messages/s per client by default) would refuse
    # the benchmark's own senders, so it is lifted; and every load-generator
    # client comes from 127.0.0.1, which the per-address limits would count
    # as one client, so loopback is exempt from them. Everything else is
    # default.
    chatd) "$CHATD" --host 127.0.0.1 --port "$PORT" --rate 1000000 --burst 1000000 --exempt-loopback \
             --log-level warn >>"$log" 2>&1 &
      ;;
    node_ws) node "$BENCH/peers/ws_broadcast.js" "$PORT" >>"$log" 2>&1 & ;;
    python_websockets) "$PYTHON" "$BENCH/peers/websockets_broadcast.py" "$PORT" >>"$log" 2>&1 & ;;
    websocketpp) "$WEBSOCKETPP" "$PORT" >>"$log" 2>&1 & ;;
  esac
  SERVER_PID=$!
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then return 0; fi
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "run.sh: $1 did not start (see $log)"
  return 1
}

# shellcheck source-path=SCRIPTDIR source=stop_pids.sh
. "$BENCH/stop_pids.sh"

stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  stop_pids "$SERVER_PID"
  SERVER_PID=
  sleep 0.5  # let the port and the CPU settle before the next server starts
}
# shellcheck source-path=SCRIPTDIR source=bus.sh
. "$BENCH/bus.sh"
trap 'stop_server; bus_cleanup; rm -f "$RESULTS/chatd.bench"' EXIT
trap 'exit 130' INT TERM

# ===== Runs =====

# chatd's own integration tests start many servers and clients; a benchmark
# run alongside them measures both. Wait (at most 10 minutes) until they end.
LOAD_BEFORE=0
wait_for_quiet() {
  for _ in $(seq 120); do
    pgrep -f integration_tests >/dev/null || break
    sleep 5
  done
  LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
}

RUN_INDEX=0
# run_load SERVER SCENARIO loadgen-options...: one fresh server, one load
# generator run, one JSON line appended to runs.jsonl. Each run binds to its
# own 16 loopback source addresses, so the TIME_WAIT sockets a run leaves
# behind never collide with the next run's ports.
run_load() {
  local server=$1 scenario=$2
  shift 2
  RUN_INDEX=$((RUN_INDEX + 1))
  local first=$(( (RUN_INDEX * 16) % 60000 + 1 ))
  wait_for_quiet
  start_server "$server" || { echo "{\"scenario\":\"$scenario\",\"server\":\"$server\",\"error\":\"server did not start\"}" >>"$RUNS"; return; }
  local line
  line=$(timeout 600 "$LOADGEN" --port "$PORT" --server "$server" --server-pid "$SERVER_PID" --scenario "$scenario" \
         --workers "$WORKERS" --first-source-address "$first" "$@" 2>>"$LOGS/loadgen.log")
  [ -n "$line" ] || line="{\"scenario\":\"$scenario\",\"server\":\"$server\",\"error\":\"load generator failed\"}"
  # The one-minute load average before the run, so a disturbed run shows.
  line="${line%\}},\"load_average_before\":$LOAD_BEFORE}"
  echo "$line" >>"$RUNS"
  printf '  %-18s %-10s %s\n' "$server" "$scenario" "$(echo "$line" | cut -c1-160)..."
  stop_server
}

started=$(date +%s)
FIXED_DONE=0
has_part main && for server in $SERVERS; do
  why=$(unavailable "$server")
  if [ -n "$why" ]; then
    echo "== $server skipped: $why"
    echo "{\"server\":\"$server\",\"skipped\":\"$why\"}" >>"$RUNS"
    continue
  fi
  echo "== $server"
  # 1. Idle capacity: memory per connection, measured after a settle pause.
  run_load "$server" idle --connections "$IDLE_CLIENTS" --pattern idle --settle 2
  # 2. Fan-out: one room, 10 senders in a closed loop, 8 messages in flight each.
  for _ in $(seq "$FANOUT_RUNS"); do
    run_load "$server" fanout --connections "$FANOUT_CLIENTS" --senders 10 --pattern closed --window 8 \
      --message-bytes 64 --duration "$DURATION" --drain-timeout "$DRAIN"
  done
  # 3. Fixed load: 5 senders at 20 messages/s each; also the curve's last point.
  run_load "$server" fixed --connections "$FIXED_CLIENTS" --senders 5 --pattern rate --rate 20 \
    --message-bytes 64 --duration "$DURATION" --drain-timeout "$DRAIN"
  [ "$server" = chatd ] && FIXED_DONE=1
  # 4. Handshake rate: connections opened as fast as 1,000 concurrent handshakes allow.
  run_load "$server" handshake --connections "$HANDSHAKE_CLIENTS" --pattern idle --settle 0
  # 5. Stranger pairs: chatd's own protocol, so chatd only.
  if [ "$server" = chatd ]; then
    run_load "$server" strangers --connections "$STRANGER_CLIENTS" --mode strangers --pattern rate --rate 5 \
      --message-bytes 64 --duration "$DURATION" --drain-timeout "$DRAIN"
  fi
  # The plot's curve: scenario 3 at fewer clients.
  for clients in $CURVE; do
    run_load "$server" curve --connections "$clients" --senders 5 --pattern rate --rate 20 \
      --message-bytes 64 --duration "$DURATION" --drain-timeout "$DRAIN"
  done
done
# The bus part: chatd only.
if has_part bus; then
  case " $SERVERS " in
    *" chatd "*) run_bus_part ;;
    *) echo "== bus skipped: chatd is not in BENCH_SERVERS"
       echo '{"server":"chatd","part":"bus","skipped":"chatd is not in BENCH_SERVERS"}' >>"$RUNS" ;;
  esac
fi
echo "== done in $(( $(date +%s) - started )) s"

"$PYTHON" "$BENCH/report.py" "$RUNS" "$RESULTS/results.json" "$RESULTS/table.md" --quick=$QUICK
if command -v gnuplot >/dev/null; then
  sh "$BENCH/plot.sh" "$RESULTS/results.json" "$RESULTS/bench_fanout.svg"
fi
