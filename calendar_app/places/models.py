"""Areas (a dated tree with a materialised path) and the institutions in them."""
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..extensions import db


class Area(db.Model):
    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: official statistical code (province 25, district 227, commune 7888…)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    #: "/<root id>/…/<own id>/": a subtree is every area whose path starts with this one's
    path: Mapped[str] = mapped_column(String(255), unique=True, default="")
    #: administrative reforms close an area (valid_to) rather than delete it, so past years keep their tree
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]

    parent: Mapped["Area | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Area"]] = relationship(back_populates="parent", order_by="Area.code")
    institutions: Mapped[list["Institution"]] = relationship(back_populates="area")

    __table_args__ = (CheckConstraint("level IN ('province', 'district', 'commune')", name="level"),)

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
    name: Mapped[str] = mapped_column(String(255))
    #: a key of vocabulary.INSTITUTION_CATEGORIES
    category: Mapped[str] = mapped_column(String(40), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
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

    def __repr__(self) -> str:
        return f"<Institution {self.slug}>"
