"""Outflow meetings (uitstroomtafels): agenda, advice and decisions (R-OVL-1, R-OVL-4)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from routearbeid.core.errors import DomainError, NotFound, PermissionDenied
from routearbeid.meetings import services as meetings
from routearbeid.meetings.constants import MeetingStatus
from routearbeid.meetings.models import Advice, AgendaItem, Decision, MeetingAction, OutflowMeeting
from routearbeid.route import services as route
from routearbeid.route.constants import OutflowProfile, Stage
from routearbeid.route.models import Case, TimelineEvent
from routearbeid.tests.people import Region1

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TODAY = dt.date(2025, 3, 10)


@pytest.fixture(autouse=True)
def fixed_today():
    with time_machine.travel(dt.datetime(2025, 3, 10, 10, 0, tzinfo=AMSTERDAM), tick=False):
        yield


@pytest.fixture
def region2(db) -> Region1:
    return Region1.build("Regio Twee")


def plan(region1, on=TODAY) -> OutflowMeeting:
    return meetings.meeting_plan(
        actor=region1.route_coordinator, region_id=region1.region.pk, scheduled_on=on
    )


def involved_case(region1) -> Case:
    case = region1.open_case(age=17, on=TODAY - dt.timedelta(days=30))
    region1.involve(case, on=TODAY - dt.timedelta(days=20))
    return case


def on_agenda(region1, case, *, held=True):
    meeting = plan(region1)
    item = meetings.agenda_item_add(
        actor=region1.coordinator, meeting_id=meeting.pk, case_id=case.pk
    )
    if held:
        meetings.meeting_hold(actor=region1.route_coordinator, meeting_id=meeting.pk, held_on=TODAY)
    return item


def decide(actor, item, profile="work", reason="Wil werken; mbo nu niet haalbaar."):
    return meetings.decision_record(
        actor=actor, agenda_item_id=item.pk, outflow_profile=profile, reason=reason
    )


def state(case) -> tuple:
    case = Case.objects.get(pk=case.pk)
    return (
        case.stage,
        case.outflow_profile,
        case.ended_on,
        TimelineEvent.objects.filter(case=case).count(),
    )


# --- planning and holding ------------------------------------------------------------------


def test_only_the_route_coordinator_plans_and_holds_meetings(region1):
    """R-OVL-1: the meeting and whether it took place are the route coordinator's to record."""
    for person in (region1.coordinator, region1.rmc_officer, region1.admin):
        with pytest.raises(PermissionDenied):
            meetings.meeting_plan(actor=person, region_id=region1.region.pk, scheduled_on=TODAY)
    assert not OutflowMeeting.objects.exists()
    meeting = plan(region1)
    assert meeting.status == MeetingStatus.PLANNED
    with pytest.raises(PermissionDenied):
        meetings.meeting_hold(actor=region1.coordinator, meeting_id=meeting.pk, held_on=TODAY)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED


def test_a_meeting_cannot_be_held_in_the_future(region1):
    """R-OVL-1: only a meeting that has taken place counts; a future date is refused."""
    meeting = plan(region1, on=TODAY + dt.timedelta(days=7))
    with pytest.raises(DomainError) as exc:
        meetings.meeting_hold(
            actor=region1.route_coordinator,
            meeting_id=meeting.pk,
            held_on=TODAY + dt.timedelta(days=7),
        )
    assert "future" in str(exc.value)
    meeting.refresh_from_db()
    assert (meeting.status, meeting.held_on) == (MeetingStatus.PLANNED, None)
    held = meetings.meeting_hold(
        actor=region1.route_coordinator, meeting_id=meeting.pk, minutes="Notulen."
    )
    assert (held.status, held.held_on, held.minutes) == (MeetingStatus.HELD, TODAY, "Notulen.")


