"""Opening a case (R-START-*) and the consultation step (R-OVL-*), through the services."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction

from routearbeid.core.errors import DomainError, PermissionDenied, TransitionBlocked
from routearbeid.meetings import services as meetings
from routearbeid.meetings.models import Decision
from routearbeid.organisations.constants import OrganisationKind
from routearbeid.route import rules
from routearbeid.route import services as route
from routearbeid.route.constants import OutflowProfile, Stage
from routearbeid.route.models import Case, Involvement, TimelineEvent
from routearbeid.students.models import Student

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TODAY = dt.date(2025, 3, 10)


@pytest.fixture(autouse=True)
def fixed_today():
    """Every test runs on a known day, so that ages and meeting dates do not depend on the calendar."""
    with time_machine.travel(dt.datetime(2025, 3, 10, 10, 0, tzinfo=AMSTERDAM), tick=False):
        yield


def born(region1, date_of_birth: dt.date, **kwargs) -> Student:
    n = Student.objects.count() + 1
    return Student.objects.create(
        school=region1.school,
        first_name=f"Jongere{n}",
        last_name="Test",
        date_of_birth=date_of_birth,
        municipality="Alkmaar",
        **kwargs,
    )


def case_state(case: Case) -> tuple:
    """What a refused step must leave untouched."""
    case = Case.objects.get(pk=case.pk)
    return (
        case.stage,
        case.outflow_profile,
        case.profile_established_on,
        case.education_first_reason,
        case.ended_on,
        case.end_reason,
        TimelineEvent.objects.filter(case=case).count(),
    )


def planned_meeting(region1, case, *, on=TODAY):
    meeting = meetings.meeting_plan(
        actor=region1.route_coordinator, region_id=region1.region.pk, scheduled_on=on
    )
    item = meetings.agenda_item_add(
        actor=region1.coordinator, meeting_id=meeting.pk, case_id=case.pk
    )
    return meeting, item


def held_meeting(region1, case, *, on=TODAY):
    meeting, item = planned_meeting(region1, case, on=on)
    meetings.meeting_hold(actor=region1.route_coordinator, meeting_id=meeting.pk, held_on=on)
    return meeting, item


def refused_ids(exc: pytest.ExceptionInfo) -> set[str]:
    return set(exc.value.rule_ids)


# --- R-START-1 ------------------------------------------------------------------------------


def test_r_start_1_a_15_year_old_cannot_get_a_case(region1):
    """R-START-1: a case only for a student who is 16 or older on the opening date."""
    student = region1.student(age=15)
    with pytest.raises(TransitionBlocked) as exc:
        route.case_open(actor=region1.coordinator, student_id=student.pk)
    assert refused_ids(exc) == {"R-START-1"}
    assert "15" in str(exc.value)
    assert not Case.objects.filter(student=student).exists()


def test_r_start_1_a_16_year_old_can_get_a_case(region1):
    """R-START-1: 16 on the opening date is old enough."""
    student = region1.student(age=16)
    case = route.case_open(actor=region1.coordinator, student_id=student.pk)
    assert case.stage == Stage.CONSULTATION
    assert case.opened_on == TODAY
    assert case.opened_by == region1.coordinator


def test_r_start_1_birthday_edge(region1):
    """R-START-1: the day before the 16th birthday is refused, the birthday itself is allowed."""
    student = born(region1, dt.date(2009, 3, 10))
    with pytest.raises(TransitionBlocked) as exc:
        route.case_open(
            actor=region1.coordinator, student_id=student.pk, opened_on=dt.date(2025, 3, 9)
        )
    assert refused_ids(exc) == {"R-START-1"}
    case = route.case_open(
        actor=region1.coordinator, student_id=student.pk, opened_on=dt.date(2025, 3, 10)
    )
    assert case.opened_on == dt.date(2025, 3, 10)


def test_r_start_1_rule_says_the_age_and_who_fixes_it(region1):
    """R-START-1: the refusal names the age on the opening date and the school as the one to act."""
    student = born(region1, dt.date(2009, 3, 11))
    result = rules.r_start_1(student, dt.date(2025, 3, 10))
    assert not result.met
    assert "15" in str(result.message)
    assert result.fixed_by == rules.SCHOOL
    assert rules.r_start_1(student, dt.date(2025, 3, 11)).met


# --- R-START-2 ------------------------------------------------------------------------------


def test_r_start_2_a_second_open_case_is_refused(region1):
    """R-START-2: at most one case that is not closed or withdrawn."""
    student = region1.student(age=17)
    first = route.case_open(actor=region1.coordinator, student_id=student.pk)
    with pytest.raises(TransitionBlocked) as exc:
        route.case_open(actor=region1.coordinator, student_id=student.pk)
    assert refused_ids(exc) == {"R-START-2"}
    assert list(Case.objects.filter(student=student)) == [first]


def test_r_start_2_after_withdrawal_a_new_case_is_allowed(region1):
    """R-START-2: a withdrawn case does not count as open."""
    student = region1.student(age=17)
    first = route.case_open(actor=region1.coordinator, student_id=student.pk)
    route.case_withdraw(actor=region1.coordinator, case_id=first.pk, reason="Kiest toch voor mbo.")
    second = route.case_open(actor=region1.coordinator, student_id=student.pk)
    assert second.pk != first.pk
    assert set(Case.objects.filter(student=student).values_list("stage", flat=True)) == {
        Stage.WITHDRAWN,
        Stage.CONSULTATION,
    }


def test_r_start_2_the_database_constraint_refuses_a_second_open_case(region1):
    """R-START-2: even a write that skips the service cannot make two open cases."""
    student = region1.student(age=17)
    Case.objects.create(student=student, opened_on=TODAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(student=student, opened_on=TODAY, stage=Stage.ABA)
    # ... while an ended case beside an open one is fine
    Case.objects.create(student=student, opened_on=TODAY, stage=Stage.WITHDRAWN)
    Case.objects.create(student=student, opened_on=TODAY, stage=Stage.CLOSED, outflow_on=TODAY)
    assert Case.objects.filter(student=student).count() == 3


def test_r_start_2_a_concurrent_second_case_is_refused_with_the_rule(region1, monkeypatch):
    """R-START-2: when the check passes but another request opened a case first, the database
    constraint refuses it and the service still answers with the rule, not a crash."""
    student = region1.student(age=17)
    Case.objects.create(student=student, opened_on=TODAY)  # the "other request"
    real = rules.r_start_2
    calls = []

    def first_check_passes(student, has_open_case):
        calls.append(has_open_case)
        return real(student, False) if len(calls) == 1 else real(student, has_open_case)

    monkeypatch.setattr(rules, "r_start_2", first_check_passes)
    with pytest.raises(TransitionBlocked) as exc:
        route.case_open(actor=region1.coordinator, student_id=student.pk)
    assert refused_ids(exc) == {"R-START-2"}
    assert calls == [True, True]
    assert Case.objects.filter(student=student).count() == 1


# --- R-OVL-1 --------------------------------------------------------------------------------


def test_r_ovl_1_not_on_any_agenda_is_refused(region1):
    """R-OVL-1: "work" only after the student was on the agenda of a meeting that took place."""
    case = region1.open_case(age=17)
    region1.involve(case)
    # another student was discussed at a held meeting; this one was not
    other = region1.open_case(age=17)
    held_meeting(region1, other)
    before = case_state(case)
    with pytest.raises(TransitionBlocked) as exc:
        route.case_profile_establish(
            actor=region1.coordinator, case_id=case.pk, reason="Wil werken."
        )
    assert refused_ids(exc) == {"R-OVL-1"}
    assert exc.value.failures[0].fixed_by == rules.ROUTE_COORDINATOR
    assert case_state(case) == before


def test_r_ovl_1_meeting_planned_but_not_held_is_refused(region1):
    """R-OVL-1: a planned meeting does not count."""
    case = region1.open_case(age=17)
    region1.involve(case)
    planned_meeting(region1, case)
    before = case_state(case)
    with pytest.raises(TransitionBlocked) as exc:
        route.case_profile_establish(
            actor=region1.coordinator, case_id=case.pk, reason="Wil werken."
        )
    assert refused_ids(exc) == {"R-OVL-1"}
    assert case_state(case) == before


def test_r_ovl_1_meeting_held_after_the_establishing_date_does_not_count(region1):
    """R-OVL-1: the meeting must have taken place on or before the date the profile is established."""
    case = region1.open_case(age=17)
    region1.involve(case)
    held_meeting(region1, case, on=TODAY)
    with pytest.raises(TransitionBlocked) as exc:
        route.case_profile_establish(
            actor=region1.coordinator,
            case_id=case.pk,
            reason="Wil werken.",
            on=TODAY - dt.timedelta(days=1),
        )
    assert refused_ids(exc) == {"R-OVL-1"}
    case = route.case_profile_establish(
        actor=region1.coordinator, case_id=case.pk, reason="Wil werken.", on=TODAY
    )
    assert case.outflow_profile == OutflowProfile.WORK
    assert case.profile_established_on == TODAY


def test_r_ovl_1_held_meeting_establishes_work(region1):
    """R-OVL-1/2/3 all met: the meeting's decision establishes "work" and the case moves on to ABA."""
    case = region1.open_case(age=17)
    region1.involve(case)
    decision = region1.decide_work(case, reason="Wil direct werken; mbo is nu geen haalbare optie.")
    case.refresh_from_db()
    assert decision.outflow_profile == OutflowProfile.WORK
    assert case.stage == Stage.ABA
    assert case.outflow_profile == OutflowProfile.WORK
    assert case.profile_established_on == TODAY
    assert case.education_first_reason == "Wil direct werken; mbo is nu geen haalbare optie."


