"""Handover (R-HO-*), outflow (R-UIT-*) and stopping (R-END-*), through the services."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction

from routearbeid.aftercare import services as aftercare
from routearbeid.aftercare.constants import SignalKind, SignalStatus
from routearbeid.aftercare.models import AftercareCheck, Signal
from routearbeid.core.errors import DomainError, NotFound, TransitionBlocked
from routearbeid.employment import services as employment
from routearbeid.employment.models import Employer, Employment
from routearbeid.meetings import services as meetings
from routearbeid.route import machine, rules
from routearbeid.route import services as route
from routearbeid.route.constants import HandoverForm, LegalBasis, Situation, Stage
from routearbeid.route.models import (
    Case,
    Deregistration,
    ExemptionDecision,
    Handover,
    TimelineEvent,
)
from routearbeid.route.rules import CaseFacts
from routearbeid.route.selectors import case_get
from routearbeid.students.models import Student

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TODAY = dt.date(2025, 3, 10)


@pytest.fixture(autouse=True)
def fixed_today():
    with time_machine.travel(dt.datetime(2025, 3, 10, 10, 0, tzinfo=AMSTERDAM), tick=False):
        yield


def prepared(
    region1,
    *,
    student=None,
    job=None,
    handover=True,
    guardians=True,
    involve=True,
    **student_kwargs,
):
    """A case walked up to (not through) outflow; leave out the parts a test wants missing."""
    case = region1.open_case(student, on=TODAY - dt.timedelta(days=30), **student_kwargs)
    if involve:
        region1.involve(case, on=TODAY - dt.timedelta(days=20))
        region1.decide_work(case, on=TODAY - dt.timedelta(days=10))
        region1.skip_aba(case)
    if handover:
        region1.hand_over(case, guardians=guardians, on=TODAY - dt.timedelta(days=5))
    if job is not None:
        region1.employ(case, **job)
    case.refresh_from_db()
    return case


PERMANENT = {"kind": "permanent", "starts_on": TODAY}
FIXED_TERM = {"kind": "fixed_term", "starts_on": TODAY, "ends_on": dt.date(2026, 3, 9)}


def case_state(case: Case) -> tuple:
    case = Case.objects.get(pk=case.pk)
    return (
        case.stage,
        case.outflow_on,
        case.aftercare_ends_on,
        case.rmc_monitoring_ends_on,
        case.ended_on,
        case.end_reason,
        TimelineEvent.objects.filter(case=case).count(),
        Deregistration.objects.filter(case=case).exists(),
        AftercareCheck.objects.filter(case=case).count(),
    )


def outflow(region1, case, on=TODAY, **kwargs):
    return route.case_outflow(actor=region1.coordinator, case_id=case.pk, outflow_on=on, **kwargs)


def born(region1, date_of_birth, **kwargs):
    n = Student.objects.count() + 1
    return Student.objects.create(
        school=region1.school,
        first_name=f"Jongere{n}",
        last_name="Test",
        date_of_birth=date_of_birth,
        municipality="Alkmaar",
        **kwargs,
    )


# --- every unmet rule at once ----------------------------------------------------------------


def test_outflow_without_handover_rmc_or_leerplicht_lists_every_unmet_rule_at_once(region1):
    """R-HO-1 and R-OVL-2 (with R-OVL-1/3, R-ABA-1, R-UIT-1): a blocked outflow names everything
    that is missing in one TransitionBlocked, not just the first rule."""
    case = prepared(region1, involve=False, handover=False, age=19)
    before = case_state(case)
    with pytest.raises(TransitionBlocked) as exc:
        outflow(region1, case)
    ids = exc.value.rule_ids
    assert "R-HO-1" in ids
    assert "R-OVL-2" in ids
    assert ids.count("R-OVL-2") == 2  # one for the RMC, one for Leerplicht
    assert {"R-OVL-1", "R-OVL-3", "R-ABA-1", "R-UIT-1"} <= set(ids)
    assert "R-HO-2" not in ids  # a warning never blocks
    assert "R-UIT-2" not in ids  # 19 years old: no kwalificatieplicht
    assert all(f.message and f.fixed_by for f in exc.value.failures)
    assert "R-HO-1" in str(exc.value) and "R-OVL-2" in str(exc.value)
    assert case_state(case) == before


# --- R-HO-1 ---------------------------------------------------------------------------------


def test_r_ho_1_outflow_without_handover_fails(region1):
    """R-HO-1: outflow requires a recorded warm handover."""
    case = prepared(region1, handover=False, job=PERMANENT)
    assert case.stage == Stage.HANDOVER
    before = case_state(case)
    with pytest.raises(TransitionBlocked) as exc:
        outflow(region1, case)
    assert set(exc.value.rule_ids) == {"R-HO-1"}
    assert exc.value.failures[0].fixed_by == rules.SCHOOL
    assert case_state(case) == before


def test_r_ho_1_handover_moves_the_case_to_outflow_and_lets_it_leave(region1):
    """R-HO-1: with the handover recorded the outflow goes through."""
    case = prepared(region1, handover=False, job=PERMANENT)
    handover = region1.hand_over(case)
    assert handover.receiving_organisation == region1.work_service
    assert Case.objects.get(pk=case.pk).stage == Stage.OUTFLOW
    assert outflow(region1, case).stage == Stage.AFTERCARE


def test_r_ho_1_receiving_organisation_sees_the_case_from_the_handover_on(region1):
    """R-HO-1: from the handover on, the receiving organisation can see the case."""
    case = prepared(region1, handover=False)
    with pytest.raises(NotFound):
        case_get(actor=region1.work_service_manager, case_id=case.pk)
    region1.hand_over(case)
    assert case_get(actor=region1.work_service_manager, case_id=case.pk).pk == case.pk


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"receiving_person": "  "}, "receiving person"),
        ({"form": "letter"}, "form"),
        ({"legal_basis": "whatever"}, "legal basis"),
        ({"legal_basis": LegalBasis.CONSENT}, "consent"),
        ({"handed_over_on": TODAY + dt.timedelta(days=1)}, "future"),
        ({"handed_over_on": TODAY - dt.timedelta(days=31)}, "before the case was opened"),
        ({"receiving_organisation_id": "school"}, "receiving organisation"),
    ],
)
def test_r_ho_1_handover_bad_input_is_refused_and_changes_nothing(region1, change, words):
    """R-HO-1: organisation, person, date, form and legal basis are required and checked."""
    case = prepared(region1, handover=False)
    before = case_state(case)
    kwargs = {
        "receiving_organisation_id": region1.work_service.pk,
        "receiving_person": "K. Manager",
        "handed_over_on": TODAY,
        "form": HandoverForm.MEETING,
        "legal_basis": LegalBasis.LEGAL_TASK,
    }
    kwargs.update(change)
    if kwargs["receiving_organisation_id"] == "school":
        kwargs["receiving_organisation_id"] = region1.school.pk
    with pytest.raises(DomainError) as exc:
        route.handover_record(actor=region1.coordinator, case_id=case.pk, **kwargs)
    assert set(exc.value.rule_ids) == {"R-HO-1"}
    assert words in str(exc.value)
    assert not Handover.objects.filter(case=case).exists()
    assert case_state(case) == before


def test_r_ho_1_handover_to_another_region_is_refused(region1):
    """R-HO-1: the receiving organisation is the work service or another party of the region."""
    from routearbeid.tests.people import Region1

    elsewhere = Region1.build("Regio Elders")
    case = prepared(region1, handover=False)
    with pytest.raises(TransitionBlocked) as exc:
        route.handover_record(
            actor=region1.coordinator,
            case_id=case.pk,
            receiving_organisation_id=elsewhere.work_service.pk,
            receiving_person="K. Manager",
            handed_over_on=TODAY,
            form=HandoverForm.PHONE,
            legal_basis=LegalBasis.LEGAL_TASK,
        )
    assert exc.value.rule_ids == ("R-HO-1",)
    assert not Handover.objects.filter(case=case).exists()


# --- R-HO-2 ---------------------------------------------------------------------------------


def _check(case, rule_id, on=TODAY):
    checks = machine.evaluate(
        machine.OUTFLOW,
        CaseFacts.load(case),
        machine.Params(on=on, outflow_on=on, deregistered_on=on),
    )
    (found,) = [c for c in checks if c.rule_id == rule_id]
    return found


def test_r_ho_2_missing_guardian_involvement_warns_but_does_not_block(region1):
    """R-HO-2: guardian involvement not recorded is a warning, not a blocking rule."""
    case = prepared(region1, guardians=False, job=PERMANENT)
    assert case.guardians_involved is None
    warning = _check(case, "R-HO-2")
    assert not warning.met
    assert not warning.blocking
    assert "guardians" in str(warning.message)
    case = outflow(region1, case)
    assert case.stage == Stage.AFTERCARE


def test_r_ho_2_not_involved_needs_a_reason(region1):
    """R-HO-2: recording "not involved" without saying why is refused and changes nothing."""
    case = prepared(region1, guardians=False)
    before = case_state(case)
    with pytest.raises(DomainError) as exc:
        route.guardians_record(
            actor=region1.coordinator, case_id=case.pk, involved=False, reason="  "
        )
    assert "reason" in str(exc.value)
    case.refresh_from_db()
    assert case.guardians_involved is None
    assert case_state(case) == before


def test_r_ho_2_not_involved_with_reason_is_recorded_and_still_shown_as_a_warning(region1):
    """R-HO-2: "not involved, because …" is recorded; the screens keep showing it as a warning."""
    case = prepared(region1, guardians=False)
    route.guardians_record(
        actor=region1.coordinator,
        case_id=case.pk,
        involved=False,
        reason="Ouders wonen in het buitenland.",
    )
    case.refresh_from_db()
    assert case.guardians_involved is False
    assert case.guardians_not_involved_reason == "Ouders wonen in het buitenland."
    warning = _check(case, "R-HO-2")
    assert not warning.met and not warning.blocking
    assert "Ouders wonen in het buitenland." in str(warning.message)
    route.guardians_record(actor=region1.coordinator, case_id=case.pk, involved=True)
    case.refresh_from_db()
    assert case.guardians_not_involved_reason == ""
    assert _check(case, "R-HO-2").met


# --- R-UIT-1 --------------------------------------------------------------------------------


def test_r_uit_1_outflow_without_employment_is_refused(region1):
    """R-UIT-1: outflow requires a job."""
    case = prepared(region1)
    before = case_state(case)
    with pytest.raises(TransitionBlocked) as exc:
        outflow(region1, case)
    assert exc.value.rule_ids == ("R-UIT-1",)
    assert "job" in str(exc.value)
    assert case_state(case) == before


def test_r_uit_1_a_job_that_ended_before_the_outflow_does_not_count(region1):
    """R-UIT-1: the job the youth leaves school for has not ended by the outflow date."""
    case = prepared(
        region1,
        job={
            "kind": "fixed_term",
            "starts_on": TODAY - dt.timedelta(days=60),
            "ends_on": TODAY - dt.timedelta(days=1),
        },
    )
    with pytest.raises(TransitionBlocked) as exc:
        outflow(region1, case)
    assert exc.value.rule_ids == ("R-UIT-1",)


@pytest.mark.parametrize(
    ("job", "words"),
    [
        ({"kind": "fixed_term", "ends_on": None}, "end date"),
        ({"kind": "dual_track", "training_institution": " "}, "training institution"),
        ({"kind": "zzp"}, "kind of contract"),
        ({"kind": "permanent", "hours_per_week": 0}, "Hours per week"),
        ({"kind": "permanent", "hours_per_week": "veel"}, "Hours per week"),
        ({"kind": "permanent", "ends_on": TODAY - dt.timedelta(days=1)}, "before the start"),
    ],
)
def test_r_uit_1_incomplete_employment_is_refused(region1, job, words):
    """R-UIT-1: employer, start, kind (fixed-term with end date, dual track with institution), hours."""
    case = prepared(region1)
    employer = Employer.objects.create(name="Bakkerij", kvk_number="12345678")
    before = case_state(case)
    kwargs = {"employer_id": employer.pk, "starts_on": TODAY, "hours_per_week": 32, **job}
    with pytest.raises(DomainError) as exc:
        employment.employment_record(actor=region1.coordinator, case_id=case.pk, **kwargs)
    assert exc.value.rule_ids == ("R-UIT-1",)
    assert words in str(exc.value)
    assert not Employment.objects.filter(case=case).exists()
    assert case_state(case) == before


def test_r_uit_1_database_refuses_fixed_term_without_end_date(region1):
    """R-UIT-1: even a write that skips the service cannot store a fixed-term job without end date."""
    case = prepared(region1)
    employer = Employer.objects.create(name="Bakkerij", kvk_number="12345678")
    with pytest.raises(IntegrityError), transaction.atomic():
        Employment.objects.create(
            case=case, employer=employer, kind="fixed_term", starts_on=TODAY, hours_per_week=32
        )


def test_r_uit_1_profile_must_be_established(region1):
    """R-UIT-1: outflow requires the profile "work" established; the refusal cites R-UIT-1."""
    case = prepared(region1, involve=False, job=PERMANENT)
    with pytest.raises(TransitionBlocked) as exc:
        outflow(region1, case)
    profile = [f for f in exc.value.failures if f.rule_id == "R-UIT-1"]
    assert any("profile" in str(f.message) for f in profile)


# --- R-UIT-2 --------------------------------------------------------------------------------


def test_r_uit_2_a_17_year_old_without_startkwalificatie_cannot_leave_for_a_fixed_term_job(region1):
    """R-UIT-2: kwalificatieplicht until 18: no exemption, no dual track → refused."""
    case = prepared(region1, age=17, job=FIXED_TERM)
    before = case_state(case)
    with pytest.raises(TransitionBlocked) as exc:
        outflow(region1, case)
    assert exc.value.rule_ids == ("R-UIT-2",)
    assert exc.value.failures[0].fixed_by == rules.LEERPLICHT
    assert "17" in str(exc.value)
    assert case_state(case) == before


def test_r_uit_2_a_17_year_old_can_leave_for_a_dual_track_with_enrolment(region1):
    """R-UIT-2: a dual track (work + BBL) with an enrolment satisfies the kwalificatieplicht."""
    case = prepared(
        region1,
        age=17,
        job={
            "kind": "dual_track",
            "starts_on": TODAY,
            "training_institution": "Horizon College",
            "enrolment_reference": "BBL-2025-001",
        },
    )
    assert outflow(region1, case).stage == Stage.AFTERCARE


def test_r_uit_2_a_dual_track_without_enrolment_is_not_enough(region1):
    """R-UIT-2: the dual track needs the enrolment, not just the training institution."""
    case = prepared(
        region1,
        age=17,
        job={"kind": "dual_track", "starts_on": TODAY, "training_institution": "Horizon College"},
    )
    with pytest.raises(TransitionBlocked) as exc:
        outflow(region1, case)
    assert exc.value.rule_ids == ("R-UIT-2",)


def _exempt(
    region1, case, *, decided_on=dt.date(2025, 3, 1), ends_on=dt.date(2025, 7, 31), actor=None
):
    return route.exemption_record(
        actor=actor or region1.leerplicht_officer,
        case_id=case.pk,
        reference="LP-2025-17",
        decided_on=decided_on,
        ends_on=ends_on,
    )


def test_r_uit_2_a_17_year_old_can_leave_with_a_valid_exemption(region1):
    """R-UIT-2: Leerplicht's exemption decision, valid on the outflow date, lets the youth leave."""
    case = prepared(region1, age=17, job=FIXED_TERM)
    exemption = _exempt(region1, case)
    assert exemption.recorded_by == region1.leerplicht_officer
    case = outflow(region1, case)
    assert case.stage == Stage.AFTERCARE
    # ... and its end date raises a signal to Leerplicht one month before
    signal = Signal.objects.get(case=case, kind=SignalKind.EXEMPTION_END)
    assert signal.rule_id == "R-UIT-2"
    assert signal.organisation == region1.leerplicht
    assert signal.raise_on == dt.date(2025, 6, 30)
    assert signal.due_on == dt.date(2025, 7, 31)
    assert signal.status == SignalStatus.SCHEDULED


