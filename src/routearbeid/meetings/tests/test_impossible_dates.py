"""Dates an outflow meeting cannot have: planned in the past, held before it was planned, an
action due before the meeting or done in the future. Each is refused and writes nothing; the day
on the boundary is accepted."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from routearbeid.core.errors import DomainError
from routearbeid.meetings import services as meetings
from routearbeid.meetings.constants import MeetingStatus
from routearbeid.meetings.forms import MeetingPlanForm
from routearbeid.meetings.models import MeetingAction, OutflowMeeting
from routearbeid.route.models import TimelineEvent

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TODAY = dt.date(2025, 3, 10)
LONG_AGO = dt.date(1999, 1, 1)


def at(day: dt.date):
    return time_machine.travel(
        dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=AMSTERDAM), tick=False
    )


@pytest.fixture(autouse=True)
def fixed_today():
    with at(TODAY):
        yield


def plan(region1, on=TODAY) -> OutflowMeeting:
    return meetings.meeting_plan(
        actor=region1.route_coordinator, region_id=region1.region.pk, scheduled_on=on
    )


def hold(region1, meeting, on):
    return meetings.meeting_hold(actor=region1.route_coordinator, meeting_id=meeting.pk, held_on=on)


def meeting_row(meeting) -> tuple:
    meeting = OutflowMeeting.objects.get(pk=meeting.pk)
    return (meeting.status, meeting.held_on, meeting.minutes)


def agenda_item(region1, meeting):
    case = region1.open_case(age=17, on=TODAY - dt.timedelta(days=30))
    return meetings.agenda_item_add(
        actor=region1.coordinator, meeting_id=meeting.pk, case_id=case.pk
    )


def add_action(region1, item, due_on):
    return meetings.action_add(
        actor=region1.route_coordinator,
        agenda_item_id=item.pk,
        description="Proefplaatsing regelen.",
        owner_organisation_id=region1.work_service.pk,
        due_on=due_on,
    )


def actions_state(item) -> tuple:
    return (
        MeetingAction.objects.filter(agenda_item=item).count(),
        TimelineEvent.objects.filter(case=item.case, kind="meeting_action").count(),
    )


# --- planning ------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", [LONG_AGO, dt.date(2024, 3, 9)])
def test_the_plan_form_refuses_a_date_long_past(day):
    """R-OVL-1: a meeting is planned ahead, or entered afterwards within a year; a date long past
    is refused on the date."""
    form = MeetingPlanForm(data={"scheduled_on": day.isoformat()}, regions=[])
    assert not form.is_valid()
    assert "scheduled_on" in form.errors
    assert "past" in str(form.errors["scheduled_on"])


@pytest.mark.parametrize(
    "day", [dt.date(2024, 3, 10), TODAY - dt.timedelta(days=1), TODAY, TODAY + dt.timedelta(days=1)]
)
def test_the_plan_form_takes_a_year_back_and_later(region1, day):
    """The boundary: a meeting held a year ago today can still be entered afterwards."""
    form = MeetingPlanForm(
        data={"region": region1.region.pk, "scheduled_on": day.isoformat()},
        regions=[region1.region],
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["scheduled_on"] == day


def test_the_plan_screen_refuses_01_01_1999_and_makes_no_meeting(client, region1):
    """What the tester did on /uitstroomtafels/: the page shows the form again, nothing is planned."""
    client.force_login(region1.route_coordinator)
    response = client.post(
        reverse("meetings:plan"),
        {"plan-region": region1.region.pk, "plan-scheduled_on": "1999-01-01", "plan-place": "X"},
    )
    assert response.status_code == 200
    assert 'aria-describedby="id_plan-scheduled_on_error"' in response.content.decode()
    assert not OutflowMeeting.objects.exists()
    response = client.post(
        reverse("meetings:plan"),
        {"plan-region": region1.region.pk, "plan-scheduled_on": TODAY.isoformat()},
    )
    assert response.status_code == 302
    assert OutflowMeeting.objects.get().scheduled_on == TODAY


# --- holding -------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", [LONG_AGO, TODAY - dt.timedelta(days=1)])
def test_a_meeting_cannot_be_held_before_it_was_planned(region1, day):
    """R-OVL-1: a meeting planned today for next week cannot have taken place before today."""
    meeting = plan(region1, on=TODAY + dt.timedelta(days=7))
    with pytest.raises(DomainError) as exc:
        hold(region1, meeting, day)
    assert "before it was planned" in str(exc.value)
    assert "10-03-2025" in str(exc.value)
    assert meeting_row(meeting) == (MeetingStatus.PLANNED, None, "")


def test_a_meeting_may_be_held_earlier_than_its_date_but_not_before_it_was_entered(region1):
    """R-OVL-1: entered on 1 March for 20 March, brought forward: held from 1 March (the boundary)
    is accepted, 28 February is not."""
    with at(dt.date(2025, 3, 1)):
        meeting = plan(region1, on=dt.date(2025, 3, 20))
    with pytest.raises(DomainError):
        hold(region1, meeting, dt.date(2025, 2, 28))
    assert meeting_row(meeting) == (MeetingStatus.PLANNED, None, "")
    held = hold(region1, meeting, dt.date(2025, 3, 1))
    assert (held.status, held.held_on) == (MeetingStatus.HELD, dt.date(2025, 3, 1))


def test_a_meeting_entered_afterwards_is_not_held_before_its_date(region1):
    """R-OVL-1: a meeting recorded after it took place (the service takes a past date): not held
    before the date it was planned for; on that date it is."""
    meeting = plan(region1, on=TODAY - dt.timedelta(days=14))
    with pytest.raises(DomainError) as exc:
        hold(region1, meeting, TODAY - dt.timedelta(days=15))
    assert "24-02-2025" in str(exc.value)
    assert meeting_row(meeting) == (MeetingStatus.PLANNED, None, "")
    held = hold(region1, meeting, TODAY - dt.timedelta(days=14))
    assert held.held_on == TODAY - dt.timedelta(days=14)


# --- actions -------------------------------------------------------------------------------------


@pytest.mark.parametrize("due", [dt.date(2001, 1, 1), TODAY - dt.timedelta(days=1)])
def test_an_action_of_a_held_meeting_is_not_due_before_the_meeting(region1, due):
    """An action agreed at the meeting of 10 March cannot be due before it."""
    meeting = plan(region1)
    item = agenda_item(region1, meeting)
    hold(region1, meeting, TODAY)
    with pytest.raises(DomainError) as exc:
        add_action(region1, item, due)
    assert "before the date of the meeting (10-03-2025)" in str(exc.value)
    assert actions_state(item) == (0, 0)
    action = add_action(region1, item, TODAY)  # the boundary: due on the day of the meeting
    assert action.due_on == TODAY
    assert actions_state(item) == (1, 1)


def test_an_action_of_a_meeting_still_to_come_is_not_due_in_the_past(region1):
    """A meeting next week may still be brought forward: an action for before it may be due from
    today (the boundary), not before."""
    meeting = plan(region1, on=TODAY + dt.timedelta(days=7))
    item = agenda_item(region1, meeting)
    with pytest.raises(DomainError) as exc:
        add_action(region1, item, TODAY - dt.timedelta(days=1))
    assert "past" in str(exc.value)
    assert actions_state(item) == (0, 0)
    assert add_action(region1, item, TODAY).due_on == TODAY


def test_an_action_of_an_overdue_planned_meeting_is_not_due_before_its_date(region1):
    """A meeting planned for last week and not yet marked held: its date is the bound."""
    meeting = plan(region1, on=TODAY - dt.timedelta(days=7))
    item = agenda_item(region1, meeting)
    with pytest.raises(DomainError) as exc:
        add_action(region1, item, TODAY - dt.timedelta(days=8))
    assert "03-03-2025" in str(exc.value)
    assert actions_state(item) == (0, 0)
    assert add_action(region1, item, TODAY - dt.timedelta(days=7)).due_on == dt.date(2025, 3, 3)


def test_an_action_cannot_be_done_in_the_future(region1):
    """Marking an action done: not on a date still to come; today is accepted."""
    meeting = plan(region1)
    item = agenda_item(region1, meeting)
    hold(region1, meeting, TODAY)
    action = add_action(region1, item, TODAY + dt.timedelta(days=14))
    with pytest.raises(DomainError) as exc:
        meetings.action_done(
            actor=region1.route_coordinator, action_id=action.pk, on=TODAY + dt.timedelta(days=1)
        )
    assert "future" in str(exc.value)
    assert MeetingAction.objects.get(pk=action.pk).done_on is None
    done = meetings.action_done(actor=region1.route_coordinator, action_id=action.pk, on=TODAY)
    assert done.done_on == TODAY
