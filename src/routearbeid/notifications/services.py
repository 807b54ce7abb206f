"""E-mail about signals: who hears what and when (their preference), the outbox that delivers it
with retries, the daily digest, and each person's secret calendar link.

Mail holds no personal details of a youth beyond the first name and a link to the youth's page:
the page itself checks who may see what.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import hashlib
import logging
import secrets
import smtplib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from routearbeid.aftercare.constants import ACTIVE_SIGNAL_STATUSES, SignalStatus
from routearbeid.aftercare.models import Signal
from routearbeid.core.dates import today
from routearbeid.core.errors import DomainError
from routearbeid.organisations.actors import Actor, actor_for, as_actor
from routearbeid.organisations.constants import CASE_ROLES
from routearbeid.organisations.models import User
from routearbeid.processing_log.services import processing_log_record
from routearbeid.route.models import Case
from routearbeid.route.selectors import visible_cases_q

from .constants import (
    ALERT_ATTEMPTS,
    BACKOFF_CAP,
    BATCH_SIZE,
    LEASE,
    URGENT_SIGNAL_KINDS,
    EmailMode,
    MessageKind,
    OutboxStatus,
)
from .models import (
    CalendarFeed,
    DigestEntry,
    NotificationPreference,
    NotifiedSignal,
    OutboxMessage,
)

logger = logging.getLogger(__name__)

# Mail is written in Dutch: users have no language of their own yet.
MAIL_LANGUAGE = "nl"


def absolute_url(path: str) -> str:
    return f"{settings.ROUTEARBEID_BASE_URL}{path}"


# --- preferences --------------------------------------------------------------------------------


def email_mode_of(user: User) -> str:
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference.email_mode if preference else EmailMode.URGENT_AND_DIGEST


@transaction.atomic
def preference_set(*, actor: Actor | User, email_mode: str) -> NotificationPreference:
    """Each person sets only their own preference."""
    actor = as_actor(actor)
    if email_mode not in EmailMode.values:
        raise DomainError(gettext("Choose how you want to receive e-mail."))
    preference, _created = NotificationPreference.objects.update_or_create(
        user=actor.user, defaults={"email_mode": email_mode}
    )
    return preference


# --- from signal to outbox ----------------------------------------------------------------------


def signal_recipients(signal: Signal) -> list[User]:
    """The addressed person, else the organisation's active people with a case role; in both cases
    only people with an e-mail address who may see the case (need-to-know)."""
    users = User.objects.filter(is_active=True)
    if signal.person_id:
        users = users.filter(memberships__organisation_id=signal.organisation_id)
        users = users.filter(pk=signal.person_id)
    else:
        # One filter(): the case role must be held at the signal's organisation itself, not
        # elsewhere by someone who has another role (e.g. administrator) here.
        users = users.filter(
            memberships__organisation_id=signal.organisation_id,
            memberships__role__in=CASE_ROLES,
        )
    recipients = []
    for user in users.exclude(email="").distinct().order_by("pk"):
        condition = visible_cases_q(actor_for(user))
        if condition is not None and Case.objects.filter(condition, pk=signal.case_id).exists():
            recipients.append(user)
    return recipients


def signals_raised(signal_ids: list[int]) -> None:
    """Called (on commit) after signals become open; queues e-mail for the people they address.

    Runs after the caller's transaction has committed, so it must never fail the request: an error
    is logged, and the daily catch-up (`signals_catch_up`) picks up any signal left without mail.
    """
    try:
        signals_notify(signal_ids=list(signal_ids))
    except Exception:
        logger.exception("notifications: could not queue e-mail for signals %s", signal_ids)


def signals_notify(*, signal_ids: Iterable[int]) -> int:
    """Decide per recipient: mail now, or into the next daily digest. Returns the mails queued.

    Idempotent: a signal is handled once (NotifiedSignal), and the outbox keeps one mail per
    recipient and cause even if two workers race.
    """
    queued = 0
    signals = (
        Signal.objects.filter(pk__in=list(signal_ids), status=SignalStatus.OPEN)
        .exclude(pk__in=NotifiedSignal.objects.values("signal_id"))
        .select_related("case__student")
        .order_by("pk")
    )
    for signal in signals:
        with transaction.atomic():
            _marker, created = NotifiedSignal.objects.get_or_create(signal=signal)
            if not created:
                continue
            for user in signal_recipients(signal):
                mode = email_mode_of(user)
                if mode == EmailMode.NONE:
                    continue
                urgent = signal.kind in URGENT_SIGNAL_KINDS
                if mode == EmailMode.ALL_IMMEDIATE or (
                    mode == EmailMode.URGENT_AND_DIGEST and urgent
                ):
                    if _signal_mail_enqueue(user, signal) is not None:
                        queued += 1
                else:
                    DigestEntry.objects.get_or_create(recipient=user, signal=signal)
    if queued:
        _deliver_soon()
    return queued


def signals_catch_up(*, since: dt.datetime | None = None) -> int:
    """The safety net: open signals of the last two days that no one was told about."""
    since = since or timezone.now() - dt.timedelta(days=2)
    ids = list(
        Signal.objects.filter(status=SignalStatus.OPEN, raised_at__gte=since)
        .exclude(pk__in=NotifiedSignal.objects.values("signal_id"))
        .values_list("pk", flat=True)
    )
    if ids:
        logger.warning("notifications: catching up on %d signals without e-mail", len(ids))
        signals_notify(signal_ids=ids)
    return len(ids)


def _signal_line(signal: Signal) -> dict:
    student = signal.case.student
    return {
        "kind": signal.get_kind_display(),
        "first_name": student.first_name,
        "due_on": signal.due_on,
        "url": absolute_url(reverse("route:student", args=[student.pk])),
    }


def _mail_context(user: User, **extra) -> dict:
    return {
        "recipient_name": user.first_name or user.username,
        "worklist_url": absolute_url(reverse("worklist")),
        "preferences_url": absolute_url(reverse("notifications:preferences")),
        **extra,
    }


def _signal_mail_enqueue(user: User, signal: Signal) -> OutboxMessage | None:
    with translation.override(MAIL_LANGUAGE):
        line = _signal_line(signal)
        context = _mail_context(user, line=line)
        subject = gettext("Route Arbeid: new signal (%(kind)s)") % {"kind": line["kind"]}
        text = render_to_string("notifications/email/signal.txt", context)
        html = render_to_string("notifications/email/signal.html", context)
    message = outbox_enqueue(
        recipient=user,
        kind=MessageKind.SIGNAL,
        dedupe_key=f"signal-{signal.pk}",
        subject=subject,
        body_text=text,
        body_html=html,
    )
    if message is not None:
        # The recipient learns the youth's first name: a disclosure of personal data.
        processing_log_record(
            actor=actor_for(user),
            operation="read",
            activity="aftercare.signal",
            student_ids=[signal.case.student_id],
        )
    return message


def _message_id() -> str:
    address = email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL or "")[1]
    domain = address.rpartition("@")[2] or "routearbeid.localhost"
    return email.utils.make_msgid(idstring="routearbeid", domain=domain)


def outbox_enqueue(
    *,
    recipient: User,
    kind: str,
    dedupe_key: str,
    subject: str,
    body_text: str,
    body_html: str = "",
) -> OutboxMessage | None:
    """Put one e-mail in the outbox; None when this cause already has its e-mail for this person."""
    if not recipient.email:
        return None
    with transaction.atomic():
        message, created = OutboxMessage.objects.get_or_create(
            recipient=recipient,
            dedupe_key=dedupe_key,
            defaults={
                "to_address": recipient.email,
                "kind": kind,
                "subject": subject[:200],
                "body_text": body_text,
                "body_html": body_html,
                "message_id": _message_id(),
            },
        )
    return message if created else None


def _deliver_soon() -> None:
    """Urgent mail goes out now rather than at the sender's next minute (one waiting run is
    enough: it sends everything that is due)."""
    from routearbeid.core.tasks import run_pending

    from . import tasks

    def enqueue() -> None:
        if not run_pending(tasks.deliver_outbox, count_running=False):
            tasks.deliver_outbox.enqueue()

    transaction.on_commit(enqueue)


# --- the daily digest ---------------------------------------------------------------------------


def digests_build(*, on: dt.date | None = None) -> int:
    """One e-mail per person per day listing their waiting signals; returns the digests queued.

    Signals resolved in the meantime are left out; a second run on the same day queues nothing
    (the digest's key is the day), and what arrived since waits for tomorrow.
    """
    on = on or today()
    key = f"digest-{on.isoformat()}"
    built = 0
    recipient_ids = list(
        DigestEntry.objects.filter(message__isnull=True)
        .values_list("recipient_id", flat=True)
        .distinct()
        .order_by("recipient_id")
    )
    for recipient_id in recipient_ids:
        with transaction.atomic():
            if OutboxMessage.objects.filter(recipient_id=recipient_id, dedupe_key=key).exists():
                continue
            entries = list(
                DigestEntry.objects.select_for_update()
                .filter(recipient_id=recipient_id, message__isnull=True)
                .select_related("recipient", "signal__case__student")
                .order_by("signal__due_on", "signal_id")
            )
            if not entries:
                continue
            user = entries[0].recipient
            wanted = [e for e in entries if e.signal.status in ACTIVE_SIGNAL_STATUSES]
            if not wanted or not user.is_active or email_mode_of(user) == EmailMode.NONE:
                DigestEntry.objects.filter(pk__in=[e.pk for e in entries]).delete()
                continue
            with translation.override(MAIL_LANGUAGE):
                lines = [_signal_line(e.signal) for e in wanted]
                context = _mail_context(user, lines=lines, day=on)
                subject = gettext("Route Arbeid: your signals of %(day)s") % {
                    "day": on.strftime("%d-%m-%Y")
                }
                text = render_to_string("notifications/email/digest.txt", context)
                html = render_to_string("notifications/email/digest.html", context)
            message = outbox_enqueue(
                recipient=user,
                kind=MessageKind.DIGEST,
                dedupe_key=key,
                subject=subject,
                body_text=text,
                body_html=html,
            )
            if message is None:  # no address any more
                DigestEntry.objects.filter(pk__in=[e.pk for e in entries]).delete()
                continue
            DigestEntry.objects.filter(pk__in=[e.pk for e in entries]).update(message=message)
            processing_log_record(
                actor=actor_for(user),
                operation="read",
                activity="aftercare.signal",
                student_ids=[e.signal.case.student_id for e in wanted],
            )
            built += 1
    return built


# --- the sender ---------------------------------------------------------------------------------


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    refused: int = 0
    # Messages that have failed ALERT_ATTEMPTS times or more and are still being retried.
    in_trouble: int = 0
    # Claimed, but the claim lapsed before sending (another run has it or will take it).
    skipped: int = 0


def _due() -> Q:
    now = timezone.now()
    return Q(next_attempt_at__lte=now) & (
        Q(status=OutboxStatus.QUEUED) | Q(status=OutboxStatus.SENDING, claimed_until__lte=now)
    )


def outbox_claim(*, limit: int = BATCH_SIZE) -> tuple[str, list[OutboxMessage]]:
    """Claim due messages for this run: a lease (`claimed_until`), committed before sending.

    Due are queued messages whose next attempt has come, and messages still "sending" whose lease
    has expired (their worker died). On PostgreSQL, workers skip each other's locked rows; on
    SQLite the write transaction is exclusive. The UPDATE repeats the due-condition, so a row
    claimed by another worker in between is not taken twice. Each claim counts as an attempt, so
    a message that kills its worker every time still backs off.
    """
    token = uuid.uuid4().hex
    now = timezone.now()
    with transaction.atomic():
        rows = OutboxMessage.objects.filter(_due()).order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        ids = list(rows.values_list("pk", flat=True)[:limit])
        if ids:
            OutboxMessage.objects.filter(_due(), pk__in=ids).update(
                status=OutboxStatus.SENDING,
                claim_token=token,
                claimed_until=now + LEASE,
                attempts=F("attempts") + 1,
            )
    claimed = list(
        OutboxMessage.objects.filter(claim_token=token, status=OutboxStatus.SENDING).order_by(
            "next_attempt_at", "pk"
        )
    )
    return token, claimed


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4, … minutes after the 1st, 2nd, 3rd … failed attempt, at most BACKOFF_CAP."""
    return min(dt.timedelta(minutes=2 ** min(max(attempts, 1) - 1, 16)), BACKOFF_CAP)


def _email(message: OutboxMessage) -> mail.EmailMultiAlternatives:
    email_message = mail.EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_address],
        headers={"Message-ID": message.message_id, "Auto-Submitted": "auto-generated"},
    )
    if message.body_html:
        email_message.attach_alternative(message.body_html, "text/html")
    return email_message


