"""Reading a school administration export: CSV and XLSX, encodings, separators, limits, and the
recognition of Magister's and Somtoday's column names (students.importing)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest

from routearbeid.students import importing
from routearbeid.students.importing import ImportFileError, guess_mapping, parse_date, parse_file

MAGISTER = [
    "Stamnr",
    "Roepnaam",
    "Tussenvoegsel",
    "Achternaam",
    "Geb.datum",
    "Klas",
    "BSN",
    "Onderwijsnummer",
    "Woonplaats",
    "E-mailadres",
    "Mobiel",
]
SOMTODAY = [
    "Leerlingnummer",
    "Roepnaam",
    "Voorvoegsel",
    "Achternaam",
    "Geboortedatum",
    "Stamgroep",
    "BSN",
    "Onderwijsnummer",
    "Woonplaats",
    "E-mail",
    "Telefoonnummer",
    "Datum in Nederland",
]


def xlsx(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_magister_columns_are_recognised_whatever_the_spacing_and_case():
    headers = [h.upper() if i % 2 else f"  {h} " for i, h in enumerate(MAGISTER)]
    headers[4] = "geb. datum"
    mapping = guess_mapping(headers)
    assert mapping == {
        "first_name": 1,
        "last_name_prefix": 2,
        "last_name": 3,
        "date_of_birth": 4,
        "class_name": 5,
        "pgn": 6,
        "education_number": 7,
        "municipality": 8,
        "email": 9,
        "phone": 10,
        "arrival_date": None,
        "languages": None,
    }


def test_somtoday_columns_are_recognised():
    mapping = guess_mapping(SOMTODAY)
    assert mapping["first_name"] == 1
    assert mapping["last_name_prefix"] == 2
    assert mapping["date_of_birth"] == 4
    assert mapping["class_name"] == 5
    assert mapping["pgn"] == 6
    assert mapping["education_number"] == 7
    assert mapping["email"] == 9
    assert mapping["phone"] == 10
    assert mapping["arrival_date"] == 11


def test_unknown_columns_are_not_guessed():
    assert set(guess_mapping(["Naam", "Iets", "Nog iets"]).values()) == {None}


def test_semicolon_csv_in_utf8_with_bom():
    data = "\ufeffRoepnaam;Achternaam;Geboortedatum\nZoë;Çelik;01-02-2008\n".encode()
    parsed = parse_file("x.csv", data)
    assert parsed.headers == ["Roepnaam", "Achternaam", "Geboortedatum"]
    assert parsed.rows == [[2, ["Zoë", "Çelik", "01-02-2008"]]]


def test_comma_csv_with_quotes_and_windows_1252():
    data = 'Roepnaam,Achternaam,Woonplaats\r\n"Zoë","Çelik, jr.",Alkmaar\r\n'.encode("cp1252")
    parsed = parse_file("x.csv", data)
    assert parsed.rows == [[2, ["Zoë", "Çelik, jr.", "Alkmaar"]]]


def test_latin1_bytes_that_windows_1252_does_not_know_still_read():
    # 0x81 is undefined in Windows-1252; Latin-1 reads every byte.
    data = b"Roepnaam;Achternaam\nA\x81li;B\n"
    assert parse_file("x.csv", data).rows[0][1][0] == "A\x81li"


def test_blank_lines_are_skipped_and_row_numbers_are_those_of_the_file():
    data = b"Roepnaam;Achternaam\n\nAli;Demir\n;\nSara;Bakker\n"
    parsed = parse_file("x.csv", data)
    assert [number for number, _cells in parsed.rows] == [3, 5]


def test_xlsx_with_date_cells_and_number_cells():
    data = xlsx(
        [
            ["Roepnaam", "Achternaam", "Geboortedatum", "BSN", "Mobiel"],
            ["Ali", "Demir", dt.datetime(2008, 2, 1), 12345672, 612345678],
        ]
    )
    parsed = parse_file("leerlingen.xlsx", data)
    assert parsed.headers[2] == "Geboortedatum"
    number, cells = parsed.rows[0]
    assert number == 2
    assert cells == ["Ali", "Demir", "2008-02-01", 12345672, 612345678]
    check = importing.clean_row(
        number, cells, {"first_name": 0, "last_name": 1, "date_of_birth": 2, "pgn": 3, "phone": 4}
    )
    # Excel dropped the leading zeros: the BSN gets its 9 digits back, the mobile number its 0.
    assert check.values["pgn"] == "012345672"
    assert check.values["phone"] == "0612345678"
    assert check.values["date_of_birth"] == dt.date(2008, 2, 1)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("x.csv", b"", "empty"),
        ("x.csv", b"Roepnaam;Achternaam\n", "no students"),
        ("x.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Excel file"),
        ("x.xlsx", b"PK\x03\x04 this is not really a zip", "cannot be read"),
        ("x.pdf", b"%PDF-1.4\x00\x00\x00binary", "cannot be read"),
    ],
)
def test_unusable_files_get_a_message(name, data, message):
    with pytest.raises(ImportFileError) as error:
        parse_file(name, data)
    assert message in str(error.value.message)


def test_a_file_over_the_size_limit_is_refused(monkeypatch):
    monkeypatch.setattr(importing, "MAX_FILE_BYTES", 100)
    with pytest.raises(ImportFileError) as error:
        parse_file("x.csv", b"Roepnaam;Achternaam\n" + b"Ali;Demir\n" * 20)
    assert "larger than" in str(error.value.message)


def test_the_row_limit_holds_for_csv_and_xlsx(monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 3)
    csv_data = b"Roepnaam;Achternaam\n" + b"Ali;Demir\n" * 4
    with pytest.raises(ImportFileError) as error:
        parse_file("x.csv", csv_data)
    assert "more than 3 rows" in str(error.value.message)
    assert len(parse_file("x.csv", b"Roepnaam;Achternaam\n" + b"Ali;Demir\n" * 3).rows) == 3
    with pytest.raises(ImportFileError):
        parse_file("x.xlsx", xlsx([["Roepnaam"], *[["Ali"]] * 4]))


def test_a_zip_that_unpacks_to_a_huge_file_is_refused(monkeypatch):
    monkeypatch.setattr(importing, "MAX_UNPACKED_BYTES", 10_000)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", "a" * 100_000)
    with pytest.raises(ImportFileError):
        parse_file("x.xlsx", out.getvalue())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31-12-2008", dt.date(2008, 12, 31)),
        ("1-2-2008", dt.date(2008, 2, 1)),
        ("01/02/2008", dt.date(2008, 2, 1)),
        ("1.2.2008", dt.date(2008, 2, 1)),
        ("2008-02-01", dt.date(2008, 2, 1)),
        ("2008-02-01 00:00:00", dt.date(2008, 2, 1)),
        ("31-02-2008", None),
        ("2008-13-01", None),
        ("1-2-08", None),
        ("39448", None),
        ("gisteren", None),
    ],
)
def test_dates_in_the_accepted_forms(text, expected):
    assert parse_date(text) == expected


def test_the_fast_xlsx_reader_reads_what_openpyxl_reads():
    """Strings, numbers, dates in several formats, booleans, empty cells in between."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Roepnaam", "Achternaam", "Geboortedatum", "BSN", "Cijfer", "Actief", "", "Klas"])
    sheet.append(["Zoë", "Çelik", dt.datetime(2008, 2, 1), 12345672, 7.5, True, None, "ISK1"])
    sheet.append([None, "Alleen achternaam", dt.date(2007, 12, 31), None, 8, False, None, None])
    sheet.append([])
    sheet.append(["Na een lege rij", "X", "01-02-2008", "123456782", None, None, None, "ISK2"])
    sheet["C2"].number_format = "dd-mm-yyyy"
    sheet["C3"].number_format = "d mmmm yyyy"
    out = io.BytesIO()
    workbook.save(out)
    data = out.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        fast = importing._collect_rows(importing._stream_xlsx_rows(archive))
    slow = importing._collect_rows(importing._openpyxl_rows(data))
    assert fast == slow
    assert fast.rows[0] == [2, ["Zoë", "Çelik", "2008-02-01", 12345672, "7.5", "True", "", "ISK1"]]
    assert fast.rows[2][0] == 5


