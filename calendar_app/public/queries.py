"""What the public may see, and the list filters: SQL in, rows out (no request needed).

Only published and cancelled activities are public; drafts never are. List and feed filters match an
activity's own keys, except that an audience filter also matches activities for `everyone`.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from .. import bounds, clock, vocabulary
from ..clock import local_day, local_midnight_utc
from ..events.models import Activity, ActivityAudience, ActivityCategory, ActivityObservance, Occurrence
from ..extensions import db
from ..observances.dates import Span, observance_span
from ..observances.models import Observance
from ..pagination import Page
from ..places.models import Area, Institution
from ..search import matches

PUBLIC_STATUSES = ("published", "cancelled")
#: the longest free-text query we accept (longer ones are refused, not truncated)
MAX_QUERY_LENGTH = 200
#: a date range filter may not exceed this, so one request cannot ask for decades of rows
MAX_RANGE_DAYS = 3 * 366


def is_public():
    """SQL condition on Activity: visible to citizens."""
    return Activity.status.in_(PUBLIC_STATUSES)


@dataclass
class ActivityFilters:
    """The public list's filters, resolved to rows; None means "any"."""

    area: Area | None = None
    institution: Institution | None = None
    category: str | None = None
    audience: str | None = None
    observance: Observance | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""

    @property
    def active(self) -> bool:
        return any((self.area, self.institution, self.category, self.audience, self.observance,
                    self.date_from, self.date_to, self.q))

    def feed_args(self) -> dict[str, str]:
        """The filters the events feed understands (feeds cover a fixed window, so no dates)."""
        args = {
            "area": self.area.code if self.area else None,
            "institution": self.institution.slug if self.institution else None,
            "category": self.category,
            "audience": self.audience,
            "observance": self.observance.key if self.observance else None,
            "q": self.q or None,
        }
        return {key: value for key, value in args.items() if value}

    def query_args(self) -> dict[str, str]:
        """Every filter as URL query arguments (for pagination and the month view)."""
        args = self.feed_args()
        if self.date_from:
            args["from"] = self.date_from.isoformat()
        if self.date_to:
            args["to"] = self.date_to.isoformat()
        return args


@dataclass
class ParsedFilters:
    filters: ActivityFilters
    #: field name -> translated reason, for input we refused
    errors: dict[str, str] = field(default_factory=dict)
    #: what the user typed, to show it back in the form
    raw: dict[str, str] = field(default_factory=dict)


def parse_filters(args) -> ParsedFilters:
    """Read list filters from query arguments; unknown keys and bad dates become field errors."""
    raw = {name: (args.get(name) or "").strip() for name in
           ("area", "institution", "category", "audience", "observance", "from", "to", "q")}
    filters, errors = ActivityFilters(), {}
    if raw["area"]:
        filters.area = db.session.scalar(select(Area).where(Area.code == raw["area"]))
        if filters.area is None:
            errors["area"] = _l("There is no area with this code. Choose one from the list.")
    if raw["institution"]:
        filters.institution = db.session.scalar(select(Institution).where(Institution.slug == raw["institution"]))
        if filters.institution is None:
            errors["institution"] = _l("There is no such institution. Choose one from the list.")
    for name, known in (("category", vocabulary.ACTIVITY_CATEGORIES), ("audience", vocabulary.AUDIENCES)):
        if raw[name] in known:
            setattr(filters, name, raw[name])
        elif raw[name]:
            errors[name] = _l("Unknown value. Choose one from the list.")
    if raw["observance"]:
        filters.observance = db.session.scalar(select(Observance).where(Observance.key == raw["observance"]))
        if filters.observance is None:
            errors["observance"] = _l("There is no such observance. Choose one from the list.")
    for name, attribute in (("from", "date_from"), ("to", "date_to")):
        if raw[name]:
            try:
                setattr(filters, attribute, bounds.parse_day(raw[name]))
            except bounds.OutOfRange as refused:
                errors[name] = refused.reason
            except ValueError:
                errors[name] = _l("“%(value)s” is not a date. Enter a date as YYYY-MM-DD, for example 2025-04-21.",
                                  value=raw[name])
    if filters.date_from and filters.date_to:
        if filters.date_to < filters.date_from:
            errors["to"] = _l("The end date is before the start date.")
        elif (filters.date_to - filters.date_from).days > MAX_RANGE_DAYS:
            errors["to"] = _l("Choose a range of at most three years.")
    if len(raw["q"]) > MAX_QUERY_LENGTH:
        errors["q"] = _l("Search with at most %(count)d characters.", count=MAX_QUERY_LENGTH)
    else:
        filters.q = raw["q"]
    return ParsedFilters(filters, errors, raw)


def activity_conditions(filters: ActivityFilters, visible=None) -> list:
    """SQL conditions on Activity for the filters (not the dates), public activities only unless `visible`
    widens that (the API shows a token holder the drafts they manage, with the same filters)."""
    conditions = [is_public() if visible is None else visible]
    if filters.area is not None:
        conditions.append(Activity.institution_id.in_(
            select(Institution.id).where(Institution.area_id.in_(filters.area.subtree_ids()))))
    if filters.institution is not None:
        conditions.append(Activity.institution_id == filters.institution.id)
    if filters.category:
        conditions.append(exists().where(ActivityCategory.activity_id == Activity.id,
                                         ActivityCategory.key == filters.category))
    if filters.audience:
        conditions.append(exists().where(ActivityAudience.activity_id == Activity.id,
                                         ActivityAudience.key.in_((filters.audience, "everyone"))))
    if filters.observance is not None:
        conditions.append(exists().where(ActivityObservance.activity_id == Activity.id,
                                         ActivityObservance.observance_id == filters.observance.id,
                                         ActivityObservance.removed.is_(False)))
    if filters.q:
        conditions.append(matches(Activity.search_text, filters.q))
    return conditions


def window_bounds(filters: ActivityFilters, today: date) -> tuple[datetime, datetime | None]:
    """[start, end) in naive UTC: from the first day (today by default) to after the last day, if any."""
    start = local_midnight_utc(filters.date_from or today)
    end = local_midnight_utc(filters.date_to + timedelta(days=1)) if filters.date_to else None
    return start, end


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


def area_by_code(code: str) -> Area:
    area = db.session.scalar(select(Area).where(Area.code == code))
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