def test_r_uit_2_an_exemption_ending_before_the_outflow_does_not_count(region1):
    """R-UIT-2: the exemption must be valid on the outflow date."""
    case = prepared(region1, age=17, job=FIXED_TERM)
    _exempt(region1, case, decided_on=dt.date(2025, 1, 6), ends_on=dt.date(2025, 3, 9))
    with pytest.raises(TransitionBlocked) as exc:
        outflow(region1, case)
    assert exc.value.rule_ids == ("R-UIT-2",)


@pytest.mark.parametrize(
    ("decided_on", "ends_on"),
    [
        (dt.date(2025, 3, 1), dt.date(2025, 8, 1)),  # after 31 July of this school year
        (
            dt.date(2024, 9, 2),
            dt.date(2025, 8, 31),
        ),  # decided in the autumn, still ends after 31 July
        (dt.date(2025, 3, 1), dt.date(2025, 2, 28)),  # before the decision
    ],
)
def test_r_uit_2_exemption_ending_after_31_july_is_refused(region1, decided_on, ends_on):
    """R-UIT-2: an exemption ends at the latest on 31 July of the school year of the decision."""
    case = prepared(region1, age=17, job=FIXED_TERM)
    before = case_state(case)
    with pytest.raises(TransitionBlocked) as exc:
        _exempt(region1, case, decided_on=decided_on, ends_on=ends_on)
    assert exc.value.rule_ids == ("R-UIT-2",)
    assert "31 July" in str(exc.value)
    assert not ExemptionDecision.objects.filter(case=case).exists()
    assert case_state(case) == before


