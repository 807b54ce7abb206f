"""The work service's own follow-up, signals raised by hand, self-reports recorded on the youth's
behalf, and check-ins where the youth could not be reached (R-NZ-2, R-NZ-4, R-NZ-5, R-NZ-6)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from routearbeid.aftercare import services as aftercare
from routearbeid.aftercare.constants import SignalKind, SignalStatus
from routearbeid.aftercare.models import AftercareCheck, FollowUpContact, SelfReport, Signal
from routearbeid.core.errors import DomainError, NotFound, PermissionDenied
from routearbeid.processing_log.models import ProcessingLogRecord
from routearbeid.route.constants import Situation, Stage
from routearbeid.route.models import TimelineEvent
from routearbeid.tests.people import make_user

AMS = ZoneInfo("Europe/Amsterdam")
OUTFLOW = dt.date(2025, 1, 10)


def moment(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=AMS)


@pytest.fixture
def clock():
    with time_machine.travel(moment(OUTFLOW), tick=False) as traveller:
        yield traveller


@pytest.fixture
def case(region1, clock):
    return region1.outflow(region1.ready_for_outflow(first_name="Volg", last_name="Werk"))


def contact(region1, case, on, **kw):
    values = {
        "with_whom": "employer",
        "situation": Situation.WORKING_SAME_EMPLOYER,
        "next_step": "Over drie maanden weer bellen",
    }
    values.update(kw)
    return aftercare.follow_up_contact_record(
        actor=region1.work_service_manager, case_id=case.pk, contact_on=on, **values
    )


# --- the work service's follow-up --------------------------------------------------------------


def test_follow_up_starts_at_outflow_with_the_work_service_that_took_over(region1, case):
    follow_up = case.work_service_follow_up
    assert follow_up.organisation == region1.work_service
    assert follow_up.started_on == OUTFLOW
    assert follow_up.ended_on is None


def test_work_service_records_follow_up_contacts_the_school_sees_them(region1, case, clock, client):
    clock.move_to(moment(dt.date(2025, 3, 1)))
    recorded = contact(
        region1, case, dt.date(2025, 3, 1), with_whom="both", notes="Gaat goed, wil meer uren."
    )
    assert recorded.organisation == region1.work_service
    assert recorded.recorded_by == region1.work_service_manager
    case.refresh_from_db()
    assert case.last_contact_on == dt.date(2025, 3, 1)
    assert case.last_known_situation == Situation.WORKING_SAME_EMPLOYER
    assert ProcessingLogRecord.objects.filter(
        activity="aftercare.follow_up", subject_student_id=case.student_id, operation="create"
    ).exists()
    # both parties see each other's work on the timeline and in the panel
    event = TimelineEvent.objects.get(case=case, kind="follow_up_contact")
    assert event.organisation_id == region1.work_service.pk
    client.force_login(region1.coordinator)
    page = client.get(reverse("route:student", args=[case.student_id])).content.decode()
    assert "Gaat goed, wil meer uren." in page
    assert "Over drie maanden weer bellen" in page
    assert (
        "Opvolgcontact werkdienst met: Jongere en werkgever; situatie: Werkt, zelfde werkgever"
        in page
    )
    # the school's check-in shows on the work service's timeline too
    clock.move_to(moment(dt.date(2025, 7, 10)))
    aftercare.aftercare_check_record(
        actor=region1.coordinator,
        check_id=case.checks.get(sequence=1).pk,
        recorded_on=dt.date(2025, 7, 10),
        contact_made=True,
        situation=Situation.WORKING_OTHER_EMPLOYER,
    )
    client.force_login(region1.work_service_manager)
    page = client.get(reverse("route:student", args=[case.student_id])).content.decode()
    assert "Nazorgcontact 1 vastgelegd: Werkt, andere werkgever" in page


def test_only_the_work_service_that_took_over_records_follow_up(region1, case):
    for person in (region1.coordinator, region1.rmc_officer):
        with pytest.raises((PermissionDenied, NotFound)):
            aftercare.follow_up_contact_record(
                actor=person,
                case_id=case.pk,
                contact_on=OUTFLOW,
                with_whom="youth",
                situation=Situation.WORKING_SAME_EMPLOYER,
            )
    assert not FollowUpContact.objects.exists()


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"with_whom": "neighbour"}, "with whom"),
        ({"situation": "on_holiday"}, "situation"),
        ({"contact_on": dt.date(2025, 1, 11)}, "future"),
        ({"contact_on": dt.date(2025, 1, 9)}, "before the outflow"),
    ],
)
def test_bad_follow_up_contact_is_a_clear_error(region1, case, values, words):
    on = values.pop("contact_on", OUTFLOW)
    with pytest.raises(DomainError, match=words):
        contact(region1, case, on, **values)
    assert not FollowUpContact.objects.exists()


def test_r_nz_5_work_service_contract_end_signal_continues_after_the_case_closed(region1, clock):
    """R-NZ-5 and R-NZ-7: a contract that ends after the two years of aftercare signals the work
    service (not the school) three months before its end, because the work service still follows
    the youth; the closed case stays visible to the work service."""
    case = region1.ready_for_outflow()
    case.employments.all().delete()
    region1.employ(case, kind="fixed_term", starts_on=OUTFLOW, ends_on=dt.date(2028, 1, 10))
    case = region1.outflow(case)
    clock.move_to(moment(dt.date(2027, 1, 10), 6))
    aftercare.signals_raise_due()  # the forgotten check-ins and "aftercare ends"
    assert aftercare.cases_close_due() == 1
    clock.move_to(moment(dt.date(2027, 10, 9), 6))
    assert aftercare.signals_raise_due() == 0
    clock.move_to(moment(dt.date(2027, 10, 10), 6))
    assert aftercare.signals_raise_due() == 1
    signal = Signal.objects.get(case=case, kind=SignalKind.CONTRACT_END, status=SignalStatus.OPEN)
    assert signal.organisation == region1.work_service
    assert signal.rule_id == "R-NZ-5"
    from routearbeid.aftercare.selectors import my_signals

    assert list(my_signals(region1.work_service_manager)) == [signal]
    # the work service can still record its follow-up on the closed case
    contact(region1, case, dt.date(2027, 10, 10))


def test_r_nz_5_ending_the_follow_up_cancels_the_work_services_signals_to_come(region1, clock):
    case = region1.ready_for_outflow()
    case.employments.all().delete()
    region1.employ(case, kind="fixed_term", starts_on=OUTFLOW, ends_on=dt.date(2028, 1, 10))
    case = region1.outflow(case)
    clock.move_to(moment(dt.date(2027, 3, 1)))
    aftercare.follow_up_end(
        actor=region1.work_service_manager,
        case_id=case.pk,
        ended_on=dt.date(2027, 3, 1),
        reason="Vast contract in zicht; jongere redt zich.",
    )
    ws_signal = Signal.objects.get(
        case=case, organisation=region1.work_service, kind="contract_end"
    )
    assert ws_signal.status == SignalStatus.CANCELLED
    clock.move_to(moment(dt.date(2027, 10, 10), 6))
    aftercare.signals_raise_due()
    assert not Signal.objects.filter(
        organisation=region1.work_service, raised_at__isnull=False
    ).exists()
    ws_signal.refresh_from_db()
    assert ws_signal.status == SignalStatus.CANCELLED
    assert TimelineEvent.objects.filter(case=case, kind="follow_up_ended").count() == 1
    with pytest.raises(DomainError, match="ended"):
        contact(region1, case, dt.date(2027, 10, 10))
    with pytest.raises(DomainError, match="already ended"):
        aftercare.follow_up_end(
            actor=region1.work_service_manager,
            case_id=case.pk,
            ended_on=dt.date(2027, 10, 10),
            reason="Nog eens",
        )


def test_ending_the_follow_up_needs_a_reason_and_a_date_in_range(region1, case):
    with pytest.raises(DomainError, match="why"):
        aftercare.follow_up_end(
            actor=region1.work_service_manager, case_id=case.pk, ended_on=OUTFLOW, reason=" "
        )
    with pytest.raises(DomainError, match="between"):
        aftercare.follow_up_end(
            actor=region1.work_service_manager,
            case_id=case.pk,
            ended_on=OUTFLOW - dt.timedelta(days=1),
            reason="Klaar",
        )


# --- signals raised by hand ---------------------------------------------------------------------


def test_school_asks_the_work_service_to_contact_the_youth_again(region1, case):
    """Seed, step 5: after a self-report the school can contact Halte Werk again: a signal to the
    work service, optionally to one client manager."""
    signal = aftercare.signal_raise(
        actor=region1.coordinator,
        case_id=case.pk,
        kind=SignalKind.CONTACT_WORK_SERVICE,
        note="Jongere belde: baan kwijt.",
        person_id=region1.work_service_manager.pk,
        due_on=dt.date(2025, 1, 17),
    )
    assert signal.status == SignalStatus.OPEN
    assert signal.organisation == region1.work_service
    assert signal.person == region1.work_service_manager
    assert signal.due_on == dt.date(2025, 1, 17)
    assert "baan kwijt" in signal.text
    from routearbeid.aftercare.selectors import my_signals

    assert signal in my_signals(region1.work_service_manager)
    colleague = make_user("andere-klantmanager", region1.work_service, "work_service_manager")
    assert signal not in my_signals(colleague)  # addressed to one person


def test_a_manual_signal_is_only_for_a_client_manager_of_that_work_service(region1, case):
    with pytest.raises(DomainError, match="client manager"):
        aftercare.signal_raise(
            actor=region1.coordinator,
            case_id=case.pk,
            kind=SignalKind.CONTACT_WORK_SERVICE,
            note="Bellen graag",
            person_id=region1.rmc_officer.pk,
        )
    with pytest.raises(DomainError, match="know"):
        aftercare.signal_raise(
            actor=region1.coordinator, case_id=case.pk, kind="contact_work_service", note=""
        )
    with pytest.raises(PermissionDenied):
        aftercare.signal_raise(
            actor=region1.work_service_manager,
            case_id=case.pk,
            kind="contact_work_service",
            note="x",
        )
    assert not Signal.objects.filter(kind=SignalKind.CONTACT_WORK_SERVICE).exists()


def test_signal_lifecycle_open_acknowledged_resolved_with_a_note(region1, case):
    signal = aftercare.signal_raise(
        actor=region1.coordinator, case_id=case.pk, kind="contact_work_service", note="Bellen"
    )
    aftercare.signal_acknowledge(actor=region1.work_service_manager, signal_id=signal.pk)
    signal.refresh_from_db()
    assert (signal.status, signal.person) == (
        SignalStatus.ACKNOWLEDGED,
        region1.work_service_manager,
    )
    with pytest.raises(DomainError):
        aftercare.signal_resolve(actor=region1.work_service_manager, signal_id=signal.pk, note="")
    aftercare.signal_resolve(
        actor=region1.work_service_manager, signal_id=signal.pk, note="Gebeld, nieuwe baan gezocht."
    )
    signal.refresh_from_db()
    assert signal.status == SignalStatus.RESOLVED
    assert signal.resolution_note == "Gebeld, nieuwe baan gezocht."
    with pytest.raises(NotFound):  # the school cannot touch the work service's signal
        aftercare.signal_acknowledge(actor=region1.coordinator, signal_id=signal.pk)


def test_raised_signals_are_handed_to_notifications_after_commit(
    region1, case, monkeypatch, django_capture_on_commit_callbacks
):
    """Both paths (raised at once, raised by the daily run) tell notifications which signals
    became open, once the transaction commits."""
    seen: list[list[int]] = []
    monkeypatch.setattr(aftercare, "signals_raised", lambda ids: seen.append(list(ids)))
    with django_capture_on_commit_callbacks(execute=True):
        manual = aftercare.signal_raise(
            actor=region1.coordinator, case_id=case.pk, kind="contact_work_service", note="Bellen"
        )
    assert seen == [[manual.pk]]
    seen.clear()
    with (
        time_machine.travel(moment(dt.date(2025, 8, 9), 6), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert aftercare.signals_raise_due() == 1
    overdue = Signal.objects.get(case=case, key="checkin-1")
    assert seen == [[overdue.pk]]


# --- R-NZ-4: self-reports on the youth's behalf -------------------------------------------------


@pytest.mark.parametrize(
    ("person", "channel"),
    [
        ("coordinator", "phone"),
        ("coordinator", "in_person"),
        ("work_service_manager", "phone"),
        (None, "portal"),
    ],
)
def test_r_nz_4_a_report_by_phone_or_at_the_desk_raises_the_same_signals_as_the_portal(
    region1, case, person, channel
):
    report = aftercare.self_report_record(
        actor=getattr(region1, person) if person else None,
        case_id=case.pk,
        kind="lost_job",
        channel=channel,
        message="Contract niet verlengd",
    )
    assert report.channel == channel
    signals = Signal.objects.filter(case=case, key=f"self-report-{report.pk}")
    assert sorted(signals.values_list("organisation_id", "status", "rule_id")) == sorted(
        [
            (region1.school.pk, SignalStatus.OPEN, "R-NZ-4"),
            (region1.work_service.pk, SignalStatus.OPEN, "R-NZ-4"),
        ]
    )
    case.refresh_from_db()
    assert case.last_contact_on == OUTFLOW
    assert case.last_known_situation == Situation.NOT_WORKING_SEEKING


def test_r_nz_4_the_school_records_a_report_after_aftercare_ended(region1, case, clock, client):
    clock.move_to(moment(dt.date(2027, 1, 10), 6))
    aftercare.cases_close_due()
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    client.force_login(region1.coordinator)
    url = reverse("route:action", args=[case.student_id, "self-report"])
    response = client.post(
        url, {"self-report-kind": "back_to_school", "self-report-channel": "in_person"}
    )
    assert response.status_code == 302
    assert Signal.objects.filter(case=case, kind=SignalKind.SELF_REPORT).count() == 1


def test_r_nz_4_a_report_with_a_phone_number_that_is_not_one_is_refused(
    region1, case, clock, client
):
    """The school types the youth's number: "abc" was saved and shown as "telefoon abc". Now the
    same check as the youth's own report page, at the field, and nothing is saved; a real
    number is kept without its spaces."""
    clock.move_to(moment(dt.date(2025, 9, 10), 10))
    client.force_login(region1.coordinator)
    url = reverse("route:action", args=[case.student_id, "self-report"])
    form = {"self-report-kind": "back_to_school", "self-report-channel": "in_person"}
    response = client.post(url, {**form, "self-report-contact_phone": "abc"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Dit telefoonnummer klopt niet." in page
    assert not SelfReport.objects.filter(case=case).exists()
    # the service refuses it too (the API's way in)
    with pytest.raises(DomainError):
        aftercare.self_report_record(
            actor=region1.coordinator,
            case_id=case.pk,
            kind="back_to_school",
            channel="in_person",
            contact_phone="bel me",
        )
    assert not SelfReport.objects.filter(case=case).exists()
    response = client.post(url, {**form, "self-report-contact_phone": "06 1234 5678"})
    assert response.status_code == 302
    assert SelfReport.objects.get(case=case).contact_phone == "0612345678"


# --- R-NZ-2: could not reach ---------------------------------------------------------------------


def test_r_nz_2_could_not_reach_plans_a_retry_and_keeps_the_original_as_not_reached(
    region1, case, clock
):
    region1.region.checkin_retry_days = 10
    region1.region.save()
    clock.move_to(moment(dt.date(2025, 7, 10)))
    first = case.checks.get(sequence=1)
    aftercare.aftercare_check_record(
        actor=region1.coordinator,
        check_id=first.pk,
        recorded_on=dt.date(2025, 7, 10),
        contact_made=False,
    )
    first.refresh_from_db()
    assert first.contact_made is False and first.recorded_on == dt.date(2025, 7, 10)
    retry = AftercareCheck.objects.get(case=case, retry_of=first)
    assert retry.due_on == dt.date(2025, 7, 20)
    assert retry.recorded_on is None
    # R-NZ-3 holds for the retry: overdue 30 days after its own due date
    overdue = Signal.objects.get(case=case, key=f"checkin-{retry.sequence}")
    assert overdue.raise_on == dt.date(2025, 8, 19)
    # ... and it names the check-in it tries again, as the worklist does
    assert overdue.text == "Check-in 1 (new try) was due on 20-07-2025 and has not been recorded."
    assert Signal.objects.get(case=case, key="checkin-1").status == SignalStatus.CANCELLED
    # not reached again: the next try is again a retry of check-in 1
    clock.move_to(moment(dt.date(2025, 7, 20)))
    aftercare.aftercare_check_record(
        actor=region1.coordinator,
        check_id=retry.pk,
        recorded_on=dt.date(2025, 7, 20),
        contact_made=False,
    )
    again = AftercareCheck.objects.get(case=case, retry_of=first, recorded_on__isnull=True)
    assert again.due_on == dt.date(2025, 7, 30)
    assert TimelineEvent.objects.filter(case=case, kind="checkin_not_reached").count() == 2
