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
            # the youth list's order (issue #7); trigram indexes for its search: 0004
            models.Index(fields=["last_name", "first_name", "id"], name="student_name_order_idx"),
            # the mentors of a school for the youth list's filter, one probe per person: through
            # the mentor's own index PostgreSQL read every youth of each mentor and dropped
            # those of other schools (40 ms of a school's list at 100,000 cases, issue #7)
            models.Index(fields=["school", "mentor"], name="student_school_mentor_idx"),
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


class ImportStatus(models.TextChoices):
    MAPPING = "mapping", _("Choose the columns")
    PREVIEW = "preview", _("Ready to check")
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


# An import that is waiting for the coordinator (or running): the parsed rows are still kept.
OPEN_IMPORT_STATUSES = (ImportStatus.MAPPING, ImportStatus.PREVIEW)
ACTIVE_IMPORT_STATUSES = (ImportStatus.QUEUED, ImportStatus.RUNNING)
FINAL_IMPORT_STATUSES = (ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.CANCELLED)


class StudentImport(TimeStampedModel):
    """One upload of a school administration export (Magister, Somtoday) into a school's students.

    The parsed rows wait here as JSON (never on disk; the uploaded file itself is not kept) until
    the coordinator confirms; they are emptied once the import has finished or was cancelled, and
    the whole record is deleted after `IMPORT_RETENTION_DAYS` (students.services).
    """

    school = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="student_imports",
        verbose_name=_("school"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.MAPPING
    )
    # The file's column names, its rows as [row number in the file, [cell, ...]], and which
    # column holds which student field ({field key: column index}).
    headers = models.JSONField(default=list)
    rows = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)
    # The preview: counts, the first rows of each kind and the row errors (students.importing).
    summary = models.JSONField(default=dict)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    failure = models.TextField(blank=True)
    # The uploader's language: the task words the row errors in it.
    language = models.CharField(max_length=10, blank=True)
    # The confirming request's trace id: the writes of the task are logged under it.
    trace_id = models.CharField(max_length=32, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("student import")
        verbose_name_plural = _("student imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["school", "created_at"])]

    def __str__(self) -> str:
        return self.file_name

    @property
    def percent_done(self) -> int:
        if not self.total_rows:
            return 100 if self.status == ImportStatus.DONE else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_IMPORT_STATUSES
