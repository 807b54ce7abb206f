"""Who read or changed which personal data, why (in the style of Logboek Dataverwerkingen)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Operation(models.TextChoices):
    READ = "read", _("Read")
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")


class ProcessingLogRecord(models.Model):
    """Append-only: the application has no path that updates or deletes a record."""

    trace_id = models.CharField(max_length=32, db_index=True)
    operation = models.CharField(max_length=10, choices=Operation.choices)
    activity = models.CharField(max_length=50)
    # The data subject is kept as a plain id so that the record survives anonymisation.
    subject_student_id = models.BigIntegerField(null=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, default="ok")

    class Meta:
        verbose_name = _("processing log record")
        verbose_name_plural = _("processing log")
        indexes = [models.Index(fields=["subject_student_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.operation} {self.activity}"
