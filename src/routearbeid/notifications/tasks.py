"""Background tasks of notifications (Django's tasks API; the database is the queue).

Two tasks keep themselves going by queueing their next run (`run_after`): the sender every minute
and the daily digest each morning. `schedule()` starts both chains and is safe to call again
(from `manage.py schedule_daily_tasks`, at every deploy).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict

from django.tasks import Task, task
from django.utils import timezone

from routearbeid.core.tasks import enqueue_once, next_local_time

from . import services
from .constants import DIGEST_TIME

logger = logging.getLogger(__name__)

SENDER_INTERVAL = dt.timedelta(minutes=1)


@task
def deliver_outbox() -> dict[str, int]:
    """Send what is due in the outbox now (queued after urgent mail is written)."""
    return asdict(services.outbox_deliver())


@task
def deliver_outbox_every_minute() -> dict[str, int]:
    try:
        return asdict(services.outbox_deliver())
    finally:
        _queue_next(deliver_outbox_every_minute, timezone.now() + SENDER_INTERVAL)


@task
def send_daily_digests() -> dict[str, int]:
    """Catch up on signals without mail, write each person's digest, and send."""
    caught_up = services.signals_catch_up()
    digests = services.digests_build()
    report = services.outbox_deliver()
    redacted = services.outbox_redact()
    return {"caught_up": caught_up, "digests": digests, "redacted": redacted, **asdict(report)}


@task
def send_daily_digests_every_day() -> dict[str, int]:
    try:
        return send_daily_digests.call()
    finally:
        _queue_next(send_daily_digests_every_day, next_digest_time(timezone.now()))


def next_digest_time(now: dt.datetime) -> dt.datetime:
    """The next DIGEST_TIME in local time after `now` (right across daylight saving changes)."""
    return next_local_time(DIGEST_TIME, now)


def _queue_next(periodic: Task, when: dt.datetime) -> bool:
    # Another chain already waiting: the two merge into one.
    return enqueue_once(periodic, run_after=when, count_running=False)


def schedule() -> list[str]:
    """Start the sender (every minute) and the daily digest unless they are already queued.

    Idempotent: call it at every deploy. Returns the names of the tasks it queued.
    """
    started: list[str] = []
    plan = (
        (deliver_outbox_every_minute, timezone.now()),
        (send_daily_digests_every_day, next_digest_time(timezone.now())),
    )
    for periodic, when in plan:
        if not periodic.get_backend().supports_defer:
            logger.warning("notifications: task backend cannot run tasks later; not scheduled")
            return started
        if enqueue_once(periodic, run_after=when, count_running=True):
            started.append(periodic.name)
    return started
