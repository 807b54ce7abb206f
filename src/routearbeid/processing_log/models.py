"""Who read or changed which personal data, why (in the style of Logboek Dataverwerkingen)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Operation(models.TextChoices):
    READ = "read", _("Read")
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")


class Status(models.TextChoices):
    OK = "ok", _("Carried out")
    # A request for a youth the actor may not see: refused ("not found"), logged all the same.
    DENIED = "denied", _("Access refused")


class AppendOnlyError(Exception):
    """The processing log is append-only: nothing may change or remove a record."""


class ProcessingLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("processing log records cannot be updated")

    def delete(self):
        raise AppendOnlyError("processing log records cannot be deleted")

    # Django's own bulk paths (used by admin actions and cascades) are closed too.
    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("processing log records cannot be updated")

    def _raw_delete(self, using):
        raise AppendOnlyError("processing log records cannot be deleted")


class ProcessingLogRecord(models.Model):
    """Append-only: the application has no path that updates or deletes a record, and on
    PostgreSQL a trigger refuses UPDATE and DELETE (migration 0002)."""

    # Indexed by Meta.indexes: a plain index only (db_index=True adds a second, LIKE-pattern
    # index on PostgreSQL that no query uses; every index is one more write per record).
    trace_id = models.CharField(max_length=32)
    operation = models.CharField(max_length=10, choices=Operation.choices)
    activity = models.CharField(max_length=50)
    # The data subject is kept as a plain id so that the record survives anonymisation; its
    # index is the (subject, at) one in Meta.indexes.
    subject_student_id = models.BigIntegerField(null=True)
    # PROTECT: a user or organisation that processed personal data cannot be deleted (the log
    # must keep saying who it was, and the trigger would refuse the SET NULL anyway); deactivate.
    # Django's PROTECT does that (it looks for records through the actor index, and the
    # organisation's through the (organisation, subject) index) without a database constraint:
    # a foreign key made every page that shows youth check two rows per youth shown, and lock
    # the reader's user and organisation rows for it (issue #7). The ids always come from the
    # request's own user and seats.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_constraint=False,
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OK)

    objects = ProcessingLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("processing log record")
        verbose_name_plural = _("processing log")
        indexes = [
            models.Index(fields=["subject_student_id", "-at"]),
            models.Index(fields=["organisation", "subject_student_id"]),
            models.Index(fields=["trace_id"], name="processing_log_trace_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.operation} {self.activity}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("processing log records cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("processing log records cannot be deleted")
