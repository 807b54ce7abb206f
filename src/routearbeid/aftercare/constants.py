from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SignalKind(models.TextChoices):
    CHECKIN_OVERDUE = "checkin_overdue", _("Check-in overdue")  # R-NZ-3
    SELF_REPORT = "self_report", _("Self-report")  # R-NZ-4
    CONTRACT_END = "contract_end", _("Contract ends")  # R-NZ-5
    JOB_LOSS_THREAT = "job_loss_threat", _("Threat of job loss")  # R-NZ-6
    ABA_NO_DECISION = "aba_no_decision", _("ABA without decision")  # R-ABA-3
    DOELGROEPVERKLARING = "doelgroepverklaring", _("Request doelgroepverklaring")  # R-ABA-4
    LKV_END = "lkv_end", _("LKV ends")  # R-ABA-4
    EXEMPTION_END = "exemption_end", _("Exemption ends")  # R-UIT-2
    AFTERCARE_END = "aftercare_end", _("Aftercare ends")  # R-NZ-7
    RMC_MONITORING_END = "rmc_monitoring_end", _("RMC monitoring ends")  # R-RMC-1
    CONTACT_WORK_SERVICE = "contact_work_service", _("Contact the work service again")
    OTHER = "other", _("Other")


class SignalStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_SIGNAL_STATUSES = (SignalStatus.OPEN, SignalStatus.ACKNOWLEDGED)


class SelfReportKind(models.TextChoices):
    LOST_JOB = "lost_job", _("I lost my job")
    JOB_AT_RISK = "job_at_risk", _("I might lose my job")
    CONTRACT_ENDING = "contract_ending", _("My contract is ending")
    PROBLEMS_AT_WORK = "problems_at_work", _("Problems at work")
    BACK_TO_SCHOOL = "back_to_school", _("I want to go back to school")
    OTHER = "other", _("Something else")


JOB_LOSS_REPORTS = {SelfReportKind.LOST_JOB, SelfReportKind.JOB_AT_RISK}


class ReportChannel(models.TextChoices):
    PORTAL = "portal", _("Own report page")
    PHONE = "phone", _("Phone")
    IN_PERSON = "in_person", _("In person")


class FollowUpWith(models.TextChoices):
    """With whom the work service's client manager had a follow-up contact."""

    YOUTH = "youth", pgettext_lazy("follow-up with", "Youth")
    EMPLOYER = "employer", pgettext_lazy("follow-up with", "Employer")
    BOTH = "both", pgettext_lazy("follow-up with", "Youth and employer")


# Manual signals that staff raise by hand (R-NZ-6 has its own form: job_loss_threat_record).
MANUAL_SIGNAL_KINDS = (SignalKind.CONTACT_WORK_SERVICE,)


# R-NZ-2: the situation is what the youth told; without contact it is not known, and a situation
# stored beside "not reached" would read as if it were. Said by the service and at the situation
# field of both check-in forms (the worklist's and the youth page's).
NO_SITUATION_WITHOUT_CONTACT = _(
    "There was no contact: leave the situation empty, or choose unknown."
)


def situation_without_contact(contact_made: bool, situation: str | None) -> bool:
    """Whether a situation other than unknown is given for a check-in without contact."""
    return not contact_made and (situation or "") not in ("", "unknown")
