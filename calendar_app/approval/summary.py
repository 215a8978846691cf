"""What an institution has recorded for a year, shown beside the "submit my year" button."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, distinct, func, select

from ..clock import year_bounds_utc
from ..events.models import Activity, Occurrence
from ..extensions import db
from ..participation.models import Attendance, MonthlyTally, SelfAssessment
from ..places.models import Institution


@dataclass(frozen=True)
class YearSummary:
    held: int
    with_attendance: int
    tally_months: int
    self_assessment: bool

    @property
    def attendance_missing(self) -> int:
        return self.held - self.with_attendance


def held_condition(start: datetime, end: datetime, now: datetime):
    """An occurrence (joined with its activity) held in [start, end) by `now` (SPEC.md's definition)."""
    return and_(Occurrence.starts_at >= start, Occurrence.starts_at < end, Occurrence.starts_at <= now,
                Occurrence.status != "cancelled", Activity.status == "published")


def year_summary(institution: Institution, year: int, now: datetime) -> YearSummary:
    start, end = year_bounds_utc(year)
    held, recorded = db.session.execute(
        select(func.count(Occurrence.id), func.count(Attendance.id))
        .join(Activity, Activity.id == Occurrence.activity_id)
        .outerjoin(Attendance, Attendance.occurrence_id == Occurrence.id)
        .where(Activity.institution_id == institution.id, held_condition(start, end, now))).one()
    months = db.session.scalar(
        select(func.count(distinct(MonthlyTally.month)))
        .where(MonthlyTally.institution_id == institution.id, MonthlyTally.year == year))
    assessed = db.session.scalar(
        select(func.count(SelfAssessment.id))
        .where(SelfAssessment.institution_id == institution.id, SelfAssessment.year == year))
    return YearSummary(held=held, with_attendance=recorded, tally_months=months or 0, self_assessment=bool(assessed))