# --- R-OVL-2 --------------------------------------------------------------------------------


def _failures_of(exc, rule_id):
    return [f for f in exc.value.failures if f.rule_id == rule_id]


def test_r_ovl_2_rmc_alone_is_refused_and_names_leerplicht(region1):
    """R-OVL-2: RMC and Leerplicht must both be involved; with RMC alone, Leerplicht is missing."""
    case = region1.open_case(age=17)
    region1.involve(case, rmc=True, leerplicht=False)
    _meeting, item = held_meeting(region1, case)
    before = case_state(case)
    with pytest.raises(TransitionBlocked) as exc:
        meetings.decision_record(
            actor=region1.route_coordinator,
            agenda_item_id=item.pk,
            outflow_profile="work",
            reason="Wil werken.",
        )
    assert refused_ids(exc) == {"R-OVL-2"}
    (missing,) = _failures_of(exc, "R-OVL-2")
    assert "Leerplicht" in str(missing.message)
    assert missing.fixed_by == rules.LEERPLICHT
    assert case_state(case) == before
    assert not Decision.objects.filter(agenda_item=item).exists()


def test_r_ovl_2_leerplicht_alone_is_refused_and_names_the_rmc(region1):
    """R-OVL-2: with Leerplicht alone, the RMC is missing."""
    case = region1.open_case(age=17)
    region1.involve(case, rmc=False, leerplicht=True)
    held_meeting(region1, case)
    with pytest.raises(TransitionBlocked) as exc:
        route.case_profile_establish(
            actor=region1.coordinator, case_id=case.pk, reason="Wil werken."
        )
    assert refused_ids(exc) == {"R-OVL-2"}
    (missing,) = _failures_of(exc, "R-OVL-2")
    assert "RMC" in str(missing.message)
    assert missing.fixed_by == rules.RMC


