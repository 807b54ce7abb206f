"""The import screens (/jongeren/importeren/): upload, columns, preview, confirm, progress and
result; bad files get a message, not a 500; other schools' imports read as "not found"."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from routearbeid.organisations.constants import Role
from routearbeid.organisations.models import Membership, Organisation
from routearbeid.students import importing
from routearbeid.students.models import ImportStatus, Student, StudentImport

UPLOAD = reverse("students:import")
CSV = (
    "Stamnr;Roepnaam;Tussenvoegsel;Achternaam;Geb.datum;Klas;BSN;Woonplaats\n"
    "1;Ali;;Demir;01-02-2008;ISK1;123456782;Alkmaar\n"
    "2;Sara;van;Dijk;3-5-2007;ISK2;;Heiloo\n"
    "3;Omar;;Haddad;31-02-2008;ISK2;;Alkmaar\n"
)


def upload(client, data: str | bytes = CSV, name="leerlingen.csv", **extra):
    content = data.encode() if isinstance(data, str) else data
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, content), **extra})


def mapping_post(batch: StudentImport) -> dict:
    return {k: "" if v is None else str(v) for k, v in batch.mapping.items()}


def test_the_whole_import_from_upload_to_result(
    client, region1, django_capture_on_commit_callbacks
):
    client.force_login(region1.coordinator)
    response = upload(client)
    batch = StudentImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("students:import_mapping", args=[batch.pk])

    page = client.get(response["Location"]).content.decode()
    # the columns are pre-filled from Magister's names
    assert '<option value="4" selected>Geb.datum</option>' in page
    assert '<option value="2" selected>Tussenvoegsel</option>' in page

    response = client.post(response["Location"], mapping_post(batch))
    assert response["Location"] == reverse("students:import_detail", args=[batch.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Row 4: the date of birth &#x27;31-02-2008&#x27; is not a valid date." in page or (
        "Rij 4: de geboortedatum" in page
    )
    assert "Demir, Ali" in page and "van Dijk, Sara" in page
    assert Student.objects.count() == 0  # nothing before confirmation

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("students:import_confirm", args=[batch.pk]))
    assert response.status_code == 302
    assert Student.objects.filter(school=region1.school).count() == 2
    page = client.get(reverse("students:import_detail", args=[batch.pk])).content.decode()
    assert 'hx-trigger="every 1s"' not in page  # done: no more polling
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE and batch.created_count == 2


def test_the_progress_fragment_polls_while_running_and_stops_when_done(client, region1):
    client.force_login(region1.coordinator)
    upload(client)
    batch = StudentImport.objects.get()
    StudentImport.objects.filter(pk=batch.pk).update(
        status=ImportStatus.RUNNING, processed_rows=1, total_rows=3
    )
    url = reverse("students:import_progress", args=[batch.pk])
    fragment = client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in fragment
    assert '<progress id="import-progress-bar" max="100" value="33">' in fragment
    assert "<html" not in fragment
    page = client.get(reverse("students:import_detail", args=[batch.pk])).content.decode()
    assert 'aria-live="polite"' in page and 'hx-get="' + url + '"' in page
    StudentImport.objects.filter(pk=batch.pk).update(
        status=ImportStatus.DONE, processed_rows=3, created_count=2, skipped_count=1
    )
    fragment = client.get(url).content.decode()
    assert "hx-trigger" not in fragment
    assert "<dd>2</dd>" in fragment


def test_a_bad_file_gets_a_message_beside_the_field_and_no_import(client, region1):
    client.force_login(region1.coordinator)
    response = upload(client, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, name="oud.xls")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'aria-invalid="true"' in page and "id_file_error" in page
    assert "(.xls)" in page
    assert StudentImport.objects.count() == 0


def test_a_too_large_file_is_refused(client, region1, monkeypatch):
    monkeypatch.setattr(importing, "MAX_FILE_BYTES", 50)
    monkeypatch.setattr("routearbeid.students.forms.MAX_FILE_BYTES", 50)
    client.force_login(region1.coordinator)
    response = upload(client)
    assert response.status_code == 200
    assert StudentImport.objects.count() == 0
    assert 'aria-invalid="true"' in response.content.decode()


def test_no_file_chosen(client, region1):
    client.force_login(region1.coordinator)
    response = client.post(UPLOAD, {})
    assert response.status_code == 200
    assert StudentImport.objects.count() == 0


def test_required_columns_left_empty_say_which(client, region1):
    client.force_login(region1.coordinator)
    upload(client)
    batch = StudentImport.objects.get()
    data = {**mapping_post(batch), "municipality": ""}
    response = client.post(reverse("students:import_mapping", args=[batch.pk]), data)
    assert response.status_code == 200
    assert "id_municipality_error" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.MAPPING


def test_a_coordinator_of_two_schools_chooses_the_school(client, region1):
    Membership.objects.create(
        user=region1.coordinator, organisation=region1.other_school, role=Role.SCHOOL_COORDINATOR
    )
    client.force_login(region1.coordinator)
    page = client.get(UPLOAD).content.decode()
    assert region1.other_school.name in page and 'name="school"' in page
    response = upload(client, school=str(region1.other_school.pk))
    assert response.status_code == 302
    assert StudentImport.objects.get().school == region1.other_school
    outsider = Organisation.objects.exclude(
        pk__in=[region1.school.pk, region1.other_school.pk]
    ).first()
    response = upload(client, school=str(outsider.pk))
    assert response.status_code == 200  # not a choice: an error on the form
    assert StudentImport.objects.count() == 1


def test_other_schools_imports_are_not_found(client, region1):
    client.force_login(region1.coordinator)
    upload(client)
    batch = StudentImport.objects.get()
    for person in (region1.other_coordinator, region1.mentor, region1.work_service_manager):
        client.force_login(person)
        for name in ("import_detail", "import_mapping", "import_progress"):
            assert client.get(reverse(f"students:{name}", args=[batch.pk])).status_code == 404
        for name in ("import_confirm", "import_cancel"):
            assert client.post(reverse(f"students:{name}", args=[batch.pk])).status_code == 404
    batch.refresh_from_db()
    assert batch.status == ImportStatus.MAPPING


def test_cancel_from_the_preview(client, region1):
    client.force_login(region1.coordinator)
    upload(client)
    batch = StudentImport.objects.get()
    client.post(reverse("students:import_mapping", args=[batch.pk]), mapping_post(batch))
    response = client.post(reverse("students:import_cancel", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CANCELLED
    # confirming a cancelled import is refused with a message, not a 500
    response = client.post(reverse("students:import_confirm", args=[batch.pk]), follow=True)
    assert response.status_code == 200
    assert Student.objects.count() == 0


@pytest.mark.parametrize(("person", "sees"), [("coordinator", True), ("mentor", False)])
def test_the_list_links_to_the_import_for_coordinators(client, region1, person, sees):
    client.force_login(getattr(region1, person))
    page = client.get(reverse("students:list")).content.decode()
    assert (UPLOAD in page) is sees


def test_the_preview_logs_a_read_of_the_schools_students_it_names(client, region1):
    from routearbeid.processing_log.models import ProcessingLogRecord

    known = region1.student(first_name="Ali", last_name="Demir", pgn="123456782")
    client.force_login(region1.coordinator)
    upload(client)
    batch = StudentImport.objects.get()
    client.post(reverse("students:import_mapping", args=[batch.pk]), mapping_post(batch))
    page = client.get(reverse("students:import_detail", args=[batch.pk])).content.decode()
    assert "Demir, Ali" in page
    reads = ProcessingLogRecord.objects.filter(operation="read", activity="students.student")
    assert list(reads.values_list("subject_student_id", flat=True)) == [known.pk]
    assert reads.get().organisation_id == region1.school.pk


def test_the_progress_fragment_of_an_unconfirmed_import_claims_nothing(client, region1):
    client.force_login(region1.coordinator)
    upload(client)
    batch = StudentImport.objects.get()
    fragment = client.get(reverse("students:import_progress", args=[batch.pk])).content.decode()
    assert "hx-trigger" not in fragment
    assert "<dd>" not in fragment
    assert reverse("students:import_detail", args=[batch.pk]) in fragment