def test_r_uit_2_exemption_bad_input_is_a_domain_error(region1):
    """R-UIT-2: an exemption needs a reference and a decision date that is not in the future."""
    case = prepared(region1, age=17)
    with pytest.raises(DomainError) as exc:
        route.exemption_record(
            actor=region1.leerplicht_officer,
            case_id=case.pk,
            reference=" ",
            decided_on=TODAY,
            ends_on=dt.date(2025, 7, 31),
        )
    assert "reference" in str(exc.value)
    with pytest.raises(DomainError) as exc:
        _exempt(region1, case, decided_on=TODAY + dt.timedelta(days=1))
    assert "future" in str(exc.value)
    assert not ExemptionDecision.objects.filter(case=case).exists()


@pytest.mark.parametrize("who", ["eighteen", "qualified"])
def test_r_uit_2_an_18_year_old_or_a_qualified_student_is_free(region1, who):
    """R-UIT-2: no kwalificatieplicht at 18, or with a startkwalificatie."""
    kwargs = {"age": 18} if who == "eighteen" else {"age": 17, "qualified": True}
    case = prepared(region1, job=FIXED_TERM, **kwargs)
    assert outflow(region1, case).stage == Stage.AFTERCARE


def test_r_uit_2_the_18th_birthday_on_the_outflow_date_frees_the_student(region1):
    """R-UIT-2: "under 18 on the outflow date": the day before the 18th birthday is refused, the
    birthday itself is allowed."""
    student = born(region1, dt.date(2007, 3, 11))  # 18 on 11 March 2025
    case = prepared(region1, student=student, job=FIXED_TERM)
    with pytest.raises(TransitionBlocked) as exc:
        outflow(region1, case, on=TODAY)
    assert exc.value.rule_ids == ("R-UIT-2",)
    with time_machine.travel(
        dt.datetime(2025, 3, 11, 12, tzinfo=ZoneInfo("Europe/Amsterdam")), tick=False
    ):
        assert outflow(region1, case, on=dt.date(2025, 3, 11)).stage == Stage.AFTERCARE