def _mark_sent(message: OutboxMessage, token: str) -> None:
    with transaction.atomic():
        OutboxMessage.objects.filter(
            pk=message.pk, claim_token=token, status=OutboxStatus.SENDING
        ).update(
            status=OutboxStatus.SENT,
            sent_at=timezone.now(),
            claimed_until=None,
            claim_token="",
            last_error="",
        )


def _mark_failed(
    message: OutboxMessage, token: str, error: BaseException, report: DeliveryReport
) -> None:
    permanent = isinstance(error, smtplib.SMTPRecipientsRefused) and all(
        code >= 500 for code, _text in error.recipients.values()
    )
    text = f"{type(error).__name__}: {error}"[:2000]
    with transaction.atomic():
        OutboxMessage.objects.filter(
            pk=message.pk, claim_token=token, status=OutboxStatus.SENDING
        ).update(
            status=OutboxStatus.FAILED if permanent else OutboxStatus.QUEUED,
            next_attempt_at=timezone.now() + backoff(message.attempts),
            claimed_until=None,
            claim_token="",
            last_error=text,
        )
    if permanent:
        report.refused += 1
        logger.error(
            "notifications: outbox message %s refused by the mail server, not retried: %s",
            message.pk,
            text,
        )
    elif message.attempts >= ALERT_ATTEMPTS:
        report.in_trouble += 1
        logger.error(
            "notifications: outbox message %s still undelivered after %d attempts, "
            "retrying every %s: %s",
            message.pk,
            message.attempts,
            BACKOFF_CAP,
            text,
        )
    else:
        report.retrying += 1
        logger.warning(
            "notifications: outbox message %s attempt %d failed, retry in %s: %s",
            message.pk,
            message.attempts,
            backoff(message.attempts),
            text,
        )


