"""The ABA at UWV and the municipality's provisions (R-ABA-1 … R-ABA-4), through the services."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from routearbeid.aftercare import services as aftercare
from routearbeid.aftercare.constants import SignalKind, SignalStatus
from routearbeid.aftercare.models import Signal
from routearbeid.core.errors import DomainError, TransitionBlocked
from routearbeid.employment import services as employment
from routearbeid.employment.constants import AbaOutcome, ProvisionKind, ProvisionStatus
from routearbeid.employment.models import AbaApplication, Provision
from routearbeid.route import rules
from routearbeid.route import services as route
from routearbeid.route.constants import Stage
from routearbeid.route.models import Case, TimelineEvent
from routearbeid.route.rules import CaseFacts

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TODAY = dt.date(2025, 3, 10)


def moment(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(7, 0), tzinfo=AMSTERDAM)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(moment(TODAY), tick=False) as traveller:
        yield traveller


def in_aba_stage(region1, **student_kwargs) -> Case:
    """A case whose profile "work" is established: it waits in the ABA step."""
    case = region1.open_case(on=TODAY - dt.timedelta(days=30), **student_kwargs)
    region1.involve(case, on=TODAY - dt.timedelta(days=20))
    region1.decide_work(case, on=TODAY - dt.timedelta(days=10))
    case.refresh_from_db()
    assert case.stage == Stage.ABA
    return case


def stage(case) -> str:
    return Case.objects.get(pk=case.pk).stage


def submit(region1, case, on=TODAY) -> AbaApplication:
    return employment.aba_application_submit(
        actor=region1.coordinator, case_id=case.pk, submitted_on=on
    )


def decide(region1, aba, outcome, on=TODAY) -> AbaApplication:
    return employment.aba_application_update(
        actor=region1.coordinator, aba_id=aba.pk, decided_on=on, outcome=outcome
    )


def events(case) -> int:
    return TimelineEvent.objects.filter(case=case).count()


# --- R-ABA-1 --------------------------------------------------------------------------------


def test_r_aba_1_skipping_with_a_reason_moves_the_case_from_aba_to_handover(region1):
    """R-ABA-1: the ABA step is optional; skipping it with a recorded reason concludes it."""
    case = in_aba_stage(region1)
    case = route.aba_skip(
        actor=region1.coordinator, case_id=case.pk, reason="Geen arbeidsbeperking."
    )
    assert case.aba_skip_reason == "Geen arbeidsbeperking."
    assert stage(case) == Stage.HANDOVER


@pytest.mark.parametrize("reason", ["", "   "])
def test_r_aba_1_skipping_without_a_reason_is_refused_and_changes_nothing(region1, reason):
    """R-ABA-1: skipping needs a reason."""
    case = in_aba_stage(region1)
    before = events(case)
    with pytest.raises(TransitionBlocked) as exc:
        route.aba_skip(actor=region1.coordinator, case_id=case.pk, reason=reason)
    assert exc.value.rule_ids == ("R-ABA-1",)
    assert "reason" in str(exc.value)
    case.refresh_from_db()
    assert case.aba_skip_reason == ""
    assert case.stage == Stage.ABA
    assert events(case) == before


def test_r_aba_1_a_pending_aba_keeps_the_case_in_the_aba_step(region1):
    """R-ABA-1: an ABA without decision does not conclude the step, and the checklist says why."""
    case = in_aba_stage(region1)
    aba = submit(region1, case)
    employment.aba_application_update(actor=region1.coordinator, aba_id=aba.pk, received_on=TODAY)
    assert stage(case) == Stage.ABA
    check = rules.r_aba_1(CaseFacts.load(Case.objects.get(pk=case.pk)))
    assert not check.met
    assert "no decision yet" in str(check.message)


@pytest.mark.parametrize("outcome", AbaOutcome.values)
def test_r_aba_1_a_decided_aba_moves_the_case_from_aba_to_handover(region1, outcome):
    """R-ABA-1: a decision (any outcome) concludes the ABA step."""
    case = in_aba_stage(region1)
    aba = submit(region1, case, on=TODAY - dt.timedelta(days=5))
    aba = employment.aba_application_update(
        actor=region1.coordinator,
        aba_id=aba.pk,
        received_on=TODAY - dt.timedelta(days=3),
        decided_on=TODAY,
        outcome=outcome,
    )
    assert (aba.submitted_on, aba.received_on, aba.decided_on, aba.outcome) == (
        TODAY - dt.timedelta(days=5),
        TODAY - dt.timedelta(days=3),
        TODAY,
        outcome,
    )
    assert stage(case) == Stage.HANDOVER


def test_r_aba_1_skipped_during_consultation_passes_the_aba_step_once_work_is_established(region1):
    """R-ABA-1: a skip recorded early is remembered; establishing "work" then goes straight on."""
    case = region1.open_case(on=TODAY - dt.timedelta(days=30))
    region1.skip_aba(case)
    assert stage(case) == Stage.CONSULTATION
    region1.involve(case, on=TODAY - dt.timedelta(days=20))
    region1.decide_work(case, on=TODAY - dt.timedelta(days=10))
    assert stage(case) == Stage.HANDOVER


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"received_on": TODAY - dt.timedelta(days=11)}, "receipt"),
        (
            {"decided_on": TODAY - dt.timedelta(days=11), "outcome": "wajong"},
            "before the submission",
        ),
        ({"decided_on": TODAY}, "both"),
        ({"outcome": "wajong"}, "both"),
        ({"decided_on": TODAY, "outcome": "maybe"}, "outcome"),
        ({"decided_on": TODAY + dt.timedelta(days=1), "outcome": "wajong"}, "future"),
    ],
)
def test_r_aba_1_bad_aba_dates_or_outcome_are_a_domain_error_and_change_nothing(
    region1, kwargs, words
):
    """R-ABA-1: receipt and decision not before submission; decision date and outcome together."""
    case = in_aba_stage(region1)
    aba = submit(region1, case, on=TODAY - dt.timedelta(days=10))
    before = events(case)
    with pytest.raises(DomainError) as exc:
        employment.aba_application_update(actor=region1.coordinator, aba_id=aba.pk, **kwargs)
    assert words in str(exc.value)
    aba.refresh_from_db()
    assert (aba.received_on, aba.decided_on, aba.outcome) == (None, None, "")
    assert events(case) == before
    assert stage(case) == Stage.ABA


def test_r_aba_1_submission_in_the_future_or_a_second_pending_aba_is_refused(region1):
    """R-ABA-1: one pending ABA at a time, submitted on a date that has passed."""
    case = in_aba_stage(region1)
    with pytest.raises(DomainError) as exc:
        submit(region1, case, on=TODAY + dt.timedelta(days=1))
    assert "future" in str(exc.value)
    submit(region1, case)
    with pytest.raises(DomainError) as exc:
        submit(region1, case)
    assert "already" in str(exc.value)
    assert AbaApplication.objects.filter(case=case).count() == 1


# --- R-ABA-2 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "in_register"),
    [
        (AbaOutcome.INDICATIE_BANENAFSPRAAK, True),
        (AbaOutcome.WAJONG, False),
        (AbaOutcome.ADVIES_BESCHUT_WERK, False),
        (AbaOutcome.REJECTED, False),
    ],
)
def test_r_aba_2_target_group_register_only_with_indicatie_banenafspraak(
    region1, outcome, in_register
):
    """R-ABA-2: the doelgroepregister follows from an indication banenafspraak, not from other outcomes."""
    case = in_aba_stage(region1)
    decide(region1, submit(region1, case), outcome)
    assert Case.objects.get(pk=case.pk).target_group_register is in_register


def test_r_aba_2_praktijkroute_puts_the_youth_in_the_register(region1):
    """R-ABA-2: the municipality's praktijkroute (wage value measurement) also counts."""
    case = in_aba_stage(region1)
    decide(region1, submit(region1, case), AbaOutcome.REJECTED)
    assert Case.objects.get(pk=case.pk).target_group_register is False
    region1.hand_over(case)  # the work service takes the youth over and records the measurement
    employment.practice_route_record(actor=region1.work_service_manager, case_id=case.pk, on=TODAY)
    case.refresh_from_db()
    assert case.practice_route_on == TODAY
    assert case.target_group_register is True