def test_r_uit_3_outflow_in_the_future_is_refused(region1):
    """R-UIT-3: the school registers an outflow that has happened, not one that is planned."""
    case = prepared(region1, job=PERMANENT)
    with pytest.raises(TransitionBlocked) as exc:
        outflow(region1, case, on=TODAY + dt.timedelta(days=1))
    assert "R-UIT-3" in exc.value.rule_ids
    assert Case.objects.get(pk=case.pk).stage != Stage.AFTERCARE


# --- R-UIT-3 --------------------------------------------------------------------------------


def test_r_uit_3_outflow_records_the_deregistration_and_moves_to_aftercare(region1):
    """R-UIT-3: outflow records the school's deregistration date and moves the case to aftercare."""
    case = prepared(region1, job=PERMANENT)
    case = outflow(region1, case, deregistered_on=TODAY - dt.timedelta(days=1))
    assert case.stage == Stage.AFTERCARE
    assert case.outflow_on == TODAY
    deregistration = Deregistration.objects.get(case=case)
    assert deregistration.deregistered_on == TODAY - dt.timedelta(days=1)
    assert deregistration.recorded_by == region1.coordinator
    assert Case.objects.get(pk=case.pk).stage == Stage.AFTERCARE


def test_r_uit_3_deregistration_defaults_to_the_outflow_date(region1):
    """R-UIT-3: without a separate date the school deregisters on the outflow date."""
    case = outflow(region1, prepared(region1, job=PERMANENT))
    assert Deregistration.objects.get(case=case).deregistered_on == TODAY


