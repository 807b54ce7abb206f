"""processing_log 0003: fewer indexes and no foreign-key checks per record, nothing lost."""

import pytest
from django.db import connection

from routearbeid.tests.migrations import migrate, migrate_to_latest

TABLE = "processing_log_processinglogrecord"


def _constraints() -> dict:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, TABLE)


@pytest.mark.django_db(transaction=True)
def test_0003_keeps_the_records_and_leaves_one_index_per_question(region1):
    """After 0003 the log keeps its records; the trace id has one plain index (no LIKE twin on
    PostgreSQL), the subject and the organisation are only in their two-column indexes, and
    neither actor nor organisation is checked by a foreign key (Django's PROTECT stays,
    test_append_only). Backwards restores the indexes and back again."""
    apps = migrate([("processing_log", "0002_append_only")])
    try:
        Record = apps.get_model("processing_log", "ProcessingLogRecord")
        record = Record.objects.create(
            trace_id="a" * 32,
            operation="read",
            activity="students.student",
            subject_student_id=7,
            actor_id=region1.coordinator.pk,
            organisation_id=region1.school.pk,
        )
        before = _constraints()
        assert sum(1 for c in before.values() if c["columns"] == ["trace_id"]) >= 1
        assert any(c["foreign_key"] for c in before.values())

        migrate([("processing_log", "0003_fewer_write_indexes")])
        after = _constraints()
        by_columns = sorted(
            tuple(c["columns"]) for c in after.values() if c["index"] and not c["primary_key"]
        )
        assert by_columns == sorted(
            [
                ("trace_id",),
                ("actor_id",),
                ("subject_student_id", "at"),
                ("organisation_id", "subject_student_id"),
            ]
        )
        assert after["processing_log_trace_idx"]["columns"] == ["trace_id"]
        assert not [name for name, c in after.items() if c["foreign_key"]]
        Record = migrate([("processing_log", "0003_fewer_write_indexes")]).get_model(
            "processing_log", "ProcessingLogRecord"
        )
        kept = Record.objects.get(pk=record.pk)
        assert (kept.trace_id, kept.subject_student_id, kept.actor_id) == (
            "a" * 32,
            7,
            region1.coordinator.pk,
        )

        migrate([("processing_log", "0002_append_only")])
        back = _constraints()
        assert "processing_log_trace_idx" not in back
        assert sum(1 for c in back.values() if c["columns"] == ["trace_id"]) == sum(
            1 for c in before.values() if c["columns"] == ["trace_id"]
        )
    finally:
        migrate_to_latest()
