"""In-app reminders (the table keeps its name, `reminders`)."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow
from ..extensions import db


class Reminder(db.Model):
    """A message for one user, shown in the app and e-mailed when SMTP is configured."""

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    #: identifies what the reminder is about so a job never sends the same one twice a day
    dedupe_key: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    emailed_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("user_id", "dedupe_key"),)
