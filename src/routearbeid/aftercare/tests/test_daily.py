"""The daily run: enqueued once by `manage.py schedule_daily_tasks`, run by the database worker,
and enqueued again by itself for the next morning with `run_after`."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from routearbeid.aftercare import tasks
from routearbeid.aftercare.constants import SignalKind, SignalStatus
from routearbeid.aftercare.models import Signal
from routearbeid.tests.people import Region1

AMS = ZoneInfo("Europe/Amsterdam")
DAILY = tasks.daily_run.module_path


@pytest.fixture
def database_queue(settings):
    """The real queue of `make run` (the test settings use the immediate backend)."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


def schedule() -> str:
    """What the command says about the daily run (its first line; the second is about e-mail)."""
    out = StringIO()
    call_command("schedule_daily_tasks", stdout=out)
    return out.getvalue().strip().splitlines()[0]


@pytest.mark.django_db
def test_the_command_also_starts_the_e_mail_tasks_once(database_queue):
    out = StringIO()
    call_command("schedule_daily_tasks", stdout=out)
    assert "deliver_outbox_every_minute" in out.getvalue()
    assert "send_daily_digests_every_day" in out.getvalue()
    again = StringIO()
    call_command("schedule_daily_tasks", stdout=again)
    assert "E-mail tasks started: already running." in again.getvalue()


def work() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO())


def due_signal(region: Region1, raise_on: dt.date) -> Signal:
    case = region.open_case()
    return Signal.objects.create(
        case=case,
        kind=SignalKind.OTHER,
        organisation=region.school,
        status=SignalStatus.SCHEDULED,
        raise_on=raise_on,
        due_on=raise_on,
        message="Test",
        key=f"daily-{raise_on}",
    )


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=AMS)


@pytest.mark.django_db
def test_schedule_daily_tasks_enqueues_the_daily_run_only_once(database_queue):
    assert schedule() == "The daily run has been enqueued."
    assert schedule() == "The daily run is already scheduled."
    [waiting] = DBTaskResult.objects.filter(task_path=DAILY)
    assert waiting.status == TaskResultStatus.READY
    assert waiting.run_after == get_date_max()  # runs as soon as the worker is up


@pytest.mark.django_db
def test_without_a_queue_that_can_wait_nothing_is_enqueued():
    """The tests' immediate backend cannot defer: the daily run never calls itself at once."""
    assert schedule() == "The daily run is already scheduled."
    assert not DBTaskResult.objects.exists()
    assert tasks.daily_run.call()["routearbeid.aftercare.tasks.aftercare_due"] == {
        "raised": 0,
        "closed": 0,
    }


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_daily_run_and_it_comes_back_every_morning(database_queue):
    """R-NZ-3/R-NZ-7 machinery: the worker raises what is due today, then the run waits for
    06:00 tomorrow; tomorrow it raises tomorrow's signal and waits for the day after."""
    region = Region1.build("Regio Dagelijks")
    today_signal = due_signal(region, dt.date(2026, 3, 2))
    tomorrow_signal = due_signal(region, dt.date(2026, 3, 3))
    with time_machine.travel(at(dt.date(2026, 3, 2), 10), tick=False) as clock:
        schedule()
        work()
        today_signal.refresh_from_db()
        tomorrow_signal.refresh_from_db()
        assert today_signal.status == SignalStatus.OPEN
        assert tomorrow_signal.status == SignalStatus.SCHEDULED
        done = DBTaskResult.objects.get(task_path=DAILY, status=TaskResultStatus.SUCCESSFUL)
        assert done.return_value == {
            "routearbeid.aftercare.tasks.aftercare_due": {"raised": 1, "closed": 0},
            "routearbeid.privacy.tasks.retention_due": {"students": 0, "cases": 0, "case_ids": []},
            "routearbeid.students.tasks.imports_expire": {"abandoned": 0, "deleted": 0},
            "routearbeid.portal.tasks.rate_counts_expire": {"deleted": 0},
            "routearbeid.api.tasks.kept_counts_expire": {"deleted": 0},
        }
        [waiting] = DBTaskResult.objects.filter(task_path=DAILY, status=TaskResultStatus.READY)
        assert waiting.run_after == at(dt.date(2026, 3, 3), 6)
        assert schedule() == "The daily run is already scheduled."

        work()  # still 2 March: nothing is ready yet
        assert (
            DBTaskResult.objects.filter(task_path=DAILY, status=TaskResultStatus.SUCCESSFUL).count()
            == 1
        )

        clock.move_to(at(dt.date(2026, 3, 3), 6, 1))
        work()
        tomorrow_signal.refresh_from_db()
        assert tomorrow_signal.status == SignalStatus.OPEN
        assert (
            DBTaskResult.objects.filter(task_path=DAILY, status=TaskResultStatus.SUCCESSFUL).count()
            == 2
        )
        [waiting] = DBTaskResult.objects.filter(task_path=DAILY, status=TaskResultStatus.READY)
        assert waiting.run_after == at(dt.date(2026, 3, 4), 6)


def failing_job() -> dict:
    raise ValueError("this job broke")


@pytest.mark.django_db
def test_a_failing_job_stops_neither_the_other_jobs_nor_tomorrow(
    database_queue, region1, monkeypatch
):
    signal = due_signal(region1, dt.date(2026, 3, 2))
    monkeypatch.setattr(
        tasks,
        "DAILY_JOBS",
        [f"{__name__}.failing_job", "routearbeid.aftercare.tasks.aftercare_due"],
    )
    with (
        time_machine.travel(at(dt.date(2026, 3, 2), 6), tick=False),
        pytest.raises(RuntimeError, match="failing_job"),
    ):
        tasks.daily_run.call()
    signal.refresh_from_db()
    assert signal.status == SignalStatus.OPEN
    [waiting] = DBTaskResult.objects.filter(task_path=DAILY, status=TaskResultStatus.READY)
    assert waiting.run_after == at(dt.date(2026, 3, 3), 6)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(dt.date(2026, 3, 2), 5, 59), at(dt.date(2026, 3, 2), 6)),
        (at(dt.date(2026, 3, 2), 6), at(dt.date(2026, 3, 3), 6)),
        (at(dt.date(2026, 3, 28), 23), at(dt.date(2026, 3, 29), 6)),  # summer time starts
        (at(dt.date(2026, 12, 31), 12), at(dt.date(2027, 1, 1), 6)),
    ],
)
def test_next_run_is_the_next_six_o_clock_local_time(now, expected):
    assert tasks.next_run_at(now) == expected
