"""Stages, profiles and other choices of the route."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    ABA = "aba", _("ABA")
    HANDOVER = "handover", _("Handover")
    OUTFLOW = "outflow", _("Outflow")
    AFTERCARE = "aftercare", _("Aftercare")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


ENDED_STAGES = (Stage.CLOSED, Stage.WITHDRAWN)
BEFORE_OUTFLOW = (Stage.CONSULTATION, Stage.ABA, Stage.HANDOVER, Stage.OUTFLOW)


class OutflowProfile(models.TextChoices):
    WORK = "work", _("Work")
    EDUCATION = "education", _("Further education")
    DAYTIME_ACTIVITIES = "daytime_activities", _("Daytime activities")
    OTHER = "other", _("Other")


class LegalBasis(models.TextChoices):
    LEGAL_TASK = "legal_task", _("Legal task (GDPR art. 6(1)(e))")
    CONSENT = "consent", _("Consent")


class HandoverForm(models.TextChoices):
    JOINT_MEETING = "joint_meeting", _("Joint meeting with the youth")
    MEETING = "meeting", _("Meeting")
    PHONE = "phone", _("Phone call")


class Situation(models.TextChoices):
    """R-NZ-2: the youth's situation at a check-in."""

    WORKING_SAME_EMPLOYER = "working_same_employer", _("Working, same employer")
    WORKING_OTHER_EMPLOYER = "working_other_employer", _("Working, other employer")
    DUAL_TRACK = "dual_track", _("Work and learning (dual track)")
    EDUCATION = "education", _("In education")
    DAYTIME_ACTIVITIES = "daytime_activities", _("Daytime activities")
    TRAINING_PROGRAMME = "training_programme", _("Training programme")
    NOT_WORKING_SEEKING = "not_working_seeking", _("Not working, looking for work")
    MOVED_ABROAD = "moved_abroad", _("Moved abroad")
    UNKNOWN = "unknown", _("Unknown")
