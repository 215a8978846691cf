"""Activities in a window of days, soonest first, without grouping every occurrence in the window.

Each activity is listed once, at its key date: its first occurrence in the window (the API), or its first
scheduled one, or the first of all when every date in the window is cancelled (the public list). The key
occurrence is the one with no earlier occurrence of the same activity in the window, so the database walks
the occurrences in date order and stops after the rows asked for (ix_occurrences_starts_activity, and
ix_occurrences_activity_starts for "no earlier one"), instead of aggregating every future occurrence before it
can sort. An area's dates are told apart in the index too (occurrences carry their activity's institution: see
on_occurrence); a single institution lets the planner start from its activities instead.
"""
from datetime import datetime, timedelta

from sqlalchemy import and_, case, exists, func, or_, select, union_all
from sqlalchemy.orm import aliased
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression
from sqlalchemy.sql.visitors import replacement_traverse

from ..extensions import db
from .models import Activity, Occurrence


def longest_duration() -> timedelta | None:
    """The longest occurrence: how far before a window an occurrence still inside it can start.

    PostgreSQL reads it from ix_occurrences_duration; SQLite stores text dates that do not subtract, and needs
    no bound (None) at the sizes it serves."""
    if db.session.get_bind().dialect.name != "postgresql":
        return None
    return db.session.scalar(select(func.max(Occurrence.ends_at - Occurrence.starts_at)))


class Window:
    """[start, end) in naive UTC (no end: from start on), with the earliest start an occurrence overlapping it
    can have."""

    def __init__(self, start: datetime, end: datetime | None, longest: timedelta | None | bool = True):
        """`longest`: longest_duration(), when already known."""
        self.start, self.end = start, end
        if longest is True:
            longest = longest_duration()
        self.floor = start - longest if longest is not None else None

    def overlaps(self, occurrence) -> list:
        """SQL conditions: the occurrence overlaps the window."""
        conditions = [occurrence.ends_at > self.start]
        if self.end is not None:
            conditions.append(occurrence.starts_at < self.end)
        if self.floor is not None:
            conditions.append(occurrence.starts_at >= self.floor)
        return conditions

    def parts(self, occurrence) -> list[list]:
        """overlaps() as alternatives that each walk a range of the date index: starting inside the window, or
        before it and still going on. (In one condition the planner takes the start and the end for
        independent columns and expects far fewer rows than there are.)"""
        if self.floor is None:
            return [self.overlaps(occurrence)]
        until = [occurrence.starts_at < self.end] if self.end is not None else []
        return [[occurrence.starts_at > self.start, *until],
                [occurrence.starts_at >= self.floor, occurrence.starts_at <= self.start,
                 occurrence.ends_at > self.start, *until]]


def on_occurrence(condition, occurrence):
    """An activity condition with "its institution is one of these" read from the occurrence's copy of the
    institution (in the date index on PostgreSQL: an area's dates are found without a lookup of each one's
    activity). A single institution stays on the activity: the planner may start from its few activities."""
    column = Activity.__table__.c.institution_id

    def swap(element):
        if isinstance(element, BinaryExpression) and element.operator in (operators.in_op, operators.not_in_op) \
                and getattr(element.left, "table", None) is column.table and element.left.key == column.key:
            return BinaryExpression(occurrence.institution_id.expression, element.right, element.operator,
                                    negate=element.negate, modifiers=element.modifiers)
        return None

    return replacement_traverse(condition, {}, swap)


def _none_earlier(occurrence, window: Window, *conditions) -> exists:
    """No occurrence of the same activity meeting `conditions` starts before this one in the window (ties go
    to the lower id)."""
    return ~exists().where(
        Occurrence.activity_id == occurrence.activity_id, *window.overlaps(Occurrence), *conditions,
        Occurrence.starts_at <= occurrence.starts_at,
        or_(Occurrence.starts_at < occurrence.starts_at, Occurrence.id < occurrence.id))


def first_dates(window: Window, activity_conditions: list, scheduled_first: bool, limit: int,
                offset: int = 0) -> list[tuple[int, datetime]]:
    """(activity_id, key) of the activities meeting the conditions with an occurrence in the window, each once
    at its key date, by (key, activity_id): rows offset to offset + limit."""
    occurrence = aliased(Occurrence)
    wanted = offset + limit
    walked = [on_occurrence(condition, occurrence) for condition in activity_conditions]

    def walk(*conditions) -> list[tuple[int, datetime]]:
        # each part ordered and limited on its own, so that the planner walks the date index and stops
        parts = [select(select(occurrence.activity_id, occurrence.starts_at.label("key"))
                        .join(Activity, Activity.id == occurrence.activity_id)
                        .where(*part, *conditions, *walked)
                        .order_by(occurrence.starts_at, occurrence.activity_id).limit(wanted).subquery())
                 for part in window.parts(occurrence)]
        keys = union_all(*parts).subquery()
        return [(activity_id, key) for activity_id, key in db.session.execute(
            select(keys.c.activity_id, keys.c.key).order_by(keys.c.key, keys.c.activity_id).limit(wanted))]

    if not scheduled_first:
        return walk(_none_earlier(occurrence, window))[offset:]
    # one walk for both kinds of key: a scheduled date with none scheduled before it, or (every date in the
    # window cancelled) a cancelled one with none before it and none scheduled at all; each row checked by the
    # probes of its own kind
    # (a scalar subquery, not NOT EXISTS, for "none scheduled": PostgreSQL would hash every scheduled date of
    # the window to answer it)
    held = and_(occurrence.status == "scheduled",
                _none_earlier(occurrence, window, Occurrence.status == "scheduled"))
    none_held = and_(occurrence.status != "scheduled", _none_earlier(occurrence, window),
                     select(Occurrence.id).where(Occurrence.activity_id == occurrence.activity_id,
                                                 Occurrence.status == "scheduled", *window.overlaps(Occurrence))
                     .limit(1).scalar_subquery().is_(None))
    return walk(or_(held, none_held))[offset:]


def count_up_to(window: Window, activity_conditions: list, cap: int) -> int:
    """How many activities meeting the conditions have an occurrence in the window, counted up to cap + 1
    (the database stops there)."""
    if window.end is not None:
        # a few days or weeks (an observance's): walking its dates finds the activities densely
        return len(first_dates(window, activity_conditions, scheduled_first=False, limit=cap + 1))
    # from a day on: the latest activities first, they are the ones with dates ahead, so the count reaches cap + 1
    # after few probes; one probe each (a scalar subquery: an EXISTS would be turned into a join that hashes
    # every occurrence of the window)
    a_date = (select(Occurrence.id).where(Occurrence.activity_id == Activity.id, *window.overlaps(Occurrence))
              .limit(1).scalar_subquery())
    in_window = (select(Activity.id).where(*activity_conditions, a_date.is_not(None))
                 .order_by(Activity.starts_at.desc()).limit(cap + 1))
    return db.session.scalar(select(func.count()).select_from(in_window.subquery())) or 0


def dates_in_window(activity_ids: list[int], window: Window) -> dict[int, tuple[int, datetime | None]]:
    """activity id -> (how many dates it has in the window, its first scheduled one or None)."""
    if not activity_ids:
        return {}
    rows = db.session.execute(
        select(Occurrence.activity_id, func.count(),
               func.min(case((Occurrence.status == "scheduled", Occurrence.starts_at))))
        .where(Occurrence.activity_id.in_(activity_ids), *window.overlaps(Occurrence))
        .group_by(Occurrence.activity_id))
    return {activity_id: (count, first) for activity_id, count, first in rows}

