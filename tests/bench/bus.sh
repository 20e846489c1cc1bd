# shellcheck shell=bash
# bus.sh: the "bus" part of the benchmark (issue 11), sourced by run.sh.
#
# What sharing rooms through Redis costs: the fixed load of scenario 3 (one
# room, 5 senders at 20 messages/s, 64-byte texts) over three chatd nodes
# joined by Redis pub/sub ("bus3"), on one node with --redis ("bus1"), and
# run.sh's own "fixed" run on one node without Redis as the yardstick; then a
# low load (10 clients, 1 sender at 10/s) on one node with and without Redis
# for the latency one message gains on its way through Redis. Latency is the
# load generator's usual one (the send time written in the message, the
# arrival at every recipient): it holds across nodes because they all share
# this machine's clock.
#
# Redis is a redis-server of our own: a free loopback port, its own
# temporary directory, no persistence, started here and stopped by its PID
# (bus_cleanup, from run.sh's EXIT trap); never a system Redis. It is flushed
# before every run, so no run sees another's history. The load generator
# reads Redis's CPU time (utime + stime of /proc/PID/stat) over each run, and
# the nodes' summed.
#
# Uses run.sh's variables and functions (CHATD, LOADGEN, PORT, WORKERS, LOGS,
# RUNS, RUN_INDEX, the sizes, wait_for_quiet). Deliberately left
# out: more than one Redis, Redis on another machine, and failover: those
# would measure the network and the setup, not chatd.

REDIS_PID=
REDIS_PORT=
REDIS_DIR=
NODE_PIDS=()

# Prints why the bus part cannot run here, or nothing when it can.
bus_unavailable() {
  command -v redis-server >/dev/null || { echo "redis-server is not installed (apt-get install redis-server)"; return; }
  [ -x "$CHATD" ] || { echo "no chatd binary at $CHATD"; return; }
  "$CHATD" --help 2>/dev/null | grep -q -- '--redis' || echo "this chatd has no --redis option yet"
}

# redis_command WORDS...: sends one command to our Redis and prints its reply
# line as redis-cli shows it (PONG, OK): redis-cli when installed, else the
# RESP bytes over bash's /dev/tcp. Bounded: 5 seconds at most.
redis_command() {
  if command -v redis-cli >/dev/null; then
    timeout 5 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@" 2>/dev/null
    return
  fi
  local crlf=$'\r\n' request="*$#"$'\r\n' word reply
  for word in "$@"; do request+="\$${#word}$crlf$word$crlf"; done
  # Loopback refuses or accepts at once; the read is what may wait.
  (
    exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT" || exit 1
    printf '%s' "$request" >&3
    IFS= read -r -t 5 reply <&3 || exit 1
    reply=${reply%$'\r'}
    echo "${reply#[+:]}"
  ) 2>/dev/null
}

