#!/usr/bin/env python3
"""report_scale.py SCALE_JSONL: the scale benchmark's tables (tests/bench/scale.sh).

Reads the load generator's JSON lines (one per run) and prints Markdown:
the rooms run (connections held, the chatting rooms' deliveries, memory
per connection for chatd, Redis and the kernel apart) and the big room's
steps. Figures are printed as measured; nothing is estimated here.
"""
import json
import sys


def mib(kb):
    return f"{kb / 1024:,.0f} MiB"


def main(path):
    runs = []
    stops = []
    with open(path) as lines:
        for line in lines:
            line = line.strip()
            if not line:
                continue
            run = json.loads(line)
            (stops if run.get("scenario") == "stopped" else runs).append(run)
    for stop in stops:
        print(f"**Stopped early:** {stop['reason']}\n")
    rooms = [r for r in runs if r.get("scenario") == "rooms"]
    for r in rooms:
        held = r["connected"]
        dropped = r["closed_by_server"] + r["disconnected"]
        print("### Rooms of 1,000\n")
        print("| figure | value |\n|---|---|")
        print(f"| connections asked / held | {r['connections']:,} / {held:,} (failed {r['failed']:,}) |")
        print(f"| connect time | {r['connect_seconds']:.0f} s ({r['handshakes_per_s']:,.0f} handshakes and joins/s) |")
        print(f"| rooms / chatting | {r.get('rooms', 0):,} / {r['senders']:,} senders at 1 message/s |")
        print(f"| offered / delivered per s | {r['offered_per_s']:,.0f} / {r['delivered_per_s']:,.0f} |")
        print(f"| delivered / missing | {r['delivered']:,} / {r['missing']:,} |")
        lat = r["latency_us"]
        print(f"| latency p50 / p99 / max | {lat['p50'] / 1000:.1f} / {lat['p99'] / 1000:.1f} / {lat['max'] / 1000:.1f} ms |")
        print(f"| pings answered | {r['pings_answered']:,} |")
        print(f"| connections dropped | {dropped:,} |")
        if "rss_after_kb" in r:
            print(f"| chatd workers' resident memory | {mib(r['rss_after_kb'])}, "
                  f"{r['rss_per_connection_bytes']:,.0f} bytes per connection (over {r.get('server_processes', 1)} workers) |")
        if "redis_rss_kb" in r:
            print(f"| Redis resident memory | {mib(r['redis_rss_kb'])}, {r['redis_rss_per_connection_bytes']:,.0f} bytes per connection |")
        if "kernel_tcp_sockets" in r:
            print(f"| kernel: TCP sockets / buffers / slab growth | {r['kernel_tcp_sockets']:,} / "
                  f"{r['kernel_tcp_buffer_bytes'] / 1048576:,.0f} MiB / {mib(r['kernel_slab_growth_kb'])} "
                  f"({r['kernel_slab_growth_kb'] * 1024 / max(held, 1):,.0f} bytes per connection, both ends) |")
        print(f"| CPU during the run: chatd / Redis / load generator | {r.get('server_cpu_percent', 0):.0f}% / "
              f"{r.get('redis_cpu_percent', 0):.0f}% / {r.get('loadgen_cpu_percent', 0):.0f}% of one core |")
        print()
    big = [r for r in runs if r.get("scenario", "").startswith("big-room")]
    if big:
        print("### One big room\n")
        print("| connections | workers | senders x rate | offered/s | delivered/s | missing | p50 | p99 "
              "| chatd CPU | Redis CPU | load generator CPU | dropped |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for r in big:
            rate = r["scenario"].rsplit("-", 1)[1]
            lat = r.get("latency_us", {"p50": 0, "p99": 0})
            print(f"| {r['connected']:,} | {r.get('server_processes', 1)} | {r.get('senders', 0)} x {rate}/s "
                  f"| {r.get('offered_per_s', 0):,.0f} | {r.get('delivered_per_s', 0):,.0f} | {r.get('missing', 0):,} "
                  f"| {lat['p50'] / 1000:.1f} ms | {lat['p99'] / 1000:.1f} ms | {r.get('server_cpu_percent', 0):.0f}% "
                  f"| {r.get('redis_cpu_percent', 0):.0f}% | {r.get('loadgen_cpu_percent', 0):.0f}% "
                  f"| {r['closed_by_server'] + r['disconnected']:,} |")
        print("\nCPU is a percentage of one core, summed over processes; this machine has two.")


if __name__ == "__main__":
    main(sys.argv[1])
