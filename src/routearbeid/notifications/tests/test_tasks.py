"""Scheduling: the sender every minute and the digest every morning keep themselves going."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from routearbeid.aftercare.constants import SignalKind
from routearbeid.notifications import tasks
from routearbeid.notifications.constants import DIGEST_TIME
from routearbeid.notifications.models import OutboxMessage

from .conftest import give_email, open_signal

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def db_tasks(settings, db):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def waiting(task) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=task.module_path, status="READY"))


def test_schedule_starts_both_chains_once(db_tasks):
    assert sorted(tasks.schedule()) == [
        "deliver_outbox_every_minute",
        "send_daily_digests_every_day",
    ]
    assert tasks.schedule() == []
    assert len(waiting(tasks.deliver_outbox_every_minute)) == 1
    (digest,) = waiting(tasks.send_daily_digests_every_day)
    local = timezone.localtime(digest.run_after)
    assert (local.hour, local.minute) == (DIGEST_TIME.hour, DIGEST_TIME.minute)


def test_sender_run_sends_and_queues_its_next_run(db_tasks, region1, smtp_server):
    give_email(region1.coordinator)
    case = region1.open_case(first_name="Amira")
    signal = open_signal(case, kind=SignalKind.SELF_REPORT, organisation=region1.school)
    from routearbeid.notifications.services import signals_notify

    signals_notify(signal_ids=[signal.pk])
    before = timezone.now()
    result = tasks.deliver_outbox_every_minute.call()
    assert result["sent"] == 1
    assert len(smtp_server.received) == 1
    (next_run,) = waiting(tasks.deliver_outbox_every_minute)
    assert next_run.run_after >= before + dt.timedelta(minutes=1)
    # A second chain (schedule() called again meanwhile) merges: still one waiting run.
    tasks.deliver_outbox_every_minute.call()
    assert len(waiting(tasks.deliver_outbox_every_minute)) == 1
    assert OutboxMessage.objects.get().status == "sent"


def test_digest_run_queues_tomorrows_run(db_tasks, region1):
    tasks.send_daily_digests_every_day.call()
    (next_run,) = waiting(tasks.send_daily_digests_every_day)
    assert next_run.run_after > timezone.now()


def test_a_dead_running_chain_is_restarted_by_schedule(db_tasks):
    tasks.schedule()
    DBTaskResult.objects.update(status="RUNNING", started_at=timezone.now() - dt.timedelta(hours=2))
    assert sorted(tasks.schedule()) == [
        "deliver_outbox_every_minute",
        "send_daily_digests_every_day",
    ]


def test_immediate_backend_runs_no_chains():
    """The test settings' immediate backend cannot defer: schedule() queues nothing."""
    assert tasks.schedule() == []


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (dt.datetime(2026, 3, 10, 6, 0, tzinfo=AMS), dt.datetime(2026, 3, 10, 7, 30, tzinfo=AMS)),
        (dt.datetime(2026, 3, 10, 8, 0, tzinfo=AMS), dt.datetime(2026, 3, 11, 7, 30, tzinfo=AMS)),
        # the night summer time starts: still half past seven local time
        (dt.datetime(2026, 3, 28, 9, 0, tzinfo=AMS), dt.datetime(2026, 3, 29, 7, 30, tzinfo=AMS)),
    ],
)
def test_next_digest_time_is_the_next_morning_in_local_time(now, expected):
    assert tasks.next_digest_time(now) == expected


def test_urgent_mail_queues_one_sender_run(db_tasks, region1, django_capture_on_commit_callbacks):
    """Urgent mail is sent by a run queued at once; many urgent signals share one waiting run."""
    from routearbeid.notifications.services import signals_notify

    give_email(region1.coordinator)
    case = region1.open_case(first_name="Amira")
    for _ in range(3):
        signal = open_signal(case, kind=SignalKind.SELF_REPORT, organisation=region1.school)
        with django_capture_on_commit_callbacks(execute=True):
            signals_notify(signal_ids=[signal.pk])
    assert len(waiting(tasks.deliver_outbox)) == 1
