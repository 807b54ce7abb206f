"""Aftercare over two years (R-NZ-*, R-RMC-1): check-ins, signals and closing, with a moving clock."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction

from routearbeid.aftercare import services as aftercare
from routearbeid.aftercare.constants import SignalKind, SignalStatus
from routearbeid.aftercare.models import AftercareCheck, SelfReport, Signal
from routearbeid.aftercare.schedules import checkin_dates, schedule_aba_signal, schedule_at_outflow
from routearbeid.core.dates import add_months
from routearbeid.core.errors import DomainError, TransitionBlocked
from routearbeid.employment import services as employment
from routearbeid.employment.models import AbaApplication
from routearbeid.route import services as route
from routearbeid.route.constants import Situation, Stage
from routearbeid.route.models import Case, TimelineEvent
from routearbeid.students.models import Student

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
OUTFLOW = dt.date(2025, 8, 31)


def moment(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(7, 0), tzinfo=AMSTERDAM)


@pytest.fixture
def clock():
    with time_machine.travel(moment(OUTFLOW), tick=False) as traveller:
        yield traveller


def leave_school(region1, clock, *, on=OUTFLOW, student=None, job=None, **student_kwargs) -> Case:
    """Walk one youth through the route and out of school on `on` (the clock stays there)."""
    clock.move_to(moment(on))
    case = region1.open_case(student, on=on - dt.timedelta(days=60), **student_kwargs)
    region1.involve(case, on=on - dt.timedelta(days=50))
    region1.decide_work(case, on=on - dt.timedelta(days=40))
    region1.skip_aba(case)
    region1.hand_over(case, on=on - dt.timedelta(days=5))
    region1.employ(case, **(job or {"kind": "permanent", "starts_on": on}))
    return route.case_outflow(actor=region1.coordinator, case_id=case.pk, outflow_on=on)


def born(region1, date_of_birth, **kwargs) -> Student:
    n = Student.objects.count() + 1
    return Student.objects.create(
        school=region1.school,
        first_name=f"Jongere{n}",
        last_name="Test",
        date_of_birth=date_of_birth,
        municipality="Alkmaar",
        **kwargs,
    )


def signal(case, key, organisation=None) -> Signal:
    qs = Signal.objects.filter(case=case, key=key)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs.get()


def check_of(case, sequence) -> AftercareCheck:
    return AftercareCheck.objects.get(case=case, sequence=sequence)


def record_check(
    region1,
    case,
    sequence,
    on,
    *,
    contact_made=True,
    situation=Situation.WORKING_SAME_EMPLOYER,
    **kw,
):
    return aftercare.aftercare_check_record(
        actor=region1.coordinator,
        check_id=check_of(case, sequence).pk,
        recorded_on=on,
        contact_made=contact_made,
        situation=situation,
        **kw,
    )


# --- R-NZ-1 ---------------------------------------------------------------------------------


def test_r_nz_1_four_check_ins_at_6_12_18_24_months_with_month_ends(region1, clock):
    """R-NZ-1: outflow on 31 August gives check-ins on 28 February, 31 August, 28 February, 31 August."""
    case = leave_school(region1, clock)
    checks = list(AftercareCheck.objects.filter(case=case).order_by("sequence"))
    assert [(c.sequence, c.due_on) for c in checks] == [
        (1, dt.date(2026, 2, 28)),
        (2, dt.date(2026, 8, 31)),
        (3, dt.date(2027, 2, 28)),
        (4, dt.date(2027, 8, 31)),
    ]
    assert all(c.recorded_on is None and c.contact_made is None for c in checks)


def test_r_nz_1_month_end_in_a_leap_year(region1, clock):
    """R-NZ-1: outflow on 31 August 2023 gives the first check-in on 29 February 2024."""
    case = leave_school(region1, clock, on=dt.date(2023, 8, 31))
    assert list(case.checks.order_by("sequence").values_list("due_on", flat=True)) == [
        dt.date(2024, 2, 29),
        dt.date(2024, 8, 31),
        dt.date(2025, 2, 28),
        dt.date(2025, 8, 31),
    ]


def test_r_nz_1_scheduling_twice_makes_nothing_twice(region1, clock):
    """R-NZ-1: scheduling is idempotent: check-ins and signals exist once."""
    case = leave_school(region1, clock)
    signals = Signal.objects.filter(case=case).count()
    schedule_at_outflow(Case.objects.select_related("student__school__region").get(pk=case.pk))
    assert AftercareCheck.objects.filter(case=case).count() == 4
    assert Signal.objects.filter(case=case).count() == signals


# --- R-NZ-1, R-NZ-3, R-NZ-2, R-NZ-7 over two years ---------------------------------------------


def test_r_nz_1_r_nz_3_r_nz_7_two_years_of_aftercare(region1, clock):
    """R-NZ-1/2/3/7: two years of check-ins with the clock moving: recorded check-ins raise nothing,
    a forgotten one is signalled 30 days after its due date (once), and the case closes after two
    years with the last known situation."""
    case = leave_school(region1, clock)
    school = region1.school

    # check-in 1 on its due date: its overdue signal is cancelled and never raised
    clock.move_to(moment(dt.date(2026, 2, 28)))
    record_check(region1, case, 1, dt.date(2026, 2, 28), situation=Situation.WORKING_SAME_EMPLOYER)
    assert signal(case, "checkin-1").status == SignalStatus.CANCELLED
    clock.move_to(moment(dt.date(2026, 3, 30)))
    aftercare.signals_raise_due()
    assert signal(case, "checkin-1").status == SignalStatus.CANCELLED

    # check-in 2 is forgotten: not signalled on day 29, signalled on day 30 to the school, once
    clock.move_to(moment(dt.date(2026, 9, 29)))
    aftercare.signals_raise_due()
    assert signal(case, "checkin-2").status == SignalStatus.SCHEDULED
    clock.move_to(moment(dt.date(2026, 9, 30)))
    assert aftercare.signals_raise_due() == 1
    overdue = signal(case, "checkin-2")
    assert overdue.status == SignalStatus.OPEN
    assert overdue.kind == SignalKind.CHECKIN_OVERDUE
    assert overdue.rule_id == "R-NZ-3"
    assert overdue.organisation == school
    assert overdue.due_on == dt.date(2026, 8, 31)
    assert aftercare.signals_raise_due() == 0
    assert Signal.objects.filter(case=case, key="checkin-2").count() == 1

    # recording it late resolves the open signal
    clock.move_to(moment(dt.date(2026, 10, 5)))
    record_check(region1, case, 2, dt.date(2026, 10, 5), situation=Situation.WORKING_OTHER_EMPLOYER)
    overdue.refresh_from_db()
    assert overdue.status == SignalStatus.RESOLVED

    # check-in 3 without contact: a situation cannot be told without contact (R-NZ-2), and
    # nothing changes when one is given
    clock.move_to(moment(dt.date(2027, 2, 28)))
    with pytest.raises(DomainError) as refused:
        record_check(
            region1, case, 3, dt.date(2027, 2, 28), contact_made=False, situation="moved_abroad"
        )
    assert refused.value.rule_ids == ("R-NZ-2",)
    assert check_of(case, 3).recorded_on is None
    # the last known situation stays what it was
    record_check(region1, case, 3, dt.date(2027, 2, 28), contact_made=False, situation="")
    assert check_of(case, 3).situation == Situation.UNKNOWN
    case.refresh_from_db()
    assert case.last_known_situation == Situation.WORKING_OTHER_EMPLOYER
    assert case.last_contact_on == dt.date(2026, 10, 5)

    # R-NZ-7: aftercare ends at outflow + 2 years, not a day earlier
    assert case.aftercare_ends_on == dt.date(2027, 8, 31)
    clock.move_to(moment(dt.date(2027, 8, 30)))
    assert aftercare.cases_close_due() == 0
    assert Case.objects.get(pk=case.pk).stage == Stage.AFTERCARE
    clock.move_to(moment(dt.date(2027, 8, 31)))
    aftercare.signals_raise_due()
    assert signal(case, "aftercare-end").status == SignalStatus.OPEN
    assert aftercare.cases_close_due() == 1
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    assert case.ended_on == dt.date(2027, 8, 31)
    assert case.last_known_situation == Situation.WORKING_OTHER_EMPLOYER
    assert aftercare.cases_close_due() == 0
    assert TimelineEvent.objects.filter(case=case, kind="case_closed").count() == 1


def test_r_nz_3_the_last_check_in_can_still_be_recorded_after_the_case_closed(region1, clock):
    """R-NZ-3 and R-NZ-7: the fourth check-in is due on the day aftercare ends; the school can record
    it after the case closed (it has 30 days before it is overdue), which updates the last known
    situation and keeps the overdue signal from being raised."""
    case = leave_school(region1, clock)
    clock.move_to(moment(dt.date(2027, 8, 31)))
    assert aftercare.cases_close_due() == 1
    clock.move_to(moment(dt.date(2027, 9, 10)))
    record_check(region1, case, 4, dt.date(2027, 9, 10), situation=Situation.DUAL_TRACK)
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    assert case.last_known_situation == Situation.DUAL_TRACK
    clock.move_to(moment(dt.date(2027, 9, 30)))
    aftercare.signals_raise_due()
    assert signal(case, "checkin-4").status == SignalStatus.CANCELLED


def test_r_nz_3_overdue_signal_raised_after_30_days_and_only_once(region1, clock):
    """R-NZ-3: a check-in not recorded 30 days after its due date raises one overdue signal."""
    case = leave_school(region1, clock)
    assert signal(case, "checkin-1").raise_on == dt.date(2026, 3, 30)
    clock.move_to(moment(dt.date(2026, 3, 29)))
    assert aftercare.signals_raise_due() == 0
    clock.move_to(moment(dt.date(2026, 3, 30)))
    assert aftercare.signals_raise_due() == 1
    assert signal(case, "checkin-1").status == SignalStatus.OPEN
    assert signal(case, "checkin-1").raised_at is not None
    assert aftercare.signals_raise_due() == 0
    clock.move_to(moment(dt.date(2026, 4, 15)))
    assert aftercare.signals_raise_due() == 0  # a later run does not raise it again either


# --- R-NZ-2 ---------------------------------------------------------------------------------


def test_r_nz_2_check_in_records_date_contact_situation_notes_and_follow_up(region1, clock):
    """R-NZ-2: a check-in records date, contact, situation, notes and follow-up."""
    case = leave_school(region1, clock)
    clock.move_to(moment(dt.date(2026, 3, 2)))
    check = record_check(
        region1,
        case,
        1,
        dt.date(2026, 3, 2),
        situation=Situation.NOT_WORKING_SEEKING,
        notes="  Contract niet verlengd.  ",
        follow_up="Contact Halte Werk",
    )
    check.refresh_from_db()
    assert (
        check.recorded_on,
        check.contact_made,
        check.situation,
        check.notes,
        check.follow_up,
    ) == (
        dt.date(2026, 3, 2),
        True,
        Situation.NOT_WORKING_SEEKING,
        "Contract niet verlengd.",
        "Contact Halte Werk",
    )
    assert check.recorded_by == region1.coordinator
    case.refresh_from_db()
    assert case.last_known_situation == Situation.NOT_WORKING_SEEKING
    assert case.last_contact_on == dt.date(2026, 3, 2)


@pytest.mark.parametrize("situation", ["", "on_holiday"])
def test_r_nz_2_situation_required_when_contact_was_made(region1, clock, situation):
    """R-NZ-2: with contact made, the youth's situation must be one of the listed ones."""
    case = leave_school(region1, clock)
    clock.move_to(moment(dt.date(2026, 3, 2)))
    events = TimelineEvent.objects.filter(case=case).count()
    with pytest.raises(DomainError) as exc:
        record_check(region1, case, 1, dt.date(2026, 3, 2), situation=situation)
    assert exc.value.rule_ids == ("R-NZ-2",)
    assert "situation" in str(exc.value)
    check = check_of(case, 1)
    assert (check.recorded_on, check.contact_made, check.situation) == (None, None, "")
    case.refresh_from_db()
    assert case.last_known_situation == ""
    assert TimelineEvent.objects.filter(case=case).count() == events
    assert signal(case, "checkin-1").status == SignalStatus.SCHEDULED


