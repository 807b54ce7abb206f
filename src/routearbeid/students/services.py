"""The writers of students: the import from the school administration (Magister, Somtoday).

An import goes: `student_import_start` (upload) → `student_import_map` (columns, check every row:
the preview) → `student_import_confirm` (queues the task) → `student_import_write` (the task:
writes in batches and counts progress) — or `student_import_cancel`. Nothing is written to the
students before the confirmation.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import Sequence
from typing import Any, cast

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from routearbeid.core.errors import DomainError, NotFound
from routearbeid.core.tasks import STALE_RUN
from routearbeid.organisations.actors import Actor, actor_for, as_actor
from routearbeid.processing_log.services import processing_log_record
from routearbeid.processing_log.trace import current_trace_id, reset_trace_id, set_trace_id

from . import importing
from .importing import CREATE, UPDATE, RowCheck
from .models import (
    ACTIVE_IMPORT_STATUSES,
    OPEN_IMPORT_STATUSES,
    ImportStatus,
    Student,
    StudentImport,
)

logger = logging.getLogger(__name__)

# An import (with its rows and errors) is kept at most this long; older ones of the school are
# deleted when it starts a new import. Rows are emptied as soon as an import is finished.
IMPORT_RETENTION_DAYS = 30
# Rows written per transaction: the progress bar moves per batch, and a batch is all or nothing.
WRITE_BATCH = 1_000


def _import_for(actor: Actor, import_id: int, *, with_rows: bool = False) -> StudentImport:
    batch = importing.import_get(actor=actor, import_id=import_id, with_rows=with_rows)
    # Lock against a second request on the same import (double click) on PostgreSQL; SQLite
    # transactions are IMMEDIATE (settings), so they are one at a time anyway.
    return (
        StudentImport.objects.select_for_update()
        .select_related("school")
        .defer(*(() if with_rows else ("rows",)))
        .get(pk=batch.pk)
    )


@transaction.atomic
def student_import_start(
    *, actor: Actor, school_id: int, file_name: str, data: bytes
) -> StudentImport:
    """Read an upload into a new import of the school (its rows in the database, the file not
    kept) and recognise its columns. ImportFileError for a file that cannot be used."""
    actor = as_actor(actor)
    if school_id not in importing.importing_school_ids(actor):
        raise NotFound("not found")
    parsed = importing.parse_file(file_name, data)
    cutoff = timezone.now() - dt.timedelta(days=IMPORT_RETENTION_DAYS)
    StudentImport.objects.filter(school_id=school_id, created_at__lt=cutoff).delete()
    return StudentImport.objects.create(
        school_id=school_id,
        created_by=actor.user,
        file_name=file_name[:255],
        headers=parsed.headers,
        rows=parsed.rows,
        mapping=importing.guess_mapping(parsed.headers),
        total_rows=len(parsed.rows),
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )


@transaction.atomic
def student_import_map(
    *, actor: Actor, import_id: int, mapping: dict[str, int | None]
) -> StudentImport:
    """Use these columns and check every row: the preview. Nothing is written to the students."""
    actor = as_actor(actor)
    batch = _import_for(actor, import_id, with_rows=True)
    if batch.status not in OPEN_IMPORT_STATUSES:
        raise DomainError(_("This import has already been confirmed or cancelled."))
    mapping = {key: mapping.get(key) for key in importing.FIELD_BY_KEY}
    errors = importing.mapping_errors(mapping, len(batch.headers))
    if errors:
        raise DomainError(" ".join(errors))
    checks = importing.check_rows(school_id=batch.school_id, rows=batch.rows, mapping=mapping)
    batch.mapping = mapping
    batch.summary = importing.summarise(checks)
    batch.status = ImportStatus.PREVIEW
    batch.save(update_fields=["mapping", "summary", "status", "updated_at"])
    return batch


@transaction.atomic
def student_import_confirm(*, actor: Actor, import_id: int) -> StudentImport:
    """The coordinator agrees: queue the task that writes (rows with errors are skipped)."""
    from . import tasks

    actor = as_actor(actor)
    batch = _import_for(actor, import_id)
    if batch.status != ImportStatus.PREVIEW:
        raise DomainError(_("This import has already been confirmed or cancelled."))
    # An import whose worker died stops counting after STALE_RUN without progress.
    if (
        StudentImport.objects.filter(
            school_id=batch.school_id,
            status__in=ACTIVE_IMPORT_STATUSES,
            updated_at__gte=timezone.now() - STALE_RUN,
        )
        .exclude(pk=batch.pk)
        .exists()
    ):
        raise DomainError(
            _("Another import for this school is still running. Wait until it is done.")
        )
    batch.status = ImportStatus.QUEUED
    batch.confirmed_by = actor.user
    batch.confirmed_at = timezone.now()
    batch.trace_id = current_trace_id()
    batch.processed_rows = 0
    batch.save(
        update_fields=[
            "status",
            "confirmed_by",
            "confirmed_at",
            "trace_id",
            "processed_rows",
            "updated_at",
        ]
    )
    batch_id = batch.pk
    transaction.on_commit(lambda: tasks.student_import_run.enqueue(batch_id))
    return batch


@transaction.atomic
def student_import_cancel(*, actor: Actor, import_id: int) -> StudentImport:
    """Stop before anything is written; the rows are deleted at once."""
    actor = as_actor(actor)
    batch = _import_for(actor, import_id)
    if batch.status not in OPEN_IMPORT_STATUSES:
        raise DomainError(_("This import has already been confirmed or cancelled."))
    batch.status = ImportStatus.CANCELLED
    batch.rows = []
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "rows", "finished_at", "updated_at"])
    return batch


# An upload nobody confirms or cancels: its rows (names, dates of birth, PGNs) are deleted after a
# day; every import, with its summary, after IMPORT_RETENTION_DAYS (the daily run).
UNCONFIRMED_ROWS_DAYS = 1


def student_imports_expire(*, now=None) -> dict[str, int]:
    """The daily job (aftercare.tasks.DAILY_JOBS): forget what the import page promises to forget."""
    now = now or timezone.now()
    abandoned = StudentImport.objects.filter(
        status__in=OPEN_IMPORT_STATUSES,
        updated_at__lt=now - dt.timedelta(days=UNCONFIRMED_ROWS_DAYS),
    ).update(status=ImportStatus.CANCELLED, rows=[], finished_at=now, updated_at=now)
    deleted, _by_model = StudentImport.objects.filter(
        created_at__lt=now - dt.timedelta(days=IMPORT_RETENTION_DAYS)
    ).delete()
    return {"abandoned": abandoned, "deleted": deleted}


def student_import_write(*, import_id: int) -> StudentImport:
    """Write a confirmed import (the task calls this). The rows are checked again against the
    students as they are now, then written in batches of WRITE_BATCH rows, each batch in its own
    transaction so the progress shows; a re-import finishes what a failed one left.

    Two queries to read the school's students and other schools' PGNs; per batch one
    bulk_create, one bulk_update, one bulk insert of processing-log records, one progress update.
    """
    claimed = StudentImport.objects.filter(pk=import_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, updated_at=timezone.now()
    )
    batch = StudentImport.objects.select_related("school", "confirmed_by").get(pk=import_id)
    if not claimed:
        return batch  # already run, or cancelled: never twice
    token = set_trace_id(batch.trace_id) if batch.trace_id else None
    try:
        actor = actor_for(batch.confirmed_by) if batch.confirmed_by else None
        if actor is None or batch.school_id not in importing.importing_school_ids(actor):
            return _finish(batch, failure=_("The person who confirmed may no longer import."))
        with translation.override(batch.language or settings.LANGUAGE_CODE):
            checks = importing.check_rows(
                school_id=batch.school_id, rows=batch.rows, mapping=batch.mapping
            )
        _write(batch, actor, checks)
    except Exception:
        logger.exception("student import %s failed", import_id)
        _finish(
            StudentImport.objects.get(pk=import_id),
            failure=_(
                "The import stopped because of an error. Rows written before it are kept; "
                "import the file again to finish."
            ),
        )
        raise
    finally:
        if token is not None:
            reset_trace_id(token)
    return batch


def _write(batch: StudentImport, actor: Actor, checks: Sequence[RowCheck]) -> None:
    summary = importing.summarise(checks)
    counts = dict.fromkeys(("created", "updated"), 0)
    for start in range(0, len(checks), WRITE_BATCH):
        part = checks[start : start + WRITE_BATCH]
        with transaction.atomic():
            created, updated = _write_part(batch, actor, part)
            counts["created"] += created
            counts["updated"] += updated
            StudentImport.objects.filter(pk=batch.pk).update(
                processed_rows=start + len(part),
                created_count=counts["created"],
                updated_count=counts["updated"],
                updated_at=timezone.now(),
            )
    batch.created_count = counts["created"]
    batch.updated_count = counts["updated"]
    batch.unchanged_count = summary["counts"][importing.UNCHANGED]
    batch.skipped_count = summary["counts"][importing.ERROR]
    batch.processed_rows = len(checks)
    # The errors as they were at the moment of writing (they may differ from the preview).
    batch.summary = {**summary, "samples": {}}
    _finish(batch)


def _write_part(batch: StudentImport, actor: Actor, part: Sequence[RowCheck]) -> tuple[int, int]:
    now = timezone.now()
    new = [
        Student(school_id=batch.school_id, **_student_values(c.values))
        for c in part
        if c.action == CREATE
    ]
    changed: list[Student] = []
    fields: set[str] = set()
    for check in part:
        if check.action != UPDATE:
            continue
        student = check.student
        assert student is not None  # check_rows matched it
        for key in check.changed:
            setattr(student, key, check.values[key])
        student.updated_at = now
        fields.update(check.changed)
        changed.append(student)
    if new:
        Student.objects.bulk_create(new)
        processing_log_record(
            actor=actor,
            operation="create",
            activity="students.student",
            student_ids=[s.pk for s in new],
            organisation_id=batch.school_id,
        )
    if changed:
        _update_students(changed, sorted(fields), now)
        processing_log_record(
            actor=actor,
            operation="update",
            activity="students.student",
            student_ids=[s.pk for s in changed],
            organisation_id=batch.school_id,
        )
        born = [
            c.student.pk
            for c in part
            if c.action == UPDATE and c.student is not None and "date_of_birth" in c.changed
        ]
        if born:
            # R-RMC-1: a corrected date of birth moves the end of the RMC's monitoring
            from routearbeid.route.services import monitoring_ends_follow

            monitoring_ends_follow(student_ids=born, actor=actor)
    return len(new), len(changed)


def _update_students(students: list[Student], fields: list[str], now: dt.datetime) -> None:
    """Save these fields of these students: one UPDATE … FROM (VALUES …) per
    `max_query_params` on SQLite (3.33+) and PostgreSQL. Django's bulk_update builds a CASE WHEN
    per row and field, which costs seconds of Python for 10,000 rows; elsewhere it is the fallback.
    """
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql") or (
        vendor == "sqlite" and sqlite3.sqlite_version_info < (3, 33)
    ):
        Student.objects.bulk_update(students, [*fields, "updated_at"])
        return
    meta = Student._meta
    qn = connection.ops.quote_name
    table = qn(meta.db_table)
    columns = [cast(models.Field, meta.get_field(f)) for f in fields]
    updated_at = cast(models.Field, meta.get_field("updated_at"))
    assignments = ", ".join(f"{qn(str(c.column))} = v.column{i + 2}" for i, c in enumerate(columns))
    row_sql = "(" + ", ".join(["%s"] * (1 + len(columns))) + ")"
    limit = connection.features.max_query_params or 30_000
    per_query = max(1, (limit - 1) // (1 + len(columns)))
    with connection.cursor() as cursor:
        for start in range(0, len(students), per_query):
            part = students[start : start + per_query]
            params: list[Any] = [updated_at.get_db_prep_save(now, connection)]
            for student in part:
                params.append(student.pk)
                params.extend(
                    c.get_db_prep_save(getattr(student, c.attname), connection) for c in columns
                )
            cursor.execute(
                f"UPDATE {table} SET {assignments}, {qn(str(updated_at.column))} = %s "
                f"FROM (VALUES {', '.join([row_sql] * len(part))}) AS v "
                f"WHERE {table}.{qn(str(meta.pk.column))} = v.column1",
                params,
            )


def _student_values(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k in importing.STUDENT_FIELDS}


def _finish(batch: StudentImport, *, failure: Any = "") -> StudentImport:
    batch.status = ImportStatus.FAILED if failure else ImportStatus.DONE
    # The English message: the page translates it into the reader's language.
    with translation.override("en"):
        batch.failure = str(failure)
    batch.rows = []
    batch.finished_at = timezone.now()
    batch.save(
        update_fields=[
            "status",
            "failure",
            "rows",
            "finished_at",
            "summary",
            "created_count",
            "updated_count",
            "unchanged_count",
            "skipped_count",
            "processed_rows",
            "updated_at",
        ]
    )
    return batch
