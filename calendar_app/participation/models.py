"""Figures behind the indicators: attendance, monthly tallies, self-assessments, the reporting year."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..events.models import Occurrence
from ..extensions import db
from ..places.models import Institution


class Attendance(db.Model):
    __tablename__ = "attendances"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("occurrences.id", ondelete="CASCADE"), unique=True
    )
    total: Mapped[int]
    onsite: Mapped[int | None]
    online: Mapped[int | None]
    #: optimistic lock: a save must quote the version it read, or it is a conflict
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    occurrence: Mapped[Occurrence] = relationship()
    audience_counts: Mapped[list["AttendanceAudience"]] = relationship(
        back_populates="attendance", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("total >= 0 AND (onsite IS NULL OR onsite >= 0) AND (online IS NULL OR online >= 0)",
                        name="non_negative"),
    )
    #: SQLAlchemy bumps `version` on every UPDATE and refuses one whose row changed since it was read
    __mapper_args__ = {"version_id_col": version}

    @property
    def audiences(self) -> dict[str, int]:
        return {row.audience: row.count for row in sorted(self.audience_counts, key=lambda r: r.audience)}


class AttendanceAudience(db.Model):
    __tablename__ = "attendance_audiences"

    attendance_id: Mapped[int] = mapped_column(
        ForeignKey("attendances.id", ondelete="CASCADE"), primary_key=True
    )
    audience: Mapped[str] = mapped_column(String(40), primary_key=True)
    count: Mapped[int]

    attendance: Mapped[Attendance] = relationship(back_populates="audience_counts")

    __table_args__ = (CheckConstraint("count >= 0", name="non_negative"),)


class MonthlyTally(db.Model):
    __tablename__ = "monthly_tallies"

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    year: Mapped[int]
    month: Mapped[int]
    #: a key of vocabulary.TALLY_METRICS
    metric: Mapped[str] = mapped_column(String(40))
    value: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    institution: Mapped[Institution] = relationship()

    __table_args__ = (
        UniqueConstraint("institution_id", "year", "month", "metric"),
        # the indicators read two years of a few metrics: on PostgreSQL from the index alone, however
        # many years the table holds
        Index("ix_monthly_tallies_year_metric", "year", "metric", "institution_id", postgresql_include=["value"]),
        CheckConstraint("month BETWEEN 1 AND 12", name="month"),
        CheckConstraint("value >= 0", name="non_negative"),
    )


class SelfAssessment(db.Model):
    """The annual digital-transformation checklist of one institution."""

    __tablename__ = "self_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    year: Mapped[int]
    digital_catalogue: Mapped[bool] = mapped_column(default=False)
    digital_resources: Mapped[bool] = mapped_column(default=False)
    online_services: Mapped[bool] = mapped_column(default=False)
    digitised_heritage: Mapped[bool] = mapped_column(default=False)
    online_activities: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    institution: Mapped[Institution] = relationship()

    __table_args__ = (UniqueConstraint("institution_id", "year"),)


class YearReport(db.Model):
    """An institution's reporting year: submitted, approved (figures locked) or sent back."""

    __tablename__ = "year_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    year: Mapped[int]
    #: open | submitted | approved | returned
    status: Mapped[str] = mapped_column(String(16), default="open")
    comment: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    institution: Mapped[Institution] = relationship()

    __table_args__ = (
        UniqueConstraint("institution_id", "year"),
        CheckConstraint("status IN ('open', 'submitted', 'approved', 'returned')", name="status"),
    )

    @property
    def locked(self) -> bool:
        return self.status == "approved"