def test_r_aba_2_a_rejection_after_an_earlier_indication_keeps_the_register(region1):
    """R-ABA-2: the register rests on any indication banenafspraak of the case."""
    case = in_aba_stage(region1)
    decide(
        region1,
        submit(region1, case, on=TODAY - dt.timedelta(days=9)),
        AbaOutcome.INDICATIE_BANENAFSPRAAK,
        on=TODAY - dt.timedelta(days=8),
    )
    decide(region1, submit(region1, case), AbaOutcome.REJECTED)
    assert Case.objects.get(pk=case.pk).target_group_register is True


# --- R-ABA-3 --------------------------------------------------------------------------------


def _aba_signal(case, aba) -> Signal:
    return Signal.objects.get(case=case, key=f"aba-{aba.pk}")


def test_r_aba_3_signal_scheduled_8_weeks_after_submission(region1):
    """R-ABA-3: an ABA without decision 8 weeks after submission signals the school."""
    case = in_aba_stage(region1)
    aba = submit(region1, case, on=dt.date(2025, 3, 3))
    signal = _aba_signal(case, aba)
    assert signal.kind == SignalKind.ABA_NO_DECISION
    assert signal.rule_id == "R-ABA-3"
    assert signal.organisation == region1.school
    assert signal.status == SignalStatus.SCHEDULED
    assert signal.raise_on == dt.date(2025, 4, 28)  # 3 March + 56 days
    assert "03-03-2025" in signal.text


