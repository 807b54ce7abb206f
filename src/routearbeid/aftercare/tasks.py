"""Background tasks of aftercare (Django's tasks API; the database is the queue).

`daily_run` runs every morning: it calls each job in `DAILY_JOBS` and enqueues itself for the next
morning with `run_after`. `manage.py schedule_daily_tasks` (in `make run`) starts the chain once.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.tasks import task
from django.utils.module_loading import import_string

from routearbeid.core.tasks import enqueue_once, next_local_time

from . import services

logger = logging.getLogger(__name__)

# The moment of day (local time) the daily run starts.
DAILY_RUN_AT = dt.time(6, 0)

# Each job is a dotted path to a function without arguments; one failing job does not stop the
# others, nor the scheduling of the next morning. Other apps add theirs here (e.g. retention).
DAILY_JOBS: list[str] = [
    "routearbeid.aftercare.tasks.aftercare_due",
    # Retention (privacy/retention.py): after the signals, so the last day's signals are raised.
    "routearbeid.privacy.tasks.retention_due",
    # Uploaded import rows nobody confirmed, and imports older than 30 days (students/services.py).
    "routearbeid.students.tasks.imports_expire",
    # The report page's rate-limit counts of windows that have passed (portal/ratelimit.py).
    "routearbeid.portal.tasks.rate_counts_expire",
    # The API's case-list sizes kept on earlier days (api/kept.py).
    "routearbeid.api.tasks.kept_counts_expire",
]


def aftercare_due() -> dict[str, int]:
    """Raise what has come due, then close cases whose aftercare ended (in that order, so the
    school still gets the "aftercare ends" signal of the last day)."""
    raised = services.signals_raise_due()
    closed = services.cases_close_due()
    return {"raised": raised, "closed": closed}


@task
def raise_signals() -> dict[str, int]:
    return aftercare_due()


def next_run_at(now: dt.datetime | None = None) -> dt.datetime:
    """The next DAILY_RUN_AT after `now`, in the project's time zone."""
    return next_local_time(DAILY_RUN_AT, now)


def daily_schedule(*, run_after: dt.datetime | None, include_running: bool) -> bool:
    """Enqueue the daily run unless one is already waiting; True when one was enqueued."""
    return enqueue_once(daily_run, run_after=run_after, count_running=include_running)


@task
def daily_run() -> dict[str, dict]:
    """Every job of the day, then the same task again tomorrow morning."""
    results: dict[str, dict] = {}
    failed: list[str] = []
    try:
        for path in DAILY_JOBS:
            try:
                results[path] = import_string(path)() or {}
            except Exception:
                logger.exception("daily job %s failed", path)
                failed.append(path)
    finally:
        daily_schedule(run_after=next_run_at(), include_running=False)
    if failed:
        raise RuntimeError(f"daily jobs failed: {', '.join(failed)}")
    return results
