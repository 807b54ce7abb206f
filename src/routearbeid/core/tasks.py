"""Periodic work on Django's tasks API: each run queues its own next one (ADR 5).

`django-tasks-db` has no cron; a chain of runs, each enqueued with `run_after`, takes its place.
These helpers are shared by the daily run (aftercare) and the mail chains (notifications).
"""

from __future__ import annotations

import datetime as dt

from django.tasks import Task, TaskResultStatus
from django.utils import timezone

# A run that has been "running" longer than this has died with its worker: start a new chain.
STALE_RUN = dt.timedelta(hours=1)


def next_local_time(at: dt.time, now: dt.datetime | None = None) -> dt.datetime:
    """The next moment `at` (local time of day) after `now`, right across daylight saving."""
    local = timezone.localtime(now or timezone.now())
    candidate = timezone.make_aware(dt.datetime.combine(local.date(), at))
    if candidate <= local:
        candidate = timezone.make_aware(
            dt.datetime.combine(local.date() + dt.timedelta(days=1), at)
        )
    return candidate


def run_pending(periodic: Task, *, count_running: bool) -> bool:
    """Whether a run of this task waits in the database queue (or, if asked, still runs)."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(periodic.get_backend(), DatabaseBackend):
        return False
    runs = DBTaskResult.objects.filter(task_path=periodic.module_path)
    if runs.filter(status=TaskResultStatus.READY).exists():
        return True
    return count_running and (
        runs.filter(
            status=TaskResultStatus.RUNNING, started_at__gte=timezone.now() - STALE_RUN
        ).exists()
    )


def enqueue_once(periodic: Task, *, run_after: dt.datetime | None, count_running: bool) -> bool:
    """Enqueue a run unless one is already waiting (or running); True when one was enqueued.

    A backend that cannot defer (the immediate backend of the tests) gets nothing, so a chain
    never calls itself again at once.
    """
    if not periodic.get_backend().supports_defer:
        return False
    if run_pending(periodic, count_running=count_running):
        return False
    periodic.using(run_after=run_after).enqueue()
    return True
