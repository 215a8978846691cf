"""What the citizen's pages show: SQL in, rows out (no request needed); the filters are events/filters.py's."""
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from .. import clock
from ..clock import local_day
from ..events.filters import ActivityFilters, activity_conditions, is_public, window_bounds
from ..events.models import Activity, ActivityObservance, Occurrence
from ..extensions import db
from ..observances.dates import Span, observance_span
from ..observances.models import Observance
from ..pagination import Page
from ..places.lookup import latest_unit, unit_on
from ..places.models import Area, Institution


@dataclass
class Listed:
    """One row of the activity list: the activity and its dates inside the window."""

    activity: Activity
    #: the next scheduled date in the window, or the first date when all of them are cancelled
    starts_at: datetime
    #: how many dates the activity has in the window
    dates: int
    #: every date in the window is cancelled (or the activity is)
    cancelled: bool

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + self.activity.duration


def list_activities(filters: ActivityFilters, today: date, page: int = 1, per_page: int = 20) -> Page:
    """Public activities matching the filters with a date in the window, soonest first."""
    start, end = window_bounds(filters, today)
    in_window = [Occurrence.ends_at > start]
    if end is not None:
        in_window.append(Occurrence.starts_at < end)
    scheduled = Occurrence.status == "scheduled"
    dates = (
        select(
            Occurrence.activity_id,
            func.min(case((scheduled, Occurrence.starts_at))).label("next_scheduled"),
            func.min(Occurrence.starts_at).label("first_start"),
            func.count().label("dates"),
        )
        .where(*in_window)
        .group_by(Occurrence.activity_id)
        .subquery()
    )
    shown_start = func.coalesce(dates.c.next_scheduled, dates.c.first_start)
    stmt = (
        select(Activity, shown_start.label("shown_start"), dates.c.dates, dates.c.next_scheduled)
        .join(dates, dates.c.activity_id == Activity.id)
        .where(*activity_conditions(filters))
    )
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    page = max(1, min(page, max(1, -(-total // per_page))))
    rows = db.session.execute(
        stmt.order_by(shown_start, Activity.id)
        .options(selectinload(Activity.institution), selectinload(Activity.category_links),
                 selectinload(Activity.audience_links))
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    items = [
        Listed(activity, starts_at, count, activity.status == "cancelled" or next_scheduled is None)
        for activity, starts_at, count, next_scheduled in rows
    ]
    return Page(items, page, per_page, total)


@dataclass(frozen=True)
class Slot:
    """One dated occurrence as the calendar views show it (plain values: no ORM identity to track)."""

    activity_id: int
    title: str
    institution_name: str
    all_day: bool
    starts_at: datetime
    ends_at: datetime
    cancelled: bool
    moved: bool


def occurrences_between(start: datetime, end: datetime, filters: ActivityFilters | None = None,
                        limit: int | None = None) -> list[Slot]:
    """Occurrences of public activities overlapping [start, end), soonest first."""
    stmt = (
        select(Occurrence.activity_id, Activity.title, Institution.name, Activity.all_day, Occurrence.starts_at,
               Occurrence.ends_at, (Occurrence.status == "cancelled") | (Activity.status == "cancelled"),
               Occurrence.starts_at != Occurrence.original_start)
        .join(Occurrence.activity)
        .join(Activity.institution)
        .where(*activity_conditions(filters or ActivityFilters()), Occurrence.starts_at < end,
               Occurrence.ends_at > start)
        .order_by(Occurrence.starts_at, Occurrence.id)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return [Slot(*row) for row in db.session.execute(stmt)]


def public_activity(activity_id: int) -> Activity:
    """The activity if citizens may see it, else 404 (drafts look like they do not exist)."""
    activity = db.session.scalar(
        select(Activity).where(Activity.id == activity_id, is_public())
        .options(selectinload(Activity.institution).selectinload(Institution.area),
                 selectinload(Activity.category_links), selectinload(Activity.audience_links),
                 selectinload(Activity.observance_links).selectinload(ActivityObservance.observance))
    )
    if activity is None:
        raise NotFound()
    return activity


def shown_occurrences(activity: Activity, limit: int = 12) -> tuple[list[Occurrence], bool]:
    """The activity's coming dates (or, once it is over, its last ones) and whether they are upcoming."""
    now = clock.utcnow()
    base = select(Occurrence).where(Occurrence.activity_id == activity.id)
    upcoming = list(db.session.scalars(
        base.where(Occurrence.ends_at > now).order_by(Occurrence.starts_at).limit(limit)))
    if upcoming:
        return upcoming, True
    past = list(db.session.scalars(base.order_by(Occurrence.starts_at.desc()).limit(limit)))
    return list(reversed(past)), False


@dataclass(frozen=True)
class DateSpan:
    """First and last local day of an activity's scheduled dates, and how many there are."""

    first: date | None
    last: date | None
    count: int


def date_span(activity: Activity) -> DateSpan:
    first, last, count = db.session.execute(
        select(func.min(Occurrence.starts_at), func.max(Occurrence.starts_at), func.count())
        .where(Occurrence.activity_id == activity.id, Occurrence.status == "scheduled")
    ).one()
    return DateSpan(local_day(first) if first else None, local_day(last) if last else None, count)


def count_upcoming(activity: Activity) -> int:
    return db.session.scalar(select(func.count()).select_from(Occurrence).where(
        Occurrence.activity_id == activity.id, Occurrence.ends_at > clock.utcnow())) or 0


def current_or_next_observance(today: date) -> tuple[Observance, Span] | None:
    """The observance happening today, or else the one that begins soonest."""
    best = None
    for observance in db.session.scalars(select(Observance).options(selectinload(Observance.dates))):
        for year in (today.year, today.year + 1):
            span = observance_span(observance, year)
            if span is None or span.ends_on < today:
                continue
            rank = (not span.contains(today), span.starts_on, observance.key)
            if best is None or rank < best[0]:
                best = (rank, observance, span)
            break
    return (best[1], best[2]) if best else None


def observance_by_key(key: str) -> Observance:
    observance = db.session.scalar(select(Observance).where(Observance.key == key)
                                   .options(selectinload(Observance.dates)))
    if observance is None:
        raise NotFound()
    return observance


def institution_by_slug(slug: str) -> Institution:
    institution = db.session.scalar(select(Institution).where(Institution.slug == slug)
                                    .options(selectinload(Institution.area)))
    if institution is None:
        raise NotFound()
    return institution


def area_by_code(code: str, on: date | None = None) -> Area:
    """The unit with this code valid on `on`; without a day, the one valid today, else the last one."""
    area = unit_on(code, on) if on is not None else latest_unit(code)
    if area is None:
        raise NotFound()
    return area


def institutions_in(area: Area) -> list[Institution]:
    """Active institutions anywhere in the area's subtree, by name."""
    return list(db.session.scalars(
        select(Institution).join(Institution.area)
        .where(area.subtree_filter(), Institution.active.is_(True))
        .options(selectinload(Institution.area))
        .order_by(Institution.name)))


def filter_choices() -> dict[str, list]:
    """Rows for the filter form's lists."""
    return {
        "areas": list(db.session.scalars(select(Area).order_by(Area.path))),
        "institutions": list(db.session.scalars(
            select(Institution).where(Institution.active.is_(True)).order_by(Institution.name))),
        "observances": list(db.session.scalars(select(Observance).order_by(Observance.key))),
    }


def province_outline(area: Area) -> tuple[Area | None, list[tuple[float, float]]]:
    """The province an area lies in, and the centres of its units valid today (for the locator map)."""
    province = next((a for a in [*area.ancestors(), area] if a.level == "province"), None)
    if province is None:
        return None, []
    rows = db.session.execute(
        select(Area.latitude, Area.longitude)
        .where(province.subtree_filter(), Area.id != province.id, Area.latitude.is_not(None),
               Area.longitude.is_not(None), Area.valid_on_filter(clock.local_today()))
        .limit(5000)).all()
    return province, [(lat, lon) for lat, lon in rows]