def test_an_xlsx_with_inline_strings_and_the_1904_calendar():
    """As some export tools write it: inline strings, no shared strings, no styles file."""
    out = io.BytesIO()
    main = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook {main} {rel}><workbookPr date1904="1"/>'
            '<sheets><sheet name="L" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="x" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f"<worksheet {main}><sheetData>"
            '<row r="1"><c r="A1" t="inlineStr"><is><t>Roepnaam</t></is></c>'
            '<c r="C1" t="inlineStr"><is><t>Klas</t></is></c></row>'
            '<row r="3"><c r="A3" t="inlineStr"><is><t>Ali</t></is></c>'
            '<c r="C3" t="inlineStr"><is><t>ISK</t></is></c></row>'
            "</sheetData></worksheet>",
        )
    parsed = parse_file("x.xlsx", out.getvalue())
    assert parsed.headers == ["Roepnaam", "", "Klas"]
    assert parsed.rows == [[3, ["Ali", "", "ISK"]]]


def test_excels_separator_hint_line_is_followed():
    data = b"sep=,\r\nRoepnaam,Achternaam;Extra\r\nAli,Demir;X\r\n"
    parsed = parse_file("x.csv", data)
    assert parsed.headers == ["Roepnaam", "Achternaam;Extra"]
    assert parsed.rows == [[3, ["Ali", "Demir;X"]]]


def test_a_nul_byte_late_in_a_csv_refuses_the_file():
    """PostgreSQL cannot store NUL in text or JSON: a NUL after the first 4 KB must still give a
    clear message instead of a server error when the rows are stored."""
    header = b"Roepnaam;Achternaam;Geboortedatum;Woonplaats\n"
    rows = b"".join(b"Sara;Demir;01-02-2008;Alkmaar\n" for _ in range(300))
    with pytest.raises(ImportFileError, match="cannot be read"):
        parse_file("x.csv", header + rows + b"Ev\x00il;Demir;01-02-2008;Alkmaar\n")
