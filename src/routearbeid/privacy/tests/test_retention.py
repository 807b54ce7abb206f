"""Retention: a daily task anonymises a youth once aftercare, RMC monitoring and the work
service's follow-up have all ended, plus Region.retention_years (domain.md, "Privacy and logging
facts")."""

import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from routearbeid.aftercare import services as aftercare_services
from routearbeid.aftercare.models import AftercareCheck, SelfReport, Signal, WorkServiceFollowUp
from routearbeid.core.dates import add_years, birthday
from routearbeid.employment.models import Employment, Provision
from routearbeid.meetings.models import Advice, Decision, MeetingAction
from routearbeid.privacy import tasks
from routearbeid.privacy.retention import (
    REDACTED,
    anonymise_expired,
    case_retention_ends_on,
    monitoring_ends_on,
)
from routearbeid.privacy.tests.conftest import build_full_case
from routearbeid.processing_log.models import ProcessingLogRecord
from routearbeid.route.constants import Stage
from routearbeid.route.models import Case, ExemptionDecision, Handover, Involvement, TimelineEvent
from routearbeid.route.services import case_withdraw
from routearbeid.students.models import Guardian, Student

START = dt.date(2020, 3, 2)
PLACEHOLDER = "[geanonimiseerd]"


def at(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(9, 0)), tick=False)


def closed_case_following(region1) -> Case:
    """A youth of 17 who left school on START; aftercare closed on START + 2 years; the work
    service that took the youth over still follows them."""
    with at(START):
        case = build_full_case(region1)
    with at(case.aftercare_ends_on):
        aftercare_services.cases_close_due()
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    assert WorkServiceFollowUp.objects.get(case=case).ended_on is None
    return Case.objects.select_related("student__school__region").get(pk=case.pk)


def end_follow_up(region1, case: Case, on: dt.date) -> Case:
    with at(on):
        aftercare_services.follow_up_end(
            actor=region1.work_service_manager,
            case_id=case.pk,
            ended_on=on,
            reason="Werkt zelfstandig",
        )
    return Case.objects.select_related("student__school__region").get(pk=case.pk)


def closed_full_case(region1) -> Case:
    """As `closed_case_following`, and the work service ended its follow-up with aftercare."""
    case = closed_case_following(region1)
    return end_follow_up(region1, case, case.aftercare_ends_on)


def test_an_open_work_service_follow_up_keeps_the_data_until_it_ends(region1):
    """The work service follows the youth after aftercare until it records the end (R-NZ-5):
    no retention end while it follows; then the retention years count from its end."""
    case = closed_case_following(region1)
    monitoring_end = monitoring_ends_on(case)
    assert monitoring_end is not None
    assert case_retention_ends_on(case) is None
    would_have_ended = add_years(monitoring_end, 2) + dt.timedelta(days=30)
    with at(would_have_ended):
        assert anonymise_expired().students == 0
    assert Student.objects.get(pk=case.student_id).anonymised_on is None

    case = end_follow_up(region1, case, would_have_ended)
    ends = case_retention_ends_on(case)
    assert ends == add_years(would_have_ended, 2)
    with at(ends - dt.timedelta(days=1)):
        assert anonymise_expired().students == 0
    with at(ends):
        assert anonymise_expired().student_ids == [case.student_id]


def test_a_follow_up_that_ended_before_monitoring_changes_nothing(region1):
    case = closed_case_following(region1)
    case = end_follow_up(region1, case, case.aftercare_ends_on + dt.timedelta(days=90))
    assert case_retention_ends_on(case) == add_years(monitoring_ends_on(case), 2)


def test_retention_ends_when_aftercare_and_monitoring_have_both_ended_plus_two_years(region1):
    """R-RMC-1 monitoring until the 23rd birthday outlasts the 2 years of aftercare (R-NZ-7)."""
    case = closed_full_case(region1)
    student = case.student
    monitoring_end = birthday(student.date_of_birth, 23)
    assert monitoring_ends_on(case) == monitoring_end > case.aftercare_ends_on
    assert case_retention_ends_on(case) == add_years(monitoring_end, 2)


