#!/usr/bin/env python
"""Time the daily raiser (aftercare.services.signals_raise_due) against the bare SQL that selects
what is due, on the generated data; prints both and their ratio.

    DATABASE_URL=... python bench/raise_signals.py [--repeat 5] [--json out.json]

Each run of signals_raise_due happens in a transaction that is rolled back afterwards (its
on_commit work, the notifications, never runs), so every repeat raises the same signals. The bare
SQL is the SELECT the raiser starts from: scheduled signals with raise_on on or before today, in
raise_on order (the order of the partial index both read).
Medians of --repeat runs after one warm-up run of each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "routearbeid.config.settings.bench")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from routearbeid.aftercare.models import Signal  # noqa: E402
from routearbeid.aftercare.services import signals_raise_due  # noqa: E402
from routearbeid.core.dates import today  # noqa: E402

BARE_SQL = (
    f'SELECT id, case_id, kind FROM "{Signal._meta.db_table}" '
    "WHERE status = 'scheduled' AND raise_on <= %s ORDER BY raise_on"
)


def bare(on) -> tuple[float, int]:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(BARE_SQL, [on])
        rows = cursor.fetchall()
    return time.perf_counter() - started, len(rows)


def raiser(on) -> tuple[float, int]:
    with transaction.atomic():
        started = time.perf_counter()
        raised = signals_raise_due(on=on)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds, raised


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", help="write the result here as JSON")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the SQL")
    parser.add_argument(
        "--ahead",
        type=int,
        default=0,
        help="raise as if it were this many days later (a backlog, as after days without a run)",
    )
    args = parser.parse_args()
    on = today() + dt.timedelta(days=args.ahead)
    bare(on)
    raiser(on)
    bare_runs = [bare(on) for _ in range(args.repeat)]
    raise_runs = [raiser(on) for _ in range(args.repeat)]
    due = bare_runs[0][1]
    raised = raise_runs[0][1]
    bare_ms = statistics.median(s for s, _n in bare_runs) * 1000
    raise_ms = statistics.median(s for s, _n in raise_runs) * 1000
    result = {
        "on": on.isoformat(),
        "signals": Signal.objects.count(),
        "due": due,
        "raised": raised,
        "bare_ms": round(bare_ms, 2),
        "raise_ms": round(raise_ms, 2),
        "ratio": round(raise_ms / bare_ms, 1) if bare_ms else None,
        "ahead": args.ahead,
        "repeat": args.repeat,
    }
    print(
        f"raise_signals on {on} (today + {args.ahead} days): {result['signals']:,} signals, {due:,} due; "
        f"bare SELECT {bare_ms:.1f} ms, signals_raise_due {raise_ms:.1f} ms "
        f"({raised:,} raised): ratio {result['ratio']}"
    )
    if args.explain and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + BARE_SQL, [on])
            print("\n".join(row[0] for row in cursor.fetchall()))
    if args.json:
        Path(args.json).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
