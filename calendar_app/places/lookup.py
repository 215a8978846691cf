"""Which unit a code means: codes are reused across reforms, so a code names a unit only together with a day.

- pages, feeds, forms and the command line mean the unit valid today (an old unit's page still answers
  when no unit with that code is valid today: it says what the unit became);
- the API means the unit valid on `?on=YYYY-MM-DD` (default today);
- a write means the unit valid on the write's `effective` day;
- an indicator report for year Y means the unit valid during Y, the later one if two were.
"""
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select

from ..clock import local_today
from ..extensions import db
from ..search import fold
from .models import Area, AreaSuccession


def unit_on(code: str | None, day: date | None = None) -> Area | None:
    """The unit with this code valid on `day` (today by default)."""
    if not code:
        return None
    return db.session.scalar(select(Area).where(Area.code == code, Area.valid_on_filter(day or local_today()))
                             .limit(1))


def latest_unit(code: str | None) -> Area | None:
    """The unit with this code valid today, else the one that closed last."""
    if not code:
        return None
    return unit_on(code) or db.session.scalar(
        select(Area).where(Area.code == code).order_by(Area.valid_to.desc().nulls_first(), Area.id.desc()).limit(1))


def unit_for_year(code: str | None, year: int) -> Area | None:
    """The unit with this code valid at some time during `year`; the later one if two were."""
    if not code:
        return None
    first, last = date(year, 1, 1), date(year, 12, 31)
    return db.session.scalar(
        select(Area).where(Area.code == code, valid_between(first, last))
        .order_by(Area.valid_from.desc().nulls_last(), Area.id.desc()).limit(1))


def valid_between(first: date, last: date, area=Area):
    """SQL condition: the area was valid on some day from `first` to `last` (inclusive)."""
    return and_(or_(area.valid_from.is_(None), area.valid_from <= last),
                or_(area.valid_to.is_(None), area.valid_to > first))


def overlapping(code: str, valid_from: date | None, valid_to: date | None, exclude_id: int | None = None):
    """Units with this code whose validity overlaps [valid_from, valid_to) (None: unbounded)."""
    conditions = [Area.code == code]
    if valid_to is not None:
        conditions.append(or_(Area.valid_from.is_(None), Area.valid_from < valid_to))
    if valid_from is not None:
        conditions.append(or_(Area.valid_to.is_(None), Area.valid_to > valid_from))
    if exclude_id is not None:
        conditions.append(Area.id != exclude_id)
    return list(db.session.scalars(select(Area).where(*conditions).order_by(Area.valid_from.asc().nulls_first())))


def reference_day(year: int, area: Area) -> date:
    """R: the day whose tree and placements a report for (year, area) counts: the last day of the year, or
    the area's last valid day when it closed during the year."""
    last = date(year, 12, 31)
    if area.valid_to is not None and area.valid_to <= last:
        return area.valid_to - timedelta(days=1)
    return last


def day_of(area: Area) -> date:
    """The day a page about the unit shows it as: today while it is valid, else its last (or first) day."""
    today = local_today()
    if area.valid_on(today):
        return today
    if area.valid_to is not None and area.valid_to <= today:
        return area.valid_to - timedelta(days=1)
    return area.valid_from or today


def address_day(area: Area) -> date | None:
    """None when the unit's code alone finds it (it is the unit valid today, or the last with its code);
    else the day to name with the code (`?on=`)."""
    if area.valid_on(local_today()):  # what its code means today: no query (a page links dozens of units)
        return None
    return None if latest_unit(area.code) is area else day_of(area)


def children_on(area: Area, day: date) -> list[Area]:
    return list(db.session.scalars(select(Area).where(Area.parent_id == area.id, Area.valid_on_filter(day))
                                   .order_by(Area.name)))


def what_it_became(area: Area) -> list[Area]:
    """The units that took in a closed unit: its own official successors, else those of its nearest ancestor
    that has some (a district's province went into the new province)."""
    for unit in [area, *reversed(area.ancestors())]:
        successors = list(db.session.scalars(
            select(Area).join(AreaSuccession, AreaSuccession.successor_id == Area.id)
            .where(AreaSuccession.predecessor_id == unit.id).order_by(Area.name)))
        if successors:
            return successors
    return []


def what_it_came_from(area: Area) -> list[tuple[Area, bool]]:
    """(old unit, only in part) for each unit a reform merged into this one."""
    shared = select(AreaSuccession.predecessor_id).group_by(AreaSuccession.predecessor_id) \
        .having(func.count() > 1).scalar_subquery()
    rows = db.session.execute(
        select(Area, Area.id.in_(shared)).join(AreaSuccession, AreaSuccession.predecessor_id == Area.id)
        .where(AreaSuccession.successor_id == area.id).order_by(Area.name)).all()
    return [(unit, bool(partial)) for unit, partial in rows]


def matching(text: str, first: date, last: date, scope=None, limit: int = 20) -> list[Area]:
    """Units valid at some time from `first` to `last` (and within `scope`, an SQL condition on Area) whose
    code starts with `text` or whose name holds every word of it, accents optional; in tree order.

    Names are folded in Python: the unit lists are at most a few thousand rows a day (3,355 for the whole
    country since the reform), and SQLite and PostgreSQL fold the same way only through search.fold."""
    words = fold(text).split()
    if not words:
        return []
    typed = text.strip()
    conditions = [valid_between(first, last)] + ([scope] if scope is not None else [])
    rows = db.session.execute(select(Area.id, Area.code, Area.name).where(*conditions).order_by(Area.path)).all()
    ids = [row.id for row in rows if row.code.startswith(typed) or all(word in fold(row.name) for word in words)]
    if not ids:
        return []
    found = {area.id: area for area in db.session.scalars(select(Area).where(Area.id.in_(ids[:limit])))}
    return [found[i] for i in ids[:limit]]
