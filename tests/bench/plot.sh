#!/bin/sh
# plot.sh [RESULTS.json [OUTPUT.svg]]: draws the fixed-load curve of a
# benchmark run with gnuplot: deliveries per second (with the offered load)
# and p99 latency against the number of clients in the room, one line per
# server. The points are the "curve" runs of tests/bench/run.sh plus scenario
# 3 ("fixed") itself: 5 senders at 20 messages/s each, so N clients are
# offered 100 x N deliveries per second.
#
# Defaults: tests/bench/results/results.json -> tests/bench/results/bench_fanout.svg
# (`make bench-plot` writes docs/bench_fanout.svg instead).
set -eu
cd "$(dirname "$0")/../.."
RESULTS=${1:-tests/bench/results/results.json}
OUTPUT=${2:-tests/bench/results/bench_fanout.svg}
PYTHON=${PYTHON:-/usr/bin/python3}
command -v gnuplot >/dev/null || { echo "plot.sh: gnuplot is not installed (apt-get install gnuplot-nox)"; exit 1; }
DATA=$(mktemp -d)
trap 'rm -rf "$DATA"' EXIT

# One data file per server: clients, delivered/s, offered/s, p99 in ms.
"$PYTHON" - "$RESULTS" "$DATA" <<'EOF'
import json, sys
results = json.load(open(sys.argv[1]))
names = {"chatd": "chatd", "node_ws": "node ws", "python_websockets": "Python websockets",
         "websocketpp": "websocketpp"}
order = []
clients = []
for server, scenarios in results["summary"].items():
    points = list(scenarios.get("curve", []))
    if isinstance(scenarios.get("fixed"), dict) and "delivered_per_s" in scenarios["fixed"]:
        points.append(scenarios["fixed"])
    points = sorted((p for p in points if "delivered_per_s" in p), key=lambda p: p["connections"])
    if not points:
        continue
    clients += [p["connections"] for p in points]
    with open(f"{sys.argv[2]}/{server}.dat", "w") as out:
        for p in points:
            out.write(f'{p["connections"]} {p["delivered_per_s"]} {p["offered_per_s"]} {p["latency_us"]["p99"] / 1000}\n')
    order.append(f'{server}:{names.get(server, server)}')
open(f"{sys.argv[2]}/servers", "w").write("\n".join(order) + "\n")
# A little room left and right of the outermost points on the log axis.
if clients:
    open(f"{sys.argv[2]}/xrange", "w").write(f"{min(clients) * 0.8}:{max(clients) * 1.25}\n")
EOF

# gnuplot's plot command, one clause per server, built here so the script
# needs no gnuplot loops.
# Each server keeps its colour in both panels.
deliveries="" latency="" first="" index=0
while IFS=: read -r server label; do
  [ -n "$server" ] || continue
  index=$((index + 1))
  file="$DATA/$server.dat"
  style="with linespoints linewidth 2 pointtype 7 pointsize 0.8 linecolor $index title '$label'"
  deliveries="$deliveries${deliveries:+, }'$file' using 1:(\$2/1000) $style"
  latency="$latency${latency:+, }'$file' using 1:4 $style"
  [ -n "$first" ] || first=$file
done < "$DATA/servers"
[ -n "$first" ] || { echo "plot.sh: no fixed-load results in $RESULTS"; exit 1; }
xrange=$(cat "$DATA/xrange")

gnuplot <<EOF
set terminal svg size 820,860 dynamic font "sans,13" background "#ffffff"
set output "$OUTPUT"
set multiplot layout 2,1 title "Fixed load: 5 senders x 20 messages/s in one room (offered = 100 x clients deliveries/s)"
set logscale x
set xrange [$xrange]
set xtics (100, 250, 500, 1000, 2000, 5000, 10000)
set grid
set key left top box opaque
set xlabel "clients in the room"
set ylabel "deliveries per second (thousands)"
set yrange [0:*]
# The offered load last, dashed, so it shows on top of a server that meets it.
plot $deliveries, '$first' using 1:(\$3/1000) with lines dashtype 2 linewidth 1.5 linecolor rgb "#444444" title 'offered'
set yrange [*:*]
set logscale y
set key left top
set ylabel "p99 latency (ms, log scale)"
plot $latency
unset multiplot
EOF
echo "plot.sh: wrote $OUTPUT"
