"""The reminder jobs' logic: plain functions of `now` (naive UTC), run by the scheduler (whose run_job
commits each run as one unit of work) or a test.

- attendance due: every day, each editor whose institution held occurrences this year that still have no
  attendance figures;
- the annual report: from 1 November to the end of the year, editors of institutions whose year is not
  submitted, and officers of what in their area is still pending before (or after) the 15/11 deadline.
"""
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased

from ..accounts.models import User
from ..approval.summary import held_condition
from ..clock import local_day, year_bounds_utc
from ..events.models import Activity, Occurrence
from ..extensions import db
from ..participation.models import Attendance, YearReport
from ..places.models import Area, Institution
from .operations import remind

#: the first day of the reporting season, and the deadline (SPEC.md: the report is due 15/11)
SEASON_START = (11, 1)
DEADLINE = (11, 15)


@dataclass
class Outcome:
    """What a job did, for the scheduler's log and the tests."""

    created: int = 0
    recipients: int = 0

    def __str__(self) -> str:
        return f"{self.created} reminder(s) for {self.recipients} user(s)"


def attendance_due_reminders(now: datetime) -> Outcome:
    """One reminder a day per editor whose institution has held occurrences without attendance this year."""
    today = local_day(now)
    start, end = year_bounds_utc(today.year)
    approved = (select(YearReport.institution_id)
                .where(YearReport.year == today.year, YearReport.status == "approved"))
    due = (select(Activity.institution_id.label("institution_id"), func.count(Occurrence.id).label("count"),
                  func.min(Occurrence.starts_at).label("oldest"))
           .join(Activity, Activity.id == Occurrence.activity_id)
           .outerjoin(Attendance, Attendance.occurrence_id == Occurrence.id)
           .where(held_condition(start, end, now), Attendance.id.is_(None),
                  Activity.institution_id.not_in(approved))
           .group_by(Activity.institution_id).subquery())
    rows = db.session.execute(
        select(User, Institution, due.c.count, due.c.oldest)
        .join(Institution, Institution.id == User.institution_id)
        .join(due, due.c.institution_id == Institution.id)
        .where(User.role == "editor", User.active, Institution.active).order_by(User.id)).all()
    outcome = Outcome()
    for user, institution, count, oldest in rows:
        def render(institution=institution, count=count, oldest=oldest):
            return ngettext(
                "%(institution)s: %(num)d held occurrence has no attendance yet (since %(date)s). "
                "Record it on the attendance page.",
                "%(institution)s: %(num)d held occurrences have no attendance yet (the oldest on %(date)s). "
                "Record them on the attendance page.",
                count, institution=institution.name, date=format_date(local_day(oldest), "d/M/y"))
        if remind(user, "attendance_due", f"attendance_due:{today.isoformat()}", render):
            outcome.created += 1
        outcome.recipients += 1
    return outcome


def in_season(day: date) -> bool:
    return (day.month, day.day) >= SEASON_START


def deadline_reminders(now: datetime) -> Outcome:
    """From 1/11: editors whose year is not submitted, officers with anything pending in their area."""
    today = local_day(now)
    outcome = Outcome()
    if not in_season(today):
        return outcome
    year = today.year
    deadline = date(year, *DEADLINE)
    key = f"annual_report:{year}:{today.isoformat()}"
    deadline_text = format_date(deadline, "d/M/y")
    late = today > deadline

    report_on = and_(YearReport.institution_id == Institution.id, YearReport.year == year)
    editors = db.session.execute(
        select(User, Institution, YearReport.status, YearReport.comment)
        .join(Institution, Institution.id == User.institution_id)
        .outerjoin(YearReport, report_on)
        .where(User.role == "editor", User.active, Institution.active,
               or_(YearReport.id.is_(None), YearReport.status.in_(("open", "returned"))))
        .order_by(User.id)).all()
    for user, institution, status, comment in editors:
        def render(institution=institution, status=status, comment=comment):
            if status == "returned":
                return _("%(institution)s: the area officer sent the %(year)s report back (\"%(comment)s\"). "
                         "Correct it and submit it again; it is due on %(deadline)s.",
                         institution=institution.name, year=year, comment=comment or "", deadline=deadline_text)
            if late:
                return _("%(institution)s: the %(year)s report was due on %(deadline)s and has not been "
                         "submitted. Submit it now.", institution=institution.name, year=year,
                         deadline=deadline_text)
            return _("%(institution)s: the %(year)s report has not been submitted yet; it is due on %(deadline)s.",
                     institution=institution.name, year=year, deadline=deadline_text)
        if remind(user, "annual_report", key, render):
            outcome.created += 1
        outcome.recipients += 1

    officer_area, place = aliased(Area), aliased(Area)
    status = func.coalesce(YearReport.status, "open")
    officers = db.session.execute(
        select(User, func.count(case((status == "submitted", 1))).label("submitted"),
               func.count(case((status.in_(("open", "returned")), 1))).label("missing"))
        .join(officer_area, officer_area.id == User.area_id)
        .join(place, place.path.startswith(officer_area.path))
        .join(Institution, and_(Institution.area_id == place.id, Institution.active))
        .outerjoin(YearReport, report_on)
        .where(User.role == "officer", User.active)
        .group_by(User.id).order_by(User.id)).all()
    for user, submitted, missing in officers:
        if not submitted and not missing:
            continue

        def render(user=user, submitted=submitted, missing=missing):
            waiting = ngettext("%(num)d year is waiting for your approval",
                               "%(num)d years are waiting for your approval", submitted)
            absent = ngettext("%(num)d institution has not submitted yet",
                              "%(num)d institutions have not submitted yet", missing)
            when = (_("the deadline was %(deadline)s", deadline=deadline_text) if late
                    else _("the deadline is %(deadline)s", deadline=deadline_text))
            return _("%(area)s, report %(year)s: %(waiting)s; %(absent)s; %(when)s.", area=user.area.name,
                     year=year, waiting=waiting, absent=absent, when=when)
        if remind(user, "annual_report", key, render):
            outcome.created += 1
        outcome.recipients += 1
    return outcome
