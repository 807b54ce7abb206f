from django.db import models
from django.utils.translation import gettext_lazy as _


class EmploymentKind(models.TextChoices):
    PERMANENT = "permanent", _("Permanent contract")
    FIXED_TERM = "fixed_term", _("Fixed-term contract")
    DUAL_TRACK = "dual_track", _("Work and learning (dual track, e.g. BBL)")
    OTHER = "other", _("Other")


class AbaOutcome(models.TextChoices):
    INDICATIE_BANENAFSPRAAK = "indicatie_banenafspraak", _("Indication banenafspraak")
    WAJONG = "wajong", _("Wajong")
    ADVIES_BESCHUT_WERK = "advies_beschut_werk", _("Advice sheltered work")
    REJECTED = "rejected", _("Rejected")


class ProvisionKind(models.TextChoices):
    WAGE_COST_SUBSIDY = "wage_cost_subsidy", _("Wage cost subsidy (loonkostensubsidie)")
    JOB_COACHING = "job_coaching", _("Job coaching")
    NO_RISK_POLICY = "no_risk_policy", _("No-risk policy")
    LKV = "lkv", _("Wage cost advantage (LKV)")


class ProvisionStatus(models.TextChoices):
    ADVISED = "advised", _("Advised")
    REQUESTED = "requested", _("Requested")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
    ENDED = "ended", _("Ended")


# R-ABA-4: these provisions exist only for youth in the doelgroepregister
REGISTER_ONLY_PROVISIONS = {ProvisionKind.NO_RISK_POLICY, ProvisionKind.LKV}
LKV_MAX_YEARS = 3  # R-ABA-4: LKV at most 3 years from employment start (law)
DOELGROEPVERKLARING_MONTHS = 3  # R-ABA-4: request within 3 months of employment start (law)
DOELGROEPVERKLARING_WARNING_DAYS = 14  # R-ABA-4: signal 2 weeks before that date
