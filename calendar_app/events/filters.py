"""The activity filters of the public list, the feeds and the API: one parser, one set of messages, one
date-window limit, one set of SQL conditions (no request needed).

Only published and cancelled activities are public; drafts never are. Filters match an activity's own keys,
except that an audience filter also matches activities for `everyone`.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, and_, cast, exists, false, func, or_, select
from sqlalchemy.orm import aliased

from .. import bounds, vocabulary
from ..bulk import among
from ..clock import local_midnight_utc, local_today
from ..extensions import db
from ..observances.models import Observance
from ..places.lookup import latest_unit, matching
from ..places.models import Area, Institution
from ..search import fold, matches, terms
from .keys import has_key
from .models import Activity, ActivityAudience, ActivityCategory, ActivityObservance

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
        filters.area = area_named(raw["area"])
        if filters.area is None:
            errors["area"] = _l("There is no area with this code. Choose one from the list.")
    if raw["institution"]:
        filters.institution = institution_named(raw["institution"])
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
        errors.update(window_problems(filters.date_from, filters.date_to))
    if len(raw["q"]) > MAX_QUERY_LENGTH:
        errors["q"] = _l("Search with at most %(count)d characters.", count=MAX_QUERY_LENGTH)
    else:
        filters.q = raw["q"]
    return ParsedFilters(filters, errors, raw)


def area_named(text: str) -> Area | None:
    """The unit the filter names: its code (the unit valid today, else the one that closed last), else the only
    unit valid today whose name holds what was typed (the field works without script too)."""
    found = latest_unit(text)
    if found is None:
        today = local_today()
        matches = [area for area in matching(text, today, today, limit=20) if fold(area.name) == fold(text)] \
            or matching(text, today, today, limit=2)
        found = matches[0] if len(matches) == 1 else None
    return found


def institutions_matching(text: str, limit: int):
    """select() of the active institutions whose name or slug holds every word typed (accents optional), by
    name: the institution field's suggestions."""
    words = terms(text)
    if not words:
        return select(Institution).where(false())
    # slugs are the unaccented names, so "thu vien" finds "Thư viện" on any database
    return (select(Institution).where(Institution.active.is_(True),
                                      or_(func.lower(Institution.name).contains(text.strip().lower(), autoescape=True),
                                          and_(*(Institution.slug.contains(word, autoescape=True) for word in words))))
            .order_by(Institution.name, Institution.id).limit(limit))


def institution_named(text: str) -> Institution | None:
    """The institution the filter names: its slug (what links and suggestions send), else the only active
    institution whose name holds what was typed (the field works without script too)."""
    found = db.session.scalar(select(Institution).where(Institution.slug == text))
    if found is None:
        # the whole name (in any case) first: "… số 8" is also in "… số 80"
        matches = db.session.scalars(select(Institution).where(
            Institution.active.is_(True), func.lower(Institution.name) == text.strip().lower()).limit(2)).all() \
            or db.session.scalars(institutions_matching(text, 2)).all()
        found = matches[0] if len(matches) == 1 else None
    return found


def window_problems(first: date, last: date) -> dict[str, str]:
    """The date-window limit: the last day not before the first, and at most MAX_RANGE_DAYS after it."""
    if last < first:
        return {"to": _l("The end date is before the start date.")}
    if (last - first).days > MAX_RANGE_DAYS:
        return {"to": _l("Choose a range of at most three years.")}
    return {}


def activity_conditions(filters: ActivityFilters, visible=None, row_by_row: bool = True) -> list:
    """SQL conditions on Activity for the filters (not the dates), public activities only unless `visible`
    widens that (the API shows a token holder the drafts they manage, with the same filters).

    `row_by_row`: the keys (category, audience, observance) are checked for each row asked about (lists, which
    walk dates and stop after a page); without it as sets of activity ids, which the database can hash once
    (feeds, which read a whole window)."""
    conditions = [is_public() if visible is None else visible]
    if filters.area is not None and (in_area := _in_area(filters.area)) is not None:
        conditions.append(in_area)
    if filters.institution is not None:
        conditions.append(Activity.institution_id == filters.institution.id)
    # a list walks dates and activities in index order and checks the keys of each activity it passes: from the
    # activity's copy of its keys, inside the listing index (events/keys.py); a feed reads a whole window and
    # hashes the set of activities with the key once
    if filters.category:
        conditions.append(has_key(ActivityCategory, [filters.category]) if row_by_row else
                          _has(ActivityCategory.activity_id, ActivityCategory.key == filters.category,
                               row_by_row=False))
    if filters.audience:
        audiences = (filters.audience, "everyone")
        conditions.append(has_key(ActivityAudience, audiences) if row_by_row else
                          _has(ActivityAudience.activity_id, ActivityAudience.key.in_(audiences), row_by_row=False))
    if filters.observance is not None:
        # checked row by row (a scalar subquery, not an EXISTS the planner would turn into a join): an
        # observance's list walks the dates of its window, where nearly every activity is tagged, and a join
        # would first read every tag of every year
        conditions.append(_has(ActivityObservance.activity_id, ActivityObservance.removed.is_(False),
                               ActivityObservance.observance_id == filters.observance.id, row_by_row=row_by_row))
    if filters.q:
        conditions.append(matches(Activity.search_text, filters.q))
    return conditions


def _has(activity_id, *conditions, row_by_row: bool):
    """SQL condition: a row of a key table (its `activity_id` column) meeting `conditions` belongs to the activity;
    checked for each row asked about (a correlated scalar subquery, stopped at the first row found), or as the set
    of such activities (which the database hashes once)."""
    if row_by_row:
        found = select(activity_id).where(activity_id == Activity.id, *conditions).limit(1)
        return found.scalar_subquery().is_not(None)
    return Activity.id.in_(select(activity_id).where(*conditions))


#: an area with at most this many institutions is filtered on their ids, fetched first (a larger list costs
#: more to plan than a lookup of each row's institution)
IDS_LISTED = 5000


def _in_area(area: Area):
    """SQL condition on Activity: its institution lies in the area's subtree (None when every institution does:
    the root of a deployment, whose page then lists as /events does)."""
    other = aliased(Area)
    # in one row: the subtree's units, and whether a unit outside it holds an institution
    units_text, elsewhere = db.session.execute(select(
        select(func.aggregate_strings(cast(Area.id, String), ",")).where(area.subtree_filter()).scalar_subquery(),
        select(other.id).where(~area.subtree_filter(other.path), exists().where(Institution.area_id == other.id))
        .exists())).one()
    if not elsewhere:
        return None
    units = [int(unit) for unit in units_text.split(",")] if units_text else []
    # the ids written into the statement (bulk.among): PostgreSQL checks a row against a list of constants in
    # a hash table, against a list of parameters one by one
    in_units = among(Institution.area_id, units)
    # read as one string: thousands of ids as rows cost more in Python than the query in the database
    listed = select(Institution.id).where(in_units).limit(IDS_LISTED + 1).subquery()
    joined = db.session.scalar(select(func.aggregate_strings(cast(listed.c.id, String), ",")))
    ids = [int(i) for i in joined.split(",")] if joined else []
    if len(ids) > IDS_LISTED:
        return Activity.institution_id.in_(select(Institution.id).where(in_units))
    return among(Activity.institution_id, ids)


def window_bounds(filters: ActivityFilters, today: date) -> tuple[datetime, datetime | None]:
    """[start, end) in naive UTC: from the first day (today by default) to after the last day, if any."""
    start = local_midnight_utc(filters.date_from or today)
    end = local_midnight_utc(filters.date_to + timedelta(days=1)) if filters.date_to else None
    return start, end
