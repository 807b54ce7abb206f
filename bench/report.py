#!/usr/bin/env python
"""The table of `make bench`, from locust's --csv output (and the raw timings per role).

    python bench/report.py --csv var/bench/locust --samples var/bench/samples.json \
        --raise-signals var/bench/raise_signals.json [--markdown var/bench/report.md]

Per scenario: requests, failures, p50, p95, p99 (ms, as locust's CSV gives them), requests per
second over the run, and p95 / p95(floor). Then the permission filter: p95 of the youth list
for a login through the selectors, over p95 of the same list unfiltered for the same login; the
raise_signals ratio; p95 per scenario and role from the raw timings; the phases' durations.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
from pathlib import Path

SCENARIOS = [
    "werkvoorraad",
    "youth page",
    "search",
    "record check-in",
    "transition",
    "API list",
    "outflow meeting",
    "navigation badge",
    "floor",
    "list filtered (school)",
    "list unfiltered (school)",
    "list filtered (partner)",
    "list unfiltered (partner)",
]


def percentile(values: list[float], p: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    index = max(0, math.ceil(p / 100 * len(ordered)) - 1)
    return ordered[index]


def read_stats(prefix: str) -> dict[str, dict]:
    path = Path(f"{prefix}_stats.csv")
    rows = {}
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            rows[row["Name"]] = row
    return rows


def num(row: dict, key: str) -> float:
    try:
        return float(row[key])
    except (KeyError, TypeError, ValueError):
        return math.nan


def fmt(value: float, digits: int = 0) -> str:
    return (
        "–"
        if value is None or (isinstance(value, float) and math.isnan(value))
        else f"{value:,.{digits}f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--csv", required=True, help="locust --csv prefix")
    parser.add_argument("--samples")
    parser.add_argument("--raise-signals", nargs="*", default=[])
    parser.add_argument("--phases")
    parser.add_argument("--cases", type=int)
    parser.add_argument("--users", type=int)
    parser.add_argument("--workers", type=int)
    parser.add_argument("--markdown", help="also write the tables as Markdown here")
    args = parser.parse_args()

    stats = read_stats(args.csv)
    samples = {}
    api_present = None
    if args.samples and Path(args.samples).exists():
        data = json.loads(Path(args.samples).read_text())
        samples, api_present = data["samples"], data.get("api_present")
    floor_p95 = num(stats.get("floor", {}), "95%")

    lines: list[str] = []
    out = lines.append
    head = ["scenario", "requests", "failures", "p50 ms", "p95 ms", "p99 ms", "req/s", "p95/floor"]
    table = []
    for name in SCENARIOS + sorted(set(stats) - set(SCENARIOS) - {"Aggregated"}):
        row = stats.get(name)
        if name not in SCENARIOS and (row is None or not num(row, "Request Count")):
            continue  # e.g. "(login)": its requests fall before the statistics are reset
        if row is None:
            if name == "API list":
                note = "skipped: /api/v1/cases not there" if api_present is False else "no requests"
                table.append([name, "0", "–", "–", "–", "–", "–", note])
            continue
        p95 = num(row, "95%")
        table.append(
            [
                name,
                fmt(num(row, "Request Count")),
                fmt(num(row, "Failure Count")),
                fmt(num(row, "50%")),
                fmt(p95),
                fmt(num(row, "99%")),
                fmt(num(row, "Requests/s"), 1),
                fmt(p95 / floor_p95, 1) if floor_p95 else "–",
            ]
        )
    total = stats.get("Aggregated", {})
    table.append(
        [
            "all",
            fmt(num(total, "Request Count")),
            fmt(num(total, "Failure Count")),
            fmt(num(total, "50%")),
            fmt(num(total, "95%")),
            fmt(num(total, "99%")),
            fmt(num(total, "Requests/s"), 1),
            "",
        ]
    )
    title = "Route Arbeid load benchmark"
    if args.cases:
        title += f": {args.cases:,} cases"
    if args.users:
        title += f", {args.users} users"
    if args.workers:
        title += f", gunicorn {args.workers} sync workers + 2 task workers, PostgreSQL"
    out(title)
    out("")
    out(markdown_table(head, table))
    out("")

    ratios = []
    for kind in ("school", "partner"):
        filtered = num(stats.get(f"list filtered ({kind})", {}), "95%")
        unfiltered = num(stats.get(f"list unfiltered ({kind})", {}), "95%")
        if not math.isnan(filtered) and not math.isnan(unfiltered) and unfiltered:
            ratios.append([kind, fmt(filtered), fmt(unfiltered), fmt(filtered / unfiltered, 2)])
    if ratios:
        out("Permission filter: the youth list through the selectors over the same list unfiltered")
        out("(/bench/jongeren-ongefilterd/, same login, same template), p95:")
        out("")
        out(markdown_table(["login", "filtered p95 ms", "unfiltered p95 ms", "ratio"], ratios))
        out("")

    raise_rows = []
    for path in args.raise_signals:
        if Path(path).exists():
            r = json.loads(Path(path).read_text())
            raise_rows.append(
                [
                    f"today + {r.get('ahead', 0)} days",
                    fmt(r["signals"]),
                    fmt(r["due"]),
                    fmt(r["bare_ms"], 1),
                    fmt(r["raise_ms"], 1),
                    fmt(r["ratio"], 1),
                    fmt(r.get("bare_change_ms"), 1),
                    fmt(r.get("change_ratio"), 2),
                ]
            )
    if raise_rows:
        out("raise_signals (signals_raise_due) against the bare SELECT of what is due (medians),")
        out("and against the bare change by hand (lock what is due, open it by id, its events):")
        out("")
        out(
            markdown_table(
                [
                    "as on",
                    "signals",
                    "due",
                    "bare SELECT ms",
                    "signals_raise_due ms",
                    "ratio",
                    "bare change ms",
                    "ratio to it",
                ],
                raise_rows,
            )
        )
        out("")

    if samples:
        by_role = []
        for name in SCENARIOS:
            for role, values in sorted(samples.get(name, {}).items()):
                by_role.append(
                    [
                        name,
                        role,
                        fmt(len(values)),
                        fmt(percentile(values, 50)),
                        fmt(percentile(values, 95)),
                        fmt(percentile(values, 99)),
                    ]
                )
        out("Per scenario and login (raw timings, exact percentiles):")
        out("")
        out(
            markdown_table(["scenario", "login", "requests", "p50 ms", "p95 ms", "p99 ms"], by_role)
        )
        out("")

    if args.phases and Path(args.phases).exists():
        phases = [
            line.rsplit(None, 2) for line in Path(args.phases).read_text().splitlines() if line
        ]
        out("Phases:")
        out("")
        out(markdown_table(["phase", "seconds"], [[p[0], p[1]] for p in phases]))
        out("")

    text = "\n".join(lines)
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text + "\n")
    return 0


def markdown_table(head: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(head, *rows, strict=False)]

    def line(cells):
        padded = [
            str(c).ljust(w) if i == 0 or not _numeric(str(c)) else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=False))
        ]
        return "| " + " | ".join(padded) + " |"

    sep = (
        "|"
        + "|".join("-" * (w + 1) + ":" if i else "-" * (w + 2) for i, w in enumerate(widths))
        + "|"
    )
    return "\n".join([line(head), sep, *(line(r) for r in rows)])


def _numeric(text: str) -> bool:
    return text.replace(",", "").replace(".", "").replace("–", "").isdigit() or text == "–"


if __name__ == "__main__":
    raise SystemExit(main())
