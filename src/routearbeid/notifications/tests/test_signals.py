"""From signal to e-mail: who gets it, now or in the daily digest, and what it may contain."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.urls import reverse
from django.utils import timezone

from routearbeid.aftercare.constants import SignalKind, SignalStatus
from routearbeid.aftercare.services import job_loss_threat_record, self_report_record
from routearbeid.core.dates import today
from routearbeid.notifications import services
from routearbeid.notifications.constants import EmailMode
from routearbeid.notifications.models import DigestEntry, OutboxMessage
from routearbeid.organisations.actors import actor_for
from routearbeid.organisations.constants import Role
from routearbeid.organisations.models import Membership
from routearbeid.processing_log.models import ProcessingLogRecord
from routearbeid.route.models import Case
from routearbeid.route.selectors import visible_cases_q

from .conftest import give_email, open_signal


def recipients(**filters) -> set[str]:
    return set(
        OutboxMessage.objects.filter(**filters).values_list("recipient__username", flat=True)
    )


def usernames(*users) -> set[str]:
    return {u.username for u in users}


def everyone(region1):
    return [
        region1.coordinator,
        region1.mentor,
        region1.other_coordinator,
        region1.work_service_manager,
        region1.rmc_officer,
        region1.leerplicht_officer,
        region1.swv_officer,
        region1.route_coordinator,
        region1.admin,
        region1.privacy_officer,
    ]


def test_urgent_signal_mails_the_case_roles_of_the_addressed_organisation_at_once(region1):
    """R-NZ-4: a self-report reaches the school's coordinator and mentor at once; not the other
    school, not the administrator, not the privacy officer, not other organisations."""
    give_email(*everyone(region1))
    case = region1.open_case(first_name="Amira")
    signal = open_signal(case, kind=SignalKind.SELF_REPORT, organisation=region1.school)
    assert services.signals_notify(signal_ids=[signal.pk]) == 2
    assert recipients() == usernames(region1.coordinator, region1.mentor)
    assert not DigestEntry.objects.exists()


def test_administrator_here_with_a_case_role_elsewhere_gets_no_mail(region1):
    """The case role must be held at the signal's organisation: school A's functional
    administrator, who is also RMC officer (and so may see the case), is not mailed about a
    signal for school A."""
    give_email(*everyone(region1))
    Membership.objects.create(user=region1.admin, organisation=region1.rmc, role=Role.RMC_OFFICER)
    case = region1.open_case(first_name="Amira")
    region1.involve(case)
    signal = open_signal(case, kind=SignalKind.SELF_REPORT, organisation=region1.school)
    may_see = visible_cases_q(actor_for(region1.admin))
    assert may_see is not None and Case.objects.filter(may_see, pk=case.pk).exists()
    services.signals_notify(signal_ids=[signal.pk])
    assert recipients() == usernames(region1.coordinator, region1.mentor)


def test_signal_for_a_person_mails_only_that_person(region1):
    give_email(*everyone(region1))
    case = region1.open_case(first_name="Amira")
    signal = open_signal(
        case,
        kind=SignalKind.JOB_LOSS_THREAT,
        organisation=region1.school,
        person=region1.mentor,
    )
    services.signals_notify(signal_ids=[signal.pk])
    assert recipients() == usernames(region1.mentor)


def test_people_who_may_not_see_the_case_get_no_mail(region1):
    """Need-to-know: a signal addressed to an organisation reaches only people who may open the
    case (here the work service, which is not involved with this case)."""
    give_email(*everyone(region1))
    case = region1.open_case(first_name="Amira")
    signal = open_signal(case, kind=SignalKind.SELF_REPORT, organisation=region1.work_service)
    assert services.signals_notify(signal_ids=[signal.pk]) == 0
    assert not OutboxMessage.objects.exists()


def test_people_without_an_address_or_inactive_get_no_mail(region1):
    give_email(region1.coordinator, region1.mentor)
    region1.mentor.is_active = False
    region1.mentor.save()
    case = region1.open_case(first_name="Amira")
    signal = open_signal(case, kind=SignalKind.SELF_REPORT, organisation=region1.school)
    services.signals_notify(signal_ids=[signal.pk])
    assert recipients() == usernames(region1.coordinator)


def test_other_signals_wait_for_the_daily_digest(region1):
    give_email(region1.coordinator, region1.mentor)
    case = region1.open_case(first_name="Amira")
    signal = open_signal(case, kind=SignalKind.CONTRACT_END, organisation=region1.school)
    assert services.signals_notify(signal_ids=[signal.pk]) == 0
    assert not OutboxMessage.objects.exists()
    assert set(DigestEntry.objects.values_list("recipient__username", flat=True)) == usernames(
        region1.coordinator, region1.mentor
    )


def test_each_person_chooses_how_they_get_mail(region1):
    give_email(region1.coordinator, region1.mentor, region1.work_service_manager)
    services.preference_set(actor=region1.coordinator, email_mode=EmailMode.ALL_IMMEDIATE)
    services.preference_set(actor=region1.mentor, email_mode=EmailMode.NONE)
    case = region1.outflow(region1.ready_for_outflow(first_name="Amira"))
    services.preference_set(actor=region1.work_service_manager, email_mode=EmailMode.DIGEST_ONLY)
    OutboxMessage.objects.all().delete()
    DigestEntry.objects.all().delete()

    later = open_signal(case, kind=SignalKind.CONTRACT_END, organisation=region1.school)
    urgent = open_signal(case, kind=SignalKind.SELF_REPORT, organisation=region1.work_service)
    services.signals_notify(signal_ids=[later.pk, urgent.pk])
    assert recipients() == usernames(region1.coordinator)  # at once, though not urgent
    assert set(DigestEntry.objects.values_list("recipient__username", "signal_id")) == {
        (region1.work_service_manager.username, urgent.pk)  # urgent, but digest only
    }  # and the mentor chose no e-mail at all


def test_self_report_by_staff_reaches_the_worklist_and_the_coordinators_mailbox(
    client, region1, smtp_server, django_capture_on_commit_callbacks
):
    """R-NZ-4: a self-report recorded on the youth's page is in the school coordinator's worklist
    and, once the sender has run, in the real SMTP server's mailbox addressed to the coordinator."""
    give_email(region1.coordinator, region1.other_coordinator)
    case = region1.outflow(region1.ready_for_outflow(first_name="Amira", last_name="Zwartkop"))
    client.force_login(region1.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("route:action", args=[case.student_id, "self-report"]),
            {
                "self-report-kind": "problems_at_work",
                "self-report-channel": "phone",
                "self-report-message": "Ruzie met de chef",
            },
        )
    assert response.status_code == 302
    services.outbox_deliver()

    assert "Amira Zwartkop" in client.get(reverse("worklist")).content.decode()
    mails = smtp_server.mailbox.to(region1.coordinator.email)
    assert len(mails) == 1
    assert "Amira" in mails[0].text
    assert f"https://routearbeid.test/jongeren/{case.student_id}/" in mails[0].text
    assert smtp_server.mailbox.to(region1.other_coordinator.email) == []
    services.outbox_deliver()
    assert len(smtp_server.received) == 1