def test_r_nz_2_no_contact_needs_no_situation(region1, clock):
    """R-NZ-2: without contact the situation is "unknown" and the last known situation stays."""
    case = leave_school(region1, clock)
    clock.move_to(moment(dt.date(2026, 3, 2)))
    check = record_check(
        region1,
        case,
        1,
        dt.date(2026, 3, 2),
        contact_made=False,
        situation="",
        follow_up="Opnieuw bellen",
    )
    assert check.situation == Situation.UNKNOWN
    case.refresh_from_db()
    assert case.last_known_situation == ""
    assert case.last_contact_on is None


@pytest.mark.parametrize(
    ("on", "words"), [(dt.date(2026, 3, 3), "future"), (dt.date(2025, 8, 30), "before the outflow")]
)
def test_r_nz_2_check_in_date_not_in_the_future_nor_before_outflow(region1, clock, on, words):
    """R-NZ-2: the date of contact lies between the outflow and today."""
    case = leave_school(region1, clock)
    clock.move_to(moment(dt.date(2026, 3, 2)))
    with pytest.raises(DomainError) as exc:
        record_check(region1, case, 1, on)
    assert words in str(exc.value)
    assert check_of(case, 1).recorded_on is None


def test_r_nz_2_database_refuses_a_contact_without_situation(region1, clock):
    """R-NZ-2: even a write that skips the service cannot store contact without a situation."""
    case = leave_school(region1, clock)
    check = check_of(case, 1)
    check.recorded_on, check.contact_made, check.situation = OUTFLOW, True, ""
    with pytest.raises(IntegrityError), transaction.atomic():
        check.save()


