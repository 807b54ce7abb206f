"""The shared list export (core/exports.py): CSV as the monitoring export had it, XLSX with a bold
header and real dates, and no formula from the data ever running in a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from types import SimpleNamespace

import pytest
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from routearbeid.core import exports
from routearbeid.core.dates import today
from routearbeid.core.exports import Column, check_format, csv_safe, tabular_response

DAY = dt.date(2025, 3, 10)
COLUMNS = [
    Column("Name", lambda r: r.name),
    Column("Born", lambda r: r.born),
    Column("Count", lambda r: r.count),
    Column("Note", lambda r: r.note),
]


def row(name="Amira Anwar", born=dt.date(2007, 5, 1), count=2, note=None):
    return SimpleNamespace(name=name, born=born, count=count, note=note)


def as_csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def as_sheet(response):
    return load_workbook(io.BytesIO(response.content)).active


def sheet_xml(response) -> str:
    return zipfile.ZipFile(io.BytesIO(response.content)).read("xl/worksheets/sheet1.xml").decode()


def test_csv_has_a_bom_semicolons_dutch_dates_and_empty_cells_for_nothing():
    response = tabular_response(
        fmt="csv", filename="lijst", columns=COLUMNS, rows=[row(), row(name="Bram", born=None)]
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="lijst-{today():%Y-%m-%d}.csv"'
    assert as_csv(response) == [
        ["Name", "Born", "Count", "Note"],
        ["Amira Anwar", "01-05-2007", "2", ""],
        ["Bram", "", "2", ""],
    ]


def test_the_filename_carries_the_date_and_the_format():
    for fmt in ("csv", "xlsx"):
        response = tabular_response(fmt=fmt, filename="lijst", columns=COLUMNS, rows=[], on=DAY)
        assert response["Content-Disposition"] == f'attachment; filename="lijst-2025-03-10.{fmt}"'


def test_xlsx_has_a_bold_frozen_header_with_a_filter_and_real_dates():
    response = tabular_response(
        fmt="xlsx", filename="lijst", columns=COLUMNS, rows=[row(), row(name="Bram")], on=DAY
    )
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    ws = as_sheet(response)
    header = next(ws.iter_rows(min_row=1, max_row=1))
    assert [c.value for c in header] == ["Name", "Born", "Count", "Note"]
    assert all(c.font.b for c in header)
    first = next(ws.iter_rows(min_row=2, max_row=2))
    assert first[0].value == "Amira Anwar" and not first[0].font.b
    assert first[1].is_date and first[1].value.date() == dt.date(2007, 5, 1)
    assert first[1].number_format == exports.XLSX_DATE_FORMAT
    assert first[2].value == 2 and first[2].data_type == "n"
    assert first[3].value is None
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:D3"
    assert ws.max_row == 3


def test_xlsx_column_widths_fit_the_contents_within_bounds():
    long = "x" * 200
    response = tabular_response(
        fmt="xlsx",
        filename="lijst",
        columns=[*COLUMNS, Column("Fixed", lambda r: "", width=33)],
        rows=[row(name="Mohammed Abdurahman Al-Khatib", note=long)],
    )
    widths = {k: d.width for k, d in as_sheet(response).column_dimensions.items()}
    assert widths["A"] == len("Mohammed Abdurahman Al-Khatib") + 2
    assert widths["B"] == 12  # a date is ten characters
    assert widths["C"] == exports.MIN_WIDTH
    assert widths["D"] == exports.MAX_WIDTH
    assert widths["E"] == 33


def test_a_date_and_time_is_written_in_local_time():
    moment = dt.datetime(2025, 3, 10, 9, 30, tzinfo=dt.UTC)  # 10:30 in Amsterdam
    columns = [Column("When", lambda r: r)]
    text = as_csv(tabular_response(fmt="csv", filename="x", columns=columns, rows=[moment]))
    assert text[1] == ["10-03-2025 10:30"]
    cell = as_sheet(tabular_response(fmt="xlsx", filename="x", columns=columns, rows=[moment]))[
        "A2"
    ]
    assert cell.is_date and cell.value == dt.datetime(2025, 3, 10, 10, 30)


@pytest.mark.parametrize("text", ["=HYPERLINK(1)", "+31 6", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_csv_injection_every_formula_start_gets_a_quote(text):
    rows = as_csv(tabular_response(fmt="csv", filename="x", columns=COLUMNS, rows=[row(name=text)]))
    assert rows[1][0] == "'" + text


def test_csv_injection_leaves_ordinary_text_and_numbers_alone():
    assert csv_safe("Amira") == "Amira"
    assert csv_safe("") == ""
    rows = as_csv(tabular_response(fmt="csv", filename="x", columns=COLUMNS, rows=[row(count=-3)]))
    assert rows[1][2] == "-3"  # a number is not text a person typed


def test_xlsx_injection_a_formula_or_error_code_stays_text():
    response = tabular_response(
        fmt="xlsx",
        filename="x",
        columns=COLUMNS,
        rows=[row(name='=HYPERLINK("http://evil","klik")', note="#N/A")],
    )
    ws = as_sheet(response)
    assert ws["A2"].value == '=HYPERLINK("http://evil","klik")'
    assert ws["A2"].data_type == "s" and ws["A2"].quotePrefix
    assert ws["D2"].value == "#N/A" and ws["D2"].data_type == "s"
    xml = sheet_xml(response)
    assert "<f>" not in xml and 't="e"' not in xml


def test_xlsx_drops_control_characters_instead_of_failing():
    response = tabular_response(
        fmt="xlsx", filename="x", columns=COLUMNS, rows=[row(name="Amira\x0bAnwar\x00")]
    )
    assert as_sheet(response)["A2"].value == "AmiraAnwar"


def test_xlsx_sheet_title_is_made_acceptable_to_excel():
    response = tabular_response(
        fmt="xlsx",
        filename="x",
        columns=COLUMNS,
        rows=[],
        sheet_title="RMC/monitoring: [alle] jongeren van de regio Alkmaar",
    )
    ws = as_sheet(response)
    assert ws.title == "RMC monitoring   alle  jongeren"[:31]
    assert len(ws.title) <= 31
    assert [c.value for c in next(ws.iter_rows(min_row=1, max_row=1))] == [
        "Name",
        "Born",
        "Count",
        "Note",
    ]


@pytest.mark.parametrize("fmt", ["pdf", "CSV", "xls", "", "csv ", "../csv"])
def test_an_unknown_format_is_not_found(fmt):
    with pytest.raises(Http404):
        check_format(fmt)
    with pytest.raises(Http404):
        tabular_response(fmt=fmt, filename="x", columns=COLUMNS, rows=[row()])


def test_each_value_is_read_once_per_row():
    calls: list[int] = []

    def value(r):
        calls.append(r)
        return r

    columns = [Column("N", value)]
    tabular_response(fmt="xlsx", filename="x", columns=columns, rows=[1, 2, 3])
    assert calls == [1, 2, 3]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=40))
def test_any_text_never_becomes_a_formula_in_either_format(text):
    """Property: whatever a school types into a name, CSV shows it without a formula start and
    XLSX keeps it as text, equal to what was typed (less the characters XML cannot hold)."""
    rows = [row(name=text)]
    csv_cell = as_csv(tabular_response(fmt="csv", filename="x", columns=COLUMNS, rows=rows))
    if text:
        assert not csv_cell[1][0].startswith(("=", "+", "-", "@", "\t"))
    response = tabular_response(fmt="xlsx", filename="x", columns=COLUMNS, rows=rows)
    assert "<f>" not in sheet_xml(response)
    cell = as_sheet(response)["A2"]
    expected = exports.ILLEGAL_CHARACTERS_RE.sub("", text)
    if expected:
        assert cell.data_type == "s"
        # XML normalises a lone carriage return; the text is otherwise what was typed
        assert cell.value.replace("\r", "\n") == expected.replace("\r\n", "\n").replace("\r", "\n")