def test_route_coordinator_of_another_region_cannot_touch_the_meeting(region1, region2):
    """The meetings of a region belong to its own route coordinator."""
    meeting = plan(region1)
    with pytest.raises(PermissionDenied):
        meetings.meeting_plan(
            actor=region2.route_coordinator, region_id=region1.region.pk, scheduled_on=TODAY
        )
    with pytest.raises(NotFound):
        meetings.meeting_hold(actor=region2.route_coordinator, meeting_id=meeting.pk, held_on=TODAY)


# --- agenda -------------------------------------------------------------------------------


def test_agenda_the_school_puts_its_own_student_on_the_agenda(region1):
    """R-OVL-1: the student's school puts the case on the agenda; it shows on the case's timeline."""
    case = involved_case(region1)
    meeting = plan(region1)
    item = meetings.agenda_item_add(
        actor=region1.coordinator, meeting_id=meeting.pk, case_id=case.pk
    )
    assert (item.meeting, item.case, item.position) == (meeting, case, 1)
    again = meetings.agenda_item_add(
        actor=region1.coordinator, meeting_id=meeting.pk, case_id=case.pk
    )
    assert again.pk == item.pk
    assert TimelineEvent.objects.filter(case=case, kind="meeting_agenda").count() == 1
    second = meetings.agenda_item_add(
        actor=region1.mentor, meeting_id=meeting.pk, case_id=region1.open_case(age=17).pk
    )
    assert second.position == 2


def test_agenda_another_school_cannot_put_the_student_on_the_agenda(region1):
    """The agenda is for the school's own students: another school's coordinator is refused."""
    case = involved_case(region1)
    meeting = plan(region1)
    with pytest.raises(DomainError):
        meetings.agenda_item_add(
            actor=region1.other_coordinator, meeting_id=meeting.pk, case_id=case.pk
        )
    for person in (region1.rmc_officer, region1.swv_officer):
        with pytest.raises(DomainError):
            meetings.agenda_item_add(actor=person, meeting_id=meeting.pk, case_id=case.pk)
    assert not AgendaItem.objects.exists()


def test_agenda_the_route_coordinator_carries_a_case_over_to_the_next_meeting(region1):
    """The route coordinator may put a case on the agenda (here: one discussed before, to decide at
    the next meeting)."""
    case = involved_case(region1)
    on_agenda(region1, case, held=True)
    next_meeting = plan(region1, on=TODAY + dt.timedelta(days=60))
    item = meetings.agenda_item_add(
        actor=region1.route_coordinator, meeting_id=next_meeting.pk, case_id=case.pk
    )
    assert item.meeting == next_meeting
    assert TimelineEvent.objects.filter(
        case=case, kind="meeting_agenda", actor=region1.route_coordinator
    ).exists()


def test_agenda_only_a_planned_meeting_and_an_open_case(region1):
    """A held meeting takes no new students, and a withdrawn case is not put on an agenda."""
    case = involved_case(region1)
    held = on_agenda(region1, region1.open_case(age=17), held=True).meeting
    with pytest.raises(DomainError) as exc:
        meetings.agenda_item_add(actor=region1.coordinator, meeting_id=held.pk, case_id=case.pk)
    assert "planned" in str(exc.value)
    route.case_withdraw(actor=region1.coordinator, case_id=case.pk, reason="Naar mbo.")
    with pytest.raises(DomainError) as exc:
        meetings.agenda_item_add(
            actor=region1.coordinator, meeting_id=plan(region1).pk, case_id=case.pk
        )
    assert "withdrawn" in str(exc.value)
    assert not AgendaItem.objects.filter(case=case).exists()


def test_agenda_meeting_of_another_region_is_not_found(region1, region2):
    """A school puts its students only on the meetings of its own region."""
    case = involved_case(region1)
    elsewhere = plan(region2)
    with pytest.raises(NotFound):
        meetings.agenda_item_add(
            actor=region1.coordinator, meeting_id=elsewhere.pk, case_id=case.pk
        )
    assert not AgendaItem.objects.exists()


# --- advice -------------------------------------------------------------------------------