# --- R-NZ-4 ---------------------------------------------------------------------------------


def _report_signals(report):
    return Signal.objects.filter(case=report.case, key=f"self-report-{report.pk}")


def test_r_nz_4_self_report_signals_the_school_at_once(region1, clock):
    """R-NZ-4: a self-report raises a signal to the school at once (open, not scheduled)."""
    case = leave_school(region1, clock)
    report = aftercare.self_report_record(
        actor=None,
        case_id=case.pk,
        kind="back_to_school",
        channel="portal",
        message="Ik wil naar het mbo.",
    )
    (only,) = _report_signals(report)
    assert only.organisation == region1.school
    assert only.status == SignalStatus.OPEN
    assert only.rule_id == "R-NZ-4"
    assert only.kind == SignalKind.SELF_REPORT
    assert only.raised_at is not None
    assert report.message == "Ik wil naar het mbo."


@pytest.mark.parametrize("kind", ["lost_job", "job_at_risk"])
def test_r_nz_4_job_loss_self_report_signals_the_work_service_too(region1, clock, kind):
    """R-NZ-4: on (threat of) job loss the work service is signalled as well."""
    case = leave_school(region1, clock)
    report = aftercare.self_report_record(actor=None, case_id=case.pk, kind=kind, channel="portal")
    signals = _report_signals(report)
    assert {s.organisation for s in signals} == {region1.school, region1.work_service}
    assert all(s.status == SignalStatus.OPEN for s in signals)


