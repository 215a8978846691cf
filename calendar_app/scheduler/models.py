"""The runs of scheduled jobs (the table keeps its name, `job_runs`)."""
from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow
from ..extensions import db


class JobRun(db.Model):
    """One run of a scheduled job, claimed by exactly one scheduler process."""

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(60))
    #: the period the run covers (e.g. the date), unique per job so a second process cannot claim it
    period: Mapped[str] = mapped_column(String(40))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    host: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (UniqueConstraint("job", "period"),)
