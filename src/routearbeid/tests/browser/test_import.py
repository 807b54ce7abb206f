"""The student import in the browser: upload a small CSV, check the columns, confirm, watch the
progress bar poll (htmx) until the result shows; every page passes axe under the strict CSP."""

from __future__ import annotations

import pytest

from routearbeid.students import services, tasks
from routearbeid.students.models import ImportStatus, Student, StudentImport

pytestmark = pytest.mark.django_db(transaction=True)

CSV = (
    "Leerlingnummer;Roepnaam;Voorvoegsel;Achternaam;Geboortedatum;Stamgroep;BSN;Woonplaats\n"
    "1;Amina;;Browser;01-02-2008;ISK1;123456782;Alkmaar\n"
    "2;Bilal;van;Dam;3-5-2007;ISK2;;Heiloo\n"
    "3;Chaya;;Fout;31-02-2008;ISK2;;Alkmaar\n"
)


class HeldTask:
    """Stands in for the task queue: the test plays the worker, so the progress can be seen."""

    def __init__(self) -> None:
        self.queued: list[int] = []

    def enqueue(self, import_id: int) -> None:
        self.queued.append(import_id)


def test_import_a_csv_map_confirm_and_see_progress_and_result(visit, region1, monkeypatch):
    held = HeldTask()
    monkeypatch.setattr(tasks, "student_import_run", held)
    region1.coordinator.set_password("demo")
    region1.coordinator.save()
    visitor = visit().login(region1.coordinator.username)
    page = visitor.page

    visitor.go("/jongeren/")
    page.locator("a[href='/jongeren/importeren/']").click()
    page.wait_for_load_state()
    visitor.axe()
    page.locator("#id_file").set_input_files(
        files=[{"name": "leerlingen.csv", "mimeType": "text/csv", "buffer": CSV.encode()}]
    )
    page.locator("form[enctype='multipart/form-data'] button[type=submit]").click()
    page.wait_for_load_state()

    # The columns, pre-filled from Somtoday's names.
    assert "/kolommen/" in page.url
    visitor.axe()
    assert page.locator("#id_date_of_birth").input_value() == "4"
    assert page.locator("#id_last_name_prefix").input_value() == "2"
    page.locator(".utrecht-form button.utrecht-button--primary-action").click()
    page.wait_for_load_state()

    # The preview: counts, the rows, the error of row 4; nothing written yet.
    visitor.axe()
    facts = page.locator("dl.ra-facts dd").all_inner_texts()
    assert facts == ["2", "0", "0", "1"]
    assert page.get_by_text("Browser, Amina").is_visible()
    assert page.get_by_text("31-02-2008").is_visible()
    assert Student.objects.count() == 0

    page.locator("form[action$='/bevestigen/'] button").click()
    page.wait_for_load_state()
    bar = page.locator("progress#import-progress-bar")
    assert bar.is_visible()
    assert page.locator("#import-progress[hx-trigger]").count() == 1
    visitor.axe()

    # The worker runs the task; the polling page shows the result without a reload.
    assert len(held.queued) == 1
    services.student_import_write(import_id=held.queued[0])
    page.locator("#import-progress:not([hx-trigger]) .utrecht-alert--ok").wait_for(timeout=10_000)
    assert page.locator("#import-progress dl.ra-facts dd").all_inner_texts() == [
        "2",
        "0",
        "0",
        "1",
    ]
    assert page.locator("#import-progress").get_by_text("31-02-2008").is_visible()
    visitor.axe()
    assert StudentImport.objects.get().status == ImportStatus.DONE
    assert set(Student.objects.values_list("last_name", flat=True)) == {"Browser", "van Dam"}