@pytest.mark.parametrize("kind", ["contract_ending", "problems_at_work", "back_to_school", "other"])
def test_r_nz_4_other_self_reports_do_not_signal_the_work_service(region1, clock, kind):
    """R-NZ-4: only job loss or its threat goes to the work service."""
    case = leave_school(region1, clock)
    report = aftercare.self_report_record(actor=None, case_id=case.pk, kind=kind, channel="portal")
    assert [s.organisation for s in _report_signals(report)] == [region1.school]


def test_r_nz_4_bad_self_report_is_a_domain_error(region1, clock):
    """R-NZ-4: a report needs a known subject and channel; the portal opens only after leaving school."""
    case = leave_school(region1, clock)
    for kind, channel in (("bored", "portal"), ("lost_job", "pigeon")):
        with pytest.raises(DomainError) as exc:
            aftercare.self_report_record(actor=None, case_id=case.pk, kind=kind, channel=channel)
        assert str(exc.value)
    still_at_school = region1.open_case(age=19)
    with pytest.raises(DomainError) as exc:
        aftercare.self_report_record(
            actor=None, case_id=still_at_school.pk, kind="lost_job", channel="portal"
        )
    assert "after leaving school" in str(exc.value)
    assert not SelfReport.objects.exists()
    assert not Signal.objects.filter(kind=SignalKind.SELF_REPORT).exists()