def test_a_startkwalificatie_ends_monitoring_early(region1):
    case = closed_full_case(region1)
    student = case.student
    student.has_basic_qualification = True
    student.basic_qualification_on = START + dt.timedelta(days=200)
    student.save()
    # monitoring ended before aftercare: aftercare's end counts
    assert case_retention_ends_on(case) == add_years(case.aftercare_ends_on, 2)


def test_the_region_settings_count(region1):
    case = closed_full_case(region1)
    region = case.student.school.region
    region.retention_years = 5
    region.rmc_age_limit = 27
    region.save()
    case = Case.objects.select_related("student__school__region").get(pk=case.pk)
    assert case_retention_ends_on(case) == add_years(birthday(case.student.date_of_birth, 27), 5)


def test_an_open_case_has_no_end_and_a_withdrawn_one_ends_two_years_after(region1):
    """R-END-1: a withdrawn case got no aftercare: withdrawal date plus the retention years."""
    with at(START):
        case = region1.open_case()
    assert case_retention_ends_on(case) is None
    with at(START + dt.timedelta(days=10)):
        case_withdraw(actor=region1.coordinator, case_id=case.pk, reason="Gaat naar het mbo")
    case = Case.objects.select_related("student__school__region").get(pk=case.pk)
    assert case_retention_ends_on(case) == add_years(START + dt.timedelta(days=10), 2)


def test_untouched_the_day_before_and_anonymised_on_the_day(client, region1):
    case = closed_full_case(region1)
    student_id = case.student_id
    ends = case_retention_ends_on(case)
    log_before = ProcessingLogRecord.objects.filter(subject_student_id=student_id).count()

    with at(ends - dt.timedelta(days=1)):
        result = anonymise_expired()
    assert result.students == 0
    student = Student.objects.get(pk=student_id)
    assert student.first_name == "Rania" and student.anonymised_on is None

    with at(ends):
        result = anonymise_expired()
    assert result.student_ids == [student_id]
    assert result.case_ids == [case.pk]
    student = Student.objects.get(pk=student_id)
    assert student.anonymised_on == ends
    assert "Rania" not in student.full_name and "Haddad" not in student.full_name
    assert student.pgn == student.email == student.phone == student.languages == ""
    assert student.class_name == "" and student.mentor is None and student.arrival_date is None
    # statistics keep the birth year, the school, the municipality
    assert student.date_of_birth == dt.date(case.student.date_of_birth.year, 7, 1)
    assert student.school_id == region1.school.pk and student.municipality == "Alkmaar"
    assert not Guardian.objects.filter(student_id=student_id).exists()

    case.refresh_from_db()
    assert case.stage == Stage.CLOSED and case.outflow_profile == "work"
    assert case.education_first_reason == PLACEHOLDER
    assert case.opened_on.day == 1 and case.outflow_on.day == 1  # month precision
    assert case.opened_by is None
    for model, field in (
        (Involvement, "advice"),
        (Involvement, "person_name"),
        (Handover, "consent_given_by"),
        (Handover, "purpose"),
        (ExemptionDecision, "reference"),
        (Employment, "enrolment_reference"),
        (Provision, "notes"),
        (SelfReport, "message"),
        (Advice, "text"),
        (Decision, "reason"),
        (MeetingAction, "description"),
    ):
        values = set(
            model.objects.filter(**_case_filter(model, case)).values_list(field, flat=True)
        )
        assert values == {PLACEHOLDER}, (model.__name__, field, values)
    assert set(Handover.objects.filter(case=case).values_list("legal_basis", flat=True)) == {
        "consent"
    }
    recorded = AftercareCheck.objects.filter(case=case, recorded_on__isnull=False).get()
    assert recorded.notes == PLACEHOLDER and recorded.situation == "working_same_employer"
    assert SelfReport.objects.get(case=case).contact_phone == ""
    assert not Signal.objects.filter(
        case=case, status__in=["scheduled", "open", "acknowledged"]
    ).exists()
    for event in TimelineEvent.objects.filter(case=case):
        assert "Rania" not in event.summary and "Haddad" not in json.dumps(event.data)
    assert TimelineEvent.objects.filter(case=case, kind="anonymised").count() == 1

    # the processing log is kept, and says the retention task did it
    log = ProcessingLogRecord.objects.filter(subject_student_id=student_id)
    assert log.count() == log_before + 1
    last = log.latest("id")
    assert (last.activity, last.operation, last.actor) == ("privacy.retention", "update", None)

    # idempotent: a second run does nothing
    with at(ends + dt.timedelta(days=1)):
        assert anonymise_expired().students == 0
    assert TimelineEvent.objects.filter(case=case, kind="anonymised").count() == 1


