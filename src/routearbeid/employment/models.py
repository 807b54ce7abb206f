"""Employers, jobs, the ABA at UWV and the municipality's provisions."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from routearbeid.core.models import TimeStampedModel

from .constants import AbaOutcome, EmploymentKind, ProvisionKind, ProvisionStatus

kvk_validator = RegexValidator(r"^\d{8}$", _("A KvK number has 8 digits."))


class Employer(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200)
    kvk_number = models.CharField(
        _("KvK number"), max_length=8, unique=True, validators=[kvk_validator]
    )
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    sector = models.CharField(_("sector"), max_length=100, blank=True)
    place = models.CharField(_("place"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("employer")
        verbose_name_plural = _("employers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Employment(TimeStampedModel):
    """A job (R-UIT-1); new jobs during aftercare are recorded on the same case (R-NZ-7)."""

    case = models.ForeignKey("route.Case", on_delete=models.CASCADE, related_name="employments")
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="employments")
    kind = models.CharField(_("kind"), max_length=20, choices=EmploymentKind.choices)
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    hours_per_week = models.DecimalField(
        _("hours per week"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    training_institution = models.CharField(_("training institution"), max_length=200, blank=True)
    enrolment_reference = models.CharField(_("enrolment"), max_length=100, blank=True)
    ended_on = models.DateField(_("actually ended on"), null=True, blank=True)

    class Meta:
        verbose_name = _("employment")
        verbose_name_plural = _("employments")
        ordering = ["-starts_on"]
        indexes = [
            models.Index(
                fields=["ends_on"], condition=Q(kind="fixed_term"), name="employment_fixed_end_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="employment_end_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(kind=EmploymentKind.FIXED_TERM) | Q(ends_on__isnull=False),
                name="employment_fixed_term_has_end",
            ),
            models.CheckConstraint(
                condition=~Q(kind=EmploymentKind.DUAL_TRACK) | ~Q(training_institution=""),
                name="employment_dual_track_has_institution",
            ),
            models.CheckConstraint(
                condition=Q(hours_per_week__gt=0), name="employment_positive_hours"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employer} ({self.get_kind_display()})"


class AbaApplication(TimeStampedModel):
    """A request for a work-capacity assessment at UWV (R-ABA-1)."""

    case = models.ForeignKey(
        "route.Case", on_delete=models.CASCADE, related_name="aba_applications"
    )
    submitted_on = models.DateField(_("submitted on"))
    received_on = models.DateField(_("receipt confirmed by UWV on"), null=True, blank=True)
    decided_on = models.DateField(_("decision date"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=32, choices=AbaOutcome.choices, blank=True)

    class Meta:
        verbose_name = _("ABA application")
        verbose_name_plural = _("ABA applications")
        ordering = ["-submitted_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(received_on__isnull=True) | Q(received_on__gte=F("submitted_on")),
                name="aba_received_after_submitted",
            ),
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True) | Q(decided_on__gte=F("submitted_on")),
                name="aba_decided_after_submitted",
            ),
            models.CheckConstraint(
                condition=(Q(decided_on__isnull=True) & Q(outcome=""))
                | (Q(decided_on__isnull=False) & ~Q(outcome="")),
                name="aba_decision_has_outcome",
            ),
        ]


class Provision(TimeStampedModel):
    """A municipal instrument: wage cost subsidy, job coaching, no-risk policy, LKV (R-ABA-4)."""

    case = models.ForeignKey("route.Case", on_delete=models.CASCADE, related_name="provisions")
    kind = models.CharField(_("kind"), max_length=32, choices=ProvisionKind.choices)
    status = models.CharField(_("status"), max_length=20, choices=ProvisionStatus.choices)
    employment = models.ForeignKey(
        Employment, on_delete=models.SET_NULL, null=True, blank=True, related_name="provisions"
    )
    status_on = models.DateField(_("status date"))
    starts_on = models.DateField(_("start date"), null=True, blank=True)
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    doelgroepverklaring_requested_on = models.DateField(
        _("doelgroepverklaring requested on"), null=True, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("provision")
        verbose_name_plural = _("provisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="provision_end_after_start",
            ),
        ]