def test_advice_each_organisation_records_its_own_advice(region1):
    """Advice per organisation: RMC and Leerplicht each record their own, once per agenda item."""
    case = involved_case(region1)
    item = on_agenda(region1, case)
    rmc = meetings.advice_record(
        actor=region1.rmc_officer,
        agenda_item_id=item.pk,
        organisation_id=region1.rmc.pk,
        text="Werk, met jobcoaching.",
    )
    meetings.advice_record(
        actor=region1.leerplicht_officer,
        agenda_item_id=item.pk,
        organisation_id=region1.leerplicht.pk,
        text="Akkoord.",
    )
    # a second advice of the same organisation replaces the first
    again = meetings.advice_record(
        actor=region1.rmc_officer,
        agenda_item_id=item.pk,
        organisation_id=region1.rmc.pk,
        text="  Werk, zonder jobcoaching. ",
    )
    assert again.pk == rmc.pk
    assert dict(
        Advice.objects.filter(agenda_item=item).values_list("organisation__kind", "text")
    ) == {
        "rmc": "Werk, zonder jobcoaching.",
        "leerplicht": "Akkoord.",
    }
    assert again.given_by == region1.rmc_officer
    assert TimelineEvent.objects.filter(case=case, kind="meeting_advice").count() == 3


def test_advice_of_another_organisation_is_refused(region1):
    """Advice per organisation: the RMC officer cannot give Leerplicht's advice."""
    item = on_agenda(region1, involved_case(region1))
    with pytest.raises(PermissionDenied):
        meetings.advice_record(
            actor=region1.rmc_officer,
            agenda_item_id=item.pk,
            organisation_id=region1.leerplicht.pk,
            text="Akkoord.",
        )
    with pytest.raises(PermissionDenied):
        meetings.advice_record(
            actor=region1.coordinator,
            agenda_item_id=item.pk,
            organisation_id=region1.work_service.pk,
            text="Werk.",
        )
    assert not Advice.objects.exists()


def test_advice_route_coordinator_writes_down_any_organisations_advice(region1):
    """The route coordinator keeps the minutes: it may record the advice of each organisation."""
    item = on_agenda(region1, involved_case(region1))
    advice = meetings.advice_record(
        actor=region1.route_coordinator,
        agenda_item_id=item.pk,
        organisation_id=region1.swv.pk,
        text="Geen extra ondersteuning nodig.",
    )
    assert advice.organisation == region1.swv
    assert advice.given_by == region1.route_coordinator


def test_advice_bad_input_is_a_domain_error(region1, region2):
    """Advice needs text, from an organisation of the meeting's region."""
    item = on_agenda(region1, involved_case(region1))
    with pytest.raises(DomainError) as exc:
        meetings.advice_record(
            actor=region1.rmc_officer,
            agenda_item_id=item.pk,
            organisation_id=region1.rmc.pk,
            text="   ",
        )
    assert "advice" in str(exc.value)
    with pytest.raises(DomainError) as exc:
        meetings.advice_record(
            actor=region1.route_coordinator,
            agenda_item_id=item.pk,
            organisation_id=region2.rmc.pk,
            text="Werk.",
        )
    assert "region" in str(exc.value)
    assert not Advice.objects.exists()


# --- decisions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["coordinator", "rmc_officer", "leerplicht_officer", "work_service_manager"]
)
def test_decision_only_by_the_route_coordinator(region1, who):
    """R-OVL-1/R-OVL-4: the decision of the meeting is recorded by the route coordinator only."""
    case = involved_case(region1)
    item = on_agenda(region1, case)
    before = state(case)
    with pytest.raises(DomainError):
        decide(getattr(region1, who), item)
    assert not Decision.objects.exists()
    assert state(case) == before