def test_r_uit_3_deregistration_before_the_case_was_opened_is_refused(region1):
    """R-UIT-3: the deregistration date is not before the case was opened."""
    case = prepared(region1, job=PERMANENT)
    before = case_state(case)
    with pytest.raises(TransitionBlocked) as exc:
        outflow(region1, case, deregistered_on=case.opened_on - dt.timedelta(days=1))
    assert exc.value.rule_ids == ("R-UIT-3",)
    assert case_state(case) == before


def test_r_uit_3_the_checklist_asks_for_the_dates_until_the_outflow_is_recorded(region1, client):
    """R-UIT-3: before the outflow form is sent, the checklist said its dates were done (it took
    them to be today's). It says "attention" with the way to the form now; the step itself is
    ready (the dates are no precondition: they are given with it)."""
    from routearbeid.route.selectors import case_readiness

    case = prepared(region1, job=PERMANENT)
    [step] = case_readiness(actor=region1.coordinator, case=case)
    assert step.transition == machine.OUTFLOW.name
    dates = next(c for c in step.checks if c.rule_id == "R-UIT-3")
    assert (dates.met, dates.blocking, dates.fix) == (False, False, "outflow")
    assert step.ready
    client.force_login(region1.coordinator)
    page = client.get(f"/jongeren/{case.student_id}/").content.decode()
    item = page.split("(R-UIT-3)")[0].rsplit("<li", 1)[1]
    assert "ra-checklist__item--warning" in item and "Let op" in item and "Uitgevoerd" not in item


