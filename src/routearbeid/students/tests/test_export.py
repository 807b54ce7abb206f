"""The youth list as a download (/jongeren/export.csv, /jongeren/export.xlsx): what the screen
shows with the same search and filters, all pages, only what the user may see, and logged."""

from __future__ import annotations

import csv
import datetime as dt
import io
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from routearbeid.aftercare.constants import SignalStatus
from routearbeid.aftercare.models import Signal
from routearbeid.core.dates import today
from routearbeid.processing_log.models import ProcessingLogRecord
from routearbeid.route.constants import Stage
from routearbeid.students.models import Student
from routearbeid.students.views import PAGE_SIZE, STUDENT_COLUMNS

URL = reverse("students:list")


def export_url(fmt: str) -> str:
    return reverse("students:export", kwargs={"fmt": fmt})


class _Table(HTMLParser):
    """The text of each cell of the page's table body, row by row."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self._in_body = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append([])
        elif self._in_body and tag == "td":
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif tag == "td" and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def screen_rows(client, params=None) -> list[list[str]]:
    parser = _Table()
    parser.feed(client.get(URL, params or {}).content.decode())
    return parser.rows


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def dutch_headers() -> list[str]:
    with translation.override("nl"):
        return [str(c.header) for c in STUDENT_COLUMNS]


def log_mark() -> int:
    return ProcessingLogRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0


def logged_since(mark: int):
    return ProcessingLogRecord.objects.filter(id__gt=mark)


def on_screen(cells: list[str]) -> list[str]:
    """An export row as the screen writes it: a dash where the export leaves a cell empty."""
    return [c if c not in ("", "0") else "–" for c in cells]


def _world(region1):
    """Four youth of school A in different stages, with a mentor and an open signal, and one of
    school B."""
    farah = region1.open_case(age=16, first_name="Farah", last_name="Jong")
    Signal.objects.create(
        case=farah,
        kind="checkin_overdue",
        organisation=region1.school,
        status=SignalStatus.OPEN,
        raise_on=today(),
        due_on=today(),
        message="Test",
        key="test-1",
    )
    goran = region1.student(age=20, first_name="Goran", last_name="Ouder", mentor=region1.mentor)
    region1.open_case(region1.student(age=18, first_name="Hana", last_name="Midden"))
    region1.student(age=17, first_name="Ilse", last_name="Zonder")
    region1.student(first_name="Bilal", last_name="Ander", school=region1.other_school)
    return farah, goran


def test_the_export_has_the_screens_columns_and_rows_in_the_screens_order(client, region1):
    _world(region1)
    client.force_login(region1.coordinator)
    for params in ({}, {"sort": "-name"}, {"sort": "age"}, {"q": "o"}, {"age": "under18"}):
        exported = csv_rows(client.get(export_url("csv"), params))
        assert exported[0] == dutch_headers()
        assert [on_screen(r) for r in exported[1:]] == screen_rows(client, params), params
    assert dutch_headers() == ["Naam", "Leeftijd", "School", "Mentor", "Stap", "Open signalen"]
    everyone = csv_rows(client.get(export_url("csv")))[1:]
    assert [r[0] for r in everyone] == [
        "Jong, Farah",
        "Midden, Hana",
        "Ouder, Goran",
        "Zonder, Ilse",
    ]
    assert everyone[0][1:] == ["16", f"ISK A ({region1.region.name})", "", "Overleg", "1"]
    assert everyone[2][3] == str(region1.mentor)
    assert everyone[3][4] == "Nog geen traject"


def test_filters_and_search_are_passed_through(client, region1):
    _world(region1)
    client.force_login(region1.coordinator)

    def names(**params):
        return [r[0] for r in csv_rows(client.get(export_url("csv"), params))[1:]]

    assert names(q="far") == ["Jong, Farah"]
    assert names(age="18plus") == ["Midden, Hana", "Ouder, Goran"]
    assert names(stage=Stage.CONSULTATION) == ["Jong, Farah", "Midden, Hana"]
    assert names(stage="none") == ["Ouder, Goran", "Zonder, Ilse"]
    assert names(mentor=region1.mentor.pk) == ["Ouder, Goran"]
    assert names(signal="open") == ["Jong, Farah"]
    assert names(q="zzz-niemand") == []


def test_the_export_holds_every_page_not_only_the_first(client, region1):
    for i in range(PAGE_SIZE + 3):
        region1.student(first_name=f"Naam{i}", last_name=f"Achter{i:02d}")
    client.force_login(region1.coordinator)
    assert len(csv_rows(client.get(export_url("csv"), {"page": 2}))) == 1 + PAGE_SIZE + 3


def test_another_schools_youth_never_appears(client, region1):
    _world(region1)
    client.force_login(region1.coordinator)
    for params in ({}, {"school": region1.other_school.pk}, {"q": "Ander"}):
        content = client.get(export_url("csv"), params).content.decode("utf-8-sig")
        assert "Ander" not in content and "Bilal" not in content
        xlsx = client.get(export_url("xlsx"), params)
        values = [c.value for r in load_workbook(io.BytesIO(xlsx.content)).active for c in r]
        assert not any("Ander" in str(v) for v in values)
    client.force_login(region1.other_coordinator)
    assert [r[0] for r in csv_rows(client.get(export_url("csv")))[1:]] == ["Ander, Bilal"]


def test_a_partner_exports_only_youth_whose_case_it_takes_part_in(client, region1):
    asked = region1.open_case(first_name="Chaya", last_name="Gevraagd")
    region1.involve(asked)
    region1.open_case(first_name="Dawit", last_name="Niet")
    client.force_login(region1.rmc_officer)
    assert [r[0] for r in csv_rows(client.get(export_url("csv")))[1:]] == ["Gevraagd, Chaya"]


@pytest.mark.parametrize("person", ["admin", "privacy_officer"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_role_without_the_youth_list_gets_not_found(client, region1, person, fmt):
    _world(region1)
    mark = log_mark()
    client.force_login(getattr(region1, person))
    assert client.get(URL).status_code == 404
    assert client.get(export_url(fmt)).status_code == 404
    assert not logged_since(mark).exists()


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get(export_url("csv"))
    assert response.status_code == 302 and "/inloggen/" in response["Location"]


@pytest.mark.parametrize("fmt", ["pdf", "CSV", "xls", "json"])
def test_an_unknown_format_is_not_found_and_reads_nothing(client, region1, fmt):
    _world(region1)
    mark = log_mark()
    client.force_login(region1.coordinator)
    assert client.get(f"/jongeren/export.{fmt}").status_code == 404
    assert not logged_since(mark).exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_youth_in_the_export_is_logged_as_read_in_one_go(client, region1, fmt):
    _world(region1)
    mark = log_mark()
    client.force_login(region1.coordinator)
    response = client.get(export_url(fmt), {"age": "18plus"})
    assert response.status_code == 200
    records = logged_since(mark)
    assert {r.actor for r in records} == {region1.coordinator}
    assert {(r.activity, r.operation) for r in records} == {("students.student", "read")}
    read = Student.objects.filter(pk__in=[r.subject_student_id for r in records])
    assert sorted(read.values_list("last_name", flat=True)) == ["Midden", "Ouder"]
    assert records.count() == 2
    assert len({r.trace_id for r in records}) == 1


def test_an_empty_export_logs_nothing(client, region1):
    _world(region1)
    mark = log_mark()
    client.force_login(region1.coordinator)
    assert csv_rows(client.get(export_url("csv"), {"q": "zzz"})) == [dutch_headers()]
    assert not logged_since(mark).exists()


def test_a_formula_in_a_name_is_neutralised(client, region1):
    region1.student(first_name="=HYPERLINK(1)", last_name="@SUM(A1)")
    client.force_login(region1.coordinator)
    content = client.get(export_url("csv")).content.decode("utf-8-sig")
    assert "'@SUM(A1), =HYPERLINK(1)" in content
    assert "\n@" not in content and ";@" not in content
    ws = load_workbook(io.BytesIO(client.get(export_url("xlsx")).content)).active
    assert ws["A2"].value == "@SUM(A1), =HYPERLINK(1)" and ws["A2"].data_type == "s"


def test_xlsx_opens_with_the_header_bold_and_numbers_as_numbers(client, region1):
    _world(region1)
    client.force_login(region1.coordinator)
    response = client.get(export_url("xlsx"))
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == (
        f'attachment; filename="jongeren-{today():%Y-%m-%d}.xlsx"'
    )
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws.title == "Jongeren"
    values = [[c.value for c in r] for r in ws.iter_rows()]
    assert values[0] == dutch_headers()
    assert all(c.font.b for c in ws[1])
    csv_body = csv_rows(client.get(export_url("csv")))[1:]
    assert [["" if v is None else str(v) for v in r] for r in values[1:]] == csv_body
    assert ws["B2"].value == 16 and ws["B2"].data_type == "n"
    assert ws["F2"].value == 1


def test_the_download_links_keep_the_filters(client, region1):
    _world(region1)
    client.force_login(region1.coordinator)
    page = client.get(URL, {"q": "o", "age": "18plus", "page": "1"}).content.decode()
    assert 'href="/jongeren/export.csv?q=o&amp;age=18plus"' in page
    assert 'href="/jongeren/export.xlsx?q=o&amp;age=18plus"' in page
    assert "Downloaden als CSV" in page


def _many(region1, n):
    for i in range(n):
        case = region1.open_case(first_name=f"Naam{i}", last_name=f"Achter{i}")
        Signal.objects.create(
            case=case,
            kind="checkin_overdue",
            organisation=region1.school,
            status=SignalStatus.OPEN,
            raise_on=today(),
            due_on=today() + dt.timedelta(days=i),
            message="Test",
            key=f"k{i}",
        )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("rows", [2, 40])
def test_export_query_count_does_not_grow_with_rows(
    client, region1, django_assert_max_num_queries, fmt, rows
):
    """Conventions §5: the same bound with a few youth and with more than a page of them."""
    _many(region1, rows)
    client.force_login(region1.coordinator)
    client.get(URL)  # warm up session and caches
    mark = log_mark()
    with django_assert_max_num_queries(EXPORT_QUERIES):
        response = client.get(export_url(fmt))
    assert response.status_code == 200
    assert logged_since(mark).filter(activity="students.student").count() == rows
    assert len(csv_rows(client.get(export_url("csv")))) == rows + 1


# session, user, memberships, the rows with their signal counts, the log, the session save (3)
EXPORT_QUERIES = 8
