"""A computed report as files: JSON (the API document), CSV (one flat table) and XLSX (for officers).

The CSV comes in two forms: for programs, keyed like the API (`flask report --format csv`, the default); for
people (the dashboard's download, `flask report --format csv --labels`), with a byte-order mark so that
spreadsheet programs read the Vietnamese letters, and headers and values in the reader's language.
"""
import io
import json

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ..clock import to_local
from ..spreadsheets import csv_bytes, plain_text_sheet
from ..vocabulary import INDICATOR_STATUSES, INDICATOR_UNITS, INSTITUTION_CATEGORIES
from . import labels
from .rollup import Report, Row

FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}

CSV_COLUMNS = ("indicator", "unit", "area", "area_name", "category", "institution", "institution_name",
               "numerator", "denominator", "value", "target", "status")


def filename(report: Report, fmt: str) -> str:
    return f"bao-cao-chi-tieu-{report.area.code}-{report.year}.{fmt}"


def to_json(report: Report) -> bytes:
    return json.dumps(report.as_document(), ensure_ascii=False, indent=2).encode() + b"\n"


def _lines(report: Report):
    """(indicator result, area, row): the area's own rows first, then each child area's."""
    for result in report.indicators:
        for row in result.rows:
            yield result, report.area, row
        for part in result.areas:
            for row in part.rows:
                yield result, part.area, row


def to_csv(report: Report) -> bytes:
    """One line per row of the document, keyed like the API (machine-readable headers)."""
    lines = [CSV_COLUMNS]
    for result, area, row in _lines(report):
        document = row.as_document()
        lines.append([result.key, result.indicator.unit, area.code, area.name, row.category, row.institution,
                      row.name, row.numerator, row.denominator, row.value, document["target"], row.status])
    return csv_bytes(lines, lineterminator="\n")


def human_columns(year: int) -> list[str]:
    """The headers of the CSV for people, in the current language."""
    return [_("Indicator"), _("Unit of measure"), _("Area code"), _("Area"), _("Kind of institution"), _("Institution"),
            _("Counted"), _("Out of"), _("Value"), _("Target for %(year)s", year=year), _("Status")]


def to_human_csv(report: Report) -> bytes:
    """One line per row, in the reader's language, UTF-8 with a byte-order mark (Excel reads the accents)."""
    lines: list[list] = [human_columns(report.year)]
    for result, area, row in _lines(report):
        category = str(INSTITUTION_CATEGORIES[row.category]) if row.category in INSTITUTION_CATEGORIES else ""
        lines.append([str(labels.INDICATOR_NAMES[result.key]), str(INDICATOR_UNITS[result.indicator.unit]),
                      area.code, area.name, category, row.name or row.institution or "", row.numerator,
                      row.denominator, row.value, target_text(row), str(INDICATOR_STATUSES[row.status])])
    return csv_bytes(lines, byte_order_mark=True)


def report_title(report: Report) -> str:
    return labels.VI_TITLE.format(plan=labels.vi_plan_reference(report.plan), year=report.year)


def report_subject(report: Report) -> str:
    return labels.VI_SUBJECT.format(plan=labels.vi_plan_reference(report.plan), year=report.year)


def target_text(row: Row) -> str | float | int | None:
    """A range target reads '10–15'; a single figure stays a number."""
    if row.target is None:
        return None
    low = int(row.target) if float(row.target).is_integer() else row.target
    if row.target_high is None:
        return low
    high = int(row.target_high) if float(row.target_high).is_integer() else row.target_high
    return f"{low}–{high}"


def _columns(kind: str, year: int) -> list[tuple[str, str]]:
    """(header, field) of a sheet for this kind of indicator."""
    h = labels.VI_HEADERS
    if kind == "programmes":
        return [(h["area"], "area"), (h["institution"], "label"), (h["category"], "category"),
                (h["numerator_programmes"], "numerator"), (h["target"], "target"), (h["status"], "status")]
    if kind == "growth":
        return [(h["area"], "area"), (h["category"], "label"), (f"{h['numerator_growth']} {year}", "numerator"),
                (f"{h['denominator_growth']} {year - 1}", "denominator"), (f"{h['value']} (%)", "value"),
                (f"{h['target']} (%)", "target"), (h["status"], "status")]
    return [(h["area"], "area"), (h["category"], "label"), (h["numerator"], "numerator"),
            (h["denominator"], "denominator"), (f"{h['value']} (%)", "value"), (f"{h['target']} (%)", "target"),
            (h["status"], "status")]


def _cell(field: str, key: str, area, row: Row):
    return {
        "area": area.name,
        "label": labels.vi_row_label(key, row),
        "category": labels.VI_CATEGORIES.get(row.category or "", ""),
        "numerator": row.numerator,
        "denominator": row.denominator,
        "value": row.value,
        "target": target_text(row),
        "status": labels.VI_STATUSES[row.status],
    }[field]


def to_xlsx(report: Report) -> bytes:
    """One sheet per indicator, Vietnamese headers, the area and the date on top, ready to print on A4."""
    book = Workbook()
    book.remove(book.active)
    bold, thin = Font(bold=True), Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header_fill = PatternFill("solid", fgColor="DDE7F0")
    made_on = to_local(report.generated_at).strftime("%d/%m/%Y")
    for result in report.indicators:
        key, kind = result.key, result.indicator.kind
        sheet = book.create_sheet(labels.VI_SHEET_NAMES[key])
        columns = _columns(kind, report.year)
        width = len(columns)
        top = [
            (report_title(report), Font(bold=True, size=13)),
            (f"Địa bàn: {report.area.name} (mã {report.area.code})", bold),
            (f"Ngày lập: {made_on}", None),
            (f"Chỉ tiêu: {labels.VI_INDICATOR_NAMES[key]} — đơn vị: {labels.VI_UNITS[result.indicator.unit]}",
             bold),
        ]
        for number, (text, font) in enumerate(top, start=1):
            sheet.cell(row=number, column=1, value=text)
            sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=width)
            sheet.cell(row=number, column=1).alignment = Alignment(wrap_text=True, vertical="top")
            if font is not None:
                sheet.cell(row=number, column=1).font = font
        sheet.row_dimensions[1].height = 48
        sheet.row_dimensions[4].height = 32
        header_row = len(top) + 2
        for column, (header, _field) in enumerate(columns, start=1):
            cell = sheet.cell(row=header_row, column=column, value=header)
            cell.font, cell.fill, cell.border = bold, header_fill, border
            cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        line = header_row
        parts = [(report.area, result.rows)] + [(part.area, part.rows) for part in result.areas]
        for area, rows in parts:
            for row in rows:
                line += 1
                for column, (_header, field) in enumerate(columns, start=1):
                    cell = sheet.cell(row=line, column=column, value=_cell(field, key, area, row))
                    cell.border = border
                    if field == "value":
                        cell.number_format = "0.0"
                    if area is report.area:
                        cell.font = bold
        for column, (_header, field) in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(column)].width = {
                "area": 24, "label": 34, "category": 24, "status": 18}.get(field, 13)
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
        sheet.print_title_rows = f"{header_row}:{header_row}"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        plain_text_sheet(sheet)  # area and institution names are typed by people
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render(report: Report, fmt: str, for_people: bool = False) -> bytes:
    """The report as `fmt`; `for_people` picks the labelled CSV (the other formats have one form each)."""
    if fmt == "csv" and for_people:
        return to_human_csv(report)
    return {"csv": to_csv, "json": to_json, "xlsx": to_xlsx}[fmt](report)
