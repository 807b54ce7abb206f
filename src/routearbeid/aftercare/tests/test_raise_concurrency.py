"""The daily raiser at scale: two workers at once raise each signal once (PostgreSQL row locks,
SKIP LOCKED and a conditional UPDATE), and its cost grows with what is due, not with all cases."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from routearbeid.aftercare import services as aftercare
from routearbeid.aftercare.constants import SignalKind, SignalStatus
from routearbeid.aftercare.models import Signal
from routearbeid.route.models import TimelineEvent
from routearbeid.tests.people import Region1

ON = dt.date(2026, 3, 1)
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
needs_postgres = pytest.mark.skipif(
    not ON_POSTGRES,
    reason="row locks and SKIP LOCKED need PostgreSQL (SQLite runs one writer at a time); "
    "run with DATABASE_URL=postgres://…",
)


def scheduled(region: Region1, *, cases: int, per_case: int, raise_on: dt.date) -> list[Signal]:
    signals = []
    for i in range(cases):
        case = region.open_case(first_name=f"Gepland{i}", last_name=f"Signaal{raise_on:%Y%m%d}")
        for n in range(per_case):
            signals.append(
                Signal(
                    case=case,
                    kind=SignalKind.CHECKIN_OVERDUE,
                    rule_id="R-NZ-3",
                    organisation=region.school,
                    status=SignalStatus.SCHEDULED,
                    raise_on=raise_on,
                    due_on=raise_on,
                    message="Check-in %(n)s",
                    params={"n": n},
                    key=f"test-{n}",
                )
            )
    return Signal.objects.bulk_create(signals)


def in_thread(target, results, errors):
    def run():
        try:
            results.append(target())
        except BaseException as error:  # pragma: no cover - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    return threading.Thread(target=run)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_raisers_at_once_raise_each_signal_once():
    """Two workers start at the same moment, each on its own connection: together they raise
    exactly the due signals, each once, with one timeline event each."""
    region = Region1.build("Regio Gelijktijdig")
    due = scheduled(region, cases=6, per_case=25, raise_on=ON)
    scheduled(region, cases=2, per_case=5, raise_on=ON + dt.timedelta(days=1))
    start = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def raise_due():
        close_old_connections()
        start.wait(timeout=10)
        return aftercare.signals_raise_due(on=ON)

    threads = [in_thread(raise_due, results, errors) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert sum(results) == len(due)
    assert Signal.objects.filter(status=SignalStatus.OPEN).count() == len(due)
    assert Signal.objects.filter(status=SignalStatus.SCHEDULED).count() == 10
    events = TimelineEvent.objects.filter(kind="signal_raised")
    assert events.count() == len(due)
    per_case = {}
    for case_id in events.values_list("case_id", flat=True):
        per_case[case_id] = per_case.get(case_id, 0) + 1
    assert sorted(per_case.values()) == [25] * 6


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_second_raiser_passes_by_rows_the_first_holds():
    """While the first worker holds its rows (not yet committed), a second worker neither waits
    nor raises them again (SKIP LOCKED); after the commit a new run finds nothing."""
    region = Region1.build("Regio Vergrendeld")
    due = scheduled(region, cases=2, per_case=10, raise_on=ON)
    first_holds = threading.Event()
    second_done = threading.Event()
    results: dict[str, int] = {}
    errors: list[BaseException] = []

    def first():
        with transaction.atomic():
            results["first"] = aftercare.signals_raise_due(on=ON)
            first_holds.set()
            assert second_done.wait(timeout=30)
        return results["first"]

    def second():
        assert first_holds.wait(timeout=30)
        try:
            results["second"] = aftercare.signals_raise_due(on=ON)
        finally:
            second_done.set()
        return results["second"]

    threads = [in_thread(first, [], errors), in_thread(second, [], errors)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert results == {"first": len(due), "second": 0}
    assert aftercare.signals_raise_due(on=ON) == 0
    assert TimelineEvent.objects.filter(kind="signal_raised").count() == len(due)


@pytest.mark.parametrize("not_due", [1, 40])
def test_cost_grows_with_what_is_due_not_with_all_cases(
    region1, django_assert_num_queries, not_due
):
    """The raiser selects through the partial index on raise_on: many cases with signals still
    to come add no queries; three due signals cost the same with 1 or 40 cases waiting."""
    scheduled(region1, cases=not_due, per_case=3, raise_on=ON + dt.timedelta(days=30))
    scheduled(region1, cases=1, per_case=3, raise_on=ON)
    with django_assert_num_queries(QUERIES_FOR_THREE_DUE[connection.vendor == "postgresql"]):
        assert aftercare.signals_raise_due(on=ON) == 3
    with django_assert_num_queries(QUERIES_WHEN_NOTHING_DUE):
        assert aftercare.signals_raise_due(on=ON) == 0


# In a savepoint: the select, then per batch on PostgreSQL one statement (update, timeline
# events); elsewhere the cases' stages, one conditional UPDATE and the timeline events.
QUERIES_FOR_THREE_DUE = {False: 6, True: 4}
QUERIES_WHEN_NOTHING_DUE = 3


def test_signals_of_a_withdrawn_case_are_cancelled_not_raised(region1):
    """R-END-1: a withdrawn case gets no aftercare; a leftover scheduled signal is cancelled by the
    raiser instead of raised, so it is not looked at again every day."""
    [signal] = scheduled(region1, cases=1, per_case=1, raise_on=ON)
    from routearbeid.route.services import case_withdraw

    case_withdraw(actor=region1.coordinator, case_id=signal.case_id, reason="Verhuisd.")
    Signal.objects.filter(pk=signal.pk).update(status=SignalStatus.SCHEDULED)
    assert aftercare.signals_raise_due(on=ON) == 0
    signal.refresh_from_db()
    assert signal.status == SignalStatus.CANCELLED


def test_a_raised_signal_is_open_with_its_moment_and_one_timeline_event(region1):
    """What one raise writes, the same on SQLite (ORM) and PostgreSQL (one statement a batch):
    the signal open with raised_at, one "signal_raised" event on its case naming the kind, and
    a withdrawn case's signal cancelled without a moment or an event (R-END-1)."""
    due = scheduled(region1, cases=2, per_case=2, raise_on=ON)
    later = scheduled(region1, cases=1, per_case=1, raise_on=ON + dt.timedelta(days=1))
    from routearbeid.route.services import case_withdraw

    withdrawn_case = due[0].case_id
    case_withdraw(actor=region1.coordinator, case_id=withdrawn_case, reason="Verhuisd.")
    Signal.objects.filter(case_id=withdrawn_case).update(status=SignalStatus.SCHEDULED)
    before = timezone.now()
    assert aftercare.signals_raise_due(on=ON) == 2
    for signal in due:
        signal.refresh_from_db()
        if signal.case_id == withdrawn_case:
            assert (signal.status, signal.raised_at) == (SignalStatus.CANCELLED, None)
        else:
            assert signal.status == SignalStatus.OPEN
            assert signal.raised_at is not None and signal.raised_at >= before
    events = TimelineEvent.objects.filter(kind="signal_raised")
    assert sorted(e.case_id for e in events) == [due[2].case_id, due[3].case_id]
    assert {(e.summary, e.data["signal_kind"], e.actor_id) for e in events} == {
        (SignalKind.CHECKIN_OVERDUE, SignalKind.CHECKIN_OVERDUE, None)
    }
    later[0].refresh_from_db()
    assert later[0].status == SignalStatus.SCHEDULED
