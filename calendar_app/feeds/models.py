"""The feed store every worker shares: each activity's VEVENT fragment, assembled feeds, filter aliases, and
the generation that says whether a stored feed is still current (store.py keeps them)."""
from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Index, LargeBinary, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow
from ..events.models import Activity, ActivityAudience, ActivityCategory
from ..extensions import db


class FeedFragment(db.Model):
    """Where one activity stands in the feeds: a row per activity, kept by every ORM write (narrow, so that
    choosing a feed's activities reads little); its serialised VEVENTs are in FeedFragmentBody."""

    __tablename__ = "feed_fragments"

    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True)
    #: grows each time a write touches the activity: a body is current only for the revision it was read at
    revision: Mapped[int] = mapped_column(default=0)
    #: when a write last touched the activity (or its institution, occurrences, tags): Last-Modified of feeds
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: span of the activity's occurrences (naive UTC), which places it in a feed's window and order
    first_start: Mapped[datetime | None]
    last_end: Mapped[datetime | None]
    #: copies of what a feed's window query would otherwise read from the activity (events.filters.is_public,
    #: Activity.institution_id), written with the span by every mark, so that choosing a feed's activities
    #: reads this table's index alone
    public: Mapped[bool] = mapped_column(default=False, server_default=false())
    institution_id: Mapped[int]

    __table_args__ = (
        # a feed's window read from the index alone: counted, the activities under way by first date, the past
        # ones by end (feeds/store.py `_by_parts`)
        Index("ix_feed_fragments_window", "public", "last_end", "first_start", "activity_id",
              postgresql_include=["revision", "changed_at"]),
        # the activities to come, by first date
        Index("ix_feed_fragments_start", "public", "first_start", "last_end", "activity_id",
              postgresql_include=["revision", "changed_at"]),
        # an institution's or an area's feed: its institutions' fragments by end
        Index("ix_feed_fragments_institution", "institution_id", "last_end",
              postgresql_include=["first_start", "public", "activity_id", "revision", "changed_at"]),
    )


class FeedFragmentBody(db.Model):
    """One activity's VEVENTs as a feed shows them, serialised for one revision and site context."""

    __tablename__ = "feed_fragment_bodies"

    activity_id: Mapped[int] = mapped_column(ForeignKey("feed_fragments.activity_id", ondelete="CASCADE"),
                                             primary_key=True)
    #: the FeedFragment.revision it was serialised at: stale once the fragment's revision moved on
    revision: Mapped[int]
    #: digest of the site context (base URL, domain, zone, labels) it was serialised for
    context: Mapped[str] = mapped_column(String(32))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    #: VEVENT components in the body (a recurring activity with moved meetings has several)
    events: Mapped[int]


#: choosing a feed's public activities joins the activities on id and status alone: read from this index only
Index("ix_activities_status_id", Activity.status, Activity.id)
#: a feed of a category or an audience (an EXISTS per activity, events/filters.py) reads the ids of the
#: activities with that key from these indexes alone
Index("ix_activity_categories_key_activity", ActivityCategory.key, ActivityCategory.activity_id)
Index("ix_activity_audiences_key_activity", ActivityAudience.key, ActivityAudience.activity_id)


class FeedBody(db.Model):
    """An assembled feed, as the last worker that built it answered: any worker serves it while current."""

    __tablename__ = "feed_bodies"

    #: digest of the feed's key and context
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: readable key, e.g. "area 227" or "events category=club"
    key: Mapped[str] = mapped_column(Text)
    #: FeedState.generation and the local day it was built for: current while both are
    generation: Mapped[int] = mapped_column(BigInteger)
    day: Mapped[date]
    body: Mapped[bytes] = mapped_column(LargeBinary)
    etag: Mapped[str] = mapped_column(String(40))
    last_modified: Mapped[datetime]
    events: Mapped[int]
    #: activities shown, and how many were in the window (more when the ceiling cut the feed)
    activities: Mapped[int]
    in_window: Mapped[int]
    built_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_feed_bodies_day", "day"),)


class FeedAlias(db.Model):
    """A short, stable name for a combination of filters: /feeds/f/<code>.ics is /feeds/events.ics?<args>."""

    __tablename__ = "feed_aliases"

    #: derived from the arguments (aliases.code_for), so the same filters always get the same code
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    #: the normalised query string, e.g. "area=227&category=club"
    args: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FeedState(db.Model):
    """One row: a new random generation whenever a transaction changes anything a feed may show."""

    __tablename__ = "feed_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    generation: Mapped[int] = mapped_column(BigInteger)
