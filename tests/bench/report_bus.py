"""report_bus.py: the "bus" table of the benchmark (issue 11), for report.py.

Columns: three chatd nodes sharing the room through Redis (run "bus3"), one
node with --redis ("bus1"), one node without Redis (chatd's "fixed" run, the
yardstick: from the main part when it ran, else from the bus part's own).
Rows: what was delivered of what was offered, what went missing, latency,
p99 against the yardstick (target: at most 1.5 times), the CPU time of
Redis and of the nodes over the run, and the p50 of a low load with and
without Redis: what one message's trip through Redis adds.

Deliberately left out: medians over repeated runs; the bus part runs each
configuration once.
"""

P99_TARGET = 1.5

COLUMNS = [
    ("bus3", "3 nodes + Redis"),
    ("bus1", "1 node + Redis"),
    ("fixed", "1 node, no Redis"),
]


def latency(microseconds):
    if microseconds is None:
        return "n/a"
    if microseconds < 1000:
        return f"{microseconds:,.0f} µs"
    return f"{microseconds / 1000:,.1f} ms"


def number(value, digits=0):
    return "n/a" if value is None else f"{value:,.{digits}f}"


def cpu(seconds, percent):
    if seconds is None:
        return "n/a"
    return f"{seconds:,.2f} s ({percent:,.1f}% of a core)"


def bus_runs(runs):
    """The bus part's runs by scenario, and row C's run (the main part's chatd
    "fixed" run when there is one, else the bus part's own)."""
    by_scenario = {}
    skipped = None
    main_fixed = None
    for run in runs:
        if run.get("part") == "bus":
            if "skipped" in run:
                skipped = run["skipped"]
            else:
                by_scenario[run["scenario"]] = run
        elif run.get("server") == "chatd" and run.get("scenario") == "fixed" and main_fixed is None:
            main_fixed = run
    if main_fixed is not None:
        by_scenario["fixed"] = main_fixed
    return by_scenario, skipped


def usable(run):
    return run is not None and "error" not in run


def note(run):
    text = ""
    if run.get("failed"):
        text += f" ({number(run['connected'])}/{number(run['connections'])} connected)"
    if not run.get("complete", True):
        text += " (incomplete)"
    return text


def p99_ratio(run, yardstick):
    if not usable(yardstick) or not yardstick["latency_us"]["p99"]:
        return "n/a"
    ratio = run["latency_us"]["p99"] / yardstick["latency_us"]["p99"]
    verdict = "ok" if ratio <= P99_TARGET else f"over {P99_TARGET}x"
    return f"{ratio:.2f}x ({verdict})"


def nodes_cpu(run):
    text = cpu(run.get("server_cpu_s"), run.get("server_cpu_percent", 0))
    each = run.get("server_cpu_s_each")
    if each:
        text += " = " + " + ".join(f"{s:.2f}" for s in each)
    return text


def redis_cpu(run):
    if not run.get("redis"):
        return "no Redis"
    return cpu(run.get("redis_cpu_s"), run.get("redis_cpu_percent", 0))


ROWS = [
    ("delivered/s of offered",
     lambda r, c: number(r.get("delivered_per_s")) + " / " + number(r.get("offered_per_s"))),
    ("missing", lambda r, c: number(r.get("missing")) + f" ({r.get('missing_percent', 0):.1f}%)"),
    ("latency p50 / p99",
     lambda r, c: latency(r["latency_us"]["p50"]) + " / " + latency(r["latency_us"]["p99"])),
    (f"p99 vs 1 node without Redis (target ≤ {P99_TARGET}x)",
     lambda r, c: "1.00x (yardstick)" if r is c else p99_ratio(r, c)),
    ("Redis CPU over the run", lambda r, c: redis_cpu(r)),
    ("nodes' CPU over the run (summed)", lambda r, c: nodes_cpu(r)),
]


def bus_table(runs):
    """The Markdown table (with its notes), or "" when no bus part ran."""
    by_scenario, skipped = bus_runs(runs)
    has_bus = skipped is not None or any(s in by_scenario for s in ("bus3", "bus1", "latency_redis"))
    if not has_bus:
        return ""
    if skipped is not None:
        return f"Bus (issue 11): skipped: {skipped}\n"
    yardstick = by_scenario.get("fixed")
    lines = ["| bus (issue 11) | " + " | ".join(label for _, label in COLUMNS) + " |",
             "|---|" + "---|" * len(COLUMNS)]
    for label, figure in ROWS:
        cells = []
        for scenario, _ in COLUMNS:
            run = by_scenario.get(scenario)
            if run is None:
                cells.append("n/a")
            elif "error" in run:
                cells.append("error: " + run["error"])
            else:
                cells.append(figure(run, yardstick) + note(run))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    low_redis, low_local = by_scenario.get("latency_redis"), by_scenario.get("latency_local")
    low_cells = {"bus3": "n/a", "bus1": low_p50(low_redis), "fixed": low_p50(low_local)}
    lines.append("| low load: latency p50 | " + " | ".join(low_cells[s] for s, _ in COLUMNS) + " |")
    lines.append("")
    fixed = yardstick or by_scenario.get("bus3") or {}
    low = low_redis or low_local or {}
    lines.append(f"Bus: {number(fixed.get('connections'))} clients in one room (spread over the 3 nodes for bus3), "
                 f"{number(fixed.get('senders'))} senders at 20 messages/s, 64-byte texts, "
                 f"{number(fixed.get('duration_s'), 0)} s. Low load: {number(low.get('connections'))} clients, "
                 f"1 sender at 10 messages/s, 1 node.")
    if usable(low_redis) and usable(low_local):
        added = low_redis["latency_us"]["p50"] - low_local["latency_us"]["p50"]
        lines.append(f"Through Redis, one message's p50 gains {latency(added) if added >= 0 else '-' + latency(-added)} "
                     f"({latency(low_local['latency_us']['p50'])} without, "
                     f"{latency(low_redis['latency_us']['p50'])} with).")
    return "\n".join(lines) + "\n"


def low_p50(run):
    if run is None:
        return "n/a"
    if "error" in run:
        return "error: " + run["error"]
    return latency(run["latency_us"]["p50"]) + note(run)


def bus_summary(runs):
    """The bus figures for results.json: each run by scenario, and the ratios."""
    by_scenario, skipped = bus_runs(runs)
    if skipped is not None:
        return {"skipped": skipped}
    summary = dict(by_scenario)
    yardstick = by_scenario.get("fixed")
    if usable(yardstick) and yardstick["latency_us"]["p99"]:
        summary["p99_ratio_vs_one_node_without_redis"] = {
            s: by_scenario[s]["latency_us"]["p99"] / yardstick["latency_us"]["p99"]
            for s in ("bus3", "bus1") if usable(by_scenario.get(s))
        }
        summary["p99_ratio_target"] = P99_TARGET
    return summary