# A port the kernel just gave out and took back; redis-server may lose it to
# another process before it binds, so start_redis tries again.
free_loopback_port() {
  "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Starts our redis-server and waits (5 s at most per try) until it answers
# PING; sets REDIS_PID and REDIS_PORT.
start_redis() {
  REDIS_DIR=$(mktemp -d /tmp/chatd-bench-redis-XXXXXX) || return 1
  for _ in 1 2 3 4 5; do
    REDIS_PORT=$(free_loopback_port) || return 1
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$REDIS_DIR" \
      --daemonize no >>"$LOGS/redis.log" 2>&1 &
    REDIS_PID=$!
    for _ in $(seq 50); do
      [ "$(redis_command PING)" = PONG ] && return 0
      kill -0 "$REDIS_PID" 2>/dev/null || break
      sleep 0.1
    done
    stop_redis
  done
  echo "run.sh: redis-server did not start (see $LOGS/redis.log)"
  return 1
}

stop_redis() {
  [ -n "$REDIS_PID" ] || return 0
  stop_pids "$REDIS_PID"
  REDIS_PID=
}

# start_nodes COUNT REDIS(0|1) TAG: COUNT chatd nodes on PORT, PORT+1, ...,
# with chatd's benchmark flags (run.sh's start_server), and with --redis when
# asked. Waits (10 s at most) until each accepts connections and, with
# --redis, has printed its "listening on" line, which a node prints only once
# it has reached Redis. Sets NODE_PIDS.
start_nodes() {
  local count=$1 with_redis=$2 tag=$3 i
  NODE_PIDS=()
  for ((i = 0; i < count; i++)); do
    local log=$LOGS/$tag-node$i.log
    local redis_args=()
    [ "$with_redis" = 1 ] && redis_args=(--redis "redis://127.0.0.1:$REDIS_PORT" --node-name "bench-$i")
    "$CHATD" --host 127.0.0.1 --port $((PORT + i)) --rate 1000000 --burst 1000000 --exempt-loopback \
      --log-level warn "${redis_args[@]}" >>"$log" 2>&1 &
    NODE_PIDS+=($!)
  done
  for ((i = 0; i < count; i++)); do
    local ready=0
    for _ in $(seq 100); do
      if { [ "$with_redis" = 0 ] || grep -q 'listening on' "$LOGS/$tag-node$i.log"; } &&
         (exec 3<>"/dev/tcp/127.0.0.1/$((PORT + i))") 2>/dev/null; then
        ready=1
        break
      fi
      kill -0 "${NODE_PIDS[$i]}" 2>/dev/null || break
      sleep 0.1
    done
    [ $ready = 1 ] || { echo "run.sh: chatd node $i did not start (see $LOGS/$tag-node$i.log)"; return 1; }
  done
}

# Stops the nodes as run.sh's stop_server does (stop_pids, from stop_pids.sh).
stop_nodes() {
  stop_pids "${NODE_PIDS[@]}"
  NODE_PIDS=()
  sleep 0.5
}

bus_cleanup() {
  stop_nodes
  stop_redis
  [ -n "$REDIS_DIR" ] && rm -rf "$REDIS_DIR"
  REDIS_DIR=
}

# run_bus SCENARIO NODES REDIS(0|1) loadgen-options...: fresh nodes (and a
# flushed Redis), one load generator run over all their ports, one JSON line
# in runs.jsonl marked "part":"bus".
run_bus() {
  local scenario=$1 nodes=$2 with_redis=$3
  shift 3
  # Its own 16 loopback source addresses, as run.sh's run_load does.
  RUN_INDEX=$((RUN_INDEX + 1))
  local first=$(( (RUN_INDEX * 16) % 60000 + 1 ))
  wait_for_quiet
  local error=
  if [ "$with_redis" = 1 ] && [ "$(redis_command FLUSHALL)" != OK ]; then
    error="Redis did not flush"
  elif ! start_nodes "$nodes" "$with_redis" "$scenario"; then
    error="server did not start"
  fi
  local line
  if [ -z "$error" ]; then
    local ports=$PORT pids=() i
    for ((i = 1; i < nodes; i++)); do ports+=",$((PORT + i))"; done
    for ((i = 0; i < nodes; i++)); do pids+=(--server-pid "${NODE_PIDS[$i]}"); done
    local redis_args=()
    [ "$with_redis" = 1 ] && redis_args=(--redis-pid "$REDIS_PID")
    line=$(timeout 600 "$LOADGEN" --ports "$ports" --server chatd "${pids[@]}" "${redis_args[@]}" \
           --scenario "$scenario" --workers "$WORKERS" --first-source-address "$first" "$@" 2>>"$LOGS/loadgen.log")
    [ -n "$line" ] || line="{\"scenario\":\"$scenario\",\"server\":\"chatd\",\"error\":\"load generator failed\"}"
  else
    line="{\"scenario\":\"$scenario\",\"server\":\"chatd\",\"error\":\"$error\"}"
  fi
  line="${line%\}},\"part\":\"bus\",\"nodes\":$nodes,\"redis\":$([ "$with_redis" = 1 ] && echo true || echo false),\"load_average_before\":$LOAD_BEFORE}"
  echo "$line" >>"$RUNS"
  printf '  %-18s %-14s %s\n' "chatd x$nodes" "$scenario" "$(echo "$line" | cut -c1-150)..."
  stop_nodes
}

# The bus part: rows A to D of issue 11. FIXED_DONE=1 when run.sh's main
# part has already measured chatd's "fixed" run (row C); else it runs here.
run_bus_part() {
  local why
  why=$(bus_unavailable)
  if [ -n "$why" ]; then
    echo "== bus skipped: $why"
    echo "{\"server\":\"chatd\",\"part\":\"bus\",\"skipped\":\"$why\"}" >>"$RUNS"
    return
  fi
  echo "== bus (chatd nodes sharing rooms through Redis)"
  if ! start_redis; then
    echo "{\"server\":\"chatd\",\"part\":\"bus\",\"skipped\":\"redis-server did not start\"}" >>"$RUNS"
    bus_cleanup
    return
  fi
  local fixed=(--connections "$FIXED_CLIENTS" --senders 5 --pattern rate --rate 20 --message-bytes 64
               --duration "$DURATION" --drain-timeout "$DRAIN")
  local low=(--connections 10 --senders 1 --pattern rate --rate 10 --message-bytes 64
             --duration "$DURATION" --drain-timeout "$DRAIN")
  # Row C, the yardstick: only when the main part did not measure it.
  [ "${FIXED_DONE:-0}" = 1 ] || run_bus fixed 1 0 "${fixed[@]}"
  run_bus bus3 3 1 "${fixed[@]}"
  run_bus bus1 1 1 "${fixed[@]}"
  run_bus latency_local 1 0 "${low[@]}"
  run_bus latency_redis 1 1 "${low[@]}"
  bus_cleanup
}