# --- R-NZ-5 ---------------------------------------------------------------------------------

FIXED_TERM = {"kind": "fixed_term", "starts_on": OUTFLOW, "ends_on": dt.date(2026, 7, 15)}


def test_r_nz_5_fixed_term_end_signals_work_service_and_school_3_months_before(region1, clock):
    """R-NZ-5: a fixed-term job raises a signal to the work service and the school 3 months before its end."""
    case = leave_school(region1, clock, job=FIXED_TERM)
    signals = Signal.objects.filter(case=case, kind=SignalKind.CONTRACT_END)
    assert {s.organisation for s in signals} == {region1.work_service, region1.school}
    assert {(s.raise_on, s.due_on, s.rule_id) for s in signals} == {
        (dt.date(2026, 4, 15), dt.date(2026, 7, 15), "R-NZ-5")
    }
    clock.move_to(moment(dt.date(2026, 4, 14)))
    aftercare.signals_raise_due()
    assert set(signals.values_list("status", flat=True)) == {SignalStatus.SCHEDULED}
    clock.move_to(moment(dt.date(2026, 4, 15)))
    assert aftercare.signals_raise_due() == 2
    assert set(signals.values_list("status", flat=True)) == {SignalStatus.OPEN}


def test_r_nz_5_permanent_job_has_no_contract_end_signal(region1, clock):
    """R-NZ-5: only fixed-term contracts end on a known date."""
    case = leave_school(region1, clock)
    assert not Signal.objects.filter(case=case, kind=SignalKind.CONTRACT_END).exists()


def test_r_nz_5_a_job_ended_early_cancels_its_contract_end_signals(region1, clock):
    """R-NZ-5: once the job has ended there is no continuation to ask about."""
    case = leave_school(region1, clock, job=FIXED_TERM)
    job = case.employments.get()
    clock.move_to(moment(dt.date(2026, 1, 10)))
    employment.employment_end(
        actor=region1.coordinator, employment_id=job.pk, ended_on=dt.date(2026, 1, 9)
    )
    clock.move_to(moment(dt.date(2026, 4, 15)))
    aftercare.signals_raise_due()
    assert set(
        Signal.objects.filter(case=case, kind=SignalKind.CONTRACT_END).values_list(
            "status", flat=True
        )
    ) == {SignalStatus.CANCELLED}


# --- R-NZ-6 ---------------------------------------------------------------------------------


def test_r_nz_6_threat_recorded_by_the_school_signals_the_work_service(region1, clock):
    """R-NZ-6: the school records a threat of job loss; the work service is signalled."""
    case = leave_school(region1, clock)
    s = aftercare.job_loss_threat_record(
        actor=region1.coordinator, case_id=case.pk, note="Ziek en vaak afwezig."
    )
    assert s.organisation == region1.work_service
    assert (s.kind, s.rule_id, s.status) == (
        SignalKind.JOB_LOSS_THREAT,
        "R-NZ-6",
        SignalStatus.OPEN,
    )
    assert "Ziek en vaak afwezig." in s.text


def test_r_nz_6_threat_recorded_by_the_work_service_signals_the_school(region1, clock):
    """R-NZ-6: and the other way round."""
    case = leave_school(region1, clock)
    s = aftercare.job_loss_threat_record(
        actor=region1.work_service_manager, case_id=case.pk, note="Proeftijd loopt slecht."
    )
    assert s.organisation == region1.school
    assert s.status == SignalStatus.OPEN


