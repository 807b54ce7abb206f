"""Importing students from a school administration export (Magister, Somtoday): reading the file,
recognising its columns, and checking every row against the school's students, without writing.

The steps (students.services writes):

1. `parse_file` reads CSV (comma or semicolon; UTF-8 with or without BOM, else Windows-1252 or
   Latin-1) or XLSX into column names and rows of plain values (text, whole numbers, ISO dates).
2. `guess_mapping` recognises the columns by the names Magister and Somtoday give them.
3. `check_rows` cleans every row, finds the student it belongs to (PGN, else first name + last
   name + date of birth within the school) and says per row: create, update, unchanged or error.
   It reads the school's students in one query and the PGNs of other schools in one query per
   5,000 PGNs, so 10,000 rows take well under a second.

The reads of this module (`import_get`, `import_list`) are scoped to the acting coordinator.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db.models import QuerySet
from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from routearbeid.core.dates import today
from routearbeid.core.errors import DomainError, NotFound
from routearbeid.organisations.actors import Actor, as_actor
from routearbeid.organisations.constants import Role

from .models import Student, StudentImport

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 200
# An XLSX is a zip file: refuse one that unpacks to far more than any export (a "zip bomb").
MAX_UNPACKED_BYTES = 250 * 1024 * 1024
# Rows per query when looking up PGNs in other schools (well below SQLite's variable limit).
PGN_LOOKUP_CHUNK = 5_000
# How many rows of each kind the preview shows, and how many row errors at most.
PREVIEW_ROWS = 10
PREVIEW_ERRORS = 250

CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"
ACTIONS = (CREATE, UPDATE, UNCHANGED, ERROR)


class ImportFileError(DomainError):
    """The file cannot be read as a student export; the message says what to do."""


# --- the fields of a student that an export can fill ------------------------------------------


@dataclass(frozen=True)
class ImportField:
    key: str
    label: str | Promise
    required: bool
    # Column names that mean this field, normalised (`normalise_header`), best first.
    names: tuple[str, ...]
    help_text: str | Promise = ""
    max_length: int | None = None


FIELDS: tuple[ImportField, ...] = (
    ImportField(
        "first_name",
        _("First name"),
        True,
        ("roepnaam", "voornaam", "voornamen", "firstname"),
        max_length=100,
    ),
    ImportField(
        "last_name_prefix",
        _("Prefix of the last name (tussenvoegsel)"),
        False,
        ("voorvoegsel", "tussenvoegsel", "voorvoegsels", "tussenvoegsels"),
        _("Such as “van der”: it is put before the last name."),
    ),
    ImportField(
        "last_name",
        _("Last name"),
        True,
        ("achternaam", "geslachtsnaam", "lastname"),
        max_length=150,
    ),
    ImportField(
        "date_of_birth",
        _("Date of birth"),
        True,
        ("geboortedatum", "gebdatum", "geboren", "dateofbirth"),
        _("As dd-mm-yyyy, d-m-yyyy or yyyy-mm-dd, or an Excel date."),
    ),
    ImportField(
        "class_name", _("Class"), False, ("klas", "stamgroep", "basisgroep", "groep"), max_length=50
    ),
    ImportField(
        "pgn",
        _("BSN (PGN)"),
        False,
        ("bsn", "burgerservicenummer", "pgn", "sofinummer"),
        _("9 digits. With the PGN a later import recognises the student."),
    ),
    ImportField(
        "education_number",
        _("Education number (when there is no BSN)"),
        False,
        ("onderwijsnummer", "own"),
        _("9 digits; used as the PGN when the BSN is empty."),
    ),
    ImportField(
        "municipality",
        _("Municipality of residence"),
        True,
        ("woonplaats", "gemeente", "woongemeente", "plaats"),
        max_length=100,
    ),
    ImportField(
        "email",
        _("E-mail"),
        False,
        ("emailadres", "email", "emailleerling", "emailadresleerling"),
        max_length=254,
    ),
    ImportField(
        "phone",
        _("Phone"),
        False,
        (
            "mobiel",
            "mobielnummer",
            "telmobiel",
            "mobieltelefoonnummer",
            "telefoonnummer",
            "telefoon",
            "telnr",
        ),
        max_length=30,
    ),
    ImportField(
        "arrival_date",
        _("Arrival in the Netherlands"),
        False,
        (
            "datuminnederland",
            "datumvestiginginnederland",
            "datumvestigingnederland",
            "aankomstdatum",
            "datumaankomst",
            "innederlandsinds",
        ),
    ),
    ImportField(
        "languages",
        _("Languages"),
        False,
        ("talen", "thuistaal", "moedertaal", "taal", "spreektaal"),
        max_length=200,
    ),
)
FIELD_BY_KEY = {f.key: f for f in FIELDS}
REQUIRED_FIELDS = tuple(f.key for f in FIELDS if f.required)
# The student's fields that an import compares and writes (last name includes the prefix).
STUDENT_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "class_name",
    "pgn",
    "municipality",
    "email",
    "phone",
    "arrival_date",
    "languages",
)
STUDENT_FIELD_LABELS: dict[str, str | Promise] = {
    "first_name": _("first name"),
    "last_name": _("last name"),
    "date_of_birth": _("date of birth"),
    "class_name": _("class"),
    "pgn": _("PGN"),
    "municipality": _("municipality of residence"),
    "email": _("e-mail"),
    "phone": _("phone"),
    "arrival_date": _("arrival in the Netherlands"),
    "languages": _("languages"),
}


def normalise_header(name: str) -> str:
    """'Geb. datum' and 'geb.datum' and 'E-mailadres' read the same: lower case, letters and digits."""
    return re.sub(r"[^0-9a-z]", "", str(name).casefold())


def guess_mapping(headers: Sequence[str]) -> dict[str, int | None]:
    """For each field the first column whose name means it (each column used once)."""
    normalised = [normalise_header(h) for h in headers]
    used: set[int] = set()
    mapping: dict[str, int | None] = {}
    for f in FIELDS:
        mapping[f.key] = None
        for name in f.names:
            index = next((i for i, h in enumerate(normalised) if h == name and i not in used), None)
            if index is not None:
                mapping[f.key] = index
                used.add(index)
                break
    return mapping


def mapping_errors(mapping: dict[str, int | None], column_count: int) -> list[str]:
    """What is wrong with a chosen mapping: a required field without a column, a column that does
    not exist, or one column chosen for two fields."""
    errors: list[str] = []
    for key in REQUIRED_FIELDS:
        if mapping.get(key) is None:
            errors.append(
                _t("Choose the column that holds the %(field)s.")
                % {"field": STUDENT_FIELD_LABELS.get(key, FIELD_BY_KEY[key].label)}
            )
    seen: dict[int, str] = {}
    for key, index in mapping.items():
        if index is None:
            continue
        if key not in FIELD_BY_KEY or not 0 <= index < column_count:
            errors.append(_t("A chosen column does not exist in the file."))
        elif index in seen:
            errors.append(
                _t("One column is chosen for both “%(a)s” and “%(b)s”.")
                % {"a": FIELD_BY_KEY[seen[index]].label, "b": FIELD_BY_KEY[key].label}
            )
        else:
            seen[index] = key
    return errors


# --- reading the file ---------------------------------------------------------------------------


@dataclass
class ParsedFile:
    headers: list[str]
    # [row number in the file (the header is row 1), [cell, ...]]; a cell is text, a whole number
    # (from an Excel number cell) or an ISO date (from an Excel date cell).
    rows: list[list[Any]]


def parse_file(name: str, data: bytes) -> ParsedFile:
    """Read an upload; ImportFileError with a message for a file that is not a usable export."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(
            _("The file is larger than %(mb)s MB. Export fewer columns or fewer students at once.")
            % {"mb": MAX_FILE_BYTES // (1024 * 1024)}
        )
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    if data[:4] == b"PK\x03\x04":
        parsed = _parse_xlsx(data)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFileError(
            _("This is an old Excel file (.xls). Save it as .xlsx or as CSV and upload that.")
        )
    else:
        parsed = _parse_csv(data)
    if not any(h.strip() for h in parsed.headers):
        raise ImportFileError(_("The first row of the file must hold the column names."))
    if not parsed.rows:
        raise ImportFileError(_("The file has column names but no students."))
    return parsed