def test_r_ovl_2_both_asked_but_without_advice_is_refused_with_a_message_per_organisation(region1):
    """R-OVL-2: asking RMC and Leerplicht is not enough; each needs person, date and advice."""
    case = region1.open_case(age=17)
    for org in (region1.rmc, region1.leerplicht):
        route.involvement_request(
            actor=region1.coordinator, case_id=case.pk, organisation_id=org.pk
        )
    # the RMC tries to record a person and a date, but no advice: refused on the spot
    with pytest.raises(DomainError) as blank:
        route.involvement_record(
            actor=region1.rmc_officer,
            case_id=case.pk,
            organisation_id=region1.rmc.pk,
            person_name="R. Monitor",
            involved_on=TODAY,
            advice="   ",
        )
    assert blank.value.rule_ids == ("R-OVL-2",)
    held_meeting(region1, case)
    with pytest.raises(TransitionBlocked) as exc:
        route.case_profile_establish(
            actor=region1.coordinator, case_id=case.pk, reason="Wil werken."
        )
    assert exc.value.rule_ids == ("R-OVL-2", "R-OVL-2")
    messages = [str(f.message) for f in exc.value.failures]
    assert any("RMC" in m for m in messages)
    assert any("Leerplicht" in m for m in messages)
    assert {f.fixed_by for f in exc.value.failures} == {rules.RMC, rules.LEERPLICHT}
    assert Case.objects.get(pk=case.pk).stage == Stage.CONSULTATION


def test_r_ovl_2_swv_and_work_service_are_optional(region1):
    """R-OVL-2: SWV and the work service need not be involved; RMC and Leerplicht suffice."""
    case = region1.open_case(age=17)
    region1.involve(case)
    assert not Involvement.objects.filter(
        case=case, organisation__kind__in=[OrganisationKind.SWV, OrganisationKind.WORK_SERVICE]
    ).exists()
    region1.decide_work(case)
    assert Case.objects.get(pk=case.pk).stage == Stage.ABA


