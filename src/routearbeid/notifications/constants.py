"""Statuses and choices of e-mail notifications, and the numbers of the outbox sender."""

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from routearbeid.aftercare.constants import SignalKind


class OutboxStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    # Only for a permanent refusal by the mail server (5xx for the address); shown in the admin.
    FAILED = "failed", _("Failed")


class MessageKind(models.TextChoices):
    SIGNAL = "signal", _("Signal")
    DIGEST = "digest", _("Daily digest")


class EmailMode(models.TextChoices):
    URGENT_AND_DIGEST = (
        "urgent_digest",
        _("Urgent signals at once, the rest in one e-mail a day (recommended)"),
    )
    ALL_IMMEDIATE = "immediate", _("Every signal at once")
    DIGEST_ONLY = "digest", _("Everything in one e-mail a day")
    NONE = "none", _("No e-mail (I look at my worklist)")


# A youth's own report and a threat of job loss cannot wait for tomorrow's digest (R-NZ-4, R-NZ-6).
URGENT_SIGNAL_KINDS = frozenset({SignalKind.SELF_REPORT, SignalKind.JOB_LOSS_THREAT})

# The sender: a claim holds a message this long; a worker that dies leaves it to the next one.
LEASE = dt.timedelta(minutes=5)
BATCH_SIZE = 50
# Backoff after a failed attempt: 1, 2, 4, … minutes, never longer than the cap.
BACKOFF_CAP = dt.timedelta(hours=1)
# From this many attempts on, every further failure is logged as an error and the admin lists the
# message under "delivery trouble": retrying goes on at the cap, nothing is dropped.
ALERT_ATTEMPTS = 8

# The daily digest goes out at this local time (after the daily raise of due signals).
DIGEST_TIME = dt.time(7, 30)
# The calendar feed: check-ins as aftercare.selectors.my_checkins; meetings this far ahead.
CALENDAR_MEETING_DAYS = 120
