"""Impossible dates through the API: the same refusal as on the screens, as a problem answer
(400 where the screen's form refuses, 422 where the service does), never a 500, and nothing
written."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from routearbeid.meetings import services as meetings
from routearbeid.meetings.constants import MeetingStatus
from routearbeid.meetings.models import MeetingAction, OutflowMeeting
from routearbeid.route import services as route
from routearbeid.route.models import ExemptionDecision, Involvement

from .test_api_meetings import invalid_names, problem_of

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TODAY = dt.date(2025, 3, 10)
OPENED = dt.date(2025, 2, 8)
BORN = dt.date(2008, 6, 1)


@pytest.fixture(autouse=True)
def fixed_today():
    with time_machine.travel(dt.datetime(2025, 3, 10, 10, 0, tzinfo=AMSTERDAM), tick=False):
        yield


@pytest.fixture
def case(region1):
    student = region1.student(age=16)
    student.date_of_birth = BORN
    student.save(update_fields=["date_of_birth"])
    case = region1.open_case(student, on=OPENED)
    region1.involve(case, on=OPENED, rmc=False)
    route.involvement_request(
        actor=region1.coordinator, case_id=case.pk, organisation_id=region1.rmc.pk, on=OPENED
    )
    return case


def test_planning_in_the_past_is_400_on_scheduled_on(region1, api):
    rc = api(region1.route_coordinator)
    for day in ("1999-01-01", (TODAY - dt.timedelta(days=367)).isoformat()):
        response = rc.post(
            "/api/v1/outflow-meetings",
            {"region": region1.region.pk, "scheduledOn": day},
            format="json",
        )
        assert invalid_names(response) == {"scheduledOn"}
    assert not OutflowMeeting.objects.exists()
    response = rc.post(
        "/api/v1/outflow-meetings",
        {"region": region1.region.pk, "scheduledOn": TODAY.isoformat()},
        format="json",
    )
    assert response.status_code == 201, response.content


def test_holding_before_the_meeting_was_planned_is_422(region1, api):
    meeting = meetings.meeting_plan(
        actor=region1.route_coordinator,
        region_id=region1.region.pk,
        scheduled_on=TODAY + dt.timedelta(days=7),
    )
    url = f"/api/v1/outflow-meetings/{meeting.pk}/holding"
    rc = api(region1.route_coordinator)
    problem_of(rc.post(url, {"heldOn": "1999-01-01"}, format="json"), 422)
    meeting.refresh_from_db()
    assert (meeting.status, meeting.held_on) == (MeetingStatus.PLANNED, None)
    response = rc.post(url, {"heldOn": TODAY.isoformat()}, format="json")
    assert response.status_code == 200, response.content


def test_an_action_due_before_the_meeting_is_422(region1, api, case):
    meeting = meetings.meeting_plan(
        actor=region1.route_coordinator, region_id=region1.region.pk, scheduled_on=TODAY
    )
    item = meetings.agenda_item_add(
        actor=region1.coordinator, meeting_id=meeting.pk, case_id=case.pk
    )
    meetings.meeting_hold(actor=region1.route_coordinator, meeting_id=meeting.pk, held_on=TODAY)
    url = f"/api/v1/agenda-items/{item.pk}/actions"
    body = {"description": "Bellen.", "ownerOrganisation": region1.rmc.pk}
    rc = api(region1.route_coordinator)
    problem_of(rc.post(url, {**body, "dueOn": "2001-01-01"}, format="json"), 422)
    assert not MeetingAction.objects.exists()
    response = rc.post(url, {**body, "dueOn": TODAY.isoformat()}, format="json")
    assert response.status_code == 201, response.content


def test_an_involvement_before_the_case_was_opened_is_422(region1, api, case):
    """R-OVL-2: what the tester did as RMC officer: involved on 01-01-1990, for a youth born 2008."""
    url = f"/api/v1/cases/{case.pk}/involvements"
    body = {
        "organisation": region1.rmc.pk,
        "personName": "R. Monitor",
        "advice": "Werk past.",
        "legalBasis": "legal_task",
    }
    rmc = api(region1.rmc_officer)
    for day in ("1990-01-01", (OPENED - dt.timedelta(days=1)).isoformat()):
        problem_of(rmc.post(url, {**body, "involvedOn": day}, format="json"), 422)
    assert Involvement.objects.get(case=case, organisation=region1.rmc).involved_on is None
    response = rmc.post(url, {**body, "involvedOn": OPENED.isoformat()}, format="json")
    assert response.status_code == 201, response.content


def test_an_exemption_decided_before_birth_is_422_with_r_uit_2(region1, api, case):
    """R-UIT-2: what the tester did as Leerplicht officer: decided 01-12-1990, ending 31-07-1991."""
    url = f"/api/v1/cases/{case.pk}/exemptions"
    leerplicht = api(region1.leerplicht_officer)
    for decided, ends in (("1990-12-01", "1991-07-31"), ("2025-01-06", "2025-02-07")):
        response = leerplicht.post(
            url, {"reference": "LP-1990-1", "decidedOn": decided, "endsOn": ends}, format="json"
        )
        assert [r["id"] for r in problem_of(response, 422)["rules"]] == ["R-UIT-2"]
    assert not ExemptionDecision.objects.exists()
    response = leerplicht.post(
        url,
        {"reference": "LP-2025-1", "decidedOn": "2025-01-06", "endsOn": "2025-07-31"},
        format="json",
    )
    assert response.status_code == 201, response.content
