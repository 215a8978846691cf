"""Bulk import of monthly tallies and attendance from CSV or XLSX: every row or none.

Rows go through the same operations as the forms (scope, rules, year lock, audit). Every refused row is
reported with its spreadsheet row number, column and reason; when there is any, the caller rolls back so
nothing is written. Templates are the same files, pre-filled with what the user may fill in.
"""
import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from ..accounts.scope import institution_filter
from ..events.models import Activity, Occurrence
from ..events.operations import find_occurrence
from ..events.recurrence import occurrence_key
from ..extensions import db
from ..places.models import Institution
from ..validation import ValidationFailed
from ..vocabulary import AUDIENCES, TALLY_METRICS
from .operations import (
    AttendanceConflict,
    attendance_of,
    held_without_attendance,
    record_attendance,
    set_tallies,
    tallies_of,
)

KINDS = ("tallies", "attendance")
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
TALLY_COLUMNS = ("institution", "year", "month", *TALLY_METRICS)
ATTENDANCE_COLUMNS = ("institution", "event", "occurrence", "title", "total", "onsite", "online", *AUDIENCES)
#: columns that carry no figure: a row with nothing else filled in is skipped
ATTENDANCE_KEYS = ("institution", "event", "occurrence", "title")
ATTENDANCE_REQUIRED = ("event", "occurrence", "total")


@dataclass
class RowError:
    row: int
    column: str
    reason: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "reason": self.reason}


class ImportRefused(ValidationFailed):
    """At least one row was refused; the caller must roll back (nothing of the file is kept)."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        fields = {}
        for error in errors:
            fields.setdefault(f"row {error.row}: {error.column}" if error.row else error.column, error.reason)
        super().__init__(fields, _("Nothing was imported: %(count)s problem(s) to fix in the file.",
                                   count=len(errors)))


@dataclass
class ImportResult:
    written: int = 0
    skipped: int = 0
    rows: int = 0
    notes: list[str] = field(default_factory=list)


# --- reading files -------------------------------------------------------------------------------------


def read_table(filename: str, content: bytes) -> list[dict]:
    """[{"__row__": n, column: value}] from a CSV or XLSX file; header in the first row."""
    if len(content) > MAX_BYTES:
        raise ImportRefused([RowError(0, "file", _("The file is larger than %(mb)s MB.", mb=MAX_BYTES // 2**20))])
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        rows = _xlsx_rows(content)
    elif name.endswith(".csv") or name.endswith(".txt"):
        rows = _csv_rows(content)
    else:
        raise ImportRefused([RowError(0, "file", _("Upload a .csv or .xlsx file."))])
    rows = [(number, row) for number, row in rows if any(_cell(value) not in (None, "") for value in row)]
    if not rows:
        raise ImportRefused([RowError(0, "file", _("The file is empty."))])
    (_first, header), data = rows[0], rows[1:]
    if len(data) > MAX_ROWS:
        raise ImportRefused([RowError(0, "file", _("At most %(limit)s rows per file.", limit=MAX_ROWS))])
    columns = [str(_cell(value) or "").strip().lower() for value in header]
    table = []
    for number, row in data:
        record = {"__row__": number}
        for index, value in enumerate(row):
            column = columns[index] if index < len(columns) else ""
            value = _cell(value)
            if column:
                record[column] = value
            elif value not in (None, ""):
                record.setdefault("__stray__", index + 1)
        table.append(record)
    return [{"__columns__": columns}] + table


def _csv_rows(content: bytes):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused([RowError(0, "file", _("Save the CSV file as UTF-8 text."))]) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return list(enumerate(csv.reader(io.StringIO(text), dialect), start=1))


def _xlsx_rows(content: bytes):
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError):
        raise ImportRefused([RowError(0, "file", _("This is not a readable .xlsx workbook."))]) from None
    try:
        sheet = workbook.worksheets[0]
        return [(number, list(row)) for number, row in enumerate(sheet.iter_rows(values_only=True), start=1)
                if number <= MAX_ROWS + 2]
    finally:
        workbook.close()


def _cell(value):
    """Spreadsheet value -> str/int/None; integral floats become ints, dates ISO text."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M") if (value.hour, value.minute) != (0, 0) \
            else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _check_columns(table: list[dict], allowed: tuple[str, ...], required: tuple[str, ...]) -> list[RowError]:
    """Header problems; rows are still checked after an unknown column, not after a missing one."""
    columns = table[0]["__columns__"]
    errors = []
    for column in columns:
        if column and column not in allowed:
            what = _("Unknown column (not a known metric or audience). Allowed columns: %(known)s.",
                     known=", ".join(allowed))
            errors.append(RowError(1, column, what))
    seen = set()
    for column in columns:
        if column and column in seen:
            errors.append(RowError(1, column, _("This column appears twice.")))
        seen.add(column)
    for column in required:
        if column not in columns:
            errors.append(RowError(1, column, _("This column is missing.")))
    return errors