# --- R-END-1 --------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "  "])
def test_r_end_1_withdrawal_needs_a_reason(region1, reason):
    """R-END-1: a case can be withdrawn before outflow, with a reason."""
    case = prepared(region1, job=PERMANENT)
    before = case_state(case)
    with pytest.raises(TransitionBlocked) as exc:
        route.case_withdraw(actor=region1.coordinator, case_id=case.pk, reason=reason)
    assert exc.value.rule_ids == ("R-END-1",)
    assert "reason" in str(exc.value)
    assert case_state(case) == before


def test_r_end_1_no_withdrawal_after_outflow(region1):
    """R-END-1: only before outflow; in aftercare the step is refused for its stage."""
    case = outflow(region1, prepared(region1, job=PERMANENT))
    before = case_state(case)
    with pytest.raises(machine.StageError) as exc:
        route.case_withdraw(actor=region1.coordinator, case_id=case.pk, reason="Toch niet.")
    assert exc.value.rule_ids == ("R-STAGE",)
    assert "Aftercare" in str(exc.value)
    assert case_state(case) == before


def test_r_end_1_a_withdrawn_case_gets_no_aftercare(region1):
    """R-END-1: a withdrawn case gets no check-ins; its scheduled signals are cancelled and never
    raised; it cannot flow out any more."""
    case = prepared(region1, job=PERMANENT)
    aba = employment.aba_application_submit(
        actor=region1.coordinator, case_id=case.pk, submitted_on=TODAY
    )
    assert Signal.objects.get(case=case, key=f"aba-{aba.pk}").status == SignalStatus.SCHEDULED
    case = route.case_withdraw(
        actor=region1.coordinator, case_id=case.pk, reason="Gaat toch naar het mbo."
    )
    assert case.stage == Stage.WITHDRAWN
    assert case.end_reason == "Gaat toch naar het mbo."
    assert case.ended_on == TODAY
    assert Signal.objects.get(case=case, key=f"aba-{aba.pk}").status == SignalStatus.CANCELLED
    assert aftercare.signals_raise_due(on=TODAY + dt.timedelta(weeks=52)) == 0
    with pytest.raises(machine.StageError):
        outflow(region1, case)
    assert not AftercareCheck.objects.filter(case=case).exists()
    assert not Signal.objects.filter(case=case, status=SignalStatus.OPEN).exists()


