# shellcheck shell=bash
# stop_pids.sh: sourced by the benchmark drivers (run.sh, scale.sh).
#
# stop_pids PID...: stops processes the script started, and only those,
# politely (SIGTERM), then firmly (SIGKILL): a peer still busy with a
# backlog may not get round to its signal handler. Waits at most
# STOP_WAIT_SECONDS (default 5) for all of them together; a supervisor
# closing hundreds of thousands of clients needs longer.
stop_pids() {
  local pid alive
  [ $# -gt 0 ] || return 0
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null; done
  for _ in $(seq $((${STOP_WAIT_SECONDS:-5} * 10))); do
    alive=0
    for pid in "$@"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  for pid in "$@"; do
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
}
