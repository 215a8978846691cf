"""Indicator targets (data seeded from the plan) and the monthly facts the indicators read."""
from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class IndicatorTarget(db.Model):
    __tablename__ = "indicator_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator: Mapped[str] = mapped_column(String(60))
    #: institution category the target applies to; "" for the indicator as a whole
    category: Mapped[str] = mapped_column(String(40), default="")
    #: the milestone year: 2025 or 2030
    milestone: Mapped[int]
    #: a range target (10–15) is met at its lower bound; a single figure has no upper bound
    low: Mapped[float | None]
    high: Mapped[float | None]
    note: Mapped[str | None] = mapped_column(String(300))

    __table_args__ = (UniqueConstraint("indicator", "category", "milestone"),)


class InstitutionMonth(db.Model):
    """What one institution held in one local calendar month (indicators/facts.py keeps it up to date)."""

    __tablename__ = "institution_months"

    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id", ondelete="CASCADE"),
                                                primary_key=True)
    #: local calendar month as yyyymm (202511)
    month: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    #: occurrences held (not cancelled, activity published)
    held: Mapped[int]
    #: of which with attendance recorded above zero, with online attendance, of a club or course
    attended: Mapped[int]
    online: Mapped[int]
    club: Mapped[int]
    #: attendance total of the month's occurrences
    attendance: Mapped[int] = mapped_column(BigInteger)


class InstitutionMonthKey(db.Model):
    """A distinct audience, activity category or programme key one institution held in one month."""

    __tablename__ = "institution_month_keys"

    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id", ondelete="CASCADE"),
                                                primary_key=True)
    month: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    #: audience | category | programme
    kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
