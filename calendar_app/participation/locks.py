"""The year lock: once an officer approves an institution's year, its figures are read-only.

Every operation that writes a figure (attendance, check-in, monthly tallies, self-assessments, imports)
calls ensure_year_open() before writing; nothing else decides whether a year is locked. The approval
workflow (submit / approve / return) lives with the indicators; it sets YearReport.status = "approved"
to lock and may call unlock_year() to open the year again.
"""
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.exceptions import Forbidden

from .. import clock
from ..accounts.scope import can_manage_institution, require_role
from ..audit.operations import record
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
    """Raise YearLocked when `year` of `institution` is approved; the one lock check of the application."""
    if is_year_locked(institution, year):
        raise YearLocked(institution, year, field)


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
