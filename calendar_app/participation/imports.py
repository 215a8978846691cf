"""Bulk import of monthly tallies and attendance from CSV or XLSX: every row or none.

Rows go through the same operations as the forms (scope, rules, year lock, audit). Every refused row is
reported with its spreadsheet row number, column and reason; when there is any, the caller rolls back so
nothing is written. Templates are the same files, pre-filled with what the user may fill in.

A file is bounded before it is read: its size, what an .xlsx unpacks to (checked in the zip directory
before openpyxl opens it), the rows read (streamed, reading stops at the cap) and the time spent on it.
"""
import csv
import io
import re
import time
import zipfile
import zlib
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from .. import clock
from ..accounts.scope import institution_filter
from ..bounds import id_or_none
from ..bulk import CHUNK, among, chunked
from ..events.models import Activity, Occurrence
from ..events.recurrence import occurrence_key, parse_occurrence_key
from ..extensions import db
from ..guard import UNSTORABLE
from ..places.models import Area, Institution
from ..spreadsheets import csv_bytes, plain_text_sheet
from ..validation import ValidationFailed
from ..vocabulary import AUDIENCES, TALLY_METRICS
from .locks import YearLocked, hold_years
from .operations import (
    AttendanceConflict,
    attendance_by_occurrence,
    checked_record,
    flush_attendance,
    held_without_attendance,
    occurrence_year,
    set_tallies,
    tallies_of,
    write_attendances,
)

KINDS = ("tallies", "attendance")
#: rows of figures per file (10,000 attendance rows take a few seconds: the rows are read and written in bulk)
MAX_ROWS = 10_000
#: the file as uploaded (a CSV is read as it is, so this is also the most text a CSV holds)
MAX_BYTES = 5 * 1024 * 1024
#: rows read from a sheet, empty ones included, and the columns read of each
MAX_SHEET_ROWS = 4 * MAX_ROWS
MAX_COLUMNS = 64
#: what an .xlsx may unpack to: parts, bytes per part and in all, and how much a large part may shrink when
#: packed (10,000 rows of figures: 6.8 MB packing about tenfold; three million empty rows pack 400-fold)
MAX_PARTS = 100
MAX_PART_BYTES = 8 * 1024 * 1024
MAX_UNPACKED_BYTES = 16 * 1024 * 1024
MAX_RATIO = 100
RATIO_FROM_BYTES = 256 * 1024
#: markup openpyxl parses while it opens a workbook, counted as tags ("<"): worksheets (parsed row by row,
#: about 1 µs a tag; 10,000 full rows of the attendance template are 760,000), shared strings (13 µs each),
#: and everything else (styles, workbook, properties: up to 30 µs a tag; a workbook from Excel has a few
#: hundred)
MAX_SHEET_MARKUP = 1_000_000
MAX_SHARED_STRINGS = 30_000
MAX_OTHER_MARKUP = 15_000
#: wall-clock budget for reading and checking one file
MAX_SECONDS = 30
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
    """At least one row was refused; the caller must roll back (nothing of the file is kept). `status` is
    413 for a file too large to handle (bytes, unpacked parts, rows, time), else 422."""

    def __init__(self, errors: list[RowError], status: int = 422):
        self.errors, self.status = errors, status
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


def _too_large(reason: str) -> ImportRefused:
    return ImportRefused([RowError(0, "file", reason)], status=413)


def _unreadable() -> ImportRefused:
    return ImportRefused([RowError(0, "file", _("This is not a readable .xlsx workbook."))])


class Budget:
    """The wall-clock time one file may take to read and check; check() refuses the file once it is spent."""

    def __init__(self, seconds: float | None = None):
        self.seconds = MAX_SECONDS if seconds is None else seconds
        self.ends = time.monotonic() + self.seconds

    def check(self) -> None:
        if time.monotonic() > self.ends:
            raise _too_large(_("Checking this file took more than %(seconds)s seconds. Split it into smaller "
                               "files.", seconds=self.seconds))


