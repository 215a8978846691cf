"""Submitting, approving and returning an institution's year: the one path for pages, API and CLI.

The caller's unit of work commits, or rolls back on ApprovalRefused / HTTPException. Approval locks the
year's figures: participation/locks.py reads YearReport.status == "approved".
"""
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased
from werkzeug.exceptions import Forbidden

from ..accounts.scope import can_manage_institution, require_institution
from ..audit.operations import record
from ..clock import local_today, utcnow
from ..extensions import db
from ..participation.locks import report_for_decision
from ..participation.models import YearReport
from ..places.lookup import reference_day
from ..places.models import Area, Institution, Placement
from ..validation import ValidationFailed
from ..vocabulary import YEAR_REPORT_STATUSES
from ..years import PLAN_FIRST_YEAR, checked_year

COMMENT_MAX = 2000
SUBMITTABLE = ("open", "returned")
#: the vocabulary's words, so the approval pages and the audit trail name a year's state alike
STATUS_LABELS = YEAR_REPORT_STATUSES


class ApprovalRefused(ValidationFailed):
    """A transition that the year's current status does not allow; nothing was written."""


def check_year(year) -> int:
    """The reporting year as an int, refused outside the plan's first year … this year."""
    return checked_year(year, PLAN_FIRST_YEAR, local_today().year)


def find_report(institution: Institution, year: int) -> YearReport | None:
    return db.session.scalar(select(YearReport).where(YearReport.institution_id == institution.id,
                                                      YearReport.year == year))


def status_of(institution: Institution, year: int) -> str:
    report = find_report(institution, year)
    return report.status if report else "open"


def _report_for_update(institution: Institution, year: int) -> YearReport:
    # the lock the figure writers respect (participation/locks.py): approval waits for those in progress
    return report_for_decision(institution, year)


def may_decide(user, institution: Institution) -> bool:
    """Officers whose area subtree holds the institution, and admins; never editors."""
    return getattr(user, "role", None) in ("officer", "admin") and can_manage_institution(user, institution)


def require_decider(user, institution: Institution) -> None:
    require_institution(user, institution)  # outside the scope: 404, as for every other write
    if not may_decide(user, institution):
        raise Forbidden()


def _refuse(status: str, wanted: str) -> ApprovalRefused:
    reasons = {
        ("submitted", "submitted"): _("This year has already been submitted and is waiting for approval."),
        ("approved", "submitted"): _("This year has been approved; its figures are locked."),
        ("approved", "approved"): _("This year has already been approved."),
        ("approved", "returned"): _("This year has been approved; an officer must unlock it first."),
    }
    reason = reasons.get((status, wanted)) or _("Only a submitted year can be approved or sent back.")
    return ApprovalRefused({"status": reason}, message=reason)


def submit_year(user, institution: Institution, year) -> YearReport:
    """open or returned -> submitted, by anyone who may manage the institution."""
    year = check_year(year)
    require_institution(user, institution, hide=False)
    report = _report_for_update(institution, year)
    before = report.status or "open"
    if before not in SUBMITTABLE:
        raise _refuse(before, "submitted")
    report.status = "submitted"
    report.submitted_at = utcnow()
    report.submitted_by_id = user.id
    db.session.flush()
    record(user, "submit", "year_report", report.id, institution=institution,
           changes={"status": [before, "submitted"], "year": [None, year]})
    return report


def approve_year(officer, institution: Institution, year) -> YearReport:
    """submitted -> approved (the year's figures lock), by an officer of the institution's area or an admin."""
    year = check_year(year)
    require_decider(officer, institution)
    report = _report_for_update(institution, year)
    if report.status != "submitted":
        raise _refuse(report.status or "open", "approved")
    report.status = "approved"
    report.decided_at = utcnow()
    report.decided_by_id = officer.id
    report.comment = None
    db.session.flush()
    record(officer, "approve", "year_report", report.id, institution=institution,
           changes={"status": ["submitted", "approved"], "year": [None, year]})
    return report


