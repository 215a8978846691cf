"""What goes into a feed: SQL in, rows out.

The filters are the public list's (events/filters.py), so a list and its feed always agree.
"""
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import func, or_, select, true
from sqlalchemy.orm import Session, joinedload, selectinload

from ..clock import local_midnight_utc
from ..events.models import Activity, ActivityObservance, Occurrence
from ..extensions import db
from ..places.models import Area, Institution

#: activities loaded and serialised per round trip when fragments are missing
LOAD_CHUNK = 500


class FeedRow(NamedTuple):
    """An activity in a feed and everything its fragment depends on (a change to any is a new fragment)."""

    id: int
    updated_at: datetime
    sequence: int
    status: str
    institution_updated_at: datetime | None

    @property
    def version(self) -> tuple:
        return self.updated_at, self.sequence, self.status, self.institution_updated_at


class Stamp(NamedTuple):
    """A cheap summary of everything any feed depends on: when it changes, cached feeds are rebuilt."""

    activities_changed: datetime | None
    activities: int
    institutions_changed: datetime | None
    institutions: int
    tags: int
    areas: int
    #: start of the feed window: feeds move on at least once a day
    cutoff: datetime

    @property
    def last_modified(self) -> datetime | None:
        """The latest change to anything public.

        A change can take an activity out of a feed (back to draft, an observance tag removed), which the
        feed's remaining rows cannot show, so If-Modified-Since is answered from this global time; the
        per-feed ETag stays exact.
        """
        moments = [m for m in (self.activities_changed, self.institutions_changed) if m is not None]
        return max(moments) if moments else None


def window_start(today, past_days: int) -> datetime:
    """Feeds cover activities with a date ending after local midnight `past_days` ago, and everything ahead."""
    return local_midnight_utc(today - timedelta(days=past_days))


def stamp(cutoff: datetime) -> Stamp:
    """One round trip of aggregates over every table a feed reads."""
    ever_public = or_(Activity.status != "draft", Activity.published_at.is_not(None))
    activities = select(func.max(Activity.updated_at).label("changed"), func.count().label("count")) \
        .where(ever_public).subquery()
    institutions = select(func.max(Institution.updated_at).label("changed"), func.count().label("count")).subquery()
    row = db.session.execute(select(
        activities.c.changed, activities.c.count, institutions.c.changed, institutions.c.count,
        select(func.count()).select_from(ActivityObservance).where(ActivityObservance.removed.is_(False))
        .scalar_subquery(),
        select(func.count()).select_from(Area).scalar_subquery(),
    ).select_from(activities).join(institutions, true())).one()
    return Stamp(*row, cutoff=cutoff)


def feed_rows(conditions: list, cutoff: datetime | None) -> list[FeedRow]:
    """The activities matching `conditions` with a date ending after `cutoff` (None: any date), soonest first."""
    stmt = select(Activity.id, Activity.updated_at, Activity.sequence, Activity.status, Institution.updated_at) \
        .join(Activity.institution).where(*conditions)
    if cutoff is not None:
        stmt = stmt.where(Activity.id.in_(select(Occurrence.activity_id).where(Occurrence.ends_at > cutoff)))
    # plain rows straight from the connection: no ORM bookkeeping for ten thousand tuples
    result = db.session.connection().execute(stmt.order_by(Activity.starts_at, Activity.id))
    return [FeedRow(*row) for row in result]


def load_activities(ids: list[int]) -> Iterator[list[Activity]]:
    """The activities with what the serialiser reads, in chunks.

    A private session per chunk, so that serialising ten thousand activities never holds them all in
    memory at once and never fills the request's session; it shares the request's connection and
    transaction, so it reads the same snapshot as the row query did.
    """
    connection = db.session.connection()
    for offset in range(0, len(ids), LOAD_CHUNK):
        with Session(bind=connection) as session:
            yield list(session.scalars(
                select(Activity).where(Activity.id.in_(ids[offset:offset + LOAD_CHUNK]))
                .options(selectinload(Activity.occurrences), joinedload(Activity.institution),
                         selectinload(Activity.category_links))
            ).unique())