def _lease_renew(message: OutboxMessage, token: str) -> bool:
    """Extend this run's claim on one message just before sending it; False when the claim has
    lapsed (a slow server used up the lease) or another run has claimed the message since."""
    now = timezone.now()
    return bool(
        OutboxMessage.objects.filter(
            pk=message.pk,
            claim_token=token,
            status=OutboxStatus.SENDING,
            claimed_until__gt=now,
        ).update(claimed_until=now + LEASE)
    )


def outbox_send_claimed(token: str, messages: list[OutboxMessage]) -> DeliveryReport:
    """Send claimed messages over one connection; each outcome is committed on its own.

    The one window that no outbox can close: the SMTP server has accepted a message, and the
    worker dies before it commits "sent". When the lease expires, another run sends the message
    again. It carries the same Message-ID header on every attempt (fixed when the message was
    written), so a receiving server or mail client that de-duplicates on Message-ID recognises
    the repeat, and our own records still hold one row. Everything else is exactly-once: a
    failure before the server's acceptance leaves the message queued for a later attempt.

    One claim covers a whole batch, and a slow server can use up the lease halfway. So the lease
    of each message is renewed just before it is sent, on the condition that this run still
    holds it; a message whose claim has lapsed or passed to another run is skipped.
    """
    report = DeliveryReport()
    backend = mail.mailers.default
    try:
        backend.open()
    except Exception as error:  # the server is unreachable: every claimed message waits
        for message in messages:
            _mark_failed(message, token, error, report)
        return report
    try:
        for message in messages:
            if not _lease_renew(message, token):
                report.skipped += 1
                continue
            try:
                backend.send_messages([_email(message)])
            except Exception as error:
                _mark_failed(message, token, error, report)
                # Start the next message on a fresh connection (closing a broken one may fail).
                with contextlib.suppress(Exception):
                    backend.close()
            else:
                _mark_sent(message, token)
                report.sent += 1
    finally:
        with contextlib.suppress(Exception):
            backend.close()
    return report


