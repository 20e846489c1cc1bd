#!/usr/bin/env bash
# scale.sh [--quick]: the scale benchmark (`make bench-scale`, by hand; issue 12).
#
# One `chatd --workers N --redis ...` and the load generator on this one
# machine, in two parts:
#
#   rooms     SCALE_CONNECTIONS (default 1,000,000) WebSocket connections in
#             rooms of 1,000 (joined after the lobby's welcome, as the demo
#             page does), spread over the workers by SO_REUSEPORT; held while
#             100 of the rooms chat for 60 s at one message per second each
#             (100,000 deliveries/s offered). chatd pings them as in
#             production (its default --idle-timeout), the load generator
#             answers, and none may be dropped.
#   big room  SCALE_BIG_ROOM (default 100,000) connections in one room, the
#             presence threshold in force, 5 senders at 1 message/s each
#             (500,000 deliveries/s offered), then at the rates of SCALE_RATES
#             each, step by step, until messages go missing.
#
# Each run prints one JSON line (the load generator's; see loadgen.h), kept
# in RESULTS/scale.jsonl; report_scale.py turns them into RESULTS/scale.md.
#
# Beyond about 260,000 loopback connections the default network namespace's
# connection-tracking table (262,144 entries here) is full and new handshakes
# silently time out. So the script runs itself in a private network namespace
# (unshare -n, then ip link set lo up), which has no such table and is gone
# when the script ends. It never changes the machine's own network settings.
# Without the privilege to make a namespace it runs in the default one, and
# refuses more than 200,000 connections there.
#
# Bounded: every load generator run has its own deadlines and an alarm; a
# watchdog stops the run (the processes this script started, by PID) when
# the machine's available memory falls under SCALE_MIN_FREE_MB (default
# 1500), and the reason goes into the results. Redis is our own redis-server
# on a free loopback port with its own temporary directory.
#
# Environment: CHATD (default build/epoll/chatd), LOADGEN (build/bench/loadgen),
# SCALE_CONNECTIONS, SCALE_WORKERS (chatd workers; default enough for 18,000
# each), SCALE_BIG_ROOM, SCALE_BIG_WORKERS (default enough for 18,000 each),
# SCALE_RATES (per sender, default "1 2 4 8"), SCALE_PARTS ("rooms big"),
# SCALE_DURATION (60), RESULTS (tests/bench/results/scale).
set -u
cd "$(dirname "$0")/../.."
ROOT=$(pwd)

QUICK=0
[ "${1:-}" = "--quick" ] && QUICK=1

# ===== A private network namespace, made first =====
if [ -z "${SCALE_IN_NETNS:-}" ]; then
  if unshare -n true 2>/dev/null; then
    exec unshare -n env SCALE_IN_NETNS=1 bash "$0" "$@"
  fi
  echo "scale.sh: cannot make a network namespace (needs root or CAP_SYS_ADMIN); running in the default one"
  SCALE_IN_NETNS=default
fi
if [ "$SCALE_IN_NETNS" = 1 ]; then
  ip link set lo up || { echo "scale.sh: cannot bring up lo in the new namespace"; exit 1; }
fi

CHATD=${CHATD:-$ROOT/build/epoll/chatd}
LOADGEN=${LOADGEN:-$ROOT/build/bench/loadgen}
if [ $QUICK = 1 ]; then
  CONNECTIONS=${SCALE_CONNECTIONS:-20000}; BIG=${SCALE_BIG_ROOM:-10000}; DURATION=${SCALE_DURATION:-10}
  RATES=${SCALE_RATES:-1 4}; RESULTS=${RESULTS:-$ROOT/tests/bench/results/scale-quick}
else
  CONNECTIONS=${SCALE_CONNECTIONS:-1000000}; BIG=${SCALE_BIG_ROOM:-100000}; DURATION=${SCALE_DURATION:-60}
  RATES=${SCALE_RATES:-1 2 4 8}; RESULTS=${RESULTS:-$ROOT/tests/bench/results/scale}
