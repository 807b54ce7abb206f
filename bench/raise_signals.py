#!/usr/bin/env python
"""Time the daily raiser (aftercare.services.signals_raise_due) against the bare SQL that selects
what is due, on the generated data; prints both and their ratio.

    DATABASE_URL=... python bench/raise_signals.py [--repeat 5] [--json out.json]

Each run of signals_raise_due happens in a transaction that is rolled back afterwards (its
on_commit work, the notifications, never runs), so every repeat raises the same signals. The bare
SQL is the SELECT the raiser starts from: scheduled signals with raise_on on or before today, in
raise_on order (the order of the partial index both read).

Beside it, the least that storing the change takes, written by hand (BARE_LOCK_SQL, then
BARE_CHANGE_SQL, rolled back the same way): lock what is due, open it by id and write each
signal's timeline event (R-END-2). The SELECT is what issue #7 measures the raiser against; the
bare change is what any raiser that stores the change must at least do, so the two ratios tell
the raiser's own overhead apart from the cost of writing (docs/performance.md).
Medians of --repeat runs after one warm-up run of each; the two that write take turns, so the
row versions each leaves behind weigh on both alike.
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
from django.utils import timezone  # noqa: E402

from routearbeid.aftercare.models import Signal  # noqa: E402
from routearbeid.aftercare.services import signals_raise_due  # noqa: E402
from routearbeid.core.dates import today  # noqa: E402
from routearbeid.route.models import TimelineEvent  # noqa: E402

BARE_SQL = (
    f'SELECT id, case_id, kind FROM "{Signal._meta.db_table}" '
    "WHERE status = 'scheduled' AND raise_on <= %s ORDER BY raise_on"
)


# The least a raiser that stores the change must do, by hand: the due signals locked (the bare
# SELECT with FOR UPDATE SKIP LOCKED), then one statement that opens them by id and writes each
# one's timeline event (R-END-2) from the UPDATE's RETURNING. Without the raiser's batches and
# without its test for a withdrawn case (R-END-1), so it is the floor of the writing.
BARE_LOCK_SQL = BARE_SQL + " FOR UPDATE SKIP LOCKED"
BARE_CHANGE_SQL = f"""
WITH changed AS (
    UPDATE "{Signal._meta.db_table}" SET status = 'open', raised_at = %(now)s
    WHERE id = ANY(%(ids)s)
    RETURNING case_id, kind
), events AS (
    INSERT INTO "{TimelineEvent._meta.db_table}" (case_id, at, kind, summary, data)
    SELECT case_id, %(now)s, 'signal_raised', kind, jsonb_build_object('signal_kind', kind)
    FROM changed
)
SELECT count(*) FROM changed
"""


def bare(on) -> tuple[float, int]:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(BARE_SQL, [on])
        rows = cursor.fetchall()
    return time.perf_counter() - started, len(rows)


def bare_change(on) -> tuple[float, int]:
    with transaction.atomic():
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(BARE_LOCK_SQL, [on])
            ids = [row[0] for row in cursor.fetchall()]
            cursor.execute(BARE_CHANGE_SQL, {"ids": ids, "now": timezone.now()})
            (opened,) = cursor.fetchone()
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds, opened


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
    postgres = connection.vendor == "postgresql"  # the statement is PostgreSQL's
    bare(on)
    raiser(on)
    if postgres:
        bare_change(on)
    bare_runs = [bare(on) for _ in range(args.repeat)]
    raise_runs, change_runs = [], []
    for _ in range(args.repeat):
        raise_runs.append(raiser(on))
        if postgres:
            change_runs.append(bare_change(on))
    due = bare_runs[0][1]
    raised = raise_runs[0][1]
    bare_ms = statistics.median(s for s, _n in bare_runs) * 1000
    raise_ms = statistics.median(s for s, _n in raise_runs) * 1000
    change_ms = statistics.median(s for s, _n in change_runs) * 1000 if change_runs else None
    if change_runs and change_runs[0][1] != due:
        raise SystemExit(f"the bare change opened {change_runs[0][1]} of {due} due")
    result = {
        "on": on.isoformat(),
        "signals": Signal.objects.count(),
        "due": due,
        "raised": raised,
        "bare_ms": round(bare_ms, 2),
        "raise_ms": round(raise_ms, 2),
        "ratio": round(raise_ms / bare_ms, 1) if bare_ms else None,
        "bare_change_ms": round(change_ms, 2) if change_ms is not None else None,
        "change_ratio": round(raise_ms / change_ms, 2) if change_ms else None,
        "ahead": args.ahead,
        "repeat": args.repeat,
    }
    print(
        f"raise_signals on {on} (today + {args.ahead} days): {result['signals']:,} signals, {due:,} due; "
        f"bare SELECT {bare_ms:.1f} ms, signals_raise_due {raise_ms:.1f} ms "
        f"({raised:,} raised): ratio {result['ratio']}"
    )
    if change_ms is not None:
        print(
            f"  the bare change (lock, open by id, events) {change_ms:.1f} ms: "
            f"signals_raise_due is {result['change_ratio']}x that"
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
