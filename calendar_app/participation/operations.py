"""Writing figures: attendance per occurrence, monthly tallies, self-assessments.

One path for the editor's pages, the API, imports and the check-in list. Each function checks the user's
scope, validates, checks the year lock (locks.ensure_year_open), writes and audits old -> new; the caller's
unit of work commits, or rolls back on ValidationFailed / AttendanceConflict / HTTPException.
"""
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import bindparam, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from .. import clock
from ..accounts.scope import institution_filter, require_institution
from ..audit.operations import diff, entry_values, record, record_all
from ..bulk import among, chunked
from ..events.models import Activity, Occurrence
from ..events.recurrence import occurrence_key
from ..extensions import db
from ..places.models import Institution
from ..validation import ValidationFailed, validate
from ..vocabulary import CHECKLIST_ITEMS, TALLY_METRICS
from ..written import note_written_attendance
from ..years import checked_year
from .locks import ensure_year_open
from .models import Attendance, AttendanceAudience, MonthlyTally, SelfAssessment
from .schema import AssessmentIn, AttendanceIn, TallyIn


class AttendanceConflict(Exception):
    """The record changed since the writer read it (or they quoted no version): nothing was written."""


# --- attendance ---------------------------------------------------------------------------------------


def occurrence_year(occurrence: Occurrence) -> int:
    """The reporting year of an occurrence: the local year in which it starts."""
    return clock.local_day(occurrence.starts_at).year


def attendance_of(occurrence: Occurrence) -> Attendance | None:
    return db.session.scalar(select(Attendance).where(Attendance.occurrence_id == occurrence.id)
                             .options(selectinload(Attendance.audience_counts)))


def attendance_values(attendance: Attendance | None) -> dict:
    """Flat {field: value} of a record, for forms, the audit trail and conflict messages."""
    if attendance is None:
        return {}
    values = {"total": attendance.total, "onsite": attendance.onsite, "online": attendance.online}
    values.update({f"audiences.{key}": count for key, count in attendance.audiences.items()})
    return values


def attendance_document(occurrence: Occurrence, attendance: Attendance | None) -> dict:
    """The API's view of one occurrence's attendance (AttendanceOut)."""
    return {
        "id": attendance.id if attendance else None,
        "event": occurrence.activity_id,
        "occurrence": occurrence_key(occurrence.original_start, occurrence.activity.all_day),
        "total": attendance.total if attendance else None,
        "onsite": attendance.onsite if attendance else None,
        "online": attendance.online if attendance else None,
        "audiences": attendance.audiences if attendance else {},
        "version": attendance.version if attendance else 0,
        "updated_at": attendance.updated_at.isoformat() + "Z" if attendance else None,
    }


def ensure_can_record(occurrence: Occurrence, now: datetime) -> None:
    """Attendance exists only for an occurrence that has started and was not cancelled."""
    if occurrence.starts_at > now:
        raise ValidationFailed({"occurrence": _("This occurrence has not started yet; record attendance once it "
                                                "has begun.")})
    if occurrence.status == "cancelled" or occurrence.activity.status == "cancelled":
        raise ValidationFailed({"occurrence": _("This occurrence was cancelled, so it has no attendance.")})
    if occurrence.activity.status == "draft":
        raise ValidationFailed({"occurrence": _("This activity is a draft; publish it before recording "
                                                "attendance.")})


def checked_attendance(payload: AttendanceIn) -> dict:
    """Apply the cross-field rules of SPEC.md; returns {total, onsite, online, audiences}."""
    total, onsite, online = payload.total, payload.onsite, payload.online
    errors = {}
    if total is None:
        if onsite is not None and online is not None:
            total = onsite + online
        else:
            raise ValidationFailed({"total": _("Enter the total number of participants.")})
    if onsite is not None and online is not None and onsite + online != total:
        errors["online"] = _("On site (%(onsite)s) + online (%(online)s) must equal the total (%(total)s).",
                             onsite=onsite, online=online, total=total)
    for name, value in (("onsite", onsite), ("online", online)):
        if value is not None and value > total and name not in errors:
            errors[name] = _("Cannot be more than the total (%(total)s).", total=total)
    audience_sum = sum(payload.audiences.values())
    if audience_sum > total:
        errors["audiences"] = _("The audience counts add up to %(sum)s, more than the total (%(total)s). An "
                                "audience count says how many of the participants belonged to it.",
                                sum=audience_sum, total=total)
    if errors:
        raise ValidationFailed(errors)
    return {"total": total, "onsite": onsite, "online": online, "audiences": payload.audiences}