def test_r_nz_6_two_threats_on_the_same_moment_are_two_signals(region1, clock):
    """R-NZ-6: every recorded threat is its own signal, even when the clock has not moved."""
    case = leave_school(region1, clock)
    first = aftercare.job_loss_threat_record(
        actor=region1.coordinator, case_id=case.pk, note="Te laat."
    )
    second = aftercare.job_loss_threat_record(
        actor=region1.coordinator, case_id=case.pk, note="Weer te laat."
    )
    assert first.pk != second.pk
    assert Signal.objects.filter(case=case, kind=SignalKind.JOB_LOSS_THREAT).count() == 2


def test_r_nz_6_bad_threat_is_a_domain_error(region1, clock):
    """R-NZ-6: a threat needs a description, and a youth who works."""
    case = leave_school(region1, clock)
    with pytest.raises(DomainError) as exc:
        aftercare.job_loss_threat_record(actor=region1.coordinator, case_id=case.pk, note="  ")
    assert "Describe" in str(exc.value)
    at_school = region1.open_case(age=19)
    with pytest.raises(DomainError) as exc:
        aftercare.job_loss_threat_record(
            actor=region1.coordinator, case_id=at_school.pk, note="Dreigt ontslag."
        )
    assert "works" in str(exc.value)
    assert not Signal.objects.filter(kind=SignalKind.JOB_LOSS_THREAT).exists()


# --- R-NZ-7 ---------------------------------------------------------------------------------


def test_r_nz_7_new_employment_during_aftercare_does_not_move_the_end(region1, clock):
    """R-NZ-7: a new job during aftercare is recorded on the same case; the end date does not move."""
    case = leave_school(region1, clock)
    ends = case.aftercare_ends_on
    assert ends == dt.date(2027, 8, 31)
    clock.move_to(moment(dt.date(2026, 11, 1)))
    job = region1.employ(
        case, kind="fixed_term", starts_on=dt.date(2026, 11, 1), ends_on=dt.date(2028, 10, 31)
    )
    case.refresh_from_db()
    assert job.case_id == case.pk
    assert case.aftercare_ends_on == ends
    assert case.outflow_on == OUTFLOW
    assert case.employments.count() == 2
    # the new fixed-term job gets its own contract-end signals (R-NZ-5)
    assert Signal.objects.filter(case=case, key=f"contract-end-{job.pk}").count() == 2


def test_r_nz_7_closing_before_the_end_of_aftercare_is_refused(region1, clock):
    """R-NZ-7: the case closes at outflow + 2 years, not before."""
    case = leave_school(region1, clock)
    clock.move_to(moment(dt.date(2027, 8, 30)))
    with pytest.raises(TransitionBlocked) as exc:
        route.case_close(actor=region1.coordinator, case_id=case.pk)
    assert exc.value.rule_ids == ("R-NZ-7",)
    assert "31-08-2027" in str(exc.value)
    assert Case.objects.get(pk=case.pk).stage == Stage.AFTERCARE


# --- R-RMC-1 --------------------------------------------------------------------------------


def test_r_rmc_1_monitoring_until_the_23rd_birthday_without_startkwalificatie(region1, clock):
    """R-RMC-1: a youth without startkwalificatie is monitored until the 23rd birthday; the RMC is
    signalled on that day (also after aftercare has closed the case)."""
    student = born(region1, dt.date(2006, 5, 15))
    case = leave_school(region1, clock, student=student)
    assert case.rmc_monitoring_ends_on == dt.date(2029, 5, 15)
    rmc_signal = signal(case, "rmc-monitoring-end")
    assert (rmc_signal.organisation, rmc_signal.rule_id, rmc_signal.raise_on) == (
        region1.rmc,
        "R-RMC-1",
        dt.date(2029, 5, 15),
    )
    clock.move_to(moment(dt.date(2027, 8, 31)))
    aftercare.cases_close_due()
    clock.move_to(moment(dt.date(2029, 5, 14)))
    aftercare.signals_raise_due()
    assert signal(case, "rmc-monitoring-end").status == SignalStatus.SCHEDULED
    clock.move_to(moment(dt.date(2029, 5, 15)))
    assert aftercare.signals_raise_due() == 1
    assert signal(case, "rmc-monitoring-end").status == SignalStatus.OPEN
    assert Case.objects.get(pk=case.pk).stage == Stage.CLOSED


