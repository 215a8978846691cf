"""What the citizen's pages show: SQL in, rows out (no request needed); the filters are events/filters.py's."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import DateTime, Integer, bindparam, case, column, func, literal, select, true, union_all
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.selectable import ScalarSelect

from .. import clock
from ..clock import local_day
from ..events.filters import ActivityFilters, activity_conditions, window_bounds
from ..events.filters import institutions_matching as _institutions_matching
from ..events.listing import Window, count_up_to, first_dates, longest_duration
from ..events.models import Activity, ActivityAudience, ActivityCategory, Occurrence
from ..extensions import db
from ..observances.dates import Span, observance_span
from ..observances.models import Observance
from ..places import lookup
from ..places.models import Area, Institution


@dataclass(frozen=True, slots=True)
class Card:
    """What a list shows of an activity: plain values, the whole page's in one statement (no ORM objects)."""

    id: int
    title: str
    all_day: bool
    status: str
    duration: timedelta
    institution_name: str
    categories: list[str]
    audiences: list[str]


@dataclass
class Listed:
    """One row of the activity list: the activity and its dates inside the window."""

    activity: Card
    #: the next scheduled date in the window, or the first date when all of them are cancelled
    starts_at: datetime
    #: how many dates the activity has in the window
    dates: int
    #: every date in the window is cancelled (or the activity is)
    cancelled: bool

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + self.activity.duration


#: a list counts its activities up to this many; beyond, it says "more than 200" (counting every activity
#: of a province's future would cost more than the page itself)
COUNT_CAP = 200
#: the same for a preview (a home, institution or area page, an embed), whose link says how many there are
PREVIEW_COUNT_CAP = 40