def record_attendance(user, occurrence: Occurrence, data: dict, now: datetime | None = None) -> Attendance:
    """Create or replace the attendance of a started occurrence.

    `data["version"]` must be the version the writer read once a record exists; anything else raises
    AttendanceConflict and writes nothing. Saving the same figures again changes nothing.
    """
    now = now or clock.utcnow()
    payload, values = checked_record(user, occurrence, data, now)
    ensure_year_open(occurrence.activity.institution, occurrence_year(occurrence))
    current = attendance_of(occurrence)
    attendance, changes = write_attendance(user, occurrence, current, payload.version, values, now)
    if changes:
        flush_attendance()
        record_all([_audit(user, occurrence, current is not None, changes)])
    return attendance


def checked_record(user, occurrence: Occurrence, data: dict, now: datetime) -> tuple[AttendanceIn, dict]:
    """What record_attendance checks before the year lock: scope, the figures, that the occurrence was held."""
    require_institution(user, occurrence.activity.institution)
    payload = validate(AttendanceIn, data)
    ensure_can_record(occurrence, now)
    return payload, checked_attendance(payload)


def write_attendance(user, occurrence: Occurrence, attendance: Attendance | None, version: int | None,
                     values: dict, now: datetime) -> tuple[Attendance, dict]:
    """Replace `attendance` (the occurrence's record as read, or None) with checked values, unflushed and not
    audited yet; (the record, the changes). AttendanceConflict on a stale version."""
    _check_version(attendance, version)
    before = attendance_values(attendance)
    if attendance is None:
        attendance = Attendance(occurrence=occurrence, total=values["total"])
        db.session.add(attendance)
    attendance.total, attendance.onsite, attendance.online = values["total"], values["onsite"], values["online"]
    _set_audiences(attendance, values["audiences"])
    changes = diff(before, attendance_values(attendance))
    if not changes and before:
        return attendance, {}
    attendance.updated_at = now
    attendance.updated_by_id = getattr(user, "id", None)
    return attendance, changes


def write_attendances(user, writes: list[tuple[Occurrence, Attendance | None, int | None, dict]],
                      now: datetime) -> None:
    """write_attendance for many records at once, audited (an import): (occurrence, its record as read, the
    version quoted, checked values). New records are added to the session (their INSERTs go in batches);
    replaced ones are UPDATEd by one statement for all of them, version-checked as the ORM checks one
    (AttendanceConflict when any changed since it was read), where the ORM would send one UPDATE per record;
    the audit entries go in one statement."""
    table, replaced, rows, entries = Attendance.__table__, [], [], []
    for occurrence, attendance, version, values in writes:
        if attendance is None:
            _record, changes = write_attendance(user, occurrence, None, version, values, now)
            entries.append(_audit(user, occurrence, False, changes))
            continue
        _check_version(attendance, version)
        before = attendance_values(attendance)
        _set_audiences(attendance, values["audiences"])
        changes = diff(before, {**attendance_values(attendance), "total": values["total"],
                                "onsite": values["onsite"], "online": values["online"]})
        if not changes:
            continue
        entries.append(_audit(user, occurrence, True, changes))
        replaced.append(attendance)
        rows.append({"row_id": attendance.id, "read_version": attendance.version, "new_total": values["total"],
                     "new_onsite": values["onsite"], "new_online": values["online"], "at": now,
                     "by": getattr(user, "id", None)})
    if rows:
        result = db.session.connection().execute(
            table.update().where(table.c.id == bindparam("row_id"), table.c.version == bindparam("read_version"))
            .values(total=bindparam("new_total"), onsite=bindparam("new_onsite"), online=bindparam("new_online"),
                    version=table.c.version + 1, updated_at=bindparam("at"), updated_by_id=bindparam("by")), rows)
        if result.rowcount != len(rows):
            raise AttendanceConflict()
        for attendance, row in zip(replaced, rows, strict=True):
            for name, value in (("total", row["new_total"]), ("onsite", row["new_onsite"]),
                                ("online", row["new_online"]), ("version", row["read_version"] + 1),
                                ("updated_at", now), ("updated_by_id", row["by"])):
                set_committed_value(attendance, name, value)
        note_written_attendance(db.session, (attendance.occurrence_id for attendance in replaced))
    record_all(entries)


def _check_version(attendance: Attendance | None, version: int | None) -> None:
    if attendance is None:
        if version not in (None, 0):
            raise AttendanceConflict()
    elif version != attendance.version:
        raise AttendanceConflict()


def _audit(user, occurrence: Occurrence, replaced: bool, changes: dict) -> dict:
    activity = occurrence.activity
    return entry_values(user, "update" if replaced else "create", "attendance",
                        f"{activity.id}/{occurrence_key(occurrence.original_start, activity.all_day)}",
                        institution=activity.institution, changes=changes)


