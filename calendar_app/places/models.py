"""Areas (a dated tree with a materialised path), the institutions in them, and where each institution
stood when (placements)."""
from datetime import date, datetime, timedelta

from sqlalchemy import CheckConstraint, ColumnElement, ForeignKey, Index, String, Text, and_, or_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import local_today, utcnow
from ..extensions import db


class Area(db.Model):
    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: official statistical code (country VN, province 25, district 227, commune 07888…); a code is unique
    #: among the units valid on any one day, not for ever: new communes reuse codes of old ones they absorbed
    code: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    #: "/<root id>/…/<own id>/": a subtree is every area whose path starts with this one's
    path: Mapped[str] = mapped_column(String(255), unique=True, default="")
    #: administrative reforms close an area (valid_to, exclusive) rather than delete it, so past years keep
    #: their tree; None means "since always" / "still valid"
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]
    #: a representative point (the official lists give one per unit), for maps and the reform's nearest choice
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]

    parent: Mapped["Area | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Area"]] = relationship(back_populates="parent", order_by="Area.code")
    institutions: Mapped[list["Institution"]] = relationship(back_populates="area")

    successors: Mapped[list["Area"]] = relationship(
        secondary="area_successions", primaryjoin="Area.id == AreaSuccession.predecessor_id",
        secondaryjoin="Area.id == AreaSuccession.successor_id", order_by="Area.code", viewonly=True)

    __table_args__ = (CheckConstraint("level IN ('country', 'province', 'district', 'commune')", name="level"),)

    def __repr__(self) -> str:
        return f"<Area {self.code} {self.name}>"

    def subtree_filter(self, path_column=None):
        """SQL condition selecting this area and everything below it."""
        column = path_column if path_column is not None else Area.path
        return column.startswith(self.path, autoescape=True)

    def subtree_ids(self):
        """A scalar subquery of the ids in this area's subtree."""
        return select(Area.id).where(self.subtree_filter()).scalar_subquery()

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day < self.valid_to
        )

    @classmethod
    def valid_on_filter(cls, day: date | ColumnElement, area=None):
        """SQL condition: the area (or an alias of Area) is valid on `day` (a date, or a column of dates)."""
        area = cls if area is None else area
        return and_(or_(area.valid_from.is_(None), area.valid_from <= day),
                    or_(area.valid_to.is_(None), area.valid_to > day))

    @property
    def last_day(self) -> date | None:
        """The last day the unit was valid (valid_to is the first day it no longer is)."""
        return self.valid_to - timedelta(days=1) if self.valid_to is not None else None

    @property
    def closed(self) -> bool:
        """Closed by a reform (or by hand) before today."""
        return self.valid_to is not None and self.valid_to <= local_today()

    def ancestors(self) -> list["Area"]:
        ids = [int(part) for part in self.path.strip("/").split("/")[:-1] if part]
        if not ids:
            return []
        by_id = {a.id: a for a in db.session.scalars(select(Area).where(Area.id.in_(ids)))}
        return [by_id[i] for i in ids if i in by_id]


class Institution(db.Model):
    __tablename__ = "institutions"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(255), index=True)
    #: a key of vocabulary.INSTITUTION_CATEGORIES
    category: Mapped[str] = mapped_column(String(40), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    address: Mapped[str | None] = mapped_column(String(500))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    website: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    area: Mapped[Area] = relationship(back_populates="institutions")
    placements: Mapped[list["Placement"]] = relationship(
        back_populates="institution", cascade="all, delete-orphan",
        order_by="Placement.valid_from.asc().nulls_first()")

    __table_args__ = (
        # an area's institutions, read from the index alone (events/filters.py: _in_area lists their ids)
        Index("ix_institutions_area_id", "area_id", "id"),
    )

    def __repr__(self) -> str:
        return f"<Institution {self.slug}>"


class Placement(db.Model):
    """An institution stood in `area` from `valid_from` (None: since it was registered) until `valid_to`
    (exclusive; None: still there). Institution.area_id repeats the open placement's area, for the pages and
    scope checks that ask "where is it now"; reports ask "where was it on day R" here."""

    __tablename__ = "placements"

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id", ondelete="CASCADE"))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]

    institution: Mapped[Institution] = relationship(back_populates="placements")
    area: Mapped[Area] = relationship()

    __table_args__ = (
        Index("ix_placements_institution_from", "institution_id", "valid_from"),
        CheckConstraint("valid_to IS NULL OR valid_from IS NULL OR valid_to > valid_from", name="order"),
    )

    @property
    def last_day(self) -> date | None:
        return self.valid_to - timedelta(days=1) if self.valid_to is not None else None

    def covers(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day < self.valid_to)

    @classmethod
    def on(cls, day: date | ColumnElement):
        """SQL condition: the placement covers `day` (a date, or a column of dates)."""
        return and_(or_(cls.valid_from.is_(None), cls.valid_from <= day),
                    or_(cls.valid_to.is_(None), cls.valid_to > day))


class AreaSuccession(db.Model):
    """The official old -> new mapping of a reform: `predecessor` was absorbed (wholly, or in part when it
    has several successors) by `successor`."""

    __tablename__ = "area_successions"

    predecessor_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True)
    successor_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True,
                                              index=True)
    #: of several successors, the one the official list names as the default
    default: Mapped[bool] = mapped_column(default=False)