def test_r_aba_3_signal_raised_on_that_day_and_not_before(region1, clock):
    """R-ABA-3: the daily raiser opens the signal on submission + 8 weeks, not a day earlier."""
    case = in_aba_stage(region1)
    aba = submit(region1, case)
    due = TODAY + dt.timedelta(weeks=8)
    clock.move_to(moment(due - dt.timedelta(days=1)))
    aftercare.signals_raise_due()
    assert _aba_signal(case, aba).status == SignalStatus.SCHEDULED
    clock.move_to(moment(due))
    assert aftercare.signals_raise_due() == 1
    signal = _aba_signal(case, aba)
    assert signal.status == SignalStatus.OPEN
    assert signal.raised_at is not None
    assert TimelineEvent.objects.filter(
        case=case, kind="signal_raised", data__signal_kind=signal.kind
    ).exists()
    assert aftercare.signals_raise_due() == 0


def test_r_aba_3_signal_cancelled_when_the_aba_is_decided(region1, clock):
    """R-ABA-3: a decision before the 8 weeks cancels the signal; it is never raised."""
    case = in_aba_stage(region1)
    aba = submit(region1, case)
    clock.move_to(moment(TODAY + dt.timedelta(weeks=6)))
    decide(region1, aba, AbaOutcome.WAJONG, on=TODAY + dt.timedelta(weeks=6))
    assert _aba_signal(case, aba).status == SignalStatus.CANCELLED
    clock.move_to(moment(TODAY + dt.timedelta(weeks=8)))
    assert aftercare.signals_raise_due() == 0
    assert _aba_signal(case, aba).status == SignalStatus.CANCELLED


def test_r_aba_3_region_setting_changes_the_term(region1):
    """R-ABA-3: the 8 weeks are a region setting."""
    region1.region.aba_decision_weeks = 4
    region1.region.save()
    case = in_aba_stage(region1)
    aba = submit(region1, case)
    assert _aba_signal(case, aba).raise_on == TODAY + dt.timedelta(weeks=4)


# --- R-ABA-4 --------------------------------------------------------------------------------


def with_job(region1, *, register: bool, starts_on=TODAY):
    case = in_aba_stage(region1)
    decide(
        region1,
        submit(region1, case),
        AbaOutcome.INDICATIE_BANENAFSPRAAK if register else AbaOutcome.REJECTED,
    )
    region1.hand_over(case)
    job = region1.employ(case, starts_on=starts_on)
    case.refresh_from_db()
    assert case.target_group_register is register
    return case, job


