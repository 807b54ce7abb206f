"""E-mail notifications: the outbox, each person's e-mail preference, the daily digest, and the
secret link of each person's calendar feed."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .constants import EmailMode, MessageKind, OutboxStatus


class OutboxMessage(models.Model):
    """One e-mail to one person. Written in the same transaction as its cause; sent by a task.

    `dedupe_key` names the cause (a signal, a day's digest), so that putting the same e-mail in
    the outbox twice keeps one row. `message_id` is fixed at creation and sent on every attempt,
    so that a receiving server can recognise a repeat delivery (see `services.outbox_deliver`).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outbox_messages"
    )
    # The address at the time of writing: a later change of address does not redirect old mail.
    to_address = models.EmailField(_("e-mail address"))
    subject = models.CharField(_("subject"), max_length=200)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind.choices)
    dedupe_key = models.CharField(max_length=100)
    message_id = models.CharField(_("Message-ID"), max_length=200, unique=True)
    status = models.CharField(
        _("status"), max_length=20, choices=OutboxStatus.choices, default=OutboxStatus.QUEUED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    # Which run of the sender holds the claim; marking "sent" only succeeds for that run.
    claim_token = models.CharField(max_length=32, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # When subject and body were emptied (`services.outbox_redact`): the row stays as the record
    # that the mail went out (or was given up), but no longer names a youth.
    redacted_at = models.DateTimeField(_("content removed"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mail")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="outbox_unique_cause_per_recipient"
            ),
        ]
        indexes = [
            # The sender's claim query: only unsent rows are indexed.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=[OutboxStatus.QUEUED, OutboxStatus.SENDING]),
                name="outbox_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"


class NotificationPreference(models.Model):
    """How a person wants to hear about signals; no row means the default."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_mode = models.CharField(
        _("e-mail about signals"),
        max_length=20,
        choices=EmailMode.choices,
        default=EmailMode.URGENT_AND_DIGEST,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user}: {self.get_email_mode_display()}"


class DigestEntry(models.Model):
    """A signal waiting for a person's next daily digest; `message` is the digest that listed it."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    signal = models.ForeignKey("aftercare.Signal", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    message = models.ForeignKey(
        OutboxMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="entries"
    )

    class Meta:
        verbose_name = _("digest entry")
        verbose_name_plural = _("digest entries")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "signal"], name="digest_entry_once"),
        ]
        indexes = [
            models.Index(
                fields=["recipient"], condition=Q(message__isnull=True), name="digest_pending_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: signal {self.signal_id}"


class NotifiedSignal(models.Model):
    """Marks a signal whose e-mail has been decided, so the daily catch-up skips it."""

    signal = models.OneToOneField(
        "aftercare.Signal", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"signal {self.signal_id}"


class CalendarFeed(models.Model):
    """A person's secret calendar link. Only a hash of the token is kept: the link is shown once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_read_at = models.DateTimeField(_("last read"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar link")
        verbose_name_plural = _("calendar links")

    def __str__(self) -> str:
        return str(self.user)
