"""The processing log (Logboek Dataverwerkingen style) is append-only and complete."""

import pytest
from django.db import connection, transaction
from django.db.models.deletion import ProtectedError
from django.db.utils import DatabaseError
from django.test import Client

from routearbeid.organisations.actors import as_actor
from routearbeid.processing_log.models import AppendOnlyError, ProcessingLogRecord, Status
from routearbeid.processing_log.services import processing_log_record


def one_record(region1, student=None) -> ProcessingLogRecord:
    student = student or region1.student()
    processing_log_record(
        actor=as_actor(region1.coordinator),
        operation="read",
        activity="students.student",
        student_ids=[student.pk],
    )
    return ProcessingLogRecord.objects.filter(subject_student_id=student.pk).latest("id")


def test_a_record_holds_everything_the_logboek_asks(region1):
    """Trace id, operation, processing activity, data subject, actor, organisation, time, status."""
    student = region1.student()
    record = one_record(region1, student)
    assert len(record.trace_id) == 32
    assert record.operation == "read"
    assert record.activity == "students.student"
    assert record.subject_student_id == student.pk
    assert record.actor == region1.coordinator
    assert record.organisation == region1.school
    assert record.at is not None
    assert record.status == Status.OK


def test_a_request_with_w3c_trace_context_logs_its_trace_id(client: Client, region1):
    case = region1.open_case()
    trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    client.force_login(region1.coordinator)
    client.get(
        f"/jongeren/{case.student_id}/", headers={"traceparent": f"00-{trace}-00f067aa0ba902b7-01"}
    )
    reads = ProcessingLogRecord.objects.filter(
        subject_student_id=case.student_id, operation="read", actor=region1.coordinator
    )
    assert reads.exists()
    assert set(reads.values_list("trace_id", flat=True)) == {trace}


def test_unknown_activity_operation_or_status_is_refused(region1):
    actor = as_actor(region1.coordinator)
    for kwargs in (
        {"activity": "nope", "operation": "read"},
        {"activity": "route.case", "operation": "peek"},
        {"activity": "route.case", "operation": "read", "status": "maybe"},
    ):
        with pytest.raises(ValueError):
            processing_log_record(actor=actor, student_ids=[1], **kwargs)


def test_the_application_cannot_update_or_delete_a_record(region1):
    record = one_record(region1)
    record.status = Status.DENIED
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        record.delete()
    with pytest.raises(AppendOnlyError):
        ProcessingLogRecord.objects.filter(pk=record.pk).update(status=Status.DENIED)
    with pytest.raises(AppendOnlyError):
        ProcessingLogRecord.objects.filter(pk=record.pk).delete()
    with pytest.raises(AppendOnlyError):
        ProcessingLogRecord.objects.bulk_update([record], ["status"])
    record.refresh_from_db()
    assert record.status == Status.OK


def test_a_user_who_processed_data_cannot_be_deleted(region1):
    """The log must keep saying who it was: deactivate instead. Django's PROTECT refuses it
    (the log has no database constraint on the actor or the organisation since migration
    0003, issue #7); so for the organisation."""
    one_record(region1)
    with pytest.raises(ProtectedError):
        region1.coordinator.delete()
    assert ProcessingLogRecord.objects.filter(actor=region1.coordinator).exists()
    organisation = ProcessingLogRecord.objects.get(actor=region1.coordinator).organisation
    with pytest.raises(ProtectedError):
        organisation.delete()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the append-only trigger exists only on PostgreSQL (CI runs this with DATABASE_URL)",
)
def test_postgresql_refuses_raw_update_and_delete(region1):
    record = one_record(region1)
    table = ProcessingLogRecord._meta.db_table
    for sql in (
        f"UPDATE {table} SET status = 'denied' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [record.pk])
    record.refresh_from_db()
    assert record.status == Status.OK