def record(region1, case, **kwargs) -> Provision:
    values = {"status": ProvisionStatus.REQUESTED, "status_on": TODAY, **kwargs}
    return employment.provision_record(
        actor=region1.work_service_manager, case_id=case.pk, **values
    )


@pytest.mark.parametrize("kind", [ProvisionKind.NO_RISK_POLICY, ProvisionKind.LKV])
def test_r_aba_4_no_risk_policy_and_lkv_are_refused_without_the_register(region1, kind):
    """R-ABA-4: no-risk policy and LKV require the doelgroepregister."""
    case, job = with_job(region1, register=False)
    before = events(case)
    with pytest.raises(DomainError) as exc:
        record(region1, case, kind=kind, employment_id=job.pk)
    assert exc.value.rule_ids == ("R-ABA-4",)
    assert "doelgroepregister" in str(exc.value)
    # the screens add the rule id once (it was twice: once in the text, once added)
    from routearbeid.route.views import _error_text

    assert _error_text(exc.value).count("R-ABA-4") == 1
    assert not Provision.objects.filter(case=case).exists()
    assert events(case) == before


def test_r_aba_4_a_refusal_of_such_a_provision_can_be_recorded_without_the_register(region1):
    """R-ABA-4: recording that a no-risk policy was refused is allowed outside the register."""
    case, _job = with_job(region1, register=False)
    provision = record(
        region1, case, kind=ProvisionKind.NO_RISK_POLICY, status=ProvisionStatus.REFUSED
    )
    assert provision.status == ProvisionStatus.REFUSED


@pytest.mark.parametrize("kind", [ProvisionKind.WAGE_COST_SUBSIDY, ProvisionKind.JOB_COACHING])
def test_r_aba_4_other_provisions_do_not_need_the_register(region1, kind):
    """R-ABA-4: wage cost subsidy and job coaching are not restricted to the register."""
    case, job = with_job(region1, register=False)
    provision = record(
        region1,
        case,
        kind=kind,
        status=ProvisionStatus.GRANTED,
        employment_id=job.pk,
        starts_on=TODAY,
        ends_on=dt.date(2028, 3, 9),
    )
    assert (provision.kind, provision.status, provision.starts_on, provision.ends_on) == (
        kind,
        ProvisionStatus.GRANTED,
        TODAY,
        dt.date(2028, 3, 9),
    )


@pytest.mark.parametrize("kind", [ProvisionKind.NO_RISK_POLICY, ProvisionKind.LKV])
def test_r_aba_4_no_risk_policy_and_lkv_allowed_in_the_register(region1, kind):
    """R-ABA-4: in the doelgroepregister they can be recorded, with status and dates."""
    case, job = with_job(region1, register=True)
    provision = record(
        region1, case, kind=kind, status=ProvisionStatus.GRANTED, employment_id=job.pk
    )
    assert provision.kind == kind
    assert provision.status == ProvisionStatus.GRANTED
    assert provision.recorded_by == region1.work_service_manager


def test_r_aba_4_lkv_end_capped_at_3_years_from_job_start(region1):
    """R-ABA-4: LKV lasts at most 3 years from employment start."""
    case, job = with_job(region1, register=True, starts_on=dt.date(2025, 2, 1))
    provision = record(
        region1, case, kind=ProvisionKind.LKV, employment_id=job.pk, ends_on=dt.date(2030, 1, 1)
    )
    assert provision.starts_on == dt.date(2025, 2, 1)
    assert provision.ends_on == dt.date(2028, 2, 1)
    shorter = record(
        region1, case, kind=ProvisionKind.LKV, employment_id=job.pk, ends_on=dt.date(2026, 2, 1)
    )
    assert shorter.ends_on == dt.date(2026, 2, 1)
    # without an end date it gets the legal maximum
    assert record(region1, case, kind=ProvisionKind.LKV, employment_id=job.pk).ends_on == dt.date(
        2028, 2, 1
    )


