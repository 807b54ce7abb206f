"""The outbox sender against a real SMTP server: outages, killed workers, retries, no doubles."""

from __future__ import annotations

import datetime as dt
import logging

import time_machine
from django.contrib.admin.sites import site
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from routearbeid.aftercare.constants import SignalKind, SignalStatus
from routearbeid.notifications import services
from routearbeid.notifications.admin import OutboxMessageAdmin, TroubleFilter
from routearbeid.notifications.constants import (
    ALERT_ATTEMPTS,
    BACKOFF_CAP,
    LEASE,
    MessageKind,
    OutboxStatus,
)
from routearbeid.notifications.models import DigestEntry, OutboxMessage
from routearbeid.tests.people import Region1

from .conftest import give_email, open_signal


def queue_urgent_mail(region1, count: int = 3) -> list[OutboxMessage]:
    """`count` self-report signals to school A: one e-mail each to the coordinator and mentor."""
    give_email(region1.coordinator, region1.mentor)
    case = region1.open_case(first_name="Amira")
    for _ in range(count):
        signal = open_signal(case, kind=SignalKind.SELF_REPORT, organisation=region1.school)
        services.signals_notify(signal_ids=[signal.pk])
    messages = list(OutboxMessage.objects.order_by("pk"))
    assert len(messages) == 2 * count
    return messages


def test_smtp_outage_loses_nothing_and_sends_nothing_twice(region1, smtp_server):
    """The SMTP server is down for hours: messages wait with backoff; once it is back every
    message is delivered exactly once, and running the sender again sends nothing more."""
    queued = queue_urgent_mail(region1)
    smtp_server.stop()
    start = timezone.now()

    report = services.outbox_deliver()
    assert (report.sent, report.retrying) == (0, len(queued))
    for message in OutboxMessage.objects.all():
        assert message.status == OutboxStatus.QUEUED
        assert message.attempts == 1
        assert message.last_error
        assert message.next_attempt_at >= start + dt.timedelta(minutes=1)
    # Not due yet: running again does not hammer the server or count attempts.
    assert services.outbox_deliver().retrying == 0
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}

    # Hours of outage: 1, 2, 4, … minutes, then every hour; nothing is dropped.
    moment = start
    for attempt in range(2, ALERT_ATTEMPTS + 3):
        moment += services.backoff(attempt - 1) + dt.timedelta(seconds=1)
        with time_machine.travel(moment, tick=False):
            assert services.outbox_deliver().sent == 0
        assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {attempt}
        assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"queued"}
    assert moment - start > dt.timedelta(hours=2)
    last = OutboxMessage.objects.first()
    assert last is not None
    assert last.next_attempt_at - moment <= BACKOFF_CAP

    smtp_server.start()  # the same port as before
    with time_machine.travel(moment + BACKOFF_CAP + dt.timedelta(seconds=1), tick=False):
        report = services.outbox_deliver()
        assert report.sent == len(queued)
        assert services.outbox_deliver().sent == 0
    assert len(smtp_server.received) == len(queued)
    ids = sorted(r.message_id for r in smtp_server.received)
    assert ids == sorted(m.message_id for m in queued)
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}

    with time_machine.travel(moment + dt.timedelta(days=1), tick=False):
        assert services.outbox_deliver().sent == 0
    assert len(smtp_server.received) == len(queued)


def test_killed_worker_leads_to_one_delivery_after_the_lease(region1, smtp_server):
    """A worker claims messages and dies before sending: after the lease another run sends each
    message once; the dead worker's late "sent" changes nothing."""
    queued = queue_urgent_mail(region1, count=1)
    dead_token, claimed = services.outbox_claim()
    assert {m.pk for m in claimed} == {m.pk for m in queued}

    assert services.outbox_deliver().sent == 0  # the lease still holds
    assert smtp_server.received == []

    with time_machine.travel(timezone.now() + LEASE + dt.timedelta(seconds=1), tick=False):
        assert services.outbox_deliver().sent == len(queued)
        assert services.outbox_deliver().sent == 0
    assert len(smtp_server.received) == len(queued)
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == sorted(
        m.to_address for m in queued
    )
    sent = OutboxMessage.objects.get(pk=claimed[0].pk)
    services._mark_sent(claimed[0], dead_token)  # the dead worker wakes up
    sent_again = OutboxMessage.objects.get(pk=claimed[0].pk)
    assert (sent_again.status, sent_again.sent_at) == (OutboxStatus.SENT, sent.sent_at)
    assert sent.attempts == 2  # the abandoned claim counted as an attempt