fi
PARTS=${SCALE_PARTS:-rooms big}
PER_PROCESS=18000   # connections per chatd worker and per load process: 20,000 files each here
workers_for() { echo $((($1 + PER_PROCESS - 1) / PER_PROCESS)); }
WORKERS=${SCALE_WORKERS:-$(workers_for "$CONNECTIONS")}
BIG_WORKERS=${SCALE_BIG_WORKERS:-$(workers_for "$BIG")}
MIN_FREE_MB=${SCALE_MIN_FREE_MB:-1500}
PORT=9280

if [ "$SCALE_IN_NETNS" = default ] && [ "$CONNECTIONS" -gt 200000 ]; then
  echo "scale.sh: $CONNECTIONS connections need a private network namespace (see the header); stopping"
  exit 1
fi
for tool in "$CHATD" "$LOADGEN"; do
  [ -x "$tool" ] || { echo "scale.sh: no $tool (make bench-scale builds it)"; exit 1; }
done
command -v redis-server >/dev/null || { echo "scale.sh: redis-server is not installed"; exit 1; }

mkdir -p "$RESULTS"
LOGS=$RESULTS/logs
rm -rf "$LOGS"
mkdir -p "$LOGS"
JSONL=$RESULTS/scale.jsonl
: > "$JSONL"
# A copy of chatd, so that a rebuild during the run cannot mix two versions.
cp "$CHATD" "$RESULTS/chatd.bench" && CHATD=$RESULTS/chatd.bench

# One benchmark of this size at a time, and none while `make test` runs (its
# timing-sensitive tests would fail on a machine this loaded).
LOCK=/tmp/chatd-bench-scale.lock
if [ -e "$LOCK" ] && kill -0 "$(cat "$LOCK")" 2>/dev/null; then
  echo "scale.sh: another scale run holds $LOCK (pid $(cat "$LOCK"))"
  exit 1
fi
for _ in $(seq 120); do
  pgrep -x integration_tes >/dev/null || pgrep -x unit_tests >/dev/null || break
  echo "scale.sh: waiting for a running make test to finish"
  sleep 30
done
echo $$ > "$LOCK"

ulimit -n "$(ulimit -Hn)"
echo "scale.sh: namespace $([ "$SCALE_IN_NETNS" = 1 ] && echo private || echo default), $(nproc) cores," \
  "$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo), $(ulimit -n) files per process"

