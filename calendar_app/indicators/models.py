"""Plans and their indicator targets, documents imported from other deployments, and the monthly facts the
indicators read."""
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..extensions import db


class Plan(db.Model):
    """A plan that sets indicator targets for an area: the country's Decision 1520/QĐ-TTg, a province's own
    plan (Phú Thọ: 2682/KH-UBND). A report for an area measures against the plan of the nearest area at or
    above it (indicators/plans.py)."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the area the plan is for, by official code and level, so it covers that unit on both sides of a reform
    #: (Phú Thọ's plan holds for the old province and for the merged one, both code 25)
    area_code: Mapped[str] = mapped_column(String(16))
    area_level: Mapped[str] = mapped_column(String(16))
    #: official number, e.g. "2682/KH-UBND"
    number: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(500))
    issued_on: Mapped[date | None]
    #: the plan used for an area with no plan at or above it (a provincial deployment without a country)
    is_default: Mapped[bool] = mapped_column(default=False)

    targets: Mapped[list["IndicatorTarget"]] = relationship(back_populates="plan", cascade="all, delete-orphan")

    __table_args__ = (UniqueConstraint("area_code", "area_level"),)


class IndicatorTarget(db.Model):
    __tablename__ = "indicator_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    indicator: Mapped[str] = mapped_column(String(60))
    #: institution category the target applies to; "" for the indicator as a whole
    category: Mapped[str] = mapped_column(String(40), default="")
    #: the milestone year: 2025 or 2030
    milestone: Mapped[int]
    #: a range target (10–15) is met at its lower bound; a single figure has no upper bound
    low: Mapped[float | None]
    high: Mapped[float | None]
    note: Mapped[str | None] = mapped_column(String(300))

    plan: Mapped[Plan] = relationship(back_populates="targets")

    __table_args__ = (UniqueConstraint("plan_id", "indicator", "category", "milestone"),)


class ImportedReport(db.Model):
    """The indicator document of an area and year computed by another deployment (a province that runs its
    own calendar) and imported by a national one; reports above the area add its figures."""

    __tablename__ = "imported_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    year: Mapped[int]
    #: the document exactly as `flask report --format json` wrote it
    document: Mapped[dict] = mapped_column(JSON)
    #: where it came from (the file name, or what the importer said)
    source: Mapped[str] = mapped_column(String(300), default="")
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("area_id", "year"),)


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

    #: the months from the current one on, which the report of the current year takes off its year rows
    #: (from the index alone on PostgreSQL)
    __table_args__ = (Index("ix_institution_months_month", "month",
                            postgresql_include=["institution_id", "attended", "online", "club", "attendance"]),)


class InstitutionMonthKey(db.Model):
    """A distinct audience, activity category or programme key one institution held in one month."""

    __tablename__ = "institution_month_keys"

    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id", ondelete="CASCADE"),
                                                primary_key=True)
    month: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    #: audience | category | programme
    kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    #: the start of the key's first meeting held that month (naive UTC)
    first_start: Mapped[datetime]


class InstitutionYear(db.Model):
    """What one institution held and reported in one calendar year: its monthly facts and monthly tallies
    added up (indicators/facts.py keeps it up to date), so that a report of a past year reads one row per
    institution and year."""

    __tablename__ = "institution_years"

    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id", ondelete="CASCADE"),
                                                primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    #: occurrences held with attendance above zero, with online attendance, of a club or course
    attended: Mapped[int]
    online: Mapped[int]
    club: Mapped[int]
    #: attendance total of the year's occurrences
    attendance: Mapped[int] = mapped_column(BigInteger)
    #: the year's monthly tallies of the metrics the indicators read
    library_visits: Mapped[int] = mapped_column(BigInteger)
    study_visitors: Mapped[int] = mapped_column(BigInteger)
    club_members: Mapped[int] = mapped_column(BigInteger)
    #: distinct audiences and activity categories held (kept for district culture centres only)
    audiences: Mapped[int]
    categories: Mapped[int]

    #: a year's rows from the index alone on PostgreSQL (the report reads two years of every institution)
    __table_args__ = (Index("ix_institution_years_year", "year", "institution_id",
                            postgresql_include=["attended", "online", "club", "attendance", "library_visits",
                                                "study_visitors", "club_members", "audiences", "categories"]),)


class InstitutionYearKey(db.Model):
    """A distinct audience, activity category or programme key one institution held in one calendar year,
    with the start of its first meeting held that year: the keys held by a moment of the year are those whose
    first meeting had started (a report of the current year counts them without reading its months)."""

    __tablename__ = "institution_year_keys"

    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id", ondelete="CASCADE"),
                                                primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    #: audience | category | programme
    kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    first_start: Mapped[datetime]

    #: a kind's keys of some years from the index alone on PostgreSQL (variety: one year; programmes: since
    #: the plan's first year)
    __table_args__ = (Index("ix_institution_year_keys_kind_year", "kind", "year", "institution_id", "key",
                            postgresql_include=["first_start"]),)


class FigureGeneration(db.Model):
    """A new random value whenever a transaction changes what a year's figures are computed from (its year
    rows, its self-assessments), and under year 0 (facts.PLACES) what every year's are (institutions, their
    placements, areas): rollup.past_years keeps the reports of the years that are over while these stay."""

    __tablename__ = "figure_generations"

    #: the calendar year; 0 for the places
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    generation: Mapped[int] = mapped_column(BigInteger)