def outbox_deliver(*, batches: int = 20) -> DeliveryReport:
    """Claim and send what is due, batch after batch (at most `batches`); returns what happened."""
    total = DeliveryReport()
    for _batch in range(batches):
        token, messages = outbox_claim()
        if not messages:
            break
        report = outbox_send_claimed(token, messages)
        total.sent += report.sent
        total.retrying += report.retrying
        total.refused += report.refused
        total.in_trouble += report.in_trouble
        total.skipped += report.skipped
        if len(messages) < BATCH_SIZE:
            break
    return total


def outbox_retry_now(*, message_ids: Iterable[int]) -> int:
    """The administrator's "try again now": failed or waiting messages go back to the front."""
    return OutboxMessage.objects.filter(
        pk__in=list(message_ids),
        status__in=[OutboxStatus.QUEUED, OutboxStatus.FAILED],
        redacted_at__isnull=True,  # its content is gone: nothing left to send
    ).update(status=OutboxStatus.QUEUED, next_attempt_at=timezone.now())


# Retention: the outbox is not a second archive of the case. Subject and body name a youth by first
# name, so they are emptied after SENT_KEPT (sent mail) or UNSENT_KEPT (mail that never went out);
# the row itself stays (recipient, kind, status, dates, Message-ID, cause) as the record of what
# happened. Keeping the row also keeps its cause: the digest entries stay linked to the digest that
# listed them, so an emptied digest is never taken for a signal that still waits for its digest.
SENT_KEPT = dt.timedelta(days=30)
# Mail still undelivered after this long (refused by the server, or retried hourly for two months
# with an error in the log at every attempt) is given up: it becomes "failed" with its content
# removed. What it announced is on the worklist; mail about it now would come far too late.
UNSENT_KEPT = dt.timedelta(days=60)
GIVEN_UP = "Given up: not delivered within 60 days; the content was removed."


