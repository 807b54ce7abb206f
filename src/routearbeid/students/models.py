"""The young person (student) and their parents or guardians."""

import datetime as dt

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from routearbeid.core.dates import age_on
from routearbeid.core.models import TimeStampedModel

pgn_validator = RegexValidator(r"^\d{9}$", _("A PGN (BSN or education number) has 9 digits."))


class Student(TimeStampedModel):
    school = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="students"
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=150)
    date_of_birth = models.DateField(_("date of birth"))
    class_name = models.CharField(_("class"), max_length=50, blank=True)
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentored_students",
        verbose_name=_("mentor"),
    )
    arrival_date = models.DateField(_("arrival in the Netherlands"), null=True, blank=True)
    languages = models.CharField(_("languages"), max_length=200, blank=True)
    municipality = models.CharField(_("municipality of residence"), max_length=100)
    has_basic_qualification = models.BooleanField(_("startkwalificatie"), default=False)
    basic_qualification_on = models.DateField(
        _("startkwalificatie obtained on"), null=True, blank=True
    )
    pgn = models.CharField(
        _("PGN (BSN or education number)"), max_length=9, blank=True, validators=[pgn_validator]
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # Retention (privacy.retention): set when the personal data was replaced by placeholders.
    anonymised_on = models.DateField(_("anonymised on"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("student")
        verbose_name_plural = _("students")
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            models.Index(fields=["school", "last_name", "first_name"]),
            models.Index(fields=["municipality", "date_of_birth"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(arrival_date__isnull=True) | Q(arrival_date__gte=F("date_of_birth")),
                name="student_arrival_after_birth",
            ),
            models.UniqueConstraint(
                fields=["pgn"], condition=~Q(pgn=""), name="student_unique_pgn"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: dt.date) -> int:
        return age_on(self.date_of_birth, day)


class Guardian(TimeStampedModel):
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="guardians")
    name = models.CharField(_("name"), max_length=200)
    relation = models.CharField(_("relation"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("parent or guardian")
        verbose_name_plural = _("parents and guardians")

    def __str__(self) -> str:
        return self.name
