"""The year lock: once an officer approves an institution's year, its figures are read-only.

Every operation that writes a figure (attendance, check-in, monthly tallies, self-assessments, imports)
calls ensure_year_open() before writing; nothing else decides whether a year is locked. The approval
workflow (submit / approve / return) lives with the indicators; it sets YearReport.status = "approved"
to lock and may call unlock_year() to open the year again.

The check is also a lock, held until the writer's transaction ends: the year's row is locked FOR SHARE,
and approval locks the same row FOR UPDATE (approval/operations.py). So an approval waits for every writer
whose check has passed, and a writer checking during an approval waits for it, then finds the year locked.
Writers do not wait for each other. (SQLite has no row locks; it runs one writing transaction at a time.)
"""
from flask_babel import gettext as _
from sqlalchemy import literal, select
from sqlalchemy.dialects import postgresql, sqlite
from werkzeug.exceptions import Forbidden

from .. import clock
from ..accounts.scope import can_manage_institution, require_role
from ..audit.operations import record
from ..bulk import among, chunked
from ..extensions import db
from ..places.models import Institution
from ..validation import ValidationFailed
from .models import YearReport

MAX_REASON = 500


class YearLocked(ValidationFailed):
    """A write to figures of an approved year (the API answers 409, forms show the reason)."""

    def __init__(self, institution: Institution, year: int, field: str = "year"):
        self.institution, self.year = institution, year
        message = _("The figures of %(year)s for %(name)s are approved and locked. Ask an area officer to "
                    "unlock them if they must change.", year=year, name=institution.name)
        super().__init__({field: message}, message)


def year_report(institution: Institution, year: int) -> YearReport | None:
    return db.session.scalar(select(YearReport).where(
        YearReport.institution_id == institution.id, YearReport.year == year))


def is_year_locked(institution: Institution, year: int) -> bool:
    report = year_report(institution, year)
    return report is not None and report.locked


def ensure_year_open(institution: Institution, year: int, field: str = "year") -> None:
    """Raise YearLocked when `year` of `institution` is approved, else keep it open until the caller's
    transaction ends (see the module's docstring); the one lock check of the application."""
    if hold_year(institution, year) == "approved":
        raise YearLocked(institution, year, field)


def hold_year(institution: Institution, year: int) -> str:
    """Lock the year's row FOR SHARE (creating it, status "open", when the year has none yet) and return its
    status as committed by the time the lock was granted."""
    _ensure_row(institution, year)
    # a column, not the entity: an entity already in the session would keep the status it was loaded with
    return db.session.scalar(select(YearReport.status).where(
        YearReport.institution_id == institution.id, YearReport.year == year).with_for_update(read=True))


def hold_years(years: dict[int, set[int]]) -> dict[tuple[int, int], str]:
    """hold_year for many institutions at once, {year: institution ids} -> {(institution id, year): status}:
    a few statements per year and chunk of institutions rather than two per institution (an import)."""
    dialect = {"postgresql": postgresql, "sqlite": sqlite}[db.session.get_bind().dialect.name]
    statuses = {}
    for year, institution_ids in sorted(years.items()):
        for chunk in chunked(institution_ids):
            db.session.execute(dialect.insert(YearReport.__table__).from_select(
                ["institution_id", "year", "status"],
                select(Institution.id, literal(year), literal("open")).where(among(Institution.id, chunk)))
                .on_conflict_do_nothing(index_elements=["institution_id", "year"]))
            statuses.update(((i, year), status) for i, status in db.session.execute(
                select(YearReport.institution_id, YearReport.status)
                .where(among(YearReport.institution_id, chunk), YearReport.year == year)
                .order_by(YearReport.institution_id).with_for_update(read=True)))
    return statuses


def report_for_decision(institution: Institution, year: int) -> YearReport:
    """The year's row locked FOR UPDATE (created when missing), for submitting, approving or returning it:
    waits until no writer holds the year, and keeps writers waiting until the caller's transaction ends."""
    _ensure_row(institution, year)
    return db.session.scalar(select(YearReport).where(
        YearReport.institution_id == institution.id, YearReport.year == year)
        .with_for_update().execution_options(populate_existing=True))


def _ensure_row(institution: Institution, year: int) -> None:
    """The year's row exists after this, whoever created it (a concurrent creator is waited for)."""
    dialect = {"postgresql": postgresql, "sqlite": sqlite}[db.session.get_bind().dialect.name]
    db.session.execute(dialect.insert(YearReport.__table__)
                       .values(institution_id=institution.id, year=year, status="open")
                       .on_conflict_do_nothing(index_elements=["institution_id", "year"]))


def locked_years(institution: Institution) -> set[int]:
    return set(db.session.scalars(select(YearReport.year).where(
        YearReport.institution_id == institution.id, YearReport.status == "approved")))


def unlock_year(user, institution: Institution, year: int, reason: str) -> YearReport:
    """An officer in scope (or an admin) opens an approved year again; the reason is required and audited."""
    require_role(user, "officer", "admin")
    if not can_manage_institution(user, institution):
        raise Forbidden()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": _("Say why the figures must change; the reason is kept in the audit trail.")})
    if len(reason) > MAX_REASON:
        raise ValidationFailed({"reason": _("Too long: at most %(limit)s characters.", limit=MAX_REASON)})
    report = year_report(institution, year)
    if report is None or not report.locked:
        raise ValidationFailed({"year": _("The figures of %(year)s are not locked.", year=year)})
    report.status = "open"
    report.comment = reason
    report.decided_at = clock.utcnow()
    report.decided_by_id = user.id
    record(user, "unlock", "year_report", f"{institution.slug}/{year}", institution=institution,
           changes={"status": ["approved", "open"]}, reason=reason)
    db.session.flush()
    return report