def test_accepted_but_not_marked_is_sent_again_with_the_same_message_id(region1, smtp_server):
    """The one window no outbox closes (server accepted, worker killed before marking sent): the
    repeat carries the same Message-ID, so the receiving side can recognise it."""
    queue_urgent_mail(region1, count=1)
    _token, claimed = services.outbox_claim(limit=1)
    services._email(claimed[0]).send(using="default")  # accepted … and then the worker dies
    with time_machine.travel(timezone.now() + LEASE + dt.timedelta(seconds=1), tick=False):
        services.outbox_deliver()
    copies = [r for r in smtp_server.received if r.message_id == claimed[0].message_id]
    assert len(copies) == 2
    assert OutboxMessage.objects.filter(message_id=claimed[0].message_id).count() == 1


def test_enqueueing_twice_makes_one_mail(region1, smtp_server):
    give_email(region1.coordinator)
    case = region1.open_case(first_name="Amira")
    signal = open_signal(case, kind=SignalKind.SELF_REPORT, organisation=region1.school)
    services.signals_notify(signal_ids=[signal.pk])
    services.signals_notify(signal_ids=[signal.pk])
    services.signals_raised([signal.pk])
    message = OutboxMessage.objects.get(recipient=region1.coordinator)
    again = services.outbox_enqueue(
        recipient=region1.coordinator,
        kind="signal",
        dedupe_key=message.dedupe_key,
        subject="x",
        body_text="x",
    )
    assert again is None
    assert OutboxMessage.objects.count() == 1
    services.outbox_deliver()
    assert len(smtp_server.received) == 1


def test_backoff_doubles_from_one_minute_up_to_the_cap():
    minutes = [services.backoff(n).total_seconds() / 60 for n in range(1, 10)]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert services.backoff(10_000) == BACKOFF_CAP


def test_long_failing_mail_is_logged_as_error_and_listed_for_the_administrator(
    region1, smtp_server, caplog
):
    """Never silently given up: past ALERT_ATTEMPTS each failure is an error in the log, the
    message is retried at the cap, and the admin's "delivery trouble" filter lists it."""
    queue_urgent_mail(region1, count=1)
    OutboxMessage.objects.update(attempts=ALERT_ATTEMPTS)
    smtp_server.stop()
    with caplog.at_level(logging.WARNING, logger="routearbeid.notifications.services"):
        report = services.outbox_deliver()
    assert report.in_trouble == 2
    assert any(
        r.levelno == logging.ERROR and "still undelivered" in r.getMessage() for r in caplog.records
    )
    message = OutboxMessage.objects.first()
    assert message is not None
    assert message.status == OutboxStatus.QUEUED
    assert message.next_attempt_at - timezone.now() <= BACKOFF_CAP

    request = RequestFactory().get("/", {"trouble": "yes"})
    request.user = region1.admin
    admin = OutboxMessageAdmin(OutboxMessage, site)
    trouble = TroubleFilter(request, {"trouble": "yes"}, OutboxMessage, admin)
    assert trouble.queryset(request, OutboxMessage.objects.all()).count() == 2


def test_refused_address_is_failed_not_retried_and_can_be_retried_by_hand(region1, smtp_server):
    class Refusing:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            return "550 No such user"

    queue_urgent_mail(region1, count=1)
    smtp_server.stop()
    smtp_server.mailbox = Refusing()  # type: ignore[assignment]
    smtp_server.start()
    report = services.outbox_deliver()
    assert report.refused == 2
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"failed"}
    assert "550" in OutboxMessage.objects.first().last_error  # type: ignore[union-attr]
    with time_machine.travel(timezone.now() + dt.timedelta(days=1), tick=False):
        assert services.outbox_deliver().sent == 0  # not retried on its own
    ids = OutboxMessage.objects.values_list("pk", flat=True)
    assert services.outbox_retry_now(message_ids=ids) == 2
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"queued"}


def test_send_outbox_command_reports_what_it_did(region1, smtp_server, capsys):
    queue_urgent_mail(region1, count=1)
    call_command("send_outbox")
    assert "2 sent" in capsys.readouterr().out
    assert len(smtp_server.received) == 2