def test_job_loss_threat_mails_the_other_party_at_once(
    region1, smtp_server, django_capture_on_commit_callbacks
):
    """R-NZ-6: the school records a threat of job loss; the work service hears it by e-mail."""
    give_email(region1.coordinator, region1.work_service_manager)
    case = region1.outflow(region1.ready_for_outflow(first_name="Amira"))
    with django_capture_on_commit_callbacks(execute=True):
        job_loss_threat_record(actor=region1.coordinator, case_id=case.pk, note="Ziek gemeld")
    services.outbox_deliver()
    assert [r.rcpt_tos for r in smtp_server.received] == [[region1.work_service_manager.email]]


def test_mail_holds_no_personal_details_beyond_first_name_and_link(region1, smtp_server):
    """Privacy: subject and body (text and HTML) name the youth by first name only: no last
    name, no date of birth, no PGN/BSN, no free text from the signal."""
    give_email(region1.coordinator, region1.work_service_manager)
    case = region1.outflow(
        region1.ready_for_outflow(first_name="Amira", last_name="Zwartkop", pgn="123456782")
    )
    student = case.student
    self_report_record(
        actor=None, case_id=case.pk, kind="lost_job", channel="portal", message="Bel 0612345678"
    )
    job_loss_threat_record(actor=region1.coordinator, case_id=case.pk, note="Geheime notitie")
    open_signal(case, kind=SignalKind.CONTRACT_END, organisation=region1.school)
    services.signals_catch_up()
    assert services.digests_build() == 1
    services.outbox_deliver()
    assert len(smtp_server.received) >= 3
    dob = student.date_of_birth
    forbidden = [
        "Zwartkop",
        "123456782",
        "0612345678",
        "Geheime notitie",
        dob.isoformat(),
        dob.strftime("%d-%m-%Y"),
        f"{dob.day} {['januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus', 'september', 'oktober', 'november', 'december'][dob.month - 1]} {dob.year}",
    ]
    for received in smtp_server.received:
        content = f"{received.message['Subject']}\n{received.text}\n{received.html}"
        assert "Amira" in received.text
        for value in forbidden:
            assert value not in content, value


