"""Downloads of the worklist (/werkvoorraad/export.csv|xlsx) and of the RMC's monitoring list
(/monitoring/export.csv|xlsx): what the screen shows, only what the user may see, logged."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from routearbeid.aftercare import views
from routearbeid.aftercare.constants import SignalStatus
from routearbeid.aftercare.models import AftercareCheck, Signal
from routearbeid.aftercare.services import self_report_record
from routearbeid.aftercare.tests.test_monitoring import monitored
from routearbeid.core.dates import today
from routearbeid.meetings.models import AgendaItem
from routearbeid.meetings.services import action_add, meeting_plan
from routearbeid.processing_log.models import ProcessingLogRecord
from routearbeid.route.constants import Situation, Stage
from routearbeid.route.services import involvement_request
from routearbeid.tests.people import Region1

AMS = ZoneInfo("Europe/Amsterdam")
START = dt.datetime(2025, 1, 10, 10, tzinfo=AMS)
LATER = dt.datetime(2025, 7, 15, 10, tzinfo=AMS)  # check-in 1 (due 10-07-2025) is overdue
WORKLIST = reverse("worklist")
MONITORING = reverse("monitoring")


def worklist_export(fmt: str) -> str:
    return reverse("worklist_export", kwargs={"fmt": fmt})


def monitoring_export(fmt: str) -> str:
    return reverse("monitoring_export", kwargs={"fmt": fmt})


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def sheet(response):
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content)).active


def dutch(columns) -> list[str]:
    with translation.override("nl"):
        return [str(c.header) for c in columns]


def log_mark() -> int:
    return ProcessingLogRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0


def logged_since(mark: int):
    return ProcessingLogRecord.objects.filter(id__gt=mark)


# --- the worklist -------------------------------------------------------------------------------


@pytest.fixture
def busy(region1):
    """School A's youth Nour in aftercare with an overdue check-in, a self-report, a meeting
    action; a meeting next week; Hamid waiting for the RMC; and region 2's Olaf with the same."""
    with time_machine.travel(START, tick=False):
        nour = region1.outflow(region1.ready_for_outflow(first_name="Nour", last_name="Contact"))
        other = Region1.build("Regio Twee")
        olaf = other.outflow(other.ready_for_outflow(first_name="Olaf", last_name="Elders"))
    with time_machine.travel(LATER, tick=False):
        for case in (nour, olaf):
            self_report_record(actor=None, case_id=case.pk, kind="lost_job", channel="portal")
        action_add(
            actor=region1.route_coordinator,
            agenda_item_id=AgendaItem.objects.get(case=nour).pk,
            description="=Bel de werkgever",
            owner_organisation_id=region1.school.pk,
            due_on=LATER.date() + dt.timedelta(days=7),
        )
        meeting_plan(
            actor=region1.route_coordinator,
            region_id=region1.region.pk,
            scheduled_on=LATER.date() + dt.timedelta(days=2),
            place="Stadhuis",
        )
        hamid = region1.open_case(first_name="Hamid", last_name="Gevraagd")
        involvement_request(
            actor=region1.coordinator, case_id=hamid.pk, organisation_id=region1.rmc.pk
        )
        yield {"nour": nour, "olaf": olaf, "hamid": hamid, "other": other}


SECTIONS = {
    "wl-signals": "Signalen",
    "wl-checkins": "Nazorgcontacten",
    "wl-involvements": "Gevraagd om mee te doen",
    "wl-actions": "Acties van uitstroomtafels",
}
NAME = re.compile(r'href="/jongeren/\d+/[^"]*">([^<]+)</a>')


def screen_sections(page: str) -> dict[str, list[str]]:
    """Per section of the worklist page, the youth named in it, in order."""
    found = {}
    for anchor, label in SECTIONS.items():
        if f'id="{anchor}"' in page:
            chunk = page.split(f'id="{anchor}"')[1].split("</section>")[0]
            found[label] = NAME.findall(chunk)
    return found