def _missing(table: list[dict], required: tuple[str, ...]) -> bool:
    return any(column not in table[0]["__columns__"] for column in required)


def _refusal_rows(number: int, refused: ValidationFailed, column_for=lambda name: name) -> list[RowError]:
    return [RowError(number, column_for(name), reason) for name, reason in refused.fields.items()]


def _stray(row: dict) -> list[RowError]:
    if "__stray__" in row:
        return [RowError(row["__row__"], f"#{row['__stray__']}", _("A value in a column without a heading."))]
    return []


def _institutions_by_slug(slugs) -> dict[str, Institution]:
    return {i.slug: i for i in db.session.scalars(select(Institution).where(Institution.slug.in_(slugs)))}


# --- tallies -------------------------------------------------------------------------------------------


def import_tallies(user, table: list[dict]) -> ImportResult:
    """One row per institution and month: institution, year, month, then one column per metric."""
    errors = _check_columns(table, TALLY_COLUMNS, TALLY_COLUMNS[:3])
    if _missing(table, TALLY_COLUMNS[:3]):
        raise ImportRefused(errors)
    rows = table[1:]
    institutions = _institutions_by_slug({str(r.get("institution")) for r in rows if r.get("institution")})
    result, seen = ImportResult(rows=len(rows)), {}
    for row in rows:
        number = row["__row__"]
        errors += _stray(row)
        values = {metric: row[metric] for metric in TALLY_METRICS if metric in row}
        if all(value in (None, "") for value in values.values()):
            result.skipped += 1
            continue
        institution = institutions.get(str(row.get("institution") or ""))
        if institution is None:
            errors.append(RowError(number, "institution", _("Unknown institution; use its short name (slug), "
                                                            "as in the template.")))
            continue
        key = (institution.slug, row.get("year"), row.get("month"))
        if key in seen:
            errors.append(RowError(number, "month", _("Same institution and month as row %(row)s.", row=seen[key])))
            continue
        seen[key] = number
        # an empty cell leaves the figure as it is; only the API removes figures (with null)
        values = {metric: value for metric, value in values.items() if value not in (None, "")}
        try:
            if set_tallies(user, institution, row.get("year"), row.get("month"), values):
                result.written += 1
        except ValidationFailed as refused:
            errors += _refusal_rows(number, refused)
        except HTTPException:
            errors.append(RowError(number, "institution", _("You may not enter figures for this institution.")))
    if errors:
        raise ImportRefused(errors)
    return result


# --- attendance ----------------------------------------------------------------------------------------


