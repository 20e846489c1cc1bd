#!/usr/bin/python3
"""report.py RUNS.jsonl RESULTS.json TABLE.md [--quick=0|1]

Turns the load generator's JSON lines (one per run, written by run.sh) into
results.json (the machine, every run, and per server and scenario the figures
the table shows) and a Markdown table, printed and saved. Scenario 2 is noisy
on a shared 2-core machine, so its figures are medians over its runs, each
figure on its own.

The bus part's runs (marked "part": "bus") are kept out of that table and
get their own, from report_bus.py, after it.

Deliberately left out: statistics beyond the median; the raw runs are kept in
results.json for anyone who wants more.
"""
import json
import os
import platform
import statistics
import subprocess
import sys
import time

from report_bus import bus_summary, bus_table

SERVER_NAMES = {
    "chatd": "chatd",
    "node_ws": "node ws",
    "python_websockets": "Python websockets",
    "websocketpp": "websocketpp",
}
SCENARIOS = ["idle", "fanout", "fixed", "handshake", "strangers"]


def machine():
    def run(command):
        try:
            return subprocess.run(command, capture_output=True, text=True, timeout=10).stdout.strip()
        except OSError:
            return ""
    memory_kb = 0
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    cpu = ""
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(memory_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "compiler": run(["g++", "--version"]).splitlines()[0] if run(["g++", "--version"]) else "",
        "node": run(["node", "--version"]),
        "python": platform.python_version(),
        "open_file_limit": run(["sh", "-c", "ulimit -Hn"]),
    }


def summarize(runs):
    """Per server and scenario: the single run, or the per-figure median of several."""
    summary = {}
    for run in runs:
        if "skipped" in run:
            summary.setdefault(run["server"], {})["skipped"] = run["skipped"]
            continue
        summary.setdefault(run["server"], {}).setdefault(run["scenario"], []).append(run)
    for server, scenarios in summary.items():
        for scenario, group in list(scenarios.items()):
            if scenario == "skipped":
                continue
            if scenario == "curve":
                scenarios[scenario] = sorted(group, key=lambda r: r.get("connections", 0))
            elif len(group) == 1:
                scenarios[scenario] = group[0]
            else:
                scenarios[scenario] = median_of(group)
    return summary


def median_of(group):
    merged = dict(group[0])
    for key, value in group[0].items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            merged[key] = statistics.median(run.get(key, 0) for run in group)
    merged["latency_us"] = {
        k: statistics.median(run.get("latency_us", {}).get(k, 0) for run in group) for k in ("p50", "p99", "max")
    }
    merged["runs"] = len(group)
    merged["delivered_per_s_runs"] = [run.get("delivered_per_s", 0) for run in group]
    return merged


def number(value, digits=0):
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def milliseconds(microseconds):
    return "n/a" if microseconds is None else f"{microseconds / 1000:,.1f} ms"


def cell(result, figure):
    """One table cell: a figure of one scenario, with failures made visible."""
    if result is None:
        return "n/a"
    if "error" in result:
        return "error: " + result["error"]
    note = ""
    if result.get("failed"):
        note = f" ({number(result['connected'])}/{number(result['connections'])} connected)"
    if not result.get("complete", True):
        note += " (incomplete)"
    return figure(result) + note


ROWS = [
    ("1 idle: RSS per connection", "idle", lambda r: number(r.get("rss_per_connection_bytes")) + " B"),
    ("2 fan-out: deliveries/s (median)", "fanout", lambda r: number(r.get("delivered_per_s"))),
    ("2 fan-out: latency p50 / p99", "fanout",
     lambda r: milliseconds(r["latency_us"]["p50"]) + " / " + milliseconds(r["latency_us"]["p99"])),
    ("2 fan-out: missing", "fanout", lambda r: number(r.get("missing"))),
    ("3 fixed: delivered/s of offered", "fixed",
     lambda r: number(r.get("delivered_per_s")) + " / " + number(r.get("offered_per_s"))),
    ("3 fixed: missing", "fixed",
     lambda r: number(r.get("missing")) + f" ({r.get('missing_percent', 0):.1f}%)"),
    ("3 fixed: latency p99 / max", "fixed",
     lambda r: milliseconds(r["latency_us"]["p99"]) + " / " + milliseconds(r["latency_us"]["max"])),
    ("3 fixed: server CPU per delivery", "fixed", lambda r: number(r.get("cpu_us_per_delivery"), 2) + " µs"),
    ("3 fixed: TCP retransmissions (machine)", "fixed", lambda r: number(r.get("system_tcp_retransmits"))),
    ("4 handshakes/s", "handshake", lambda r: number(r.get("handshakes_per_s"))),
    ("5 strangers: delivered/s of offered", "strangers",
     lambda r: number(r.get("delivered_per_s")) + " / " + number(r.get("offered_per_s"))),
    ("5 strangers: missing, p99", "strangers",
     lambda r: number(r.get("missing")) + ", " + milliseconds(r["latency_us"]["p99"])),
]


def table(summary, sizes):
    servers = [s for s in SERVER_NAMES if s in summary] + [s for s in summary if s not in SERVER_NAMES]
    lines = ["| scenario | " + " | ".join(SERVER_NAMES.get(s, s) for s in servers) + " |",
             "|---|" + "---|" * len(servers)]
    for label, scenario, figure in ROWS:
        cells = []
        for server in servers:
            if "skipped" in summary[server]:
                cells.append("skipped")
            else:
                cells.append(cell(summary[server].get(scenario), figure))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(sizes)
    return "\n".join(lines) + "\n"


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    runs_path, results_path, table_path = sys.argv[1:4]
    quick = "--quick=1" in sys.argv[4:]
    runs = []
    with open(runs_path) as lines:
        for line in lines:
            line = line.strip()
            if line:
                runs.append(json.loads(line))
    main_runs = [run for run in runs if run.get("part") != "bus"]
    summary = summarize(main_runs)
    sizes_of = {}
    for run in main_runs:
        if "connections" in run and run.get("scenario") in SCENARIOS:
            sizes_of.setdefault(run["scenario"], run["connections"])
    sizes = "Clients: " + ", ".join(f"{s} {number(n)}" for s, n in sizes_of.items())
    if quick:
        sizes += " (quick run: small counts, 2 s runs)"
    bus = bus_table(runs)
    # The main table, unless only the bus part ran.
    text = table(summary, sizes) if main_runs or not bus else ""
    if bus:
        text += ("\n" if text else "") + bus
    results = {"machine": machine(), "quick": quick, "summary": summary, "runs": runs}
    if bus:
        results["bus"] = bus_summary(runs)
    with open(results_path, "w") as out:
        json.dump(results, out, indent=1)
    with open(table_path, "w") as out:
        out.write(text)
    print(text, end="")


if __name__ == "__main__":
    main()
