#!/bin/bash
# callgrind.sh [CHATD]: instructions chatd executes per delivered message,
# counted by valgrind's callgrind (repeatable, unlike timings on a shared
# machine). It runs the same load twice under callgrind: once with the
# clients connected but silent, once with them chatting, and divides the
# difference in instructions by the number of deliveries, so start-up and
# handshakes cancel out.
#
# One sender at a modest rate keeps every message in a turn of its own, so
# the count does not depend on how the machine happened to batch messages:
# it is the full cost of one message to each recipient, the worst case.
#
#   CLIENTS=200 SENDERS=1 RATE=20 SECONDS_RUN=5 bash tests/bench/callgrind.sh build/epoll/chatd
set -euo pipefail
chatd=${1:-build/epoll/chatd}
clients=${CLIENTS:-200}
senders=${SENDERS:-1}
rate=${RATE:-20}
seconds=${SECONDS_RUN:-5}
loadgen=build/bench/loadgen
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run() {  # run LABEL PATTERN: prints "instructions deliveries"
  valgrind --tool=callgrind --callgrind-out-file="$work/$1.out" "$chatd" --port 0 --log-level warn \
    --rate 1000000 --burst 1000000 --exempt-loopback >"$work/$1.stdout" 2>"$work/$1.valgrind" &
  local pid=$! port=""
  for _ in $(seq 200); do
    port=$(sed -n 's/.*listening on http:[^:]*:\([0-9]*\).*/\1/p' "$work/$1.stdout")
    [ -n "$port" ] && break
    sleep 0.05
  done
  "$loadgen" --port "$port" --connections "$clients" --senders "$senders" --pattern "$2" --rate "$rate" \
    --duration "$seconds" --concurrency 50 --source-addresses 1 > "$work/$1.json" 2>/dev/null || true
  kill -INT "$pid"; wait "$pid" || true
  local instructions
  instructions=$(sed -n 's/^summary: //p' "$work/$1.out")
  local delivered
  delivered=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1])).get('delivered',0))" "$work/$1.json")
  echo "$instructions $delivered"
}

read -r idle_instructions _ < <(run idle idle)
read -r busy_instructions delivered < <(run busy rate)
/usr/bin/python3 - "$idle_instructions" "$busy_instructions" "$delivered" <<'PY'
import sys
idle, busy, delivered = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
per = (busy - idle) / delivered if delivered else float('nan')
print(f"callgrind: {busy - idle} instructions for {delivered} deliveries = {per:.0f} instructions per delivery")
PY