def import_attendance(user, table: list[dict], now: datetime | None = None) -> ImportResult:
    """One row per occurrence: event (activity id), occurrence (its local start), total, onsite, online,
    then one column per audience. A present record is replaced (an import is a deliberate overwrite)."""
    errors = _check_columns(table, ATTENDANCE_COLUMNS, ATTENDANCE_REQUIRED)
    if _missing(table, ATTENDANCE_REQUIRED):
        raise ImportRefused(errors)
    rows = table[1:]
    result, seen = ImportResult(rows=len(rows)), {}
    for row in rows:
        number = row["__row__"]
        errors += _stray(row)
        figures = {k: v for k, v in row.items() if k in ATTENDANCE_COLUMNS and k not in ATTENDANCE_KEYS}
        if all(value in (None, "") for value in figures.values()):
            result.skipped += 1
            continue
        occurrence, problem = _occurrence(user, row)
        if problem:
            errors.append(RowError(number, *problem))
            continue
        if occurrence.id in seen:
            errors.append(RowError(number, "occurrence", _("Same occurrence as row %(row)s.", row=seen[occurrence.id])))
            continue
        seen[occurrence.id] = number
        current = attendance_of(occurrence)
        data = {
            "total": row.get("total"), "onsite": row.get("onsite"), "online": row.get("online"),
            "audiences": {key: row[key] for key in AUDIENCES if row.get(key) not in (None, "")},
            "version": current.version if current is not None else None,
        }
        try:
            record_attendance(user, occurrence, data, now)
            result.written += 1
        except ValidationFailed as refused:
            errors += _refusal_rows(number, refused, lambda name: name.removeprefix("audiences."))
        except HTTPException:
            errors.append(RowError(number, "event", _("You may not enter figures for this activity.")))
        except AttendanceConflict:
            errors.append(RowError(number, "occurrence", _("Someone changed this attendance meanwhile; "
                                                           "import the file again.")))
    if errors:
        raise ImportRefused(errors)
    return result


def _occurrence(user, row: dict) -> tuple[Occurrence | None, tuple[str, str] | None]:
    event = row.get("event")
    try:
        activity = db.session.get(Activity, int(str(event).strip())) if event not in (None, "") else None
    except ValueError:
        activity = None
    if activity is None:
        return None, ("event", _("No activity has this number."))
    if row.get("institution") not in (None, "", activity.institution.slug):
        return None, ("institution", _("Activity %(id)s belongs to %(slug)s, not to this institution.",
                                       id=activity.id, slug=activity.institution.slug))
    key = row.get("occurrence")
    occurrence = find_occurrence(activity, str(key)) if key not in (None, "") else None
    if occurrence is None:
        example = occurrence_key(activity.starts_at, activity.all_day)
        return None, ("occurrence", _("This activity has no occurrence starting then. Write its start as "
                                      "%(example)s.", example=example))
    return occurrence, None


# --- templates -----------------------------------------------------------------------------------------


def template_rows(kind: str, user, year: int, now: datetime | None = None) -> tuple[tuple[str, ...], list[list]]:
    """(header, rows) pre-filled with what the user may fill in: every month of `year` of each institution
    in scope (with the figures already there), or every held occurrence still without attendance."""
    if kind == "tallies":
        rows = []
        for institution in db.session.scalars(select(Institution).where(institution_filter(user))
                                              .order_by(Institution.slug).limit(200)):
            values = tallies_of(institution, year)
            for month in range(1, 13):
                rows.append([institution.slug, year, month,
                             *(values.get((month, metric)) for metric in TALLY_METRICS)])
        return TALLY_COLUMNS, rows
    occurrences = db.session.scalars(
        held_without_attendance(user, now).order_by(Occurrence.starts_at).limit(MAX_ROWS)).all()
    rows = [[o.activity.institution.slug, o.activity_id, occurrence_key(o.original_start, o.activity.all_day),
             o.activity.title] + [None] * (len(ATTENDANCE_COLUMNS) - 4) for o in occurrences]
    return ATTENDANCE_COLUMNS, rows


def template_csv(header, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([["" if value is None else value for value in row] for row in rows])
    # a byte-order mark, so that spreadsheet programs read Vietnamese letters as UTF-8
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx(header, rows, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