def test_r_rmc_1_no_monitoring_with_a_startkwalificatie(region1, clock):
    """R-RMC-1: with a startkwalificatie there is no monitoring and no signal."""
    student = born(region1, dt.date(2006, 5, 15), has_basic_qualification=True)
    case = leave_school(region1, clock, student=student)
    assert case.rmc_monitoring_ends_on is None
    assert not Signal.objects.filter(case=case, kind=SignalKind.RMC_MONITORING_END).exists()


def test_r_rmc_1_region_age_limit_27(region1, clock):
    """R-RMC-1: the age limit is a region setting ("van school naar duurzaam werk": 27)."""
    region1.region.rmc_age_limit = 27
    region1.region.save()
    student = born(region1, dt.date(2006, 5, 15))
    case = leave_school(region1, clock, student=student)
    assert case.rmc_monitoring_ends_on == dt.date(2033, 5, 15)
    assert signal(case, "rmc-monitoring-end").raise_on == dt.date(2033, 5, 15)


# --- region settings ------------------------------------------------------------------------


def test_region_settings_change_the_aftercare_schedule(region1, clock):
    """R-NZ-1, R-NZ-3, R-NZ-5, R-NZ-7 (settings): years of aftercare, check-ins per year, days until
    overdue and months of contract-end notice are taken from the region."""
    region = region1.region
    region.aftercare_years = 3
    region.checkins_per_year = 4
    region.checkin_overdue_days = 14
    region.contract_end_notice_months = 2
    region.save()
    case = leave_school(region1, clock, job={**FIXED_TERM, "ends_on": dt.date(2026, 7, 15)})
    dues = list(case.checks.order_by("sequence").values_list("due_on", flat=True))
    assert dues == [add_months(OUTFLOW, 3 * i) for i in range(1, 13)]
    assert dues[0] == dt.date(2025, 11, 30)
    assert dues[-1] == dt.date(2028, 8, 31)
    assert case.aftercare_ends_on == dt.date(2028, 8, 31)
    assert signal(case, "checkin-1").raise_on == dt.date(2025, 12, 14)
    assert {s.raise_on for s in Signal.objects.filter(case=case, kind=SignalKind.CONTRACT_END)} == {
        dt.date(2026, 5, 15)
    }


def test_region_setting_aba_decision_weeks_changes_the_aba_signal(region1, clock):
    """R-ABA-3 (setting): the ABA signal follows the region's number of weeks."""
    region1.region.aba_decision_weeks = 12
    region1.region.save()
    case = region1.open_case(age=19, on=OUTFLOW - dt.timedelta(days=30))
    aba = AbaApplication.objects.create(case=case, submitted_on=OUTFLOW)
    schedule_aba_signal(Case.objects.select_related("student__school__region").get(pk=case.pk), aba)
    assert signal(case, f"aba-{aba.pk}").raise_on == OUTFLOW + dt.timedelta(weeks=12)


@pytest.mark.parametrize("per_year", [1, 2, 3, 4, 5, 6, 7, 12])
def test_r_nz_1_check_ins_spread_over_the_whole_aftercare_period(per_year):
    """R-NZ-1 (setting): whatever the number per year, the check-ins are spread evenly and the last
    one falls on the end of aftercare."""
    dates = checkin_dates(OUTFLOW, years=2, per_year=per_year)
    assert len(dates) == 2 * per_year
    assert dates[-1] == dt.date(2027, 8, 31)
    assert dates == sorted(set(dates))
    assert dates[0] > OUTFLOW