def _case_filter(model, case):
    if model in (Advice, Decision, MeetingAction):
        return {"agenda_item__case": case}
    return {"case": case}


def test_dry_run_changes_nothing(region1):
    case = closed_full_case(region1)
    ends = case_retention_ends_on(case)
    log_before = ProcessingLogRecord.objects.count()
    with at(ends):
        result = anonymise_expired(dry_run=True)
    assert result.dry_run and result.student_ids == [case.student_id]
    student = Student.objects.get(pk=case.student_id)
    assert student.first_name == "Rania" and student.anonymised_on is None
    assert Guardian.objects.filter(student=student).exists()
    assert ProcessingLogRecord.objects.count() == log_before


def test_a_youth_with_an_open_second_case_is_kept(region1):
    with at(START):
        first = region1.open_case()
        case_withdraw(actor=region1.coordinator, case_id=first.pk, reason="Eerst taal")
        region1.open_case(first.student)
    with at(add_years(START, 10)):
        assert anonymise_expired().students == 0


def test_anonymised_youth_show_the_placeholder_on_the_screens(client, region1):
    case = closed_full_case(region1)
    with at(case_retention_ends_on(case)):
        anonymise_expired()
    client.force_login(region1.coordinator)
    page = client.get(reverse("route:student", args=[case.student_id])).content.decode()
    assert "Rania" not in page and "Haddad" not in page
    assert "geanonimiseerd" in page
    listing = client.get(reverse("students:list")).content.decode()
    assert "Haddad" not in listing
    client.force_login(region1.privacy_officer)
    page = client.get(reverse("privacy:subject_log", args=[case.student_id])).content.decode()
    assert "Haddad" not in page


def test_the_command_prints_counts_and_case_ids_never_names(region1):
    case = closed_full_case(region1)
    ends = case_retention_ends_on(case)
    out = io.StringIO()
    with at(ends):
        call_command("anonymise_expired", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "would anonymise 1 youth, 1 cases" in text and str(case.pk) in text
    assert "Rania" not in text and "Haddad" not in text
    assert Student.objects.get(pk=case.student_id).anonymised_on is None
    out = io.StringIO()
    call_command("anonymise_expired", "--on", ends.isoformat(), stdout=out)
    assert "anonymised 1 youth" in out.getvalue()
    assert Student.objects.get(pk=case.student_id).anonymised_on == ends


def test_the_command_refuses_a_bad_date(region1):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("anonymise_expired", "--on", "gisteren")


def test_the_daily_task_anonymises(region1):
    case = closed_full_case(region1)
    with at(case_retention_ends_on(case)):
        result = tasks.anonymise_expired_cases.enqueue()
    assert result.return_value == {"students": 1, "cases": 1, "case_ids": [case.pk]}
    assert Student.objects.get(pk=case.student_id).anonymised_on is not None


def test_placeholder_is_stored_in_the_region_language(region1):
    from django.utils import translation

    with translation.override("nl"):
        assert str(REDACTED) == PLACEHOLDER


def test_every_model_that_refers_to_the_case_is_covered(region1):
    """A model added by another app (here the youth's personal link, and the RMC's monitoring
    note) is anonymised too: the retention walks the case's reverse relations."""
    from django.utils import timezone

    from routearbeid.aftercare.models import MonitoringNote
    from routearbeid.portal.models import PortalLink

    case = closed_full_case(region1)
    PortalLink.objects.create(case=case, token_hash="a" * 64, created_at=timezone.now())
    MonitoringNote.objects.create(
        case=case, organisation=region1.rmc, noted_on=START, text="Rania belt terug"
    )
    with at(case_retention_ends_on(case)):
        anonymise_expired()
    assert not PortalLink.objects.filter(case=case).exists()
    note = MonitoringNote.objects.get(case=case)
    assert note.text == PLACEHOLDER and note.noted_on == START.replace(day=1)