@dataclass
class Listing:
    """One page of the activity list."""

    items: list[Listed]
    number: int
    per_page: int
    #: how many activities match, counted up to COUNT_CAP
    total: int
    #: there are more than `total`
    more: bool
    has_next: bool

    @property
    def pages(self) -> int | None:
        """How many pages, when the count is exact."""
        return None if self.more else max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def list_activities(filters: ActivityFilters, today: date, page: int = 1, per_page: int = 20,
                    count_cap: int | None = None, longest: timedelta | None | bool = True) -> Listing:
    """Public activities matching the filters with a date in the window, soonest first (at their next
    scheduled date in the window, or their first one when all are cancelled). `longest`: longest_duration(),
    when the caller knows it already."""
    count_cap = COUNT_CAP if count_cap is None else count_cap
    window = Window(*window_bounds(filters, today), longest)
    conditions = activity_conditions(filters)
    counted = count_up_to(window, conditions, count_cap)
    more = counted > count_cap
    if not more:  # a page past the last shows the last
        page = max(1, min(page, -(-counted // per_page)))
    keys = first_dates(window, conditions, scheduled_first=True, limit=per_page + 1, offset=(page - 1) * per_page)
    if not keys and page > 1:  # past the last page of a list counted only in part
        page = 1
        keys = first_dates(window, conditions, scheduled_first=True, limit=per_page + 1)
    shown = keys[:per_page]
    cards = _cards([activity_id for activity_id, _key in shown], window)
    items = []
    for activity_id, key in shown:
        card, count, next_scheduled = cards[activity_id]
        items.append(Listed(card, key, count, card.status == "cancelled" or next_scheduled is None))
    return Listing(items, page, per_page, min(counted, count_cap), more, len(keys) > per_page)


def _keys(link) -> ScalarSelect:
    """An activity's keys in a link table, as one string (sorted in Python: the aggregate has no order)."""
    return select(func.aggregate_strings(link.key, " ")).where(link.activity_id == Activity.id).scalar_subquery()


def _cards(activity_ids: list[int], window: Window) -> dict[int, tuple[Card, int, datetime | None]]:
    """activity id -> (its card, how many dates it has in the window, its first scheduled one there or None):
    one statement, its keys and dates as correlated subqueries (events/listing.dates_in_window's figures)."""
    if not activity_ids:
        return {}
    in_window = [Occurrence.activity_id == Activity.id, *window.overlaps(Occurrence)]
    rows = db.session.execute(
        select(Activity.id, Activity.title, Activity.all_day, Activity.status, Activity.starts_at, Activity.ends_at,
               Institution.name, _keys(ActivityCategory), _keys(ActivityAudience),
               select(func.count()).where(*in_window).scalar_subquery(),
               select(func.min(Occurrence.starts_at)).where(*in_window, Occurrence.status == "scheduled")
               .scalar_subquery())
        .join(Institution, Institution.id == Activity.institution_id)
        .where(Activity.id.in_(activity_ids)))
    return {
        id_: (Card(id_, title, all_day, status, ends_at - starts_at, institution,
                   sorted(categories.split()) if categories else [], sorted(audiences.split()) if audiences else []),
              count, next_scheduled)
        for id_, title, all_day, status, starts_at, ends_at, institution, categories, audiences, count, next_scheduled
        in rows}


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


def _slots(overlap: list, filters: ActivityFilters | None):
    return (
        select(Occurrence.activity_id, Activity.title, Institution.name, Activity.all_day, Occurrence.starts_at,
               Occurrence.ends_at, (Occurrence.status == "cancelled") | (Activity.status == "cancelled"),
               Occurrence.starts_at != Occurrence.original_start)
        .join(Occurrence.activity)
        .join(Activity.institution)
        .where(*activity_conditions(filters or ActivityFilters()), *overlap)
        # the order of ix_occurrences_starts_activity: a province has hundreds of dates at 08:00, and a
        # tie-break the index does not hold would sort each such group before the first row comes out
        .order_by(Occurrence.starts_at, Occurrence.activity_id, Occurrence.id)
    )


def occurrences_between(start: datetime, end: datetime, filters: ActivityFilters | None = None,
                        limit: int | None = None, longest: timedelta | None | bool = True) -> list[Slot]:
    """Occurrences of public activities overlapping [start, end), soonest first."""
    window = Window(start, end, longest)
    if limit is None:
        return [Slot(*row) for row in db.session.execute(_slots(window.overlaps(Occurrence), filters))]
    # each range of the date index walked on its own up to the limit (see Window.parts)
    parts = [_slots(part, filters).add_columns(Occurrence.id.label("occurrence_id")).limit(limit).subquery()
             for part in window.parts(Occurrence)]
    merged = union_all(*(select(part) for part in parts)).subquery()
    rows = db.session.execute(select(*list(merged.c)[:-1]).order_by(
        merged.c.starts_at, merged.c.activity_id, merged.c.occurrence_id).limit(limit))
    return [Slot(*row) for row in rows]


def slots_by_day(first: date, last: date, filters: ActivityFilters | None, per_day: int) -> dict[date, list[Slot]]:
    """For each local day from first to last, the first `per_day` occurrences covering it, soonest first —
    and one more when there are more (a province has hundreds a day: one query, each day's walk stopping
    early)."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    longest = longest_duration()
    bounds = [(number, clock.local_midnight_utc(day), clock.local_midnight_utc(day + timedelta(days=1)))
              for number, day in enumerate(days)]
    if longest is not None:  # PostgreSQL: one small statement, the day walks joined LATERAL
        # the days as three arrays unnested side by side (a VALUES list would make SQLAlchemy compile the
        # statement anew on every request: it has no cache key)
        numbers, starts, ends = zip(*bounds, strict=True)
        table = func.unnest(bindparam(None, list(numbers), ARRAY(Integer)),
                            bindparam(None, list(starts), ARRAY(DateTime)),
                            bindparam(None, list(ends), ARRAY(DateTime))).table_valued(
            column("day", Integer), column("day_start", DateTime), column("day_end", DateTime),
            name="days").render_derived()
        overlap = [Occurrence.ends_at > table.c.day_start, Occurrence.starts_at < table.c.day_end,
                   Occurrence.starts_at >= table.c.day_start - longest]
        shown = _slots(overlap, filters).limit(per_day + 1).lateral("shown")
        stmt = select(table.c.day, shown).select_from(table).join(shown, true())
    else:
        stmt = union_all(*(
            select(literal(number).label("day"), *shown.c)
            for number, shown in ((number, _slots(Window(start, end, None).overlaps(Occurrence), filters)
                                   .limit(per_day + 1).subquery()) for number, start, end in bounds)))
    found: dict[date, list[Slot]] = {}
    for number, *values_ in db.session.execute(stmt):
        found.setdefault(days[number], []).append(Slot(*values_))
    for slots in found.values():
        slots.sort(key=lambda slot: slot.starts_at)
    return found


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


def date_span(activity: Activity) -> tuple[DateSpan, int]:
    """The activity's scheduled dates (first, last, how many), and how many of its dates are still to come or
    going on, in one statement."""
    scheduled = Occurrence.status == "scheduled"
    first, last, count, upcoming = db.session.execute(
        select(func.min(case((scheduled, Occurrence.starts_at))), func.max(case((scheduled, Occurrence.starts_at))),
               func.count(case((scheduled, 1))), func.count(case((Occurrence.ends_at > clock.utcnow(), 1))))
        .where(Occurrence.activity_id == activity.id)
    ).one()
    return DateSpan(local_day(first) if first else None, local_day(last) if last else None, count), upcoming


def observances_with_dates() -> list[Observance]:
    """Every observance with its dates set by year, by key (one statement)."""
    return list(db.session.scalars(
        select(Observance).options(joinedload(Observance.dates)).order_by(Observance.key)).unique())


def current_or_next_observance(today: date, observances: list[Observance] | None = None
                               ) -> tuple[Observance, Span] | None:
    """The observance happening today, or else the one that begins soonest (among `observances`, loaded with
    their dates, when given)."""
    best = None
    for observance in observances_with_dates() if observances is None else observances:
        for year in (today.year, today.year + 1):
            span = observance_span(observance, year)
            if span is None or span.ends_on < today:
                continue
            rank = (not span.contains(today), span.starts_on, observance.key)
            if best is None or rank < best[0]:
                best = (rank, observance, span)
            break
    return (best[1], best[2]) if best else None


@dataclass(frozen=True)
class InstitutionRow:
    """What an area page shows of an institution."""

    slug: str
    name: str
    category: str
    area_id: int
    area_name: str


def institutions_in(area: Area, page: int = 1, per_page: int = 50) -> tuple[list[InstitutionRow], bool]:
    """One page of the active institutions anywhere in the area's subtree, by name, and whether more follow
    (a province has thousands: the page lists them a page at a time, uncounted)."""
    # the area's path written into the statement: a province's page walks the names, a commune's sorts its few
    # institutions, and the driver's prepared statement, shared by every area, would get one plan for all
    # (a district's, 0.5 → 9 ms for the province); paths are ids and slashes, nothing to escape
    within = Area.path.startswith(bindparam("subtree_path", area.path, literal_execute=True))
    rows = [InstitutionRow(*row) for row in db.session.execute(
        select(Institution.slug, Institution.name, Institution.category, Institution.area_id, Area.name)
        .join(Institution.area)
        .where(within, Institution.active.is_(True))
        .order_by(Institution.name, Institution.id).offset((page - 1) * per_page).limit(per_page + 1))]
    return rows[:per_page], len(rows) > per_page


def observance_choices(locale: str) -> list[tuple[str, str]]:
    """(key, name) of every observance, by key: the filter form's list (areas and institutions have search fields
    instead: areas_matching, institutions_matching)."""
    name = Observance.name_en if locale == "en" else Observance.name_vi
    return [(key, text) for key, text in db.session.execute(select(Observance.key, name).order_by(Observance.key))]


def areas_matching(text: str, limit: int) -> list[Area]:
    today = clock.local_today()
    return lookup.matching(text, today, today, limit=limit)


def institutions_matching(text: str, limit: int) -> list[Institution]:
    return list(db.session.scalars(_institutions_matching(text, limit)))


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
