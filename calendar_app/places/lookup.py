"""Which unit a code means: codes are reused across reforms, so a code names a unit only together with a day.

- pages, feeds, forms and the command line mean the unit valid today (an old unit's page still answers
  when no unit with that code is valid today: it says what the unit became);
- the API means the unit valid on `?on=YYYY-MM-DD` (default today);
- a write means the unit valid on the write's `effective` day;
- an indicator report for year Y means the unit valid during Y, the later one if two were.
"""
from datetime import date

from sqlalchemy import and_, or_, select

from ..clock import local_today
from ..extensions import db
from .models import Area


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