def return_year(officer, institution: Institution, year, comment: str | None) -> YearReport:
    """submitted -> returned with a required comment telling the institution what to fix."""
    year = check_year(year)
    require_decider(officer, institution)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationFailed({"comment": _("Say what the institution should correct before it submits again.")})
    if len(comment) > COMMENT_MAX:
        raise ValidationFailed({"comment": _("Too long: at most %(limit)s characters.", limit=COMMENT_MAX)})
    report = _report_for_update(institution, year)
    if report.status != "submitted":
        raise _refuse(report.status or "open", "returned")
    report.status = "returned"
    report.comment = comment
    report.decided_at = utcnow()
    report.decided_by_id = officer.id
    db.session.flush()
    record(officer, "return", "year_report", report.id, institution=institution,
           changes={"status": ["submitted", "returned"], "year": [None, year]}, reason=comment[:500])
    return report


def pending_reports(user, year: int, statuses=("submitted",)):
    """Year reports in the user's decision scope with one of `statuses`, oldest submission first."""
    if getattr(user, "role", None) not in ("officer", "admin"):
        return []
    query = (select(YearReport).join(Institution, Institution.id == YearReport.institution_id)
             .where(YearReport.year == year, YearReport.status.in_(statuses)))
    if user.role == "officer":
        query = query.where(Institution.area_id.in_(user.area.subtree_ids()))
    return list(db.session.scalars(query.order_by(YearReport.submitted_at, Institution.name)))


# --- completeness ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaProgress:
    """How far the institutions of one area (its whole subtree) have come with a year."""

    area: Area | None
    institutions: int
    approved: int
    submitted: int
    returned: int

    @property
    def not_submitted(self) -> int:
        return self.institutions - self.approved - self.submitted - self.returned

    @property
    def complete(self) -> bool:
        """Every institution approved (an area with none has nothing to report)."""
        return self.approved == self.institutions

    @property
    def percent(self) -> int:
        return round(100 * self.approved / self.institutions) if self.institutions else 100


def _status_counts(report_status):
    return (
        func.count(Institution.id),
        func.count(case((report_status == "approved", 1))),
        func.count(case((report_status == "submitted", 1))),
        func.count(case((report_status == "returned", 1))),
    )


def area_progress(area: Area, year: int) -> tuple[AreaProgress, list[AreaProgress]]:
    """The area's own progress and that of each child area, over the institutions its report for `year`
    counts: those placed in the subtree on the reference day, children valid that day (places/lookup.py)."""
    day = reference_day(year, area)
    report_on = and_(YearReport.institution_id == Institution.id, YearReport.year == year)
    place = aliased(Area)
    total = db.session.execute(
        select(*_status_counts(YearReport.status)).select_from(Institution)
        .join(Placement, and_(Placement.institution_id == Institution.id, Placement.on(day)))
        .join(place, place.id == Placement.area_id).outerjoin(YearReport, report_on)
        .where(Institution.active, area.subtree_filter(place.path), Area.valid_on_filter(day, place))).one()

    child = aliased(Area)
    rows = db.session.execute(
        select(child.id, *_status_counts(YearReport.status)).select_from(child)
        .outerjoin(place, and_(place.path.startswith(child.path), Area.valid_on_filter(day, place)))
        .outerjoin(Placement, and_(Placement.area_id == place.id, Placement.on(day)))
        .outerjoin(Institution, and_(Institution.id == Placement.institution_id, Institution.active))
        .outerjoin(YearReport, report_on)
        .where(child.parent_id == area.id, Area.valid_on_filter(day, child))
        .group_by(child.id)).all()
    children = {a.id: a for a in db.session.scalars(select(Area).where(Area.id.in_([r[0] for r in rows])))}
    progress = [AreaProgress(children[r[0]], *r[1:]) for r in rows]
    progress.sort(key=lambda p: p.area.code)
    return AreaProgress(area, *total), progress


def institutions_with_status(area: Area, year: int, direct_only: bool = True):
    """(institution, status) for the active institutions placed in the area on its reference day for `year`
    (directly in it, or anywhere in its subtree)."""
    day = reference_day(year, area)
    place = aliased(Area)
    where = place.id == area.id if direct_only else area.subtree_filter(place.path)
    query = (select(Institution, func.coalesce(YearReport.status, "open"))
             .join(Placement, and_(Placement.institution_id == Institution.id, Placement.on(day)))
             .join(place, place.id == Placement.area_id)
             .outerjoin(YearReport, and_(YearReport.institution_id == Institution.id, YearReport.year == year))
             .where(Institution.active, where).order_by(Institution.name))
    return db.session.execute(query).all()