def read_table(filename: str, content: bytes, budget: Budget | None = None) -> list[dict]:
    """[{"__row__": n, column: value}] from a CSV or XLSX file; header in the first row.

    Rows are streamed: reading stops as soon as the file has more rows than a file may have."""
    budget = budget or Budget()
    if len(content) > MAX_BYTES:
        raise _too_large(_("The file is larger than %(mb)s MB.", mb=MAX_BYTES // 2**20))
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        source = _xlsx_rows(content, budget)
    elif name.endswith(".csv") or name.endswith(".txt"):
        source = _csv_rows(content, budget)
    else:
        raise ImportRefused([RowError(0, "file", _("Upload a .csv or .xlsx file."))])
    rows = []
    with closing(source):
        for number, row in source:
            if any(_cell(value) not in (None, "") for value in row):
                rows.append((number, row))
                if len(rows) > MAX_ROWS + 1:  # the header and MAX_ROWS rows of figures
                    raise _too_large(_("At most %(limit)s rows per file.", limit=MAX_ROWS))
    if not rows:
        raise ImportRefused([RowError(0, "file", _("The file is empty."))])
    (_first, header), data = rows[0], rows[1:]
    columns = [str(_cell(value) or "").strip().lower() for value in header]
    table, unstorable = [], []
    for number, row in data:
        record = {"__row__": number}
        for index, value in enumerate(row):
            column = columns[index] if index < len(columns) else ""
            value = _cell(value)
            if isinstance(value, str) and UNSTORABLE.search(value):
                unstorable.append(RowError(number, column or f"#{index + 1}", _(
                    "This cell contains a character that cannot be stored (the NUL character or an unpaired "
                    "surrogate); remove it.")))
            elif column:
                record[column] = value
            elif value not in (None, ""):
                record.setdefault("__stray__", index + 1)
        table.append(record)
    if unstorable:
        raise ImportRefused(unstorable)
    return [{"__columns__": columns, "__budget__": budget}] + table


def _csv_rows(content: bytes, budget: Budget):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused([RowError(0, "file", _("Save the CSV file as UTF-8 text."))]) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
            if number > MAX_SHEET_ROWS:
                raise _too_large(_("The file has more than %(limit)s lines, empty ones included. Keep at most "
                                   "%(rows)s rows of figures and delete the empty lines.", limit=MAX_SHEET_ROWS,
                                   rows=MAX_ROWS))
            budget.check()
            yield number, row[:MAX_COLUMNS]
    except csv.Error:  # e.g. a field longer than the csv module's limit
        raise ImportRefused([RowError(0, "file", _("This is not a readable CSV file."))]) from None


_SHEET_PART = re.compile(r"xl/worksheets/sheet\d+\.xml")
_WORKSHEET_ROOT = re.compile(rb"\s*(?:<\?xml[^>]*\?>\s*)?<(?:[\w.-]+:)?worksheet[\s>]")
_SHARED_STRING = re.compile(rb"<(?:[\w.-]+:)?si[\s/>]")


def check_xlsx_parts(content: bytes) -> None:
    """Refuse an .xlsx that would take openpyxl too long to open, before it opens it.

    First from the zip's directory alone: the number of parts, their unpacked sizes and how tightly a large
    part is packed (zipfile never unpacks more than a part's declared size, so the directory is what
    counts). Then, unpacking the parts within those limits (fast: no parsing), the markup openpyxl would
    parse: the worksheets where spreadsheet programs put them, shared strings, and everything else."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
            _check_sizes(parts)
            _check_markup(archive, parts)
    except ImportRefused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, zlib.error):
        raise _unreadable() from None


def _unpacks_too_large() -> ImportRefused:
    return _too_large(_("This workbook unpacks to far more than a sheet of figures. Copy the figures into a new "
                        "workbook or save them as CSV."))


def _check_sizes(parts: list[zipfile.ZipInfo]) -> None:
    if len(parts) > MAX_PARTS:
        raise _unpacks_too_large()
    total = 0
    for part in parts:
        total += part.file_size
        packed_tightly = part.file_size > RATIO_FROM_BYTES and part.file_size > MAX_RATIO * max(part.compress_size, 1)
        if part.file_size > MAX_PART_BYTES or total > MAX_UNPACKED_BYTES or packed_tightly:
            raise _unpacks_too_large()


def _check_markup(archive: zipfile.ZipFile, parts: list[zipfile.ZipInfo]) -> None:
    sheets = strings = other = 0
    for part in parts:
        if part.is_dir():
            continue
        data = archive.read(part)
        tags, entries = data.count(b"<"), sum(1 for _match in _SHARED_STRING.finditer(data))
        strings += entries
        if _SHEET_PART.fullmatch(part.filename) and not entries and _WORKSHEET_ROOT.match(data[:512]):
            sheets += tags
        else:
            other += tags - 4 * entries  # <si><t>…</t></si>: the entries have their own limit
        if sheets > MAX_SHEET_MARKUP or strings > MAX_SHARED_STRINGS or other > MAX_OTHER_MARKUP:
            raise _unpacks_too_large()


def _xlsx_rows(content: bytes, budget: Budget):
    check_xlsx_parts(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True, keep_links=False)
    except Exception:  # noqa: BLE001 (openpyxl raises many kinds of error on a malformed file)
        raise _unreadable() from None
    try:
        sheet = workbook.worksheets[0]
        # read-only mode parses the sheet as it goes; max_row/max_col stop it whatever size the sheet claims
        rows = sheet.iter_rows(max_row=MAX_SHEET_ROWS + 1, max_col=MAX_COLUMNS, values_only=True)
        for number, row in enumerate(rows, start=1):
            if number > MAX_SHEET_ROWS:
                raise _too_large(_("The sheet has more than %(limit)s rows, empty ones included. Keep at most "
                                   "%(rows)s rows of figures and delete the empty rows below them.",
                                   limit=MAX_SHEET_ROWS, rows=MAX_ROWS))
            budget.check()
            yield number, list(row)
    except ImportRefused:
        raise
    except Exception:  # noqa: BLE001 (a malformed sheet fails while it is parsed, with any kind of error)
        raise _unreadable() from None
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


def _budget(table: list[dict]) -> Budget:
    """The budget read_table started for this file (a fresh one for a table built some other way)."""
    return table[0].get("__budget__") or Budget()


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
    rows, budget = table[1:], _budget(table)
    institutions = _institutions_by_slug({str(r.get("institution")) for r in rows if r.get("institution")})
    result, seen = ImportResult(rows=len(rows)), {}
    for row in rows:
        budget.check()
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
    then one column per audience. A present record is replaced (an import is a deliberate overwrite).

    The rows go through the checks of record_attendance, but what it reads per record (the activity, the
    occurrence, the record, the year lock) is read for the whole file in a few queries, and the records are
    written with one flush: the cost of a file grows with its rows, not its rows times the round trips."""
    errors = _check_columns(table, ATTENDANCE_COLUMNS, ATTENDANCE_REQUIRED)
    if _missing(table, ATTENDANCE_REQUIRED):
        raise ImportRefused(errors)
    now = now or clock.utcnow()
    rows, budget = table[1:], _budget(table)
    result, seen = ImportResult(rows=len(rows)), {}
    named = _named_in(rows)
    records = attendance_by_occurrence(o.id for o in named.occurrences.values())
    checked = []
    for row in rows:
        budget.check()
        number = row["__row__"]
        errors += _stray(row)
        figures = {k: v for k, v in row.items() if k in ATTENDANCE_COLUMNS and k not in ATTENDANCE_KEYS}
        if all(value in (None, "") for value in figures.values()):
            result.skipped += 1
            continue
        occurrence, problem = _occurrence(row, named)
        if problem:
            errors.append(RowError(number, *problem))
            continue
        if occurrence.id in seen:
            errors.append(RowError(number, "occurrence", _("Same occurrence as row %(row)s.", row=seen[occurrence.id])))
            continue
        seen[occurrence.id] = number
        current = records.get(occurrence.id)
        data = {
            "total": row.get("total"), "onsite": row.get("onsite"), "online": row.get("online"),
            "audiences": {key: row[key] for key in AUDIENCES if row.get(key) not in (None, "")},
            "version": current.version if current is not None else None,
        }
        try:
            payload, values = checked_record(user, occurrence, data, now)
        except ValidationFailed as refused:
            errors += _refusal_rows(number, refused, lambda name: name.removeprefix("audiences."))
            continue
        except HTTPException:
            errors.append(RowError(number, "event", _("You may not enter figures for this activity.")))
            continue
        checked.append((number, occurrence, payload.version, values))
    if errors:
        raise ImportRefused(errors)
    years: dict[int, set[int]] = {}
    for _number, occurrence, _version, _values in checked:
        years.setdefault(occurrence_year(occurrence), set()).add(occurrence.activity.institution_id)
    statuses = hold_years(years)
    for number, occurrence, _version, _values in checked:
        institution, year = occurrence.activity.institution, occurrence_year(occurrence)
        if statuses.get((institution.id, year)) == "approved":
            errors += _refusal_rows(number, YearLocked(institution, year))
    if errors:
        raise ImportRefused(errors)
    try:
        write_attendances(user, [(occurrence, records.get(occurrence.id), version, values)
                                 for _number, occurrence, version, values in checked], now)
        flush_attendance()
    except AttendanceConflict:
        raise ImportRefused([RowError(0, "file", _("Someone changed attendance of this file meanwhile; "
                                                   "import the file again."))]) from None
    result.written = len(checked)
    return result


@dataclass
class _Named:
    """What the rows of a file name, read in a few queries for the whole file."""

    activities: dict[int, Activity]
    #: (activity id, original start) -> occurrence
    occurrences: dict[tuple[int, datetime], Occurrence]
    #: the activities' institutions and their areas, held here: the session forgets objects nothing refers
    #: to, and reading `activity.institution.area` would then load them again one by one
    held: list


def _by_id(model, ids) -> dict:
    found = {}
    for chunk in chunked(ids):
        found.update((row.id, row) for row in db.session.scalars(select(model).where(among(model.id, chunk))))
    return found


def _named_in(rows: list[dict]) -> _Named:
    activities = _by_id(Activity, (id_or_none(row.get("event")) for row in rows))
    institutions = _by_id(Institution, (a.institution_id for a in activities.values()))
    areas = _by_id(Area, (i.area_id for i in institutions.values()))
    wanted = sorted({(activity.id, original) for row in rows
                     if (activity := activities.get(id_or_none(row.get("event")))) is not None
                     and row.get("occurrence") not in (None, "")
                     and (original := parse_occurrence_key(str(row["occurrence"]), activity.all_day)) is not None})
    found = {}
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start:start + CHUNK]
        originals = [original for _activity_id, original in chunk]
        # the chunk's activities, their occurrences between the earliest and latest start named: a superset
        for occurrence in db.session.scalars(select(Occurrence).where(
                among(Occurrence.activity_id, [activity_id for activity_id, _original in chunk]),
                Occurrence.original_start.between(min(originals), max(originals)))):
            found[(occurrence.activity_id, occurrence.original_start)] = occurrence
    return _Named(activities, found, [institutions, areas])


def _occurrence(row: dict, named: _Named) -> tuple[Occurrence | None, tuple[str, str] | None]:
    activity = named.activities.get(id_or_none(row.get("event")))
    if activity is None:
        return None, ("event", _("No activity has this number."))
    if row.get("institution") not in (None, "", activity.institution.slug):
        return None, ("institution", _("Activity %(id)s belongs to %(slug)s, not to this institution.",
                                       id=activity.id, slug=activity.institution.slug))
    key = row.get("occurrence")
    original = parse_occurrence_key(str(key), activity.all_day) if key not in (None, "") else None
    occurrence = named.occurrences.get((activity.id, original))
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
    return csv_bytes([header, *rows], byte_order_mark=True)


def template_xlsx(header, rows, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    plain_text_sheet(sheet)  # an activity's title is whatever its editor typed
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