def _too_many_rows() -> ImportFileError:
    return ImportFileError(
        _(
            "The file has more than %(max)s rows. Split it into smaller files and import them one by one."
        )
        % {"max": formats.number_format(MAX_ROWS, force_grouping=True)}
    )


def _too_many_columns() -> ImportFileError:
    return ImportFileError(
        _("The file has more than %(max)s columns. Export only the columns you need.")
        % {"max": MAX_COLUMNS}
    )


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM); else Windows-1252 (Excel's "CSV" on Dutch Windows); else
    Latin-1, which reads every byte."""
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def _delimiter(header_line: str) -> str:
    """Semicolon (Dutch Excel), comma or tab: whichever splits the header line most."""
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _parse_csv(data: bytes) -> ParsedFile:
    # A NUL byte anywhere: not a text export (and PostgreSQL cannot store it in text or JSON).
    if b"\x00" in data:
        raise ImportFileError(
            _("This file cannot be read. Upload a CSV file or an Excel file (.xlsx).")
        )
    text = decode_text(data)
    offset = 0
    # Excel's own hint line "sep=;" names the separator; the column names follow it.
    hint = re.match(r"sep=(.)\r?\n", text, re.IGNORECASE)
    if hint:
        text, offset = text[hint.end() :], 1
        delimiter = hint.group(1)
    else:
        delimiter = _delimiter(text.lstrip("\r\n").split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers: list[str] | None = None
    rows: list[list[Any]] = []
    try:
        for record in reader:
            cells = [c.strip() for c in record]
            if not any(cells):
                continue
            if headers is None:
                if len(cells) > MAX_COLUMNS:
                    raise _too_many_columns()
                headers = cells
                continue
            if len(rows) >= MAX_ROWS:
                raise _too_many_rows()
            rows.append([reader.line_num + offset, cells[:MAX_COLUMNS]])
    except csv.Error:
        raise ImportFileError(
            _("The CSV file cannot be read near line %(line)s. Check the quotes in that line.")
            % {"line": reader.line_num + offset}
        ) from None
    return ParsedFile(headers=headers or [], rows=rows)


def _xlsx_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else str(value)
    if isinstance(value, dt.time):
        return value.isoformat()
    return str(value).strip()


def _parse_xlsx(data: bytes) -> ParsedFile:
    unreadable = ImportFileError(
        _("This Excel file cannot be read. Open it in Excel, save it as .xlsx and try again.")
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise unreadable
            try:
                return _collect_rows(_stream_xlsx_rows(archive))
            except ImportFileError:
                raise
            except Exception:
                logger.info("fast XLSX reading failed; reading with openpyxl", exc_info=True)
    except ImportFileError:
        raise
    except Exception:
        raise unreadable from None
    try:
        return _collect_rows(_openpyxl_rows(data))
    except ImportFileError:
        raise
    except Exception:
        # openpyxl raises many kinds of errors on a damaged file; each means the same to the user.
        raise unreadable from None


def _collect_rows(rows: Iterable[tuple[int, list[Any]]]) -> ParsedFile:
    headers: list[str] | None = None
    collected: list[list[Any]] = []
    for number, values in rows:
        # NUL cannot be stored in PostgreSQL text or JSON (an XLSX cell can hold one as _x0000_)
        cells = [
            c.replace("\x00", "") if isinstance(c, str) else c for c in map(_xlsx_cell, values)
        ]
        while cells and cells[-1] == "":
            cells.pop()
        if not cells:
            continue
        if headers is None:
            if len(cells) > MAX_COLUMNS:
                raise _too_many_columns()
            headers = [str(c) for c in cells]
            continue
        if len(collected) >= MAX_ROWS:
            raise _too_many_rows()
        collected.append([number, cells[:MAX_COLUMNS]])
    return ParsedFile(headers=headers or [], rows=collected)


def _openpyxl_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(values)
    finally:
        workbook.close()


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _stream_xlsx_rows(archive: zipfile.ZipFile) -> Iterator[tuple[int, list[Any]]]:
    """The first sheet's rows, read straight from its XML: about five times faster than
    openpyxl's read-only mode for an export of 10,000 rows. Uses openpyxl's own shared-string,
    number-format and date helpers; any workbook this does not understand goes to openpyxl."""
    from xml.etree.ElementTree import fromstring, iterparse

    from openpyxl.reader.strings import read_string_table
    from openpyxl.styles.numbers import builtin_format_code, is_date_format
    from openpyxl.utils.cell import column_index_from_string
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

    names = set(archive.namelist())
    workbook = fromstring(archive.read("xl/workbook.xml"))
    properties = workbook.find(f"{_MAIN}workbookPr")
    date1904 = properties is not None and properties.get("date1904") in ("1", "true")
    epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
    first_sheet = workbook.find(f"{_MAIN}sheets/{_MAIN}sheet")
    assert first_sheet is not None
    rels = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next(
        r.get("Target", "")
        for r in rels.iter(f"{_PKG_REL}Relationship")
        if r.get("Id") == first_sheet.get(f"{_DOC_REL}id")
    )
    sheet_path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"

    shared: list[str] = []
    if "xl/sharedStrings.xml" in names:
        with archive.open("xl/sharedStrings.xml") as source:
            shared = read_string_table(source)
    date_styles: set[int] = set()
    if "xl/styles.xml" in names:
        styles = fromstring(archive.read("xl/styles.xml"))
        custom = {
            int(f.get("numFmtId", "0")): f.get("formatCode", "")
            for f in styles.iter(f"{_MAIN}numFmt")
        }
        xfs = styles.find(f"{_MAIN}cellXfs")
        for index, xf in enumerate(xfs if xfs is not None else []):
            fmt_id = int(xf.get("numFmtId", "0"))
            fmt = custom.get(fmt_id) or builtin_format_code(fmt_id)
            if fmt and is_date_format(fmt):
                date_styles.add(index)

    cell_tag, row_tag = f"{_MAIN}c", f"{_MAIN}row"
    value_tag, text_tag = f"{_MAIN}v", f"{_MAIN}t"
    with archive.open(sheet_path) as source:
        number = 0
        for _event, element in iterparse(source):
            if element.tag != row_tag:
                continue
            number = int(element.get("r") or number + 1)
            values: list[Any] = []
            for cell in element.iter(cell_tag):
                ref = cell.get("r")
                if ref:
                    column = column_index_from_string(ref.rstrip("0123456789")) - 1
                    values.extend([None] * (column - len(values)))
                kind = cell.get("t", "n")
                raw = cell.findtext(value_tag)
                value: Any = None
                if kind == "inlineStr":
                    value = "".join(t.text or "" for t in cell.iter(text_tag))
                elif raw is None:
                    value = None
                elif kind == "s":
                    value = shared[int(raw)]
                elif kind in ("str", "e"):
                    value = raw
                elif kind == "b":
                    value = raw == "1"
                elif kind == "d":
                    value = dt.datetime.fromisoformat(raw)
                else:
                    numeric = float(raw)
                    if int(cell.get("s", "0")) in date_styles:
                        value = from_excel(numeric, epoch)
                    else:
                        value = int(numeric) if numeric.is_integer() else numeric
                values.append(value)
            element.clear()
            yield number, values


# --- cleaning one row -----------------------------------------------------------------------------

_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_PGN_NOISE = re.compile(r"[\s.\-]")
_SPACES = re.compile(r"\s+")
_email_validator = EmailValidator()
EARLIEST_BIRTH = dt.date(1900, 1, 1)


def parse_date(value: Any) -> dt.date | None:
    """dd-mm-yyyy, d-m-yyyy (also with / or .), yyyy-mm-dd, or an Excel date (stored as ISO);
    None when it is not a date of the calendar."""
    text = str(value).strip()
    match = _DMY.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        match = _YMD.match(text)
        if not match:
            return None
        year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _text(value: Any) -> str:
    return _SPACES.sub(" ", str(value)).strip()


def _pgn(value: Any) -> str:
    # Excel drops a leading zero of a number cell: a BSN may start with 0.
    if isinstance(value, int) and 0 <= value < 10**9:
        return f"{value:09d}"
    return _PGN_NOISE.sub("", str(value))


def _phone(value: Any) -> str:
    # A Dutch mobile number in an Excel number cell lost its 0 (0612345678 → 612345678).
    if isinstance(value, int) and 100_000_000 <= value < 1_000_000_000:
        return f"0{value}"
    return _text(value)


@dataclass
class RowCheck:
    """One row of the file: its cleaned values, what it will do, and what is wrong with it."""

    row: int
    values: dict[str, Any]
    errors: list[str] = field(default_factory=list)
    action: str = ""
    student_id: int | None = None
    changed: list[str] = field(default_factory=list)
    # The school's student this row updates (not stored; the writer uses it).
    student: Student | None = field(default=None, repr=False)

    @property
    def name_key(self) -> tuple[str, str, dt.date] | None:
        first, last, born = (
            self.values.get("first_name"),
            self.values.get("last_name"),
            self.values.get("date_of_birth"),
        )
        if not (first and last and born):
            return None
        return (first.casefold(), last.casefold(), born)


def _cell(cells: Sequence[Any], index: int | None) -> Any:
    if index is None or index >= len(cells):
        return ""
    value = cells[index]
    return "" if value is None else value


def clean_row(
    number: int,
    cells: Sequence[Any],
    mapping: dict[str, int | None],
    *,
    on: dt.date | None = None,
) -> RowCheck:
    """The row's values as the Student model wants them; errors in the reader's language.

    An empty cell is left out of `values`: an import never erases what is already known."""
    on = on or today()
    check = RowCheck(row=number, values={})
    values = check.values
    errors = check.errors
    raw = {key: _cell(cells, mapping.get(key)) for key in FIELD_BY_KEY}
    row = {"row": number}

    first = _text(raw["first_name"])
    if first:
        values["first_name"] = first
    else:
        errors.append(_t("Row %(row)s: the first name is empty.") % row)
    last = _text(raw["last_name"])
    prefix = _text(raw["last_name_prefix"])
    if last:
        values["last_name"] = f"{prefix} {last}" if prefix else last
    else:
        errors.append(_t("Row %(row)s: the last name is empty.") % row)

    born_text = _text(raw["date_of_birth"])
    if not born_text:
        errors.append(_t("Row %(row)s: the date of birth is empty.") % row)
    else:
        born = parse_date(born_text)
        if born is None:
            errors.append(
                _t("Row %(row)s: the date of birth '%(value)s' is not a valid date.")
                % {**row, "value": born_text}
            )
        elif not EARLIEST_BIRTH <= born <= on:
            errors.append(
                _t("Row %(row)s: the date of birth '%(value)s' cannot be right.")
                % {**row, "value": born_text}
            )
        else:
            values["date_of_birth"] = born

    arrival_text = _text(raw["arrival_date"])
    if arrival_text:
        arrival = parse_date(arrival_text)
        if arrival is None:
            errors.append(
                _t(
                    "Row %(row)s: the date of arrival in the Netherlands '%(value)s' is not a valid date."
                )
                % {**row, "value": arrival_text}
            )
        elif arrival > on:
            errors.append(
                _t(
                    "Row %(row)s: the date of arrival in the Netherlands '%(value)s' lies in the future."
                )
                % {**row, "value": arrival_text}
            )
        else:
            values["arrival_date"] = arrival

    pgn_raw = raw["pgn"] if _text(raw["pgn"]) else raw["education_number"]
    if _text(pgn_raw):
        pgn = _pgn(pgn_raw)
        if re.fullmatch(r"\d{9}", pgn):
            values["pgn"] = pgn
        else:
            errors.append(
                _t("Row %(row)s: the PGN '%(value)s' is not 9 digits.")
                % {**row, "value": _text(pgn_raw)}
            )

    for key in ("class_name", "municipality", "languages"):
        text = _text(raw[key])
        if text:
            values[key] = text
    phone = _phone(raw["phone"]) if _text(raw["phone"]) else ""
    if phone:
        values["phone"] = phone
    email = _text(raw["email"])
    if email:
        try:
            _email_validator(email)
        except ValidationError:
            errors.append(
                _t("Row %(row)s: the e-mail address '%(value)s' is not valid.")
                % {**row, "value": email}
            )
        else:
            values["email"] = email

    for f in FIELDS:
        value = values.get(f.key)
        if f.max_length and isinstance(value, str) and len(value) > f.max_length:
            errors.append(
                _t("Row %(row)s: the %(field)s is longer than %(max)s characters.")
                % {**row, "field": STUDENT_FIELD_LABELS[f.key], "max": f.max_length}
            )
            del values[f.key]
    return check


# --- checking all rows against the school ---------------------------------------------------------


def _rows_text(numbers: Iterable[int]) -> str:
    return ", ".join(str(n) for n in numbers)


def _existing(school_id: int) -> list[Student]:
    return list(
        Student.objects.filter(school_id=school_id, anonymised_on__isnull=True).only(
            "id", "school_id", *STUDENT_FIELDS
        )
    )


def _pgns_elsewhere(school_id: int, pgns: set[str]) -> set[str]:
    """Which of these PGNs belong to a student the school cannot import into: of another school,
    or anonymised. The student is never named (need to know)."""
    found: set[str] = set()
    wanted = sorted(pgns)
    for start in range(0, len(wanted), PGN_LOOKUP_CHUNK):
        chunk = wanted[start : start + PGN_LOOKUP_CHUNK]
        found.update(
            Student.objects.filter(pgn__in=chunk)
            .exclude(school_id=school_id, anonymised_on__isnull=True)
            .values_list("pgn", flat=True)
        )
    return found


def check_rows(
    *, school_id: int, rows: Sequence[Sequence[Any]], mapping: dict[str, int | None]
) -> list[RowCheck]:
    """Every row cleaned and matched to the school's students: action create, update, unchanged
    or error. Matching: the PGN; else first name + last name + date of birth (case-insensitive)
    among the school's students without a PGN, or without one in the file any student."""
    on = today()
    checks = [clean_row(int(number), cells, mapping, on=on) for number, cells in rows]

    # The same PGN twice in the file: which row is right is for the school to say.
    rows_by_pgn: dict[str, list[int]] = defaultdict(list)
    for check in checks:
        if "pgn" in check.values:
            rows_by_pgn[check.values["pgn"]].append(check.row)
    for check in checks:
        pgn = check.values.get("pgn")
        if pgn and len(rows_by_pgn[pgn]) > 1:
            others = [n for n in rows_by_pgn[pgn] if n != check.row]
            check.errors.append(
                _t("Row %(row)s: the PGN %(pgn)s also appears in row %(rows)s of the file.")
                % {"row": check.row, "pgn": pgn, "rows": _rows_text(others)}
            )

    existing = _existing(school_id)
    by_pgn = {s.pgn: s for s in existing if s.pgn}
    by_name: dict[tuple, list[Student]] = defaultdict(list)
    for s in existing:
        by_name[(s.first_name.casefold(), s.last_name.casefold(), s.date_of_birth)].append(s)
    unknown_pgns = {c.values["pgn"] for c in checks if "pgn" in c.values} - set(by_pgn)
    elsewhere = _pgns_elsewhere(school_id, unknown_pgns) if unknown_pgns else set()

    rows_by_target: dict[Any, list[int]] = defaultdict(list)
    for check in checks:
        if check.errors:
            continue
        student = _match(check, by_pgn, by_name, elsewhere)
        if check.errors:
            continue
        if student is None:
            _plan_create(check)
            target: Any = ("new", check.values.get("pgn") or check.name_key)
        else:
            _plan_update(check, student)
            target = student.pk
        if check.errors:
            continue
        rows_by_target[target].append(check.row)

    # Two rows about the same student (existing, or new without a PGN).
    for check in checks:
        if check.errors:
            continue
        key = (
            check.student_id
            if check.student_id
            else ("new", check.values.get("pgn") or check.name_key)
        )
        numbers = rows_by_target.get(key, [])
        if len(numbers) > 1:
            check.errors.append(
                _t("Row %(row)s: this student also appears in row %(rows)s of the file.")
                % {"row": check.row, "rows": _rows_text(n for n in numbers if n != check.row)}
            )
    for check in checks:
        if check.errors:
            check.action = ERROR
    return checks


def _match(check: RowCheck, by_pgn, by_name, elsewhere: set[str]) -> Student | None:
    pgn = check.values.get("pgn")
    if pgn:
        if pgn in by_pgn:
            return by_pgn[pgn]
        if pgn in elsewhere:
            check.errors.append(
                _t(
                    "Row %(row)s: the PGN %(pgn)s cannot be imported for this school. "
                    "Check the number; if it is right, ask the functional administrator."
                )
                % {"row": check.row, "pgn": pgn}
            )
            return None
    candidates = by_name.get(check.name_key, [])
    if pgn:
        # A student of the school with another PGN is another person.
        candidates = [s for s in candidates if not s.pgn]
    if len(candidates) > 1:
        check.errors.append(
            _t(
                "Row %(row)s: the school has several students with this name and date of birth. "
                "Add the PGN to the file to say which one is meant."
            )
            % {"row": check.row}
        )
        return None
    return candidates[0] if candidates else None


def _plan_create(check: RowCheck) -> None:
    if not check.values.get("municipality"):
        check.errors.append(
            _t("Row %(row)s: the municipality of residence is empty.") % {"row": check.row}
        )
        return
    arrival = check.values.get("arrival_date")
    if arrival and arrival < check.values["date_of_birth"]:
        check.errors.append(_arrival_error(check.row, arrival, check.values["date_of_birth"]))
        return
    check.action = CREATE


def _plan_update(check: RowCheck, student: Student) -> None:
    # The student's arrival must stay after birth with the new values and the kept ones.
    born = check.values.get("date_of_birth", student.date_of_birth)
    arrival = check.values.get("arrival_date", student.arrival_date)
    if arrival and arrival < born:
        check.errors.append(_arrival_error(check.row, arrival, born))
        return
    check.student_id = student.pk
    check.student = student
    check.changed = [
        key
        for key, value in check.values.items()
        if key in STUDENT_FIELDS and getattr(student, key) != value
    ]
    check.action = UPDATE if check.changed else UNCHANGED


def _arrival_error(row: int, arrival: dt.date, born: dt.date) -> str:
    return _t(
        "Row %(row)s: the date of arrival in the Netherlands (%(arrival)s) is before the date of "
        "birth (%(born)s)."
    ) % {
        "row": row,
        "arrival": arrival.strftime("%d-%m-%Y"),
        "born": born.strftime("%d-%m-%Y"),
    }


def summarise(checks: Sequence[RowCheck]) -> dict[str, Any]:
    """The preview as JSON: counts, the first rows of each kind, and the errors per row."""
    counts = dict.fromkeys(ACTIONS, 0)
    samples: dict[str, list[dict[str, Any]]] = {a: [] for a in ACTIONS}
    errors: list[dict[str, Any]] = []
    error_count = 0
    for check in checks:
        counts[check.action] += 1
        if check.action == ERROR:
            error_count += len(check.errors)
            if len(errors) < PREVIEW_ERRORS:
                errors.append({"row": check.row, "messages": check.errors})
        if len(samples[check.action]) < PREVIEW_ROWS:
            born = check.values.get("date_of_birth")
            samples[check.action].append(
                {
                    "row": check.row,
                    "first_name": check.values.get("first_name", ""),
                    "last_name": check.values.get("last_name", ""),
                    "date_of_birth": born.isoformat() if born else "",
                    "class_name": check.values.get("class_name", ""),
                    "student_id": check.student_id,
                    "changed": check.changed,
                }
            )
    return {
        "counts": counts,
        "samples": samples,
        "errors": errors,
        "error_rows": counts[ERROR],
        "error_messages": error_count,
    }


# --- reads, scoped to the acting coordinator ------------------------------------------------------


def importing_school_ids(actor: Actor) -> set[int]:
    """The schools whose students this person may import: where they are school coordinator.
    Mentors work on their own youth's cases; replacing the school's student register from the
    administration system is the coordinator's task."""
    return as_actor(actor).organisation_ids(Role.SCHOOL_COORDINATOR)


def import_list(*, actor: Actor) -> QuerySet[StudentImport]:
    school_ids = importing_school_ids(actor)
    if not school_ids:
        return StudentImport.objects.none()
    return (
        StudentImport.objects.filter(school_id__in=school_ids)
        .select_related("school", "created_by")
        .defer("rows", "headers", "summary")
    )


def import_get(*, actor: Actor, import_id: int, with_rows: bool = False) -> StudentImport:
    """An import of one of the actor's schools; NotFound for any other (or none)."""
    qs = StudentImport.objects.filter(school_id__in=importing_school_ids(actor)).select_related(
        "school"
    )
    if not with_rows:
        qs = qs.defer("rows")
    try:
        return qs.get(pk=import_id)
    except (StudentImport.DoesNotExist, ValueError, TypeError):
        raise NotFound("not found") from None


def date_text(value: Any) -> str:
    """An ISO date of the preview as dd-mm-yyyy."""
    try:
        return dt.date.fromisoformat(value).strftime("%d-%m-%Y")
    except (TypeError, ValueError):
        return str(value or "")


def field_labels(keys: Iterable[str]) -> list[str]:
    return [str(STUDENT_FIELD_LABELS.get(k, k)) for k in keys]