def outbox_redact(*, now: dt.datetime | None = None) -> int:
    """Empty the subject and body of old mail (see SENT_KEPT, UNSENT_KEPT); returns how many.

    Queued mail that old is marked failed at the same time, so it can never go out empty. A
    message being sent right now (status "sending") is left alone; the next run takes it.
    """
    now = now or timezone.now()
    emptied = {"subject": "", "body_text": "", "body_html": "", "redacted_at": now}
    fresh = OutboxMessage.objects.filter(redacted_at__isnull=True)
    sent = fresh.filter(status=OutboxStatus.SENT, sent_at__lt=now - SENT_KEPT).update(**emptied)
    old = now - UNSENT_KEPT
    failed = fresh.filter(status=OutboxStatus.FAILED, created_at__lt=old).update(**emptied)
    # The status condition makes this safe next to a sender: a row it claimed is "sending".
    given_up = fresh.filter(status=OutboxStatus.QUEUED, created_at__lt=old).update(
        status=OutboxStatus.FAILED,
        claim_token="",
        claimed_until=None,
        last_error=GIVEN_UP,
        **emptied,
    )
    if given_up:
        logger.error(
            "notifications: %d outbox messages undelivered for %s given up", given_up, UNSENT_KEPT
        )
    return sent + failed + given_up


# --- the calendar link --------------------------------------------------------------------------


def calendar_token_hash(token: str) -> str:
    # The token is 256 random bits: a plain SHA-256 cannot be reversed or guessed.
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_renew(*, actor: Actor | User) -> str:
    """Create (or replace) the actor's secret calendar link; returns the token, shown only once."""
    actor = as_actor(actor)
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(
        user=actor.user,
        defaults={
            "token_hash": calendar_token_hash(token),
            "created_at": timezone.now(),
            "last_read_at": None,
        },
    )
    return token


@transaction.atomic
def calendar_feed_revoke(*, actor: Actor | User) -> bool:
    actor = as_actor(actor)
    deleted, _rows = CalendarFeed.objects.filter(user=actor.user).delete()
    return bool(deleted)