def test_admin_shows_delivery_health_without_the_mails_content(client, region1):
    """The functional administrator sees status, attempts and errors, never the youth's name."""
    from django.contrib.auth.models import Permission

    queue_urgent_mail(region1, count=1)
    region1.admin.is_staff = True
    region1.admin.save()
    region1.admin.user_permissions.set(
        Permission.objects.filter(codename__in=["view_outboxmessage", "change_outboxmessage"])
    )
    client.force_login(region1.admin)
    listing = client.get("/beheer/notifications/outboxmessage/?trouble=yes")
    assert listing.status_code == 200
    message = OutboxMessage.objects.first()
    assert message is not None
    detail = client.get(f"/beheer/notifications/outboxmessage/{message.pk}/change/")
    assert detail.status_code == 200
    for page in (listing, client.get("/beheer/notifications/outboxmessage/"), detail):
        assert "Amira" not in page.content.decode()
    assert message.message_id.strip("<>") in detail.content.decode()


def test_sent_mail_is_emptied_after_thirty_days_and_keeps_its_row(region1, smtp_server):
    """Retention: the outbox is not a second archive. After 30 days a delivered mail loses its
    subject and body (they name a youth); the row stays as the record that it went out. Mail
    that is still waiting keeps its content."""
    *delivered, waiting = queue_urgent_mail(region1, count=1)
    OutboxMessage.objects.filter(pk=waiting.pk).update(next_attempt_at=timezone.now() + LEASE)
    services.outbox_deliver()
    sent = OutboxMessage.objects.get(pk=delivered[0].pk)
    assert sent.status == OutboxStatus.SENT
    assert "Amira" in sent.body_text
    later = sent.sent_at + dt.timedelta(days=30)
    assert services.outbox_redact(now=later - dt.timedelta(seconds=1)) == 0
    assert services.outbox_redact(now=later + dt.timedelta(seconds=1)) == 1
    assert services.outbox_redact(now=later + dt.timedelta(days=1)) == 0  # once

    emptied = OutboxMessage.objects.get(pk=sent.pk)
    assert (emptied.subject, emptied.body_text, emptied.body_html) == ("", "", "")
    assert emptied.redacted_at == later + dt.timedelta(seconds=1)
    kept = ("status", "sent_at", "recipient_id", "to_address", "kind", "message_id", "dedupe_key")
    for name in kept:
        assert getattr(emptied, name) == getattr(sent, name), name
    still_waiting = OutboxMessage.objects.get(pk=waiting.pk)
    assert "Amira" in still_waiting.body_text
    assert still_waiting.redacted_at is None
    assert OutboxMessage.objects.count() == 2


def test_a_digest_is_not_sent_again_after_its_content_is_emptied(region1, smtp_server):
    """The digest's entries stay linked to the emptied digest: a signal that is still open after
    30 days is not mailed a second time."""
    give_email(region1.coordinator)
    case = region1.open_case(first_name="Amira")
    signal = open_signal(case, kind=SignalKind.CONTRACT_END, organisation=region1.school)
    services.signals_notify(signal_ids=[signal.pk])
    assert services.digests_build() == 1
    assert services.outbox_deliver().sent == 1
    digest = OutboxMessage.objects.get(kind=MessageKind.DIGEST)

    with time_machine.travel(timezone.now() + dt.timedelta(days=31), tick=False):
        assert services.outbox_redact() == 1
        assert services.digests_build() == 0
        assert services.outbox_deliver().sent == 0
        (entry,) = DigestEntry.objects.filter(signal=signal)
        assert entry.message_id == digest.pk
    signal.refresh_from_db()
    assert signal.status == SignalStatus.OPEN
    assert len(smtp_server.received) == 1
    assert OutboxMessage.objects.get().body_text == ""


def test_mail_undelivered_for_sixty_days_is_emptied_and_stays_failed(region1, smtp_server):
    """Refused mail, and mail that could not be delivered for 60 days, do not keep a youth's
    first name forever: the content goes, the message is (or becomes) failed and is never sent
    empty, not even by the administrator's "try again now"."""
    refused, waiting = queue_urgent_mail(region1, count=1)
    OutboxMessage.objects.filter(pk=refused.pk).update(status=OutboxStatus.FAILED)
    smtp_server.stop()
    start = timezone.now()
    services.outbox_deliver()  # the waiting one fails and is retried later

    assert services.outbox_redact(now=start + dt.timedelta(days=59)) == 0
    with time_machine.travel(start + dt.timedelta(days=61), tick=False):
        assert services.outbox_redact() == 2
        for message in OutboxMessage.objects.all():
            assert message.status == OutboxStatus.FAILED
            assert (message.subject, message.body_text, message.body_html) == ("", "", "")
            assert message.redacted_at is not None
        assert "60 days" in OutboxMessage.objects.get(pk=waiting.pk).last_error
        ids = OutboxMessage.objects.values_list("pk", flat=True)
        assert services.outbox_retry_now(message_ids=ids) == 0
        smtp_server.start()
        assert services.outbox_deliver().sent == 0
    assert smtp_server.received == []


