"""The import's writers: nothing written before confirmation, the task writes in batches with
progress and bulk processing-log records, a re-import updates instead of duplicating, and only
the school's own coordinators may import."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from routearbeid.core.errors import DomainError, NotFound
from routearbeid.processing_log.models import ProcessingLogRecord
from routearbeid.students import services
from routearbeid.students.importing import ImportFileError
from routearbeid.students.models import ImportStatus, Student, StudentImport

HEADER = "Leerlingnummer;Roepnaam;Voorvoegsel;Achternaam;Geboortedatum;Stamgroep;BSN;Woonplaats\n"


def csv_file(*lines: str) -> bytes:
    return (HEADER + "".join(f"{line}\n" for line in lines)).encode()


ROWS = (
    "1;Ali;;Demir;01-02-2008;ISK1;123456782;Alkmaar",
    "2;Sara;van;Dijk;2007-05-03;ISK2;;Heiloo",
    "3;Omar;;Haddad;31-02-2008;ISK2;;Alkmaar",  # no such date: skipped
)


def start(region1, data: bytes, *, actor=None, school=None) -> StudentImport:
    return services.student_import_start(
        actor=actor or region1.coordinator,
        school_id=(school or region1.school).pk,
        file_name="leerlingen.csv",
        data=data,
    )


def preview(region1, data: bytes, **kwargs) -> StudentImport:
    batch = start(region1, data, **kwargs)
    return services.student_import_map(
        actor=kwargs.get("actor") or region1.coordinator,
        import_id=batch.pk,
        mapping=batch.mapping,
    )


def confirm(region1, batch, capture, actor=None) -> StudentImport:
    with capture(execute=True):
        services.student_import_confirm(actor=actor or region1.coordinator, import_id=batch.pk)
    batch.refresh_from_db()
    return batch


def test_nothing_is_written_before_confirmation(region1):
    batch = preview(region1, csv_file(*ROWS))
    assert batch.status == ImportStatus.PREVIEW
    assert batch.summary["counts"] == {"create": 2, "update": 0, "unchanged": 0, "error": 1}
    assert Student.objects.count() == 0
    assert ProcessingLogRecord.objects.filter(operation="create").count() == 0


def test_confirm_writes_the_valid_rows_and_skips_the_rows_with_errors(
    region1, django_capture_on_commit_callbacks
):
    batch = confirm(region1, preview(region1, csv_file(*ROWS)), django_capture_on_commit_callbacks)
    assert batch.status == ImportStatus.DONE
    assert (batch.created_count, batch.updated_count, batch.skipped_count) == (2, 0, 1)
    assert batch.processed_rows == batch.total_rows == 3
    assert batch.rows == []  # the parsed rows are not kept after the import
    ali = Student.objects.get(pgn="123456782")
    assert (ali.first_name, ali.last_name, ali.school_id) == ("Ali", "Demir", region1.school.pk)
    sara = Student.objects.get(first_name="Sara")
    assert sara.last_name == "van Dijk"
    assert sara.date_of_birth == dt.date(2007, 5, 3)
    assert not Student.objects.filter(first_name="Omar").exists()
    assert batch.summary["errors"][0]["row"] == 4
    logged = ProcessingLogRecord.objects.filter(activity="students.student", operation="create")
    assert sorted(logged.values_list("subject_student_id", flat=True)) == sorted([ali.pk, sara.pk])
    assert set(logged.values_list("organisation_id", flat=True)) == {region1.school.pk}
    assert set(logged.values_list("actor_id", flat=True)) == {region1.coordinator.pk}
    assert set(logged.values_list("trace_id", flat=True)) == {batch.trace_id}


def test_a_re_import_updates_instead_of_duplicating(region1, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    confirm(region1, preview(region1, csv_file(*ROWS[:2])), capture)
    first_ids = set(Student.objects.values_list("pk", flat=True))
    ali = Student.objects.get(pgn="123456782")
    stamp = ali.updated_at

    same = preview(region1, csv_file(*ROWS[:2]))
    assert same.summary["counts"] == {"create": 0, "update": 0, "unchanged": 2, "error": 0}
    # Nothing to write: confirming rewrites nothing.
    same = confirm(region1, same, capture)
    assert (same.created_count, same.updated_count, same.unchanged_count) == (0, 0, 2)
    ali.refresh_from_db()
    assert ali.updated_at == stamp

    changed = preview(
        region1,
        csv_file(
            "1;Ali;;Demir;01-02-2008;ISK3;123456782;Alkmaar",  # new class
            "2;Sara;van;Dijk;3-5-2007;ISK2;;Heiloo",  # the same, with the date written otherwise
            "3;Noor;;Bakker;01-01-2008;ISK3;;Bergen",
        ),
    )
    assert changed.summary["counts"] == {"create": 1, "update": 1, "unchanged": 1, "error": 0}
    changed = confirm(region1, changed, capture)
    assert (changed.created_count, changed.updated_count) == (1, 1)
    assert Student.objects.count() == 3
    assert first_ids < set(Student.objects.values_list("pk", flat=True))
    ali.refresh_from_db()
    assert ali.class_name == "ISK3"
    assert ali.updated_at > stamp
    updated = ProcessingLogRecord.objects.filter(activity="students.student", operation="update")
    assert list(updated.values_list("subject_student_id", flat=True)) == [ali.pk]


def test_the_write_checks_again_what_changed_since_the_preview(
    region1, django_capture_on_commit_callbacks
):
    batch = preview(region1, csv_file(*ROWS[:2]))
    assert batch.summary["counts"]["create"] == 2
    # Meanwhile another school registered Ali's PGN: that row is skipped, not a crash.
    region1.student(school=region1.other_school, pgn="123456782")
    batch = confirm(region1, batch, django_capture_on_commit_callbacks)
    assert batch.status == ImportStatus.DONE
    assert (batch.created_count, batch.skipped_count) == (1, 1)
    assert "cannot be imported for this school" in batch.summary["errors"][0]["messages"][0]


def test_the_write_runs_in_batches_and_counts_progress(
    region1, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(services, "WRITE_BATCH", 2)
    seen: list[int] = []
    original = services._write_part

    def spy(batch, actor, part):
        seen.append(StudentImport.objects.get(pk=batch.pk).processed_rows)
        return original(batch, actor, part)

    monkeypatch.setattr(services, "_write_part", spy)
    lines = [f"{i};Naam{i};;Achter;01-02-2008;ISK1;;Alkmaar" for i in range(5)]
    batch = confirm(region1, preview(region1, csv_file(*lines)), django_capture_on_commit_callbacks)
    assert seen == [0, 2, 4]
    assert batch.processed_rows == 5 and batch.created_count == 5


@pytest.mark.parametrize("rows", [20, 200])
def test_writing_costs_the_same_queries_for_20_or_200_rows(
    region1, django_capture_on_commit_callbacks, django_assert_max_num_queries, rows
):
    """Speed: no query per row (bulk_create, bulk_update, bulk processing-log records)."""
    lines = [f"{i};Naam{i};;Achter;01-02-2008;ISK1;{300000000 + i};Alkmaar" for i in range(rows)]
    batch = preview(region1, csv_file(*lines))
    services.student_import_confirm(actor=region1.coordinator, import_id=batch.pk)
    StudentImport.objects.filter(pk=batch.pk).update(status=ImportStatus.QUEUED)
    with django_assert_max_num_queries(11):
        services.student_import_write(import_id=batch.pk)
    assert Student.objects.count() == rows


def test_only_the_schools_own_coordinator_may_import(region1):
    data = csv_file(*ROWS)
    for person in (region1.mentor, region1.other_coordinator, region1.rmc_officer, region1.admin):
        with pytest.raises(NotFound):
            start(region1, data, actor=person)
    batch = start(region1, data)
    for person in (region1.mentor, region1.other_coordinator):
        with pytest.raises(NotFound):
            services.student_import_map(actor=person, import_id=batch.pk, mapping=batch.mapping)
        with pytest.raises(NotFound):
            services.student_import_confirm(actor=person, import_id=batch.pk)
        with pytest.raises(NotFound):
            services.student_import_cancel(actor=person, import_id=batch.pk)


def test_required_fields_must_be_mapped(region1):
    batch = start(region1, csv_file(*ROWS))
    mapping = {**batch.mapping, "date_of_birth": None, "first_name": batch.mapping["last_name"]}
    with pytest.raises(DomainError) as error:
        services.student_import_map(actor=region1.coordinator, import_id=batch.pk, mapping=mapping)
    assert "Choose the column that holds the date of birth." in str(error.value.message)
    assert "One column is chosen for both" in str(error.value.message)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.MAPPING


def test_a_bad_file_creates_no_import(region1):
    with pytest.raises(ImportFileError):
        start(region1, b"")
    assert StudentImport.objects.count() == 0


def test_cancel_writes_nothing_and_forgets_the_rows(region1, django_capture_on_commit_callbacks):
    batch = preview(region1, csv_file(*ROWS))
    services.student_import_cancel(actor=region1.coordinator, import_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CANCELLED and batch.rows == []
    with pytest.raises(DomainError):
        services.student_import_confirm(actor=region1.coordinator, import_id=batch.pk)
    assert Student.objects.count() == 0


def test_an_import_runs_once(region1, django_capture_on_commit_callbacks):
    batch = confirm(region1, preview(region1, csv_file(*ROWS)), django_capture_on_commit_callbacks)
    with pytest.raises(DomainError):
        services.student_import_confirm(actor=region1.coordinator, import_id=batch.pk)
    StudentImport.objects.filter(pk=batch.pk).update(status=ImportStatus.QUEUED)
    services.student_import_write(import_id=batch.pk)  # nothing left to write: rows are gone
    assert Student.objects.count() == 2


def test_one_import_per_school_at_a_time(region1):
    first = preview(region1, csv_file(*ROWS))
    StudentImport.objects.filter(pk=first.pk).update(status=ImportStatus.RUNNING)
    second = preview(region1, csv_file(*ROWS))
    with pytest.raises(DomainError) as error:
        services.student_import_confirm(actor=region1.coordinator, import_id=second.pk)
    assert "still running" in str(error.value.message)


def test_old_imports_of_the_school_are_deleted_when_a_new_one_starts(region1):
    old = start(region1, csv_file(*ROWS))
    recent = start(region1, csv_file(*ROWS))
    other_school = start(
        region1, csv_file(*ROWS), actor=region1.other_coordinator, school=region1.other_school
    )
    long_ago = timezone.now() - dt.timedelta(days=services.IMPORT_RETENTION_DAYS + 1)
    StudentImport.objects.filter(pk__in=[old.pk, other_school.pk]).update(created_at=long_ago)
    start(region1, csv_file(*ROWS))
    remaining = set(StudentImport.objects.values_list("pk", flat=True))
    assert old.pk not in remaining
    assert {recent.pk, other_school.pk} <= remaining


def test_a_coordinator_who_lost_the_role_before_the_task_ran_writes_nothing(
    region1, django_capture_on_commit_callbacks
):
    batch = preview(region1, csv_file(*ROWS))
    services.student_import_confirm(actor=region1.coordinator, import_id=batch.pk)
    region1.coordinator.memberships.all().delete()
    region1.coordinator = type(region1.coordinator).objects.get(pk=region1.coordinator.pk)
    services.student_import_write(import_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert Student.objects.count() == 0


def test_updates_of_text_and_date_fields_are_saved_in_chunks(
    region1, django_capture_on_commit_callbacks, monkeypatch
):
    """The one-statement update (UPDATE … FROM VALUES) with few parameters per query."""
    capture = django_capture_on_commit_callbacks
    header = "Roepnaam;Achternaam;Geboortedatum;BSN;Woonplaats;Datum in Nederland;Klas\n"
    first = "".join(
        f"Naam{i};Achter{i};01-02-2008;{400000000 + i};Alkmaar;;ISK1\n" for i in range(5)
    )
    confirm(region1, preview(region1, (header + first).encode()), capture)
    from django.db import connection

    monkeypatch.setattr(type(connection.features), "max_query_params", 9)
    second = "".join(
        f"Nieuw{i};Achter{i};02-02-2008;{400000000 + i};Bergen;{10 + i}-03-2020;ISK1\n"
        for i in range(5)
    )
    batch = confirm(region1, preview(region1, (header + second).encode()), capture)
    assert batch.updated_count == 5
    for i, s in enumerate(Student.objects.order_by("pgn")):
        assert (s.first_name, s.last_name, s.municipality) == (f"Nieuw{i}", f"Achter{i}", "Bergen")
        assert s.date_of_birth == dt.date(2008, 2, 2)
        assert s.arrival_date == dt.date(2020, 3, 10 + i)
        assert s.class_name == "ISK1"


def test_an_import_that_stopped_without_progress_does_not_block_the_school(region1):
    from routearbeid.core.tasks import STALE_RUN

    first = preview(region1, csv_file(*ROWS))
    StudentImport.objects.filter(pk=first.pk).update(
        status=ImportStatus.RUNNING, updated_at=timezone.now() - STALE_RUN - dt.timedelta(1)
    )
    second = preview(region1, csv_file(*ROWS))
    services.student_import_confirm(actor=region1.coordinator, import_id=second.pk)
    second.refresh_from_db()
    assert second.status == ImportStatus.QUEUED


def test_a_write_that_breaks_off_keeps_the_batches_before_and_says_so(region1, monkeypatch):
    monkeypatch.setattr(services, "WRITE_BATCH", 2)
    original = services._write_part
    calls: list[int] = []

    def breaks_on_the_second_batch(batch, actor, part):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return original(batch, actor, part)

    monkeypatch.setattr(services, "_write_part", breaks_on_the_second_batch)
    lines = [f"{i};Naam{i};;Achter;01-02-2008;ISK1;;Alkmaar" for i in range(5)]
    batch = preview(region1, csv_file(*lines))
    services.student_import_confirm(actor=region1.coordinator, import_id=batch.pk)
    with pytest.raises(RuntimeError):
        services.student_import_write(import_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert batch.failure.startswith("The import stopped because of an error.")
    assert (batch.created_count, batch.processed_rows) == (2, 2)
    assert Student.objects.count() == 2
    assert batch.rows == []


def test_the_daily_run_forgets_abandoned_uploads_and_old_imports(region1):
    """The upload page promises it: rows of an import nobody confirmed are deleted after a day,
    every import after 30 days (also when the school never starts another one)."""
    from routearbeid.aftercare.tasks import DAILY_JOBS

    assert "routearbeid.students.tasks.imports_expire" in DAILY_JOBS
    abandoned = start(region1, csv_file("Sara;Demir;01-02-2008;Alkmaar"))
    fresh = start(region1, csv_file("Omar;Haile;03-04-2007;Alkmaar"))
    old = start(region1, csv_file("Lina;Berhe;05-06-2008;Alkmaar"))
    now = timezone.now()
    StudentImport.objects.filter(pk=abandoned.pk).update(updated_at=now - dt.timedelta(days=2))
    StudentImport.objects.filter(pk=old.pk).update(created_at=now - dt.timedelta(days=31))
    result = services.student_imports_expire(now=now)
    assert result == {"abandoned": 1, "deleted": 1}
    abandoned.refresh_from_db()
    assert abandoned.rows == [] and abandoned.status == ImportStatus.CANCELLED
    fresh.refresh_from_db()
    assert fresh.rows and fresh.status != ImportStatus.CANCELLED
    assert not StudentImport.objects.filter(pk=old.pk).exists()
