"""Writes on outflow meetings and employers through the API (api/meeting_views.py).

Each write is done by the role the screen offers it to and changes the same data as the screen;
another role is refused (404 when the meeting, agenda item or action is not visible, 403 when it
is), an invalid body is a 400 problem and a refusal of the rules a 422 (with rule ids where the
service has them).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from routearbeid.core.dates import today
from routearbeid.employment.models import Employer, Employment
from routearbeid.meetings import services as meetings
from routearbeid.meetings.constants import MeetingStatus
from routearbeid.meetings.models import (
    Advice,
    AgendaItem,
    Decision,
    MeetingAction,
    MeetingParticipant,
    OutflowMeeting,
)
from routearbeid.processing_log.models import ProcessingLogRecord
from routearbeid.route import services as route
from routearbeid.route.constants import OutflowProfile, Stage
from routearbeid.route.models import Case, TimelineEvent
from routearbeid.tests.people import Region1

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
WORK_REASON = "Wil direct werken; mbo is nu geen haalbare optie."


@pytest.fixture
def region2(db) -> Region1:
    return Region1.build("Regio Twee")


def problem_of(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.content)
    assert response["Content-Type"].startswith(PROBLEM), response["Content-Type"]
    body = response.json()
    for member in ("type", "title", "status", "detail", "instance"):
        assert member in body, member
    assert body["status"] == status
    return body


def invalid_names(response) -> set[str]:
    return {p["name"] for p in problem_of(response, 400)["invalidParams"]}


def rule_ids(response) -> list[str]:
    return [r["id"] for r in problem_of(response, 422)["rules"]]


def soon() -> str:
    """A date to plan a meeting for: the planning form refuses a date in the past."""
    return (today() + dt.timedelta(days=3)).isoformat()


def plan(region, on=None, place="") -> OutflowMeeting:
    return meetings.meeting_plan(
        actor=region.route_coordinator,
        region_id=region.region.pk,
        scheduled_on=on or today(),
        place=place,
    )


def hold(region, meeting) -> OutflowMeeting:
    return meetings.meeting_hold(
        actor=region.route_coordinator, meeting_id=meeting.pk, held_on=today()
    )


def agenda_item(region1, *, involved=True, held=False) -> AgendaItem:
    """A case of school A (with RMC and Leerplicht involved: R-OVL-2) on a planned meeting."""
    case = region1.open_case()
    if involved:
        region1.involve(case)
    meeting = plan(region1)
    item = meetings.agenda_item_add(
        actor=region1.coordinator, meeting_id=meeting.pk, case_id=case.pk
    )
    if held:
        hold(region1, meeting)
    return item


def case_state(case_id) -> tuple:
    case = Case.objects.get(pk=case_id)
    return (case.stage, case.outflow_profile, case.ended_on, case.end_reason)


# --- planning ------------------------------------------------------------------------------------


def test_route_coordinator_plans_a_meeting_like_the_screen(region1, api, client):
    response = api(region1.route_coordinator).post(
        "/api/v1/outflow-meetings",
        {"region": region1.region.pk, "scheduledOn": soon(), "place": " Stadhuis "},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    meeting = OutflowMeeting.objects.get(pk=body["id"])
    assert response["Location"] == f"/api/v1/outflow-meetings/{meeting.pk}"
    assert body == {
        "id": meeting.pk,
        "region": region1.region.pk,
        "scheduledOn": soon(),
        "place": "Stadhuis",
        "status": "planned",
        "heldOn": None,
    }
    # the screen's form with the same input makes the same meeting
    client.force_login(region1.route_coordinator)
    client.post(
        reverse("meetings:plan"),
        {
            "plan-region": region1.region.pk,
            "plan-scheduled_on": soon(),
            "plan-place": " Stadhuis ",
        },
    )
    screen = OutflowMeeting.objects.exclude(pk=meeting.pk).get()
    fields = ("region_id", "scheduled_on", "place", "status", "held_on", "minutes")
    assert [getattr(screen, f) for f in fields] == [getattr(meeting, f) for f in fields]


@pytest.mark.parametrize("who", ["coordinator", "rmc_officer", "admin"])
def test_others_may_not_plan_a_meeting(region1, api, who):
    response = api(getattr(region1, who)).post(
        "/api/v1/outflow-meetings",
        {"region": region1.region.pk, "scheduledOn": soon()},
        format="json",
    )
    problem_of(response, 403)
    assert not OutflowMeeting.objects.exists()


def test_route_coordinator_of_another_region_may_not_plan_there(region1, region2, api):
    response = api(region2.route_coordinator).post(
        "/api/v1/outflow-meetings",
        {"region": region1.region.pk, "scheduledOn": soon()},
        format="json",
    )
    problem_of(response, 403)
    assert not OutflowMeeting.objects.exists()


def test_plan_with_an_invalid_body_is_400(region1, api):
    client = api(region1.route_coordinator)
    response = client.post(
        "/api/v1/outflow-meetings",
        {"region": region1.region.pk, "scheduledOn": "31-02-2026"},
        format="json",
    )
    assert invalid_names(response) == {"scheduledOn"}
    response = client.post(
        "/api/v1/outflow-meetings",
        {"region": 999999, "scheduledOn": soon(), "place": "x" * 201},
        format="json",
    )
    assert invalid_names(response) == {"place"}
    # JSON types are strict: the id as a string, or a number as the place, is invalid
    response = client.post(
        "/api/v1/outflow-meetings",
        {"region": str(region1.region.pk), "scheduledOn": soon(), "place": 0},
        format="json",
    )
    assert invalid_names(response) == {"region", "place"}
    # a region that does not exist fails the screen's form
    response = client.post(
        "/api/v1/outflow-meetings", {"region": 999999, "scheduledOn": soon()}, format="json"
    )
    assert invalid_names(response) == {"region"}
    assert not OutflowMeeting.objects.exists()


def test_read_only_token_may_not_plan(region1, api):
    response = api(region1.route_coordinator, scope="read").post(
        "/api/v1/outflow-meetings",
        {"region": region1.region.pk, "scheduledOn": soon()},
        format="json",
    )
    problem_of(response, 403)
    assert not OutflowMeeting.objects.exists()


# --- participants, holding, minutes ----------------------------------------------------------------


def test_route_coordinator_adds_a_participant(region1, api):
    meeting = plan(region1)
    response = api(region1.route_coordinator).post(
        f"/api/v1/outflow-meetings/{meeting.pk}/participants",
        {"organisation": region1.rmc.pk, "personName": " R. Monitor "},
        format="json",
    )
    assert response.status_code == 201, response.content
    participant = MeetingParticipant.objects.get(meeting=meeting)
    assert (participant.organisation, participant.person_name) == (region1.rmc, "R. Monitor")
    assert response.json() == {
        "id": participant.pk,
        "organisation": region1.rmc.pk,
        "personName": "R. Monitor",
    }


def test_participant_refusals(region1, region2, api):
    meeting = plan(region1)
    url = f"/api/v1/outflow-meetings/{meeting.pk}/participants"
    body = {"organisation": region1.rmc.pk, "personName": "R. Monitor"}
    # the school sees the meeting but does not manage it; another region does not see it
    problem_of(api(region1.coordinator).post(url, body, format="json"), 403)
    problem_of(api(region2.route_coordinator).post(url, body, format="json"), 404)
    problem_of(api(region1.admin).post(url, body, format="json"), 404)
    problem_of(
        api(region1.route_coordinator).post(
            "/api/v1/outflow-meetings/999999/participants", body, format="json"
        ),
        404,
    )
    rc = api(region1.route_coordinator)
    # an organisation of another region is not among the screen's choices
    response = rc.post(url, {"organisation": region2.rmc.pk, "personName": "X"}, format="json")
    assert invalid_names(response) == {"organisation"}
    assert invalid_names(rc.post(url, {"organisation": region1.rmc.pk}, format="json")) == {
        "personName"
    }
    # not to a cancelled meeting (as the screen, which no longer offers the form)
    OutflowMeeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.CANCELLED)
    problem_of(rc.post(url, body, format="json"), 422)
    assert not MeetingParticipant.objects.exists()


def test_holding_marks_the_meeting_held_like_the_screen(region1, api, client):
    meeting, other = plan(region1), plan(region1)
    response = api(region1.route_coordinator).post(
        f"/api/v1/outflow-meetings/{meeting.pk}/holding",
        {"heldOn": today().isoformat(), "minutes": " Vijf jongeren besproken. "},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "held"
    assert response.json()["heldOn"] == today().isoformat()
    client.force_login(region1.route_coordinator)
    client.post(
        reverse("meetings:hold", args=[other.pk]),
        {"hold-held_on": today().isoformat(), "hold-minutes": " Vijf jongeren besproken. "},
    )
    meeting.refresh_from_db()
    other.refresh_from_db()
    fields = ("status", "held_on", "minutes")
    assert [getattr(meeting, f) for f in fields] == [getattr(other, f) for f in fields]
    assert meeting.minutes == "Vijf jongeren besproken."


def test_holding_refusals(region1, api):
    meeting = plan(region1, on=today() + dt.timedelta(days=7))
    url = f"/api/v1/outflow-meetings/{meeting.pk}/holding"
    problem_of(
        api(region1.coordinator).post(url, {"heldOn": today().isoformat()}, format="json"), 403
    )
    rc = api(region1.route_coordinator)
    assert invalid_names(rc.post(url, {}, format="json")) == {"heldOn"}
    future = (today() + dt.timedelta(days=7)).isoformat()
    problem_of(rc.post(url, {"heldOn": future}, format="json"), 422)
    meeting.refresh_from_db()
    assert (meeting.status, meeting.held_on) == (MeetingStatus.PLANNED, None)
    assert rc.post(url, {"heldOn": today().isoformat()}, format="json").status_code == 200
    # it happens once
    problem_of(rc.post(url, {"heldOn": today().isoformat()}, format="json"), 422)


def test_minutes_after_the_meeting_is_held(region1, api):
    meeting = plan(region1)
    url = f"/api/v1/outflow-meetings/{meeting.pk}/minutes"
    rc = api(region1.route_coordinator)
    problem_of(rc.put(url, {"minutes": "Te vroeg."}, format="json"), 422)
    hold(region1, meeting)
    problem_of(api(region1.rmc_officer).put(url, {"minutes": "Niet van mij."}, format="json"), 403)
    assert invalid_names(rc.put(url, {"minutes": ""}, format="json")) == {"minutes"}
    meeting.refresh_from_db()
    assert meeting.minutes == ""
    response = rc.put(url, {"minutes": " Drie jongeren naar werk. "}, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {"meeting": meeting.pk, "minutes": "Drie jongeren naar werk."}
    meeting.refresh_from_db()
    assert meeting.minutes == "Drie jongeren naar werk."


# --- advice, decision, actions on an agenda item ---------------------------------------------------


def test_partner_gives_the_advice_of_its_own_organisation(region1, api):
    item = agenda_item(region1)
    url = f"/api/v1/agenda-items/{item.pk}/advice"
    rmc = api(region1.rmc_officer)
    response = rmc.post(
        url, {"organisation": region1.rmc.pk, "text": " Werk past. "}, format="json"
    )
    assert response.status_code == 201, response.content
    advice = Advice.objects.get(agenda_item=item)
    assert (advice.organisation, advice.text, advice.given_by) == (
        region1.rmc,
        "Werk past.",
        region1.rmc_officer,
    )
    assert response.json() == {
        "id": advice.pk,
        "organisation": region1.rmc.pk,
        "text": "Werk past.",
    }
    assert TimelineEvent.objects.filter(case=item.case, kind="meeting_advice").count() == 1
    # the same organisation again replaces its advice
    response = rmc.post(url, {"organisation": region1.rmc.pk, "text": "Toch BBL."}, format="json")
    assert response.status_code == 200
    assert Advice.objects.get(agenda_item=item).text == "Toch BBL."
    # not the advice of another organisation (the screen does not offer it)
    response = rmc.post(url, {"organisation": region1.school.pk, "text": "x"}, format="json")
    assert invalid_names(response) == {"organisation"}
    assert Advice.objects.count() == 1
    # the route coordinator writes down anyone's
    response = api(region1.route_coordinator).post(
        url, {"organisation": region1.school.pk, "text": "School: akkoord."}, format="json"
    )
    assert response.status_code == 201
    assert Advice.objects.count() == 2


def test_advice_on_an_item_you_may_not_see_is_404(region1, region2, api):
    item = agenda_item(region1)
    url = f"/api/v1/agenda-items/{item.pk}/advice"
    # school B sees the meeting but not school A's student; region 2 not even the meeting
    for person, organisation in (
        (region1.other_coordinator, region1.other_school),
        (region2.route_coordinator, region1.rmc),
        (region1.admin, region1.school),
    ):
        response = api(person).post(
            url, {"organisation": organisation.pk, "text": "x"}, format="json"
        )
        problem_of(response, 404)
    problem_of(
        api(region1.rmc_officer).post(
            "/api/v1/agenda-items/999999/advice",
            {"organisation": region1.rmc.pk, "text": "x"},
            format="json",
        ),
        404,
    )
    assert not Advice.objects.exists()


def test_no_advice_once_the_decision_is_recorded(region1, api):
    item = agenda_item(region1, held=True)
    meetings.decision_record(
        actor=region1.route_coordinator,
        agenda_item_id=item.pk,
        outflow_profile=OutflowProfile.WORK,
        reason=WORK_REASON,
    )
    response = api(region1.rmc_officer).post(
        f"/api/v1/agenda-items/{item.pk}/advice",
        {"organisation": region1.rmc.pk, "text": "Te laat."},
        format="json",
    )
    problem_of(response, 422)
    assert not Advice.objects.exists()


def test_route_coordinator_records_the_decision_work(region1, api):
    item = agenda_item(region1, held=True)
    response = api(region1.route_coordinator).put(
        f"/api/v1/agenda-items/{item.pk}/decision",
        {"outflowProfile": "work", "reason": WORK_REASON},
        format="json",
    )
    assert response.status_code == 201, response.content
    decision = Decision.objects.get(agenda_item=item)
    assert response.json() == {
        "id": decision.pk,
        "outflowProfile": "work",
        "reason": WORK_REASON,
        "decidedOn": today().isoformat(),
    }
    # the same as the screen's decision: the profile is established (R-OVL-1/2/3)
    stage, profile, ended_on, _reason = case_state(item.case_id)
    assert (profile, ended_on) == (OutflowProfile.WORK, None)
    assert stage not in (Stage.CONSULTATION, Stage.WITHDRAWN)
    assert decision.decided_by == region1.route_coordinator
    # once per student
    response = api(region1.route_coordinator).put(
        f"/api/v1/agenda-items/{item.pk}/decision",
        {"outflowProfile": "education", "reason": "Toch mbo."},
        format="json",
    )
    problem_of(response, 422)
    assert Decision.objects.get(agenda_item=item).outflow_profile == OutflowProfile.WORK


def test_decision_other_profile_withdraws_the_case(region1, api):
    """R-OVL-4, as on the screen: another profile withdraws the case with the decision as reason."""
    item = agenda_item(region1, held=True)
    response = api(region1.route_coordinator).put(
        f"/api/v1/agenda-items/{item.pk}/decision",
        {"outflowProfile": "education", "reason": "Start in augustus op het mbo."},
        format="json",
    )
    assert response.status_code == 201, response.content
    stage, profile, ended_on, reason = case_state(item.case_id)
    assert (stage, profile, ended_on) == (Stage.WITHDRAWN, OutflowProfile.EDUCATION, today())
    assert "Start in augustus op het mbo." in reason


def test_decision_refused_by_the_rules_is_422_with_rule_ids(region1, api):
    # R-OVL-2: RMC and Leerplicht were not involved
    item = agenda_item(region1, involved=False, held=True)
    before = case_state(item.case_id)
    response = api(region1.route_coordinator).put(
        f"/api/v1/agenda-items/{item.pk}/decision",
        {"outflowProfile": "work", "reason": WORK_REASON},
        format="json",
    )
    ids = rule_ids(response)
    assert "R-OVL-2" in ids
    assert case_state(item.case_id) == before
    assert not Decision.objects.exists()


def test_decision_before_the_meeting_is_held_is_422(region1, api):
    item = agenda_item(region1)
    response = api(region1.route_coordinator).put(
        f"/api/v1/agenda-items/{item.pk}/decision",
        {"outflowProfile": "work", "reason": WORK_REASON},
        format="json",
    )
    problem_of(response, 422)
    assert not Decision.objects.exists()


def test_decision_on_a_withdrawn_case_is_422_stage(region1, api):
    item = agenda_item(region1, held=True)
    route.case_withdraw(actor=region1.coordinator, case_id=item.case_id, reason="Verhuisd.")
    response = api(region1.route_coordinator).put(
        f"/api/v1/agenda-items/{item.pk}/decision",
        {"outflowProfile": "work", "reason": WORK_REASON},
        format="json",
    )
    assert rule_ids(response) == ["R-STAGE"]
    assert not Decision.objects.exists()


def test_decision_refusals_by_role_and_body(region1, region2, api):
    item = agenda_item(region1, held=True)
    url = f"/api/v1/agenda-items/{item.pk}/decision"
    body = {"outflowProfile": "work", "reason": WORK_REASON}
    problem_of(api(region1.coordinator).put(url, body, format="json"), 403)
    problem_of(api(region1.rmc_officer).put(url, body, format="json"), 403)
    problem_of(api(region1.other_coordinator).put(url, body, format="json"), 404)
    problem_of(api(region2.route_coordinator).put(url, body, format="json"), 404)
    rc = api(region1.route_coordinator)
    response = rc.put(url, {"outflowProfile": "holiday", "reason": " "}, format="json")
    assert invalid_names(response) == {"outflowProfile", "reason"}
    assert not Decision.objects.exists()


def test_route_coordinator_adds_an_action(region1, api):
    item = agenda_item(region1)
    due = (today() + dt.timedelta(days=30)).isoformat()
    response = api(region1.route_coordinator).post(
        f"/api/v1/agenda-items/{item.pk}/actions",
        {
            "description": "Proefplaatsing regelen.",
            "ownerOrganisation": region1.work_service.pk,
            "dueOn": due,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    action = MeetingAction.objects.get(agenda_item=item)
    assert (action.owner_organisation, action.due_on.isoformat(), action.done_on) == (
        region1.work_service,
        due,
        None,
    )
    assert response.json()["ownerOrganisation"] == region1.work_service.pk
    assert TimelineEvent.objects.filter(case=item.case, kind="meeting_action").count() == 1


def test_action_refusals(region1, region2, api):
    item = agenda_item(region1)
    url = f"/api/v1/agenda-items/{item.pk}/actions"
    body = {"description": "X", "ownerOrganisation": region1.rmc.pk, "dueOn": "2027-01-15"}
    problem_of(api(region1.coordinator).post(url, body, format="json"), 403)
    problem_of(api(region1.other_coordinator).post(url, body, format="json"), 404)
    rc = api(region1.route_coordinator)
    response = rc.post(
        url,
        {"description": "", "ownerOrganisation": region2.rmc.pk, "dueOn": "15-01-2027"},
        format="json",
    )
    assert invalid_names(response) == {"description", "dueOn"}
    response = rc.post(
        url,
        {"description": "", "ownerOrganisation": region2.rmc.pk, "dueOn": "2027-01-15"},
        format="json",
    )
    assert invalid_names(response) == {"description"}
    response = rc.post(
        url,
        {"description": "X", "ownerOrganisation": region2.rmc.pk, "dueOn": "2027-01-15"},
        format="json",
    )
    assert invalid_names(response) == {"ownerOrganisation"}
    assert not MeetingAction.objects.exists()


# --- completing an action ----------------------------------------------------------------------


def an_action(region1, owner) -> MeetingAction:
    item = agenda_item(region1)
    return meetings.action_add(
        actor=region1.route_coordinator,
        agenda_item_id=item.pk,
        description="Gesprek met de jongere.",
        owner_organisation_id=owner.pk,
        due_on=today() + dt.timedelta(days=14),
    )


def test_owner_organisation_marks_the_action_done(region1, api):
    action = an_action(region1, region1.rmc)
    url = f"/api/v1/meeting-actions/{action.pk}/completion"
    response = api(region1.rmc_officer).post(url, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["doneOn"] == today().isoformat()
    action.refresh_from_db()
    assert action.done_on == today()
    # once
    problem_of(api(region1.rmc_officer).post(url, format="json"), 422)


def test_route_coordinator_marks_any_action_done(region1, api):
    action = an_action(region1, region1.rmc)
    response = api(region1.route_coordinator).post(
        f"/api/v1/meeting-actions/{action.pk}/completion"
    )
    assert response.status_code == 200, response.content
    action.refresh_from_db()
    assert action.done_on == today()


def test_completion_refusals(region1, region2, api):
    action = an_action(region1, region1.rmc)
    url = f"/api/v1/meeting-actions/{action.pk}/completion"
    # the school sees the student and the action, but the action is the RMC's
    problem_of(api(region1.coordinator).post(url), 403)
    problem_of(api(region1.other_coordinator).post(url), 404)
    problem_of(api(region2.route_coordinator).post(url), 404)
    problem_of(
        api(region1.route_coordinator).post("/api/v1/meeting-actions/999999/completion"), 404
    )
    action.refresh_from_db()
    assert action.done_on is None


# --- employers and jobs ------------------------------------------------------------------------


EMPLOYER = {
    "name": " Bakkerij De Korenschoof ",
    "kvkNumber": "1234 5678",
    "contactName": "P. de Boer",
    "contactEmail": "hr@example.nl",
    "contactPhone": "072 512 3456",
    "sector": "Food",
    "place": "Alkmaar",
}


@pytest.mark.parametrize("who", ["coordinator", "work_service_manager"])
def test_case_roles_add_an_employer(region1, api, who):
    response = api(getattr(region1, who)).post("/api/v1/employers", EMPLOYER, format="json")
    assert response.status_code == 201, response.content
    employer = Employer.objects.get()
    assert response["Location"] == f"/api/v1/employers/{employer.pk}"
    assert (employer.name, employer.kvk_number, employer.contact_email) == (
        "Bakkerij De Korenschoof",
        "12345678",
        "hr@example.nl",
    )
    assert response.json()["kvkNumber"] == "12345678"


@pytest.mark.parametrize("who", ["route_coordinator", "admin", "privacy_officer"])
def test_others_may_not_add_an_employer(region1, api, who):
    problem_of(api(getattr(region1, who)).post("/api/v1/employers", EMPLOYER, format="json"), 403)
    assert not Employer.objects.exists()


def test_employer_invalid_body_and_known_kvk_are_400(region1, api):
    client = api(region1.coordinator)
    response = client.post(
        "/api/v1/employers",
        {**EMPLOYER, "kvkNumber": "123", "contactEmail": "geen-adres"},
        format="json",
    )
    assert invalid_names(response) == {"kvkNumber", "contactEmail"}
    assert invalid_names(client.post("/api/v1/employers", {}, format="json")) == {
        "name",
        "kvkNumber",
    }
    assert not Employer.objects.exists()
    assert client.post("/api/v1/employers", EMPLOYER, format="json").status_code == 201
    response = client.post("/api/v1/employers", {**EMPLOYER, "name": "Andere naam"}, format="json")
    params = problem_of(response, 400)["invalidParams"]
    assert [(p["name"], p["code"]) for p in params] == [("kvkNumber", "unique")]
    assert Employer.objects.count() == 1


def test_school_records_the_end_of_a_job(region1, api):
    case = region1.open_case()
    employment = region1.employ(case, kind="fixed_term", ends_on=today() + dt.timedelta(days=90))
    ended = (today() + dt.timedelta(days=10)).isoformat()
    response = api(region1.coordinator).post(
        f"/api/v1/employments/{employment.pk}/end", {"endedOn": ended}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["endedOn"] == ended
    employment.refresh_from_db()
    assert employment.ended_on.isoformat() == ended
    assert TimelineEvent.objects.filter(case=case, kind="employment_ended").count() == 1


def test_end_of_a_job_refusals(region1, api):
    case = region1.open_case()
    region1.involve(case)
    employment = region1.employ(case)
    url = f"/api/v1/employments/{employment.pk}/end"
    body = {"endedOn": today().isoformat()}
    # school B does not see the case; the RMC sees it but does not record work matters
    problem_of(api(region1.other_coordinator).post(url, body, format="json"), 404)
    problem_of(api(region1.rmc_officer).post(url, body, format="json"), 403)
    problem_of(api(region1.coordinator).post("/api/v1/employments/999999/end", body), 404)
    client = api(region1.coordinator)
    assert invalid_names(client.post(url, {"endedOn": "morgen"}, format="json")) == {"endedOn"}
    before = (today() - dt.timedelta(days=1)).isoformat()
    problem_of(client.post(url, {"endedOn": before}, format="json"), 422)
    employment.refresh_from_db()
    assert employment.ended_on is None


def test_a_job_cannot_end_before_the_outflow_r_uit_1(region1, api):
    start = today() - dt.timedelta(days=30)
    case = region1.ready_for_outflow(on=start)
    region1.outflow(case, on=today() - dt.timedelta(days=5))
    employment = Employment.objects.get(case=case)
    response = api(region1.coordinator).post(
        f"/api/v1/employments/{employment.pk}/end",
        {"endedOn": (today() - dt.timedelta(days=10)).isoformat()},
        format="json",
    )
    assert rule_ids(response) == ["R-UIT-1"]
    employment.refresh_from_db()
    assert employment.ended_on is None


def test_meeting_writes_are_in_the_processing_log(region1, api):
    meeting = plan(region1)
    before = ProcessingLogRecord.objects.count()
    api(region1.route_coordinator).post(
        f"/api/v1/outflow-meetings/{meeting.pk}/holding",
        {"heldOn": today().isoformat()},
        format="json",
    )
    assert ProcessingLogRecord.objects.count() > before
    record = ProcessingLogRecord.objects.order_by("-id").first()
    assert record.actor == region1.route_coordinator