def test_a_lapsed_claim_is_not_sent_by_the_run_that_lost_it(region1, smtp_server):
    """A slow server uses up one run's lease halfway through its batch and a second run claims
    the rest: before each message the first run renews its claim, finds it lost, and skips the
    message. Every message is delivered exactly once."""
    queued = queue_urgent_mail(region1, count=2)
    first_token, first_batch = services.outbox_claim()
    assert len(first_batch) == len(queued)
    lapsed = first_batch[-1]
    OutboxMessage.objects.filter(pk=lapsed.pk).update(
        claimed_until=timezone.now() - dt.timedelta(seconds=1)
    )
    second_token, second_batch = services.outbox_claim()
    assert [m.pk for m in second_batch] == [lapsed.pk]

    first = services.outbox_send_claimed(first_token, first_batch)
    assert (first.sent, first.skipped) == (len(queued) - 1, 1)
    second = services.outbox_send_claimed(second_token, second_batch)
    assert (second.sent, second.skipped) == (1, 0)

    received = sorted(r.message_id for r in smtp_server.received)
    assert received == sorted(m.message_id for m in queued)
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_sending_renews_the_lease_of_each_message_just_before_it_goes(region1, smtp_server):
    """Within its lease a run renews the claim, so a batch that takes longer than LEASE in all
    is not given away halfway; a claim that has lapsed, even unclaimed, is left for the next
    run."""
    queue_urgent_mail(region1, count=1)
    start = timezone.now()
    token, batch = services.outbox_claim()
    with time_machine.travel(start + LEASE - dt.timedelta(seconds=1), tick=False):
        assert services._lease_renew(batch[0], token)
        renewed = OutboxMessage.objects.get(pk=batch[0].pk).claimed_until
        assert renewed == timezone.now() + LEASE
    with time_machine.travel(renewed + dt.timedelta(seconds=1), tick=False):
        report = services.outbox_send_claimed(token, batch)
        assert (report.sent, report.skipped) == (0, 2)
        assert smtp_server.received == []
        assert services.outbox_deliver().sent == 2
    assert len(smtp_server.received) == 2


def staff_admin(user) -> None:
    from django.contrib.auth.models import Permission

    user.is_staff = True
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_outboxmessage", "change_outboxmessage"])
    )


def test_admin_shows_and_retries_only_mail_of_the_administrators_own_organisations(client, region1):
    """The functional administrator of one region sees and retries the outbox of the people of
    their organisations, never another region's mail."""
    region2 = Region1.build(name="Regio Twee")
    own = queue_urgent_mail(region1, count=1)
    give_email(region2.coordinator)
    case = region2.open_case(first_name="Bilal")
    signal = open_signal(case, kind=SignalKind.SELF_REPORT, organisation=region2.school)
    services.signals_notify(signal_ids=[signal.pk])
    other = OutboxMessage.objects.get(recipient=region2.coordinator)
    OutboxMessage.objects.update(status=OutboxStatus.FAILED)

    staff_admin(region1.admin)
    client.force_login(region1.admin)
    listing = client.get("/beheer/notifications/outboxmessage/")
    assert listing.status_code == 200
    assert {m.pk for m in listing.context["cl"].result_list} == {m.pk for m in own}
    detail = client.get(f"/beheer/notifications/outboxmessage/{other.pk}/change/")
    assert detail.status_code == 302  # the admin's "does not exist", not the message
    assert client.get(f"/beheer/notifications/outboxmessage/{own[0].pk}/change/").status_code == (
        200
    )

    client.post(
        "/beheer/notifications/outboxmessage/",
        {"action": "retry_now", "_selected_action": [other.pk, own[0].pk]},
    )
    statuses = dict(OutboxMessage.objects.values_list("pk", "status"))
    assert statuses[own[0].pk] == OutboxStatus.QUEUED
    assert statuses[other.pk] == OutboxStatus.FAILED

    staff_admin(region2.admin)
    client.force_login(region2.admin)
    listing = client.get("/beheer/notifications/outboxmessage/")
    assert {m.pk for m in listing.context["cl"].result_list} == {other.pk}
