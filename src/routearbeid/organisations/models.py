"""Regions, organisations, the people who work in them, and each region's route settings."""

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from .constants import OrganisationKind, Role


class Region(models.Model):
    """A region that runs Route Nieuwkomers; the numbers marked (setting) in the domain live here."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    # R-NZ-1: check-ins during aftercare (2 years, 2 a year)
    aftercare_years = models.PositiveSmallIntegerField(
        _("aftercare years"), default=2, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    checkins_per_year = models.PositiveSmallIntegerField(
        _("check-ins per year"), default=2, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    # R-NZ-3
    checkin_overdue_days = models.PositiveSmallIntegerField(
        _("check-in overdue after (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    # R-NZ-2: a check-in where the youth could not be reached is tried again after this many days.
    checkin_retry_days = models.PositiveSmallIntegerField(
        _("retry an unreached check-in after (days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    # R-ABA-3
    aba_decision_weeks = models.PositiveSmallIntegerField(
        _("ABA decision expected within (weeks)"),
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
    )
    # R-NZ-5
    contract_end_notice_months = models.PositiveSmallIntegerField(
        _("contract end notice (months)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    # R-RMC-1 (the law "van school naar duurzaam werk" raises this to 27)
    rmc_age_limit = models.PositiveSmallIntegerField(
        _("RMC monitoring age limit"),
        default=23,
        validators=[MinValueValidator(18), MaxValueValidator(30)],
    )
    # Retention: anonymise when aftercare and monitoring have both ended plus this many years.
    retention_years = models.PositiveSmallIntegerField(
        _("retention after monitoring (years)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("region")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    name = models.CharField(_("name"), max_length=200)
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"], name="organisation_unique_name_in_region"
            )
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A staff member; what they may do follows from their memberships."""

    # "Log out everywhere" raises this number; it is part of the session hash, so every session
    # made before stops being valid on every device (accounts.services.user_sessions_end).
    session_generation = models.PositiveIntegerField(
        _("session generation"), default=0, editable=False
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django's hash covers only the password; ours also covers the session generation.
        return salted_hmac(
            "routearbeid.organisations.models.User.get_session_auth_hash",
            f"{self.password}\x00{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class Membership(models.Model):
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.organisation}"