def flush_attendance() -> None:
    """Flush written attendance; AttendanceConflict when another writer committed between our read and our
    write (a stale version, or a record created meanwhile)."""
    try:
        db.session.flush()
    except (StaleDataError, IntegrityError):
        raise AttendanceConflict() from None


def attendance_by_occurrence(occurrence_ids) -> dict[int, Attendance]:
    """The records of these occurrences, with their audience counts, a chunk of ids per query."""
    found = {}
    for chunk in chunked(occurrence_ids):
        records = {a.id: a for a in db.session.scalars(
            select(Attendance).where(among(Attendance.occurrence_id, chunk)))}
        counts: dict[int, list[AttendanceAudience]] = {record_id: [] for record_id in records}
        for row in db.session.scalars(select(AttendanceAudience).where(among(AttendanceAudience.attendance_id,
                                                                             list(records)))):
            counts[row.attendance_id].append(row)
        for record_id, attendance in records.items():
            set_committed_value(attendance, "audience_counts", counts[record_id])
            found[attendance.occurrence_id] = attendance
    return found


def _set_audiences(attendance: Attendance, counts: dict[str, int]) -> None:
    current = {row.audience: row for row in attendance.audience_counts}
    for key, row in current.items():
        if key not in counts:
            attendance.audience_counts.remove(row)
        else:
            row.count = counts[key]
    for key in sorted(counts.keys() - current.keys()):
        attendance.audience_counts.append(AttendanceAudience(audience=key, count=counts[key]))


def held_without_attendance(user, now: datetime | None = None):
    """SQL select of occurrences in the user's scope that were held and still have no attendance."""
    now = now or clock.utcnow()
    return (
        select(Occurrence)
        .join(Occurrence.activity).join(Activity.institution)
        .where(institution_filter(user), Activity.status == "published", Occurrence.status == "scheduled",
               Occurrence.starts_at <= now, ~exists().where(Attendance.occurrence_id == Occurrence.id))
    )


def attendance_due(user, now: datetime | None = None, limit: int = 100,
                   count_up_to: int | None = None) -> tuple[list[Occurrence], int]:
    """(most recent first, up to `limit`; how many in all) of held occurrences still without figures. With
    `count_up_to`, counting stops past that many (a province has hundreds of thousands: a count more than
    `count_up_to` says "more than")."""
    query = held_without_attendance(user, now)
    order = (Occurrence.starts_at.desc(), Occurrence.id)
    loading = selectinload(Occurrence.activity).selectinload(Activity.institution)
    if count_up_to is None:
        count = db.session.scalar(select(func.count()).select_from(query.with_only_columns(Occurrence.id)
                                                                   .subquery())) or 0
        return list(db.session.scalars(query.options(loading).order_by(*order).limit(limit))), count
    # one walk back through the meetings held gives the count (up to count_up_to + 1) and the page's ids
    walked = db.session.scalars(query.with_only_columns(Occurrence.id).order_by(*order)
                                .limit(max(count_up_to + 1, limit))).all()
    count, ids = min(len(walked), count_up_to + 1), walked[:limit]
    loaded = {occurrence.id: occurrence for occurrence in db.session.scalars(
        select(Occurrence).where(Occurrence.id.in_(ids)).options(loading))} if ids else {}
    items = [loaded[i] for i in ids]
    return items, count


# --- monthly tallies ----------------------------------------------------------------------------------


def check_period(year, month=None) -> tuple[int, int | None]:
    """Validate a reporting year (and month 1-12); ValidationFailed names the part at fault."""
    errors = {}
    try:
        year = checked_year(year)
    except ValidationFailed as refused:
        errors.update(refused.fields)
    if month is not None:
        try:
            month = int(month)
            if not 1 <= month <= 12:
                raise ValueError
        except (TypeError, ValueError, OverflowError):
            errors["month"] = _("Enter a month from 1 to 12.")
    if errors:
        raise ValidationFailed(errors)
    return year, month


def checked_tally(data: dict) -> dict[str, int | None]:
    """{metric: value or None (= remove)} for the metrics present in `data`."""
    unknown = sorted(str(key) for key in data if key not in TALLY_METRICS)
    if unknown:
        raise ValidationFailed({key: _("Unknown metric. Use one of: %(known)s.", known=", ".join(TALLY_METRICS))
                                for key in unknown})
    payload = validate(TallyIn, data)
    return {metric: getattr(payload, metric) for metric in TALLY_METRICS if metric in data}