# --- R-END-2 --------------------------------------------------------------------------------


class Timeline:
    """Watches a case's timeline: each step must add its event with the actor who did it."""

    def __init__(self, case):
        self.case = case
        self.seen = self._last()

    def _last(self):
        return (
            TimelineEvent.objects.filter(case=self.case)
            .order_by("-id")
            .values_list("id", flat=True)
            .first()
            or 0
        )

    def expect(self, kind, actor, organisation=None):
        new = list(TimelineEvent.objects.filter(case=self.case, id__gt=self.seen).order_by("id"))
        self.seen = self._last()
        matching = [e for e in new if e.kind == kind]
        assert matching, f"no {kind!r} event; got {[e.kind for e in new]}"
        event = matching[0]
        assert event.actor == actor, f"{kind}: actor {event.actor} != {actor}"
        if organisation is not None:
            assert event.organisation == organisation
        assert event.summary
        assert event.at is not None
        return event


def test_r_end_2_every_service_appends_a_timeline_event_with_actor_and_kind(region1):
    """R-END-2: every change to a case is an event on its timeline with who, when and what."""
    r = region1
    student = r.student(age=19)
    case = route.case_open(
        actor=r.coordinator, student_id=student.pk, opened_on=TODAY - dt.timedelta(days=30)
    )
    tl = Timeline(case)
    tl.seen = 0
    tl.expect("case_opened", r.coordinator, r.school)

    route.involvement_request(actor=r.coordinator, case_id=case.pk, organisation_id=r.rmc.pk)
    tl.expect("involvement_requested", r.coordinator)
    route.involvement_record(
        actor=r.rmc_officer,
        case_id=case.pk,
        organisation_id=r.rmc.pk,
        person_name="R. Monitor",
        involved_on=TODAY,
        advice="Werk past.",
    )
    tl.expect("involvement_recorded", r.rmc_officer, r.rmc)
    route.involvement_request(actor=r.coordinator, case_id=case.pk, organisation_id=r.leerplicht.pk)
    route.involvement_record(
        actor=r.coordinator,
        case_id=case.pk,
        organisation_id=r.leerplicht.pk,
        person_name="L. Plicht",
        involved_on=TODAY,
        advice="Akkoord.",
    )
    tl.expect("involvement_recorded", r.coordinator)

    meeting = meetings.meeting_plan(
        actor=r.route_coordinator, region_id=r.region.pk, scheduled_on=TODAY
    )
    item = meetings.agenda_item_add(actor=r.coordinator, meeting_id=meeting.pk, case_id=case.pk)
    tl.expect("meeting_agenda", r.coordinator)
    meetings.meeting_hold(actor=r.route_coordinator, meeting_id=meeting.pk, held_on=TODAY)
    meetings.advice_record(
        actor=r.rmc_officer, agenda_item_id=item.pk, organisation_id=r.rmc.pk, text="Werk."
    )
    tl.expect("meeting_advice", r.rmc_officer)
    meetings.action_add(
        actor=r.route_coordinator,
        agenda_item_id=item.pk,
        description="ABA bespreken",
        owner_organisation_id=r.school.pk,
        due_on=TODAY + dt.timedelta(days=14),
    )
    tl.expect("meeting_action", r.route_coordinator)
    meetings.decision_record(
        actor=r.route_coordinator,
        agenda_item_id=item.pk,
        outflow_profile="work",
        reason="Wil werken; mbo nu niet haalbaar.",
    )
    event = tl.expect("profile_established", r.route_coordinator, r.coordination)
    assert TimelineEvent.objects.filter(
        case=case, kind="stage_changed", id__gt=event.id - 1
    ).exists()
    assert TimelineEvent.objects.filter(
        case=case, kind="meeting_decision", actor=r.route_coordinator
    ).exists()

    aba = employment.aba_application_submit(
        actor=r.coordinator, case_id=case.pk, submitted_on=TODAY
    )
    tl.expect("aba_submitted", r.coordinator)
    employment.aba_application_update(
        actor=r.coordinator,
        aba_id=aba.pk,
        received_on=TODAY,
        decided_on=TODAY,
        outcome="indicatie_banenafspraak",
    )
    tl.expect("aba_updated", r.coordinator)
    assert Case.objects.get(pk=case.pk).stage == Stage.HANDOVER
    route.guardians_record(actor=r.coordinator, case_id=case.pk, involved=True)
    tl.expect("guardians_recorded", r.coordinator)
    route.handover_record(
        actor=r.coordinator,
        case_id=case.pk,
        receiving_organisation_id=r.work_service.pk,
        receiving_person="K. Manager",
        handed_over_on=TODAY,
        form=HandoverForm.MEETING,
        legal_basis=LegalBasis.LEGAL_TASK,
    )
    tl.expect("handover_recorded", r.coordinator)
    route.handover_accept(actor=r.work_service_manager, case_id=case.pk)
    tl.expect("handover_accepted", r.work_service_manager, r.work_service)
    employment.practice_route_record(actor=r.work_service_manager, case_id=case.pk, on=TODAY)
    tl.expect("practice_route_recorded", r.work_service_manager)
    job = r.employ(case, starts_on=TODAY, kind="fixed_term", ends_on=TODAY + dt.timedelta(days=365))
    tl.expect("employment_recorded", r.coordinator)
    employment.provision_record(
        actor=r.work_service_manager,
        case_id=case.pk,
        kind="lkv",
        status="requested",
        status_on=TODAY,
        employment_id=job.pk,
    )
    tl.expect("provision_recorded", r.work_service_manager)

    route.case_outflow(actor=r.coordinator, case_id=case.pk, outflow_on=TODAY)
    tl.expect("outflow", r.coordinator)
    assert TimelineEvent.objects.filter(
        case=case, kind="stage_changed", data__stage="aftercare"
    ).exists()

    aftercare.self_report_record(
        actor=None, case_id=case.pk, kind="problems_at_work", channel="portal"
    )
    tl.expect("self_report", None)
    signal = aftercare.job_loss_threat_record(
        actor=r.work_service_manager, case_id=case.pk, note="Vaak te laat."
    )
    tl.expect("signal_raised", r.work_service_manager)
    aftercare.signal_acknowledge(actor=r.coordinator, signal_id=signal.pk)
    tl.expect("signal_status", r.coordinator)
    aftercare.signal_resolve(actor=r.coordinator, signal_id=signal.pk, note="Gesprek gevoerd.")
    tl.expect("signal_status", r.coordinator)
    employment.employment_end(actor=r.work_service_manager, employment_id=job.pk, ended_on=TODAY)
    tl.expect("employment_ended", r.work_service_manager)

    with time_machine.travel(dt.datetime(2025, 9, 15, 10, 0, tzinfo=AMSTERDAM), tick=False):
        check = AftercareCheck.objects.get(case=case, sequence=1)
        aftercare.aftercare_check_record(
            actor=r.coordinator,
            check_id=check.pk,
            recorded_on=check.due_on,
            contact_made=True,
            situation=Situation.NOT_WORKING_SEEKING,
        )
        tl.expect("checkin_recorded", r.coordinator)

    closing_day = Case.objects.get(pk=case.pk).aftercare_ends_on
    assert aftercare.cases_close_due(on=closing_day) == 1
    tl.expect("case_closed", None)

    # append-only history: nothing above replaced an earlier event
    kinds = list(
        TimelineEvent.objects.filter(case=case).order_by("id").values_list("kind", flat=True)
    )
    assert kinds[0] == "case_opened" and kinds[-1] == "stage_changed"
    assert kinds.count("involvement_recorded") == 2


def test_r_end_2_withdrawal_is_on_the_timeline(region1):
    """R-END-2: withdrawing is an event too, with its reason."""
    case = prepared(region1)
    tl = Timeline(case)
    route.case_withdraw(actor=region1.coordinator, case_id=case.pk, reason="Verhuisd.")
    event = tl.expect("case_withdrawn", region1.coordinator)
    assert "Verhuisd." in event.summary
