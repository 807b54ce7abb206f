"""A fixed day for the tests of impossible dates (route, employment): today is 10-03-2025 in
Amsterdam, the youth was born on 01-06-2008 and is 16 when the case is opened 30 days earlier."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

from routearbeid.route.models import Case, TimelineEvent

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TODAY = dt.date(2025, 3, 10)
OPENED = dt.date(2025, 2, 8)  # TODAY - 30 days
BORN = dt.date(2008, 6, 1)  # 16 when the case is opened


def travel_to_today():
    return time_machine.travel(dt.datetime(2025, 3, 10, 10, 0, tzinfo=AMSTERDAM), tick=False)


def dated_case(region1) -> Case:
    """A case of a youth born on BORN, opened on OPENED by the school."""
    student = region1.student(age=16)
    student.date_of_birth = BORN
    student.save(update_fields=["date_of_birth"])
    return region1.open_case(student, on=OPENED)


def timeline(case) -> int:
    return TimelineEvent.objects.filter(case=case).count()