def test_decision_by_the_route_coordinator_of_another_region_is_refused(region1, region2):
    """Only the meeting's own route coordinator decides."""
    case = involved_case(region1)
    item = on_agenda(region1, case)
    with pytest.raises(NotFound):
        decide(region2.route_coordinator, item)
    assert not Decision.objects.exists()
    assert Case.objects.get(pk=case.pk).stage == Stage.CONSULTATION


def test_decision_before_the_meeting_was_held_is_refused(region1):
    """R-OVL-1: a decision is recorded only after the meeting took place."""
    case = involved_case(region1)
    item = on_agenda(region1, case, held=False)
    before = state(case)
    for profile in ("work", "education"):
        with pytest.raises(DomainError) as exc:
            decide(region1.route_coordinator, item, profile=profile)
        assert "held" in str(exc.value)
    assert not Decision.objects.exists()
    assert state(case) == before


def test_decision_work_establishes_the_profile(region1):
    """R-OVL-1: after a held meeting the route coordinator's decision "work" establishes the profile."""
    case = involved_case(region1)
    item = on_agenda(region1, case)
    decision = decide(region1.route_coordinator, item)
    assert (decision.outflow_profile, decision.decided_on, decision.decided_by) == (
        OutflowProfile.WORK,
        TODAY,
        region1.route_coordinator,
    )
    case.refresh_from_db()
    assert (case.outflow_profile, case.profile_established_on, case.stage) == (
        OutflowProfile.WORK,
        TODAY,
        Stage.ABA,
    )
    assert TimelineEvent.objects.filter(case=case, kind="meeting_decision").count() == 1


def test_decision_education_withdraws_the_case(region1):
    """R-OVL-4: a decision for education withdraws the case with the decision as reason."""
    case = involved_case(region1)
    item = on_agenda(region1, case)
    decide(region1.route_coordinator, item, profile="education", reason="Kan door naar mbo 2.")
    case.refresh_from_db()
    assert case.stage == Stage.WITHDRAWN
    assert case.outflow_profile == OutflowProfile.EDUCATION
    assert "Kan door naar mbo 2." in case.end_reason


def test_decision_once_per_agenda_item_and_with_a_known_profile(region1):
    """A decision is recorded once per student per meeting, for one of the listed profiles."""
    case = involved_case(region1)
    item = on_agenda(region1, case)
    with pytest.raises(DomainError) as exc:
        decide(region1.route_coordinator, item, profile="holiday")
    assert "profile" in str(exc.value)
    decide(region1.route_coordinator, item)
    with pytest.raises(DomainError) as exc:
        decide(region1.route_coordinator, item, profile="education")
    assert "already" in str(exc.value)
    assert Decision.objects.filter(agenda_item=item).count() == 1
    assert Case.objects.get(pk=case.pk).stage == Stage.ABA


# --- actions ------------------------------------------------------------------------------


def test_actions_by_the_route_coordinator_with_a_description(region1):
    """Actions of the meeting: the route coordinator assigns them; the owner marks them done."""
    item = on_agenda(region1, involved_case(region1))
    with pytest.raises(PermissionDenied):
        meetings.action_add(
            actor=region1.coordinator,
            agenda_item_id=item.pk,
            description="Bellen",
            owner_organisation_id=region1.school.pk,
            due_on=TODAY,
        )
    with pytest.raises(DomainError) as exc:
        meetings.action_add(
            actor=region1.route_coordinator,
            agenda_item_id=item.pk,
            description=" ",
            owner_organisation_id=region1.school.pk,
            due_on=TODAY,
        )
    assert "action" in str(exc.value)
    assert not MeetingAction.objects.exists()
    action = meetings.action_add(
        actor=region1.route_coordinator,
        agenda_item_id=item.pk,
        description="ABA aanvragen",
        owner_organisation_id=region1.school.pk,
        due_on=TODAY + dt.timedelta(days=14),
    )
    done = meetings.action_done(actor=region1.coordinator, action_id=action.pk)
    assert done.done_on == TODAY
    with pytest.raises(NotFound):
        meetings.action_done(actor=region1.rmc_officer, action_id=action.pk)
