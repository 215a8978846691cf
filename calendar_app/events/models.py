"""Activities (one-off or recurring) and their materialised occurrences."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, event, inspect, select, text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm.base import NO_VALUE

from ..clock import utcnow
from ..extensions import db
from ..observances.models import Observance
from ..places.models import Institution


class Activity(db.Model):
    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    #: plain text or the safe Markdown subset; rendered through a sanitiser, never as raw HTML
    description: Mapped[str] = mapped_column(Text, default="")
    #: first occurrence, naive UTC; for all-day activities local midnight of the first day
    starts_at: Mapped[datetime]
    #: end of the first occurrence, naive UTC; for all-day activities local midnight after the last day
    ends_at: Mapped[datetime]
    all_day: Mapped[bool] = mapped_column(default=False)
    #: RFC 5545 RRULE value without the "RRULE:" prefix, expanded in local time; always bounded
    rrule: Mapped[str | None] = mapped_column(String(500))
    location: Mapped[str | None] = mapped_column(String(500))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    online_url: Mapped[str | None] = mapped_column(String(1000))
    #: optional key grouping activities into one education programme
    programme: Mapped[str | None] = mapped_column(String(100), index=True)
    capacity: Mapped[int | None]
    registration_required: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    #: why the whole activity was cancelled, as the editor wrote it for the public (page, feeds, registrants'
    #: e-mails); cleared when it is published again
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    #: iCalendar SEQUENCE: grows whenever time, place or status changes
    sequence: Mapped[int] = mapped_column(default=0)
    #: ascii-folded lower-case title and description, for accent-insensitive search on any database
    search_text: Mapped[str] = mapped_column(Text, default="")
    #: its category and audience keys, " c:club a:youth " (events/keys.py keeps it from the links): what the
    #: lists' key filters read from the listing indexes
    key_text: Mapped[str] = mapped_column(Text, default=" ", server_default=" ")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    institution: Mapped[Institution] = relationship()
    occurrences: Mapped[list["Occurrence"]] = relationship(
        back_populates="activity", cascade="all, delete-orphan", order_by="Occurrence.original_start"
    )
    category_links: Mapped[list["ActivityCategory"]] = relationship(
        back_populates="activity", cascade="all, delete-orphan"
    )
    audience_links: Mapped[list["ActivityAudience"]] = relationship(
        back_populates="activity", cascade="all, delete-orphan"
    )
    observance_links: Mapped[list["ActivityObservance"]] = relationship(
        back_populates="activity", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("status IN ('draft', 'published', 'cancelled')", name="status"),
        CheckConstraint("ends_at >= starts_at", name="order"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity"),
        # the lists check each walked occurrence's activity (public? of these institutions? with these keys?)
        # from the index alone
        Index("ix_activities_listing", "id", postgresql_include=["status", "institution_id", "key_text"]),
        # a list's count goes through the latest activities first (events/listing.py: count_up_to)
        Index("ix_activities_starts_at", "starts_at",
              postgresql_include=["status", "institution_id", "id", "key_text"]),
    )

    @property
    def categories(self) -> list[str]:
        return sorted(link.key for link in self.category_links)

    @property
    def audiences(self) -> list[str]:
        return sorted(link.key for link in self.audience_links)

    @property
    def observances(self) -> list[Observance]:
        return sorted(
            (link.observance for link in self.observance_links if not link.removed), key=lambda o: o.key
        )

    @property
    def duration(self):
        return self.ends_at - self.starts_at

    def __repr__(self) -> str:
        return f"<Activity {self.id} {self.title!r}>"


class Occurrence(db.Model):
    """One meeting of an activity; recurring activities have one row per date of their bounded rule."""

    __tablename__ = "occurrences"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    #: the activity's institution, copied (an activity never changes institution): the lists filter an area's
    #: dates from the date index alone. Set on insert from the activity (see _copy_institution below).
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"))
    #: the start the rule gives (naive UTC): the occurrence's identity, RECURRENCE-ID in feeds
    original_start: Mapped[datetime]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    #: scheduled | cancelled (this occurrence only); a move is starts_at != original_start
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    #: set when this occurrence was changed on its own (moved or cancelled)
    overridden: Mapped[bool] = mapped_column(default=False)
    #: why this meeting was moved or cancelled, as the editor wrote it for the public (page, feeds,
    #: registrants' e-mails); cleared when it is restored
    change_reason: Mapped[str | None] = mapped_column(String(500))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    activity: Mapped[Activity] = relationship(back_populates="occurrences")

    __table_args__ = (
        UniqueConstraint("activity_id", "original_start"),
        CheckConstraint("status IN ('scheduled', 'cancelled')", name="status"),
        # the public lists walk the dates in order (events/listing.py), filtered by institution when asked, and
        # ask of each activity whether it has an earlier date in the window: both answered from the index alone
        # on PostgreSQL
        Index("ix_occurrences_starts_activity", "starts_at", "activity_id",
              postgresql_include=["ends_at", "status", "id", "institution_id"]),
        Index("ix_occurrences_activity_starts", "activity_id", "starts_at",
              postgresql_include=["ends_at", "status", "id"]),
        # the longest occurrence, read at every list: how early an occurrence still going on can have started
        Index("ix_occurrences_duration", text("(ends_at - starts_at)")).ddl_if(dialect="postgresql"),
    )

    @property
    def moved(self) -> bool:
        return self.starts_at != self.original_start

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled" or self.activity.status == "cancelled"


@event.listens_for(Occurrence, "before_insert")
def _copy_institution(_mapper, connection, occurrence: Occurrence) -> None:
    """Every path that adds occurrences through the ORM (sync_occurrences, the demo loader, tests) gets the
    activity's institution copied; bulk loads (bench/generate.py) write it themselves."""
    if occurrence.institution_id is not None:
        return
    activity = inspect(occurrence).attrs.activity.loaded_value
    if activity is not NO_VALUE and activity is not None and activity.institution_id is not None:
        occurrence.institution_id = activity.institution_id
    else:
        occurrence.institution_id = connection.scalar(
            select(Activity.institution_id).where(Activity.id == occurrence.activity_id))


class ActivityCategory(db.Model):
    __tablename__ = "activity_categories"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)

    activity: Mapped[Activity] = relationship(back_populates="category_links")


class ActivityAudience(db.Model):
    __tablename__ = "activity_audiences"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)

    activity: Mapped[Activity] = relationship(back_populates="audience_links")


class ActivityObservance(db.Model):
    """An observance tag; automatic tags an editor removed stay as removed=True so they are not re-added."""

    __tablename__ = "activity_observances"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True
    )
    observance_id: Mapped[int] = mapped_column(ForeignKey("observances.id"), primary_key=True, index=True)
    #: auto (suggested from the dates) | manual (added by an editor)
    source: Mapped[str] = mapped_column(String(8), default="auto")
    removed: Mapped[bool] = mapped_column(default=False)

    activity: Mapped[Activity] = relationship(back_populates="observance_links")
    observance: Mapped[Observance] = relationship()