def test_mail_is_in_dutch_with_an_absolute_link(region1, smtp_server):
    give_email(region1.coordinator)
    case = region1.open_case(first_name="Amira")
    signal = open_signal(case, kind=SignalKind.SELF_REPORT, organisation=region1.school)
    services.signals_notify(signal_ids=[signal.pk])
    services.outbox_deliver()
    (received,) = smtp_server.received
    assert "Zelfmelding" in str(received.message["Subject"])
    assert "Er is een nieuw signaal voor je" in received.text
    assert f"https://routearbeid.test/jongeren/{case.student_id}/" in received.html
    assert "https://routearbeid.test/instellingen/meldingen/" in received.text


def test_the_digest_is_one_mail_a_day_listing_what_is_still_open(region1, smtp_server):
    give_email(region1.coordinator)
    first = region1.open_case(first_name="Amira")
    second = region1.open_case(first_name="Bilal")
    third = region1.open_case(first_name="Chayma")
    a = open_signal(first, kind=SignalKind.CONTRACT_END, organisation=region1.school)
    b = open_signal(second, kind=SignalKind.CHECKIN_OVERDUE, organisation=region1.school)
    resolved = open_signal(third, kind=SignalKind.LKV_END, organisation=region1.school)
    services.signals_notify(signal_ids=[a.pk, b.pk, resolved.pk])
    resolved.status = SignalStatus.RESOLVED
    resolved.save()

    assert services.digests_build() == 1
    late = open_signal(third, kind=SignalKind.EXEMPTION_END, organisation=region1.school)
    services.signals_notify(signal_ids=[late.pk])
    assert services.digests_build() == 0  # one digest a day; the late one waits for tomorrow
    services.outbox_deliver()
    (digest,) = smtp_server.received
    assert "Amira" in digest.text and "Bilal" in digest.text
    assert "Chayma" not in digest.text  # resolved before the digest went out
    assert f"/jongeren/{first.student_id}/" in digest.text

    with time_machine.travel(timezone.now() + dt.timedelta(days=1), tick=False):
        assert services.digests_build() == 1
        services.outbox_deliver()
    assert len(smtp_server.received) == 2
    assert "Chayma" in smtp_server.received[1].text
    assert "Amira" not in smtp_server.received[1].text


def test_catch_up_mails_signals_whose_hook_never_ran(region1):
    """Nothing is lost: a signal opened without the hook (a crash after commit) is picked up."""
    give_email(region1.coordinator)
    case = region1.open_case(first_name="Amira")
    signal = open_signal(case, kind=SignalKind.SELF_REPORT, organisation=region1.school)
    assert services.signals_catch_up() == 1
    assert recipients() == usernames(region1.coordinator)
    assert services.signals_catch_up() == 0
    assert OutboxMessage.objects.count() == 1
    assert signal.pk


def test_mail_writes_the_processing_log_for_the_recipient(region1):
    give_email(region1.coordinator)
    case = region1.open_case(first_name="Amira")
    signal = open_signal(case, kind=SignalKind.SELF_REPORT, organisation=region1.school)
    before = ProcessingLogRecord.objects.count()
    services.signals_notify(signal_ids=[signal.pk])
    record = ProcessingLogRecord.objects.order_by("-pk").first()
    assert ProcessingLogRecord.objects.count() == before + 1
    assert record is not None
    assert (record.actor_id, record.operation, record.subject_student_id) == (
        region1.coordinator.pk,
        "read",
        case.student_id,
    )


def test_only_open_signals_are_mailed(region1):
    give_email(region1.coordinator)
    case = region1.open_case(first_name="Amira")
    signal = open_signal(case, kind=SignalKind.SELF_REPORT, organisation=region1.school)
    signal.status = SignalStatus.SCHEDULED
    signal.raise_on = today() + dt.timedelta(days=3)
    signal.save()
    assert services.signals_notify(signal_ids=[signal.pk]) == 0
    assert not OutboxMessage.objects.exists()
