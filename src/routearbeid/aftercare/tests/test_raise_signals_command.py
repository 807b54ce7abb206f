"""`manage.py raise_signals`: raises what came due once, then says 0 (R-NZ-3, R-NZ-7)."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import time_machine
from django.core.management import call_command

from routearbeid.aftercare.constants import SignalKind, SignalStatus
from routearbeid.aftercare.models import Signal
from routearbeid.route.constants import Stage

AMS = ZoneInfo("Europe/Amsterdam")


def run() -> str:
    out = StringIO()
    call_command("raise_signals", stdout=out)
    return out.getvalue().strip()


def test_raise_signals_twice_raises_the_overdue_checkin_once(region1):
    """R-NZ-3: 30 days after the first check-in's due date, one overdue signal; a second run raises 0."""
    with time_machine.travel(dt.datetime(2025, 1, 10, 10, tzinfo=AMS), tick=False):
        case = region1.outflow(region1.ready_for_outflow())
    assert run_at(dt.date(2025, 8, 8)) == "0 new signals, 0 cases closed"
    first = run_at(dt.date(2025, 8, 9))
    assert first.startswith("1 new signals")
    assert run_at(dt.date(2025, 8, 9)) == "0 new signals, 0 cases closed"
    signal = Signal.objects.get(
        case=case, kind=SignalKind.CHECKIN_OVERDUE, status=SignalStatus.OPEN
    )
    assert signal.due_on == dt.date(2025, 7, 10)


def test_raise_signals_closes_the_case_when_aftercare_ends(region1):
    """R-NZ-7: on outflow + 2 years the school gets the 'aftercare ends' signal and the case closes."""
    with time_machine.travel(dt.datetime(2025, 1, 10, 10, tzinfo=AMS), tick=False):
        case = region1.outflow(region1.ready_for_outflow())
    out = run_at(dt.date(2027, 1, 10))
    assert out.endswith("1 cases closed")
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    assert Signal.objects.filter(
        case=case, kind=SignalKind.AFTERCARE_END, status=SignalStatus.OPEN
    ).exists()


def run_at(day: dt.date) -> str:
    with time_machine.travel(dt.datetime.combine(day, dt.time(6), tzinfo=AMS), tick=False):
        return run()
