"""Observance days and weeks, with the rule that gives their dates each year."""
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..extensions import db


class Observance(db.Model):
    __tablename__ = "observances"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    #: fixed (month/day each year) | lunar (lunar month/day, Vietnamese calendar) | per_year (dates table only)
    rule: Mapped[str] = mapped_column(String(16))
    month: Mapped[int | None]
    day: Mapped[int | None]
    #: length of the observance itself in days (7 for the Lifelong Learning Week)
    duration_days: Mapped[int] = mapped_column(default=1)
    #: tagging window: days before the first day and after the last day
    window_before: Mapped[int] = mapped_column(default=3)
    window_after: Mapped[int] = mapped_column(default=3)
    #: added by the province rather than shipped
    provincial: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    dates: Mapped[list["ObservanceDate"]] = relationship(
        back_populates="observance", cascade="all, delete-orphan", order_by="ObservanceDate.year"
    )

    __table_args__ = (CheckConstraint("rule IN ('fixed', 'lunar', 'per_year')", name="rule"),)

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_vi


class ObservanceDate(db.Model):
    """The dates of one year, set by an admin; overrides the rule for that year."""

    __tablename__ = "observance_dates"

    id: Mapped[int] = mapped_column(primary_key=True)
    observance_id: Mapped[int] = mapped_column(ForeignKey("observances.id"))
    year: Mapped[int]
    starts_on: Mapped[date]
    ends_on: Mapped[date]

    observance: Mapped[Observance] = relationship(back_populates="dates")

    __table_args__ = (
        UniqueConstraint("observance_id", "year"),
        CheckConstraint("ends_on >= starts_on", name="order"),
    )