def export_sections(rows: list[list[str]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for r in rows[1:]:
        if r[0] in SECTIONS.values():
            found.setdefault(r[0], []).append(r[1])
    return found


@pytest.mark.parametrize("person", ["coordinator", "work_service_manager", "rmc_officer"])
def test_the_worklist_export_holds_what_the_screen_shows_section_by_section(
    client, region1, busy, person
):
    client.force_login(getattr(region1, person))
    page = client.get(WORKLIST).content.decode()
    rows = csv_rows(client.get(worklist_export("csv")))
    assert rows[0] == dutch(views.WORKLIST_COLUMNS)
    assert [rows[0][1], rows[0][4], rows[0][5]] == ["Naam", "Datum", "Status"]
    assert export_sections(rows) == screen_sections(page)
    assert export_sections(rows)  # each of them has something to do


def test_the_schools_worklist_export_row_by_row(client, region1, busy):
    client.force_login(region1.coordinator)
    rows = csv_rows(client.get(worklist_export("csv")))[1:]
    by_section = {r[0]: r for r in rows}
    signal = by_section["Signalen"]
    assert signal[1:3] == ["Nour Contact", "Zelfmelding"] and signal[4] == "15-07-2025"
    check = by_section["Nazorgcontacten"]
    assert check[1] == "Nour Contact" and check[4] == "10-07-2025" and check[5] == "te laat"
    with translation.override("nl"):
        assert check[2] == translation.gettext("Check-in %(n)s") % {"n": 1}
    action = by_section["Acties van uitstroomtafels"]
    assert action[1:3] == ["Nour Contact", "'=Bel de werkgever"]  # formula neutralised
    meeting = by_section["Uitstroomtafels deze week"]
    assert meeting[1:5] == ["", "Uitstroomtafel", "Stadhuis", "17-07-2025"]
    assert "Gevraagd om mee te doen" not in by_section  # that asks the RMC, not the school


def test_the_rmcs_worklist_export_lists_the_request_to_take_part(client, region1, busy):
    client.force_login(region1.rmc_officer)
    rows = csv_rows(client.get(worklist_export("csv")))[1:]
    asked = [r for r in rows if r[0] == "Gevraagd om mee te doen"]
    assert asked == [
        [
            "Gevraagd om mee te doen",
            "Hamid Gevraagd",
            f"RMC ({region1.region.name})",
            "",
            "15-07-2025",
            "",
        ]
    ]


def test_another_schools_youth_never_appears_in_the_worklist_export(client, region1, busy):
    for person in ("coordinator", "work_service_manager", "rmc_officer", "route_coordinator"):
        client.force_login(getattr(region1, person))
        for fmt in ("csv", "xlsx"):
            content = client.get(worklist_export(fmt))
            text = (
                content.content.decode("utf-8-sig")
                if fmt == "csv"
                else " ".join(str(c.value) for r in sheet(content).iter_rows() for c in r)
            )
            assert "Olaf" not in text and "Elders" not in text, (person, fmt)
    client.force_login(region1.other_coordinator)
    assert "Nour" not in client.get(worklist_export("csv")).content.decode("utf-8-sig")
    client.force_login(busy["other"].coordinator)
    assert "Olaf Elders" in client.get(worklist_export("csv")).content.decode("utf-8-sig")


@pytest.mark.parametrize("person", ["admin", "privacy_officer"])
def test_the_administrator_and_privacy_officer_export_a_worklist_without_youth(
    client, region1, busy, person
):
    """They have a worklist (an empty one: no case work), so its export is empty, not 404."""
    mark = log_mark()
    client.force_login(getattr(region1, person))
    assert csv_rows(client.get(worklist_export("csv"))) == [dutch(views.WORKLIST_COLUMNS)]
    assert sheet(client.get(worklist_export("xlsx"))).max_row == 1
    assert not logged_since(mark).exists()


@pytest.mark.parametrize("fmt", ["pdf", "CSV", "xls", "html"])
def test_an_unknown_worklist_format_is_not_found(client, region1, busy, fmt):
    mark = log_mark()
    client.force_login(region1.coordinator)
    assert client.get(f"/werkvoorraad/export.{fmt}").status_code == 404
    assert not logged_since(mark).exists()


def test_anonymous_visitors_are_sent_to_the_login(client):
    for url in (worklist_export("csv"), monitoring_export("xlsx")):
        response = client.get(url)
        assert response.status_code == 302 and "/inloggen/" in response["Location"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_worklist_export_logs_every_youth_in_it_once_with_the_screens_activity(
    client, region1, busy, fmt
):
    mark = log_mark()
    client.force_login(region1.coordinator)
    assert client.get(worklist_export(fmt)).status_code == 200
    records = list(logged_since(mark))
    assert [(r.activity, r.operation, r.actor_id) for r in records] == [
        ("aftercare.signal", "read", region1.coordinator.pk)
    ]  # Nour is in three sections and is logged once
    assert records[0].subject_student_id == busy["nour"].student_id


def test_the_worklist_xlsx_has_a_bold_header_and_real_dates(client, region1, busy):
    client.force_login(region1.coordinator)
    response = client.get(worklist_export("xlsx"))
    assert response["Content-Disposition"] == 'attachment; filename="werkvoorraad-2025-07-15.xlsx"'
    ws = sheet(response)
    assert ws.title == "Werkvoorraad"
    assert [c.value for c in ws[1]] == dutch(views.WORKLIST_COLUMNS)
    assert all(c.font.b for c in ws[1])
    dates = [r[4] for r in ws.iter_rows(min_row=2)]
    assert dates and all(c.is_date for c in dates)
    assert [c.value.date() for c in dates] == [
        dt.date(2025, 7, 15),  # signal: act by
        dt.date(2025, 7, 10),  # check-in: due
        dt.date(2025, 7, 22),  # action: due
        dt.date(2025, 7, 17),  # meeting: held on
    ]
    assert ws["C4"].value == "=Bel de werkgever" and ws["C4"].data_type == "s"
    csv_body = csv_rows(client.get(worklist_export("csv")))
    assert len(csv_body) == ws.max_row


def test_the_worklist_export_is_not_cut_off_at_the_screens_limit(
    client, region1, busy, monkeypatch
):
    """The screen shows at most LIMIT items per section; the export holds all of them, as the
    list exports hold every page."""
    monkeypatch.setattr(views, "LIMIT", 1)
    second = region1.open_case(first_name="Iris", last_name="Tweede")
    involvement_request(
        actor=region1.coordinator, case_id=second.pk, organisation_id=region1.rmc.pk
    )
    client.force_login(region1.rmc_officer)
    assert "Iris Tweede" not in client.get(WORKLIST).content.decode()
    names = [r[1] for r in csv_rows(client.get(worklist_export("csv")))[1:]]
    assert "Hamid Gevraagd" in names and "Iris Tweede" in names


def test_the_worklist_shows_download_links_only_when_there_is_something(client, region1, busy):
    client.force_login(region1.coordinator)
    page = client.get(WORKLIST).content.decode()
    assert 'href="/werkvoorraad/export.csv"' in page
    assert 'href="/werkvoorraad/export.xlsx"' in page
    assert "Downloaden als CSV" in page
    client.force_login(region1.admin)  # nothing on the worklist: nothing to download
    assert "/werkvoorraad/export" not in client.get(WORKLIST).content.decode()


def _busy_worklist(region1, n: int) -> None:
    """n signals and n due check-ins for school A, n requests to take part for the RMC."""
    on = today()
    for i in range(n):
        case = region1.open_case(first_name=f"Naam{i}", last_name=f"Achter{i}")
        involvement_request(
            actor=region1.coordinator, case_id=case.pk, organisation_id=region1.rmc.pk
        )
        Signal.objects.create(
            case=case,
            kind="other",
            organisation=region1.school,
            status=SignalStatus.OPEN,
            raise_on=on,
            due_on=on,
            message="Bel terug",
            key=f"k{i}",
        )
        aftercare = region1.student(first_name=f"Nazorg{i}", last_name=f"Achter{i}")
        done = aftercare.cases.model.objects.create(
            student=aftercare, stage=Stage.AFTERCARE, opened_on=on, outflow_on=on
        )
        AftercareCheck.objects.create(case=done, sequence=1, due_on=on)


@pytest.mark.parametrize("person", ["coordinator", "rmc_officer"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("rows", [2, 30])
def test_worklist_export_query_count_does_not_grow_with_rows(
    client, region1, django_assert_max_num_queries, person, fmt, rows
):
    _busy_worklist(region1, rows)
    client.force_login(getattr(region1, person))
    client.get(WORKLIST)
    with django_assert_max_num_queries(WORKLIST_EXPORT_QUERIES):
        response = client.get(worklist_export(fmt))
    assert response.status_code == 200
    assert len(csv_rows(client.get(worklist_export("csv")))) >= rows + 1


# session, user, memberships; one per section that applies to the person (signals, check-ins or
# requests to take part, actions, meetings); the log; the session save (3)
WORKLIST_EXPORT_QUERIES = 11


# --- the RMC's monitoring list in Excel (the CSV is tested in test_monitoring.py) ----------------


def test_r_rmc_1_monitoring_xlsx_holds_the_same_table_as_the_csv_with_real_dates(client, region1):
    a = monitored(
        region1,
        last_name="Achter-Een",
        last_known_situation=Situation.DUAL_TRACK,
        last_contact_on=today() - dt.timedelta(days=20),
    )
    monitored(region1, last_name="Achter-Twee", school=region1.other_school)
    client.force_login(region1.rmc_officer)
    response = client.get(monitoring_export("xlsx"))
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == (
        f'attachment; filename="rmc-monitoring-{today():%Y-%m-%d}.xlsx"'
    )
    ws = sheet(response)
    assert ws.title == "RMC-monitoring"
    header = [c.value for c in ws[1]]
    assert header == dutch(views.MONITORING_COLUMNS)
    assert header[:3] == ["Naam", "Geboortedatum", "Leeftijd"]
    assert all(c.font.b for c in ws[1])
    first = ws[2]
    assert first[0].value == "Jongere Achter-Een"
    for index, expected in (
        (1, a.student.date_of_birth),
        (4, a.outflow_on),
        (6, a.last_contact_on),
        (8, a.rmc_monitoring_ends_on),
    ):
        assert first[index].is_date and first[index].value.date() == expected
    assert first[2].value == a.student.age_on(today()) and first[2].data_type == "n"
    assert first[5].value == "Werken en leren (duaal traject)"
    assert ws[3][6].value is None  # never in contact: an empty cell, as in the CSV

    def shown(cell):
        if cell.value is None:
            return ""
        return f"{cell.value:%d-%m-%Y}" if cell.is_date else str(cell.value)

    table = [[shown(c) for c in r] for r in ws.iter_rows()]
    assert table == csv_rows(client.get(monitoring_export("csv")))


def test_monitoring_exports_list_the_screens_youth_in_the_screens_order(client, region1):
    for i, days in enumerate((10, 300, 100)):
        monitored(
            region1,
            last_name=f"Achter-{i}",
            last_contact_on=today() - dt.timedelta(days=days),
        )
    client.force_login(region1.rmc_officer)
    for params in ({}, {"sort": "contact"}, {"sort": "name"}, {"no_contact": 6}):
        page = client.get(MONITORING, params).content.decode()
        on_screen = [f"Jongere {n}" for n in re.findall(r">(Achter-\d), Jongere</a>", page)]
        exported = [r[0] for r in csv_rows(client.get(monitoring_export("csv"), params))[1:]]
        in_xlsx = [r[0].value for r in sheet(client.get(monitoring_export("xlsx"), params))]
        assert exported == on_screen == in_xlsx[1:], params


def test_monitoring_xlsx_keeps_the_filters_and_logs_every_youth(client, region1):
    monitored(region1, last_name="Achter-Een")
    b = monitored(region1, last_name="Achter-Twee", school=region1.other_school)
    client.force_login(region1.rmc_officer)
    mark = log_mark()
    ws = sheet(client.get(monitoring_export("xlsx"), {"school": region1.other_school.pk}))
    assert [r[0].value for r in ws.iter_rows(min_row=2)] == ["Jongere Achter-Twee"]
    records = list(logged_since(mark))
    assert [(r.activity, r.operation, r.subject_student_id) for r in records] == [
        ("aftercare.monitoring", "read", b.student_id)
    ]


def test_monitoring_xlsx_never_holds_a_formula(client, region1):
    case = monitored(region1, last_name="X")
    case.student.first_name = "=HYPERLINK(1)"
    case.student.save()
    client.force_login(region1.rmc_officer)
    cell = sheet(client.get(monitoring_export("xlsx")))["A2"]
    assert cell.value == "=HYPERLINK(1) X" and cell.data_type == "s"


@pytest.mark.parametrize(
    "person",
    ["coordinator", "work_service_manager", "leerplicht_officer", "route_coordinator", "admin"],
)
def test_the_monitoring_xlsx_is_not_found_for_anyone_but_the_rmc(client, region1, person):
    monitored(region1, last_name="Achter-Geheim")
    mark = log_mark()
    client.force_login(getattr(region1, person))
    assert client.get(monitoring_export("xlsx")).status_code == 404
    assert not logged_since(mark).exists()


@pytest.mark.parametrize("fmt", ["pdf", "XLSX", "xls", "csv.exe"])
def test_an_unknown_monitoring_format_is_not_found(client, region1, fmt):
    monitored(region1, last_name="Achter-Een")
    mark = log_mark()
    client.force_login(region1.rmc_officer)
    assert client.get(f"/monitoring/export.{fmt}").status_code == 404
    assert not logged_since(mark).exists()


def test_the_csv_keeps_its_address_and_the_page_links_both_formats_with_the_filters(
    client, region1
):
    monitored(region1, last_name="Achter-Een")
    assert reverse("monitoring_export") == "/monitoring/export.csv" == monitoring_export("csv")
    client.force_login(region1.rmc_officer)
    page = client.get(MONITORING, {"situation": "unknown", "page": "1"}).content.decode()
    assert 'href="/monitoring/export.csv?situation=unknown"' in page
    assert 'href="/monitoring/export.xlsx?situation=unknown"' in page


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("rows", [2, 60])
def test_monitoring_export_query_count_does_not_grow_with_rows(
    client, region1, django_assert_max_num_queries, fmt, rows
):
    """More than a page (PAGE_SIZE 50) of youth: the export holds them all, in the same queries."""
    for i in range(rows):
        monitored(region1, last_name=f"Achter{i}")
    client.force_login(region1.rmc_officer)
    client.get(MONITORING)
    mark = log_mark()
    with django_assert_max_num_queries(MONITORING_EXPORT_QUERIES):
        assert client.get(monitoring_export(fmt)).status_code == 200
    assert logged_since(mark).count() == rows


MONITORING_EXPORT_QUERIES = 8  # as test_monitoring.EXPORT_QUERIES: the same view