def test_r_ovl_2_involvement_bad_input_is_a_domain_error_and_changes_nothing(region1):
    """R-OVL-2: an involvement needs a person and a date that is not in the future."""
    case = region1.open_case(age=17)
    route.involvement_request(
        actor=region1.coordinator, case_id=case.pk, organisation_id=region1.rmc.pk
    )
    before = case_state(case)
    for kwargs, words in (
        ({"person_name": "  ", "involved_on": TODAY}, "name"),
        ({"person_name": "R. Monitor", "involved_on": TODAY + dt.timedelta(days=1)}, "future"),
        ({"person_name": "R. Monitor", "involved_on": TODAY, "legal_basis": "consent"}, "consent"),
    ):
        with pytest.raises(DomainError) as exc:
            route.involvement_record(
                actor=region1.rmc_officer,
                case_id=case.pk,
                organisation_id=region1.rmc.pk,
                advice="Advies.",
                **kwargs,
            )
        assert words in str(exc.value)
    involvement = Involvement.objects.get(case=case, organisation=region1.rmc)
    assert (involvement.person_name, involvement.involved_on, involvement.advice) == ("", None, "")
    assert case_state(case) == before


def test_r_ovl_2_an_organisation_records_only_its_own_involvement(region1):
    """R-OVL-2: the RMC officer cannot record Leerplicht's involvement."""
    case = region1.open_case(age=17)
    region1.involve(case, rmc=True, leerplicht=False)
    route.involvement_request(
        actor=region1.coordinator, case_id=case.pk, organisation_id=region1.leerplicht.pk
    )
    with pytest.raises(PermissionDenied):
        route.involvement_record(
            actor=region1.rmc_officer,
            case_id=case.pk,
            organisation_id=region1.leerplicht.pk,
            person_name="Nep",
            involved_on=TODAY,
            advice="Akkoord.",
        )
    assert Involvement.objects.get(case=case, organisation=region1.leerplicht).advice == ""


# --- R-OVL-3 --------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_r_ovl_3_empty_reason_is_refused(region1, reason):
    """R-OVL-3: education first; "work" needs a written reason why education is not (now) better."""
    case = region1.open_case(age=17)
    region1.involve(case)
    _meeting, item = held_meeting(region1, case)
    before = case_state(case)
    with pytest.raises(TransitionBlocked) as exc:
        meetings.decision_record(
            actor=region1.route_coordinator,
            agenda_item_id=item.pk,
            outflow_profile="work",
            reason=reason,
        )
    assert refused_ids(exc) == {"R-OVL-3"}
    assert "education" in str(exc.value)
    assert case_state(case) == before
    assert not Decision.objects.filter(agenda_item=item).exists()


def test_r_ovl_3_lists_every_unmet_consultation_rule_at_once(region1):
    """R-OVL-1/2/3: a bare case names every missing piece in one refusal."""
    case = region1.open_case(age=17)
    with pytest.raises(TransitionBlocked) as exc:
        route.case_profile_establish(actor=region1.coordinator, case_id=case.pk, reason="")
    assert sorted(exc.value.rule_ids) == ["R-OVL-1", "R-OVL-2", "R-OVL-2", "R-OVL-3"]


# --- R-OVL-4 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "label"),
    [
        (OutflowProfile.EDUCATION, "Further education"),
        (OutflowProfile.DAYTIME_ACTIVITIES, "Daytime activities"),
    ],
)
def test_r_ovl_4_meeting_deciding_another_profile_withdraws_the_case(region1, profile, label):
    """R-OVL-4: a meeting that decides another profile withdraws the case with the decision as reason."""
    case = region1.open_case(age=17, on=TODAY - dt.timedelta(days=10))
    _meeting, item = held_meeting(region1, case, on=TODAY - dt.timedelta(days=2))
    decision = meetings.decision_record(
        actor=region1.route_coordinator,
        agenda_item_id=item.pk,
        outflow_profile=profile,
        reason="Kan naar mbo niveau 2.",
    )
    case.refresh_from_db()
    assert case.stage == Stage.WITHDRAWN
    assert case.outflow_profile == profile
    assert case.profile_established_on is None
    assert label in case.end_reason
    assert "Kan naar mbo niveau 2." in case.end_reason
    assert case.ended_on == TODAY - dt.timedelta(days=2)  # the day of the meeting
    assert decision.outflow_profile == profile
    kinds = set(case.events.values_list("kind", flat=True))
    assert {"case_withdrawn", "meeting_decision"} <= kinds
    # withdrawn: no longer open, so a new case for the student is allowed (R-START-2)
    assert (
        route.case_open(actor=region1.coordinator, student_id=case.student_id).stage
        == Stage.CONSULTATION
    )