def test_r_aba_4_lkv_needs_a_job(region1):
    """R-ABA-4: the LKV belongs to a job (its 3 years and its deadline count from the job's start)."""
    case, _job = with_job(region1, register=True)
    with pytest.raises(DomainError) as exc:
        record(region1, case, kind=ProvisionKind.LKV)
    assert exc.value.rule_ids == ("R-ABA-4",)
    assert not Provision.objects.filter(case=case).exists()


def test_r_aba_4_provision_bad_input_is_a_domain_error(region1):
    """R-ABA-4: a provision has a known kind and status, and does not end before it starts."""
    case, _job = with_job(region1, register=True)
    with pytest.raises(DomainError) as exc:
        record(region1, case, kind=ProvisionKind.JOB_COACHING, status="pending")
    assert "status" in str(exc.value)
    with pytest.raises(DomainError) as exc:
        record(
            region1,
            case,
            kind=ProvisionKind.JOB_COACHING,
            starts_on=TODAY,
            ends_on=TODAY - dt.timedelta(days=1),
        )
    assert "end date" in str(exc.value)
    assert not Provision.objects.filter(case=case).exists()


def _dgv_signal(case, provision) -> Signal:
    return Signal.objects.get(case=case, key=f"dgv-{provision.pk}")


def test_r_aba_4_doelgroepverklaring_signal_two_weeks_before_job_start_plus_3_months(
    region1, clock
):
    """R-ABA-4: the doelgroepverklaring is requested within 3 months of the job's start; a signal to
    the work service 2 weeks before that date."""
    case, job = with_job(region1, register=True, starts_on=dt.date(2025, 3, 1))
    provision = record(region1, case, kind=ProvisionKind.LKV, employment_id=job.pk)
    signal = _dgv_signal(case, provision)
    assert signal.kind == SignalKind.DOELGROEPVERKLARING
    assert signal.rule_id == "R-ABA-4"
    assert signal.organisation == region1.work_service  # the work service took the youth over
    assert signal.due_on == dt.date(2025, 6, 1)
    assert signal.raise_on == dt.date(2025, 5, 18)
    clock.move_to(moment(dt.date(2025, 5, 17)))
    aftercare.signals_raise_due()
    assert _dgv_signal(case, provision).status == SignalStatus.SCHEDULED
    clock.move_to(moment(dt.date(2025, 5, 18)))
    aftercare.signals_raise_due()
    assert _dgv_signal(case, provision).status == SignalStatus.OPEN


def test_r_aba_4_doelgroepverklaring_requested_cancels_the_signal(region1):
    """R-ABA-4: once the doelgroepverklaring is requested, there is nothing to remind of."""
    case, job = with_job(region1, register=True)
    provision = record(region1, case, kind=ProvisionKind.LKV, employment_id=job.pk)
    assert _dgv_signal(case, provision).status == SignalStatus.SCHEDULED
    record(
        region1,
        case,
        kind=ProvisionKind.LKV,
        employment_id=job.pk,
        provision_id=provision.pk,
        doelgroepverklaring_requested_on=TODAY,
    )
    assert _dgv_signal(case, provision).status == SignalStatus.CANCELLED
    assert Provision.objects.filter(case=case).count() == 1


def test_r_aba_4_refused_lkv_cancels_its_signals(region1):
    """R-ABA-4: a refused LKV needs no doelgroepverklaring and has no end to announce."""
    case, job = with_job(region1, register=True)
    provision = record(region1, case, kind=ProvisionKind.LKV, employment_id=job.pk)
    lkv_end = Signal.objects.get(case=case, key=f"lkv-end-{provision.pk}")
    assert lkv_end.raise_on == dt.date(2028, 2, 10) and lkv_end.due_on == dt.date(2028, 3, 10)
    record(
        region1,
        case,
        kind=ProvisionKind.LKV,
        employment_id=job.pk,
        provision_id=provision.pk,
        status=ProvisionStatus.REFUSED,
    )
    assert set(
        Signal.objects.filter(
            case=case, key__in=[f"dgv-{provision.pk}", f"lkv-end-{provision.pk}"]
        ).values_list("status", flat=True)
    ) == {SignalStatus.CANCELLED}
