"""Downloads of the lists on the screens: one table as CSV or Excel (XLSX), the same for every list.

The views choose the rows (with the screen's selectors and filters) and log who was read; this
module only turns rows into a file. CSV follows the monitoring export that came first: UTF-8 with
a byte order mark (so that Excel reads the accents) and ';' between cells (the separator Dutch
Excel expects), dates as dd-mm-jjjj. XLSX has a bold, frozen header row with a filter, dates as
real dates and column widths that fit the contents.

Formula injection (OWASP "CSV injection"): a name such as `=HYPERLINK(…)` typed into the school's
administration must stay text in the spreadsheet. In CSV such a cell gets a leading quote; in XLSX
every text cell is written as text (never as a formula or error value) and marked with Excel's
quote prefix, so the value stays exactly what was recorded and Excel keeps it text when edited.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.filters import AutoFilter

from .dates import today

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CSV_DELIMITER = ";"
DATE_FORMAT = "%d-%m-%Y"
XLSX_DATE_FORMAT = "DD-MM-YYYY"
XLSX_DATETIME_FORMAT = "DD-MM-YYYY HH:MM"
# A spreadsheet runs a cell that starts with one of these as a formula (or splits it into one).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MIN_WIDTH, MAX_WIDTH, WIDTH_SAMPLE = 8, 60, 500

Value = str | int | float | dt.date | None


@dataclass(frozen=True)
class Column:
    """One column: its header (a lazy translation) and how to get its value from a row."""

    header: Any
    value: Callable[[Any], Value]
    width: int | None = None  # in characters; None: fitted to the header and the contents


def check_format(fmt: str) -> str:
    """The format from the URL (`export.<fmt>`): csv or xlsx, anything else is not found."""
    if fmt not in FORMATS:
        raise Http404
    return fmt


def csv_safe(value: str) -> str:
    """A cell that a spreadsheet would run as a formula starts with a quote instead."""
    return f"'{value}" if value.startswith(FORMULA_TRIGGERS) else value


def tabular_response(
    *,
    fmt: str,
    filename: str,
    columns: Sequence[Column],
    rows: Iterable[Any],
    sheet_title: str = "",
    on: dt.date | None = None,
) -> HttpResponse:
    """The rows as a download `<filename>-<yyyy-mm-dd>.<fmt>`. Each value is read once, in
    memory: the rows must come with everything loaded (no query per row)."""
    fmt = check_format(fmt)
    headers = [str(c.header) for c in columns]
    table = [[c.value(row) for c in columns] for row in rows]
    body = _csv(headers, table) if fmt == "csv" else _xlsx(headers, table, columns, sheet_title)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    name = f"{filename}-{on or today():%Y-%m-%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _csv_text(value: Value) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{timezone.localtime(value):{DATE_FORMAT} %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:{DATE_FORMAT}}"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    return csv_safe(str(value))


def _csv(headers: list[str], table: list[list[Value]]) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # Excel opens UTF-8 with a byte order mark
    writer = csv.writer(out, delimiter=CSV_DELIMITER)
    writer.writerow([csv_safe(h) for h in headers])
    for values in table:
        writer.writerow([_csv_text(v) for v in values])
    return out.getvalue()


def _sheet_title(title: str) -> str:
    """Excel allows 31 characters and none of []:*?/\\ in a sheet's name."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in str(title)).strip()
    return cleaned[:31] or "Sheet1"


def _text_cell(ws, value: str) -> WriteOnlyCell:
    # openpyxl would store "=…" as a formula and "#N/A" as an error, and refuses control
    # characters: strip those, and always store text as text.
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"
    if text.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True
    return cell


def _xlsx_cell(ws, value: Value):
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        cell = WriteOnlyCell(ws, value=local.replace(tzinfo=None))
        cell.number_format = XLSX_DATETIME_FORMAT
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = XLSX_DATE_FORMAT
        return cell
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return _text_cell(ws, str(value))


def _display_length(value: Value) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


def _widths(headers: list[str], table: list[list[Value]], columns: Sequence[Column]) -> list[int]:
    widths = []
    sample = table[:WIDTH_SAMPLE]
    for i, (header, column) in enumerate(zip(headers, columns, strict=True)):
        if column.width:
            widths.append(column.width)
            continue
        longest = max([len(header), *(_display_length(values[i]) for values in sample)])
        widths.append(min(MAX_WIDTH, max(MIN_WIDTH, longest + 2)))
    return widths


def _xlsx(
    headers: list[str], table: list[list[Value]], columns: Sequence[Column], sheet_title: str
) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_sheet_title(sheet_title))
    # Column widths, the frozen header and the filter go before the first row in write-only mode.
    for i, width in enumerate(_widths(headers, table, columns), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    last = get_column_letter(max(len(headers), 1))
    ws.auto_filter = AutoFilter(ref=f"A1:{last}{len(table) + 1}")
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = _text_cell(ws, header)
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    for values in table:
        ws.append([_xlsx_cell(ws, v) for v in values])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
