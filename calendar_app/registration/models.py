"""Registrations for an occurrence, the people behind them, and the e-mails waiting to be sent to them (tables
`registrations`, `registrants`, `registrant_mails`)."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..events.models import Activity, Occurrence
from ..extensions import db


class Registrant(db.Model):
    """A person who registered, known by a normalised contact; owns a secret personal feed."""

    __tablename__ = "registrants"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: normalised e-mail or phone; cleared with the rest of the personal data by the purge
    contact_key: Mapped[str | None] = mapped_column(String(254), unique=True)
    #: sha256 of the personal feed secret; revoking sets a new one
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    registrations: Mapped[list["Registration"]] = relationship(back_populates="registrant")


class Registration(db.Model):
    __tablename__ = "registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), index=True)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("occurrences.id", ondelete="CASCADE"), index=True)
    registrant_id: Mapped[int | None] = mapped_column(ForeignKey("registrants.id"))
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    people: Mapped[int] = mapped_column(default=1)
    #: confirmed | waitlisted | cancelled
    status: Mapped[str] = mapped_column(String(16), default="confirmed")
    #: order on the waitlist (and of arrival generally)
    position: Mapped[int] = mapped_column(default=0)
    #: sha256 of the secret in the cancellation link
    cancel_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    walk_in: Mapped[bool] = mapped_column(default=False)
    checked_in_at: Mapped[datetime | None]
    consent: Mapped[bool] = mapped_column(default=False)
    #: the language the person registered in: their e-mails are written in it
    locale: Mapped[str] = mapped_column(String(8), default="vi", server_default="vi")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]
    #: when name/e-mail/phone were erased; the counts stay
    purged_at: Mapped[datetime | None]

    activity: Mapped[Activity] = relationship()
    occurrence: Mapped[Occurrence] = relationship()
    registrant: Mapped[Registrant | None] = relationship(back_populates="registrations")

    __table_args__ = (
        CheckConstraint("status IN ('confirmed', 'waitlisted', 'cancelled')", name="status"),
        CheckConstraint("people >= 1", name="people"),
    )


class RegistrantMail(db.Model):
    """An e-mail to a registrant, written in the transaction that called for it and sent later by the scheduler.

    The text is composed when it is sent, from the registration as it stands then, in its language.
    """

    __tablename__ = "registrant_mails"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    #: confirmation | reminder | changed (moved, cancelled or restored) | promoted (off the waitlist)
    kind: Mapped[str] = mapped_column(String(16))
    #: the registration page's secret address, known only while the confirmation waits (cleared once sent)
    link: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: not before this moment (the first try, then each retry after a failure)
    due_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    #: sent, or given up (gave_up says which); NULL while it waits
    done_at: Mapped[datetime | None]
    gave_up: Mapped[bool] = mapped_column(default=False)

    registration: Mapped[Registration] = relationship()

    __table_args__ = (
        CheckConstraint("kind IN ('confirmation', 'reminder', 'changed', 'promoted')", name="kind"),
    )