# ===== Processes this script starts, and only those =====
REDIS_PID= SUPERVISOR_PID= LOADGEN_PID= WATCHDOG_PID=
# A supervisor closing hundreds of thousands of clients takes a while.
STOP_WAIT_SECONDS=30
# shellcheck source-path=SCRIPTDIR source=stop_pids.sh
. "$ROOT/tests/bench/stop_pids.sh"
cleanup() {
  [ -n "$WATCHDOG_PID" ] && kill "$WATCHDOG_PID" 2>/dev/null
  # shellcheck disable=SC2086
  stop_pids $LOADGEN_PID $SUPERVISOR_PID $REDIS_PID
  [ "$(cat "$LOCK" 2>/dev/null)" = $$ ] && rm -f "$LOCK"
  rm -f "$RESULTS/chatd.bench"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_redis() {
  local dir
  dir=$(mktemp -d /tmp/chatd-scale-redis-XXXXXX) || return 1
  REDIS_PORT=$(free_port)
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
    --maxclients 10000 --daemonize no >"$LOGS/redis.log" 2>&1 &
  REDIS_PID=$!
  # Redis is the one process every node waits for: on two cores shared
  # with dozens of workers and load processes it must not wait for a turn,
  # or replies pass the nodes' 3-second timeout and whole nodes go down.
  # In production it has a core of its own; here it gets the priority.
  renice -n -10 -p "$REDIS_PID" >/dev/null 2>&1 || echo "scale.sh: cannot raise Redis's priority; figures will suffer"
  for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "scale.sh: redis-server did not start (see $LOGS/redis.log)"
  return 1
}

# start_chatd WORKERS TAG: the supervisor and its workers, on PORT, with the
# flags a load test on one machine needs: no per-address limits for
# loopback clients, and a message rate above what the senders offer.
# Everything else is chatd's default, pings included.
start_chatd() {
  local workers=$1 tag=$2
  "$CHATD" --host 127.0.0.1 --port $PORT --workers "$workers" --redis "redis://127.0.0.1:$REDIS_PORT" \
    --max-connections $((PER_PROCESS + 500)) --exempt-loopback --rate 1000 --burst 1000 \
    --log-level warn >"$LOGS/$tag-chatd.log" 2>&1 &
  SUPERVISOR_PID=$!
  echo "$SUPERVISOR_PID" >"$LOGS/chatd.pid"
  for _ in $(seq 600); do
    grep -q 'chatd listening on' "$LOGS/$tag-chatd.log" && return 0
    kill -0 "$SUPERVISOR_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "scale.sh: chatd did not start (see $LOGS/$tag-chatd.log)"
  return 1
}
stop_chatd() {
  stop_pids $SUPERVISOR_PID
  SUPERVISOR_PID=
}
worker_pid_args() {
  local pid
  for pid in $(pgrep -P "$SUPERVISOR_PID"); do printf -- '--server-pid %s ' "$pid"; done
}

# Stops the run when memory runs short, rather than letting the kernel's
# OOM killer choose; the reason is kept for the report.
start_watchdog() {
  (
    while sleep 1; do
      available=$(awk '/MemAvailable/ {print int($2 / 1024)}' /proc/meminfo)
      if [ "$available" -lt "$MIN_FREE_MB" ]; then
        echo "{\"scenario\":\"stopped\",\"reason\":\"memory: ${available} MB available, under $MIN_FREE_MB\"}" >>"$JSONL"
        # shellcheck disable=SC2086
        kill -TERM $(cat "$LOGS/loadgen.pid" "$LOGS/chatd.pid" 2>/dev/null) 2>/dev/null
        exit 0
      fi
    done
  ) &
  WATCHDOG_PID=$!
}

# run_load TAG ARGS...: one load generator run; its JSON line goes to JSONL.
run_load() {
  local tag=$1
  shift
  echo "scale.sh: $tag: loadgen $*"
  # shellcheck disable=SC2046
  "$LOADGEN" --host 127.0.0.1 --port $PORT --scenario "$tag" --server chatd \
    --max-per-worker $PER_PROCESS --source-addresses 64 --concurrency 500 --connect-timeout 900 \
    --drain-timeout 60 --settle 5 $(worker_pid_args) --redis-pid "$REDIS_PID" "$@" \
    >"$LOGS/$tag.json" 2>"$LOGS/$tag.err" &
  LOADGEN_PID=$!
  echo "$LOADGEN_PID" >"$LOGS/loadgen.pid"
  wait "$LOADGEN_PID"
  local status=$?
  LOADGEN_PID=
  cat "$LOGS/$tag.json" >>"$JSONL"
  # chatd's own count of what it held, from each worker's view of the kernel.
  echo "scale.sh: $tag: exit $status; $(head -c 600 "$LOGS/$tag.json")"
  return $status
}

start_redis || exit 1
start_watchdog

if [[ " $PARTS " == *" rooms "* ]]; then
  start_chatd "$WORKERS" rooms || exit 1
  run_load rooms --connections "$CONNECTIONS" --room-size 1000 --chatting-rooms 100 --senders 1 \
    --pattern rate --rate 1 --duration "$DURATION" --json-say
  stop_chatd
fi

if [[ " $PARTS " == *" big "* ]]; then
  for rate in $RATES; do
    start_chatd "$BIG_WORKERS" "big-$rate" || exit 1
    run_load "big-room-$rate" --connections "$BIG" --room-size "$BIG" --senders 5 \
      --pattern rate --rate "$rate" --duration "$((DURATION < 20 ? DURATION : 20))" --json-say
    stop_chatd
    # The first rate at which messages go missing ends the climb.
    grep -q '"missing":0,' "$LOGS/big-room-$rate.json" || break
  done
fi

/usr/bin/python3 "$ROOT/tests/bench/report_scale.py" "$JSONL" | tee "$RESULTS/scale.md"