def tallies_of(institution: Institution, year: int, month: int | None = None) -> dict[tuple[int, str], int]:
    """{(month, metric): value} of one year (or month)."""
    query = select(MonthlyTally).where(MonthlyTally.institution_id == institution.id, MonthlyTally.year == year)
    if month is not None:
        query = query.where(MonthlyTally.month == month)
    return {(t.month, t.metric): t.value for t in db.session.scalars(query)}


def set_tallies(user, institution: Institution, year, month, data: dict,
                now: datetime | None = None) -> dict[str, list]:
    """Set one month's metrics (absent: unchanged, None: removed); returns the audited changes."""
    require_institution(user, institution)
    year, month = check_period(year, month)
    values = checked_tally(data)
    ensure_year_open(institution, year)
    return _write_month(user, institution, year, month, values, now or clock.utcnow())


def set_tally_year(user, institution: Institution, year, grid: dict[int, dict],
                   now: datetime | None = None) -> int:
    """Save a whole year-at-a-glance grid {month: {metric: value}} or nothing; returns months changed.

    Refusals are keyed "<metric>-<month>" so the form can mark the very cell.
    """
    require_institution(user, institution)
    year, _month = check_period(year)
    errors, months = {}, {}
    for month, data in sorted(grid.items()):
        try:
            _year, month = check_period(year, month)
            months[month] = checked_tally(data)
        except ValidationFailed as refused:
            errors.update({f"{name}-{month}": reason for name, reason in refused.fields.items()})
    if errors:
        raise ValidationFailed(errors)
    ensure_year_open(institution, year)
    now = now or clock.utcnow()
    return sum(1 for month, values in months.items()
               if _write_month(user, institution, year, month, values, now))


def _write_month(user, institution: Institution, year: int, month: int, values: dict, now) -> dict:
    rows = {t.metric: t for t in db.session.scalars(select(MonthlyTally).where(
        MonthlyTally.institution_id == institution.id, MonthlyTally.year == year, MonthlyTally.month == month))}
    changes = {}
    for metric, value in values.items():
        row = rows.get(metric)
        old = row.value if row is not None else None
        if old == value:
            continue
        changes[metric] = [old, value]
        if value is None:
            db.session.delete(row)
        elif row is None:
            db.session.add(MonthlyTally(institution=institution, year=year, month=month, metric=metric, value=value,
                                        updated_at=now, updated_by_id=getattr(user, "id", None)))
        else:
            row.value, row.updated_at, row.updated_by_id = value, now, getattr(user, "id", None)
    if changes:
        db.session.flush()
        record(user, "update", "tally", f"{institution.slug}/{year}-{month:02d}", institution=institution,
               changes=changes)
    return changes


def tally_document(institution: Institution, year: int, month: int, locked: bool) -> dict:
    values = tallies_of(institution, year, month)
    document = {metric: values.get((month, metric)) for metric in TALLY_METRICS}
    document.update(institution=institution.slug, month=f"{year}-{month:02d}", locked=locked)
    return document


# --- self-assessment ----------------------------------------------------------------------------------


def assessment_of(institution: Institution, year: int) -> SelfAssessment | None:
    return db.session.scalar(select(SelfAssessment).where(
        SelfAssessment.institution_id == institution.id, SelfAssessment.year == year))


def assessment_values(assessment: SelfAssessment | None) -> dict[str, bool]:
    return {item: bool(assessment and getattr(assessment, item)) for item in CHECKLIST_ITEMS}


def save_assessment(user, institution: Institution, year, data: dict,
                    now: datetime | None = None) -> SelfAssessment:
    """Replace the checklist of one year (an item left out is false)."""
    require_institution(user, institution)
    year, _month = check_period(year)
    payload = validate(AssessmentIn, data)
    ensure_year_open(institution, year)
    assessment = assessment_of(institution, year)
    before = assessment_values(assessment) if assessment else {}
    if assessment is None:
        assessment = SelfAssessment(institution=institution, year=year)
        db.session.add(assessment)
    for item in CHECKLIST_ITEMS:
        setattr(assessment, item, getattr(payload, item))
    changes = diff(before, assessment_values(assessment))
    if changes:
        assessment.updated_at = now or clock.utcnow()
        assessment.updated_by_id = getattr(user, "id", None)
        db.session.flush()
        record(user, "update" if before else "create", "self_assessment", f"{institution.slug}/{year}",
               institution=institution, changes=changes)
    return assessment


def assessment_document(institution: Institution, year: int, locked: bool) -> dict:
    assessment = assessment_of(institution, year)
    return {"id": assessment.id if assessment else None, "institution": institution.slug, "year": year,
            "locked": locked, **assessment_values(assessment)}
