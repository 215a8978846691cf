"""Adding reminders (at most one per user and dedupe key) and reading them."""
from flask_babel import force_locale
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ..clock import utcnow
from ..extensions import db
from .models import Reminder


def remind(user, kind: str, dedupe_key: str, render) -> Reminder | None:
    """Add a reminder for `user` unless one with the same key exists; `render()` gives the text, which is
    called in the user's language. Returns the new reminder, or None when it was already there."""
    exists = db.session.scalar(select(Reminder.id).where(Reminder.user_id == user.id,
                                                         Reminder.dedupe_key == dedupe_key))
    if exists is not None:
        return None
    with force_locale(user.locale or "vi"):
        message = str(render())
    reminder = Reminder(user_id=user.id, kind=kind, dedupe_key=dedupe_key, message=message, created_at=utcnow())
    try:
        # a savepoint, so that a concurrent writer of the same reminder costs only this row
        with db.session.begin_nested():
            db.session.add(reminder)
    except IntegrityError:
        return None
    return reminder


def reminders_for(user, limit: int = 100) -> list[Reminder]:
    return list(db.session.scalars(select(Reminder).where(Reminder.user_id == user.id)
                                   .order_by(Reminder.created_at.desc(), Reminder.id.desc()).limit(limit)))


def unread_count(user) -> int:
    return db.session.scalar(select(func.count(Reminder.id)).where(Reminder.user_id == user.id,
                                                                   Reminder.read_at.is_(None))) or 0


def mark_all_read(user) -> int:
    result = db.session.execute(update(Reminder).where(Reminder.user_id == user.id, Reminder.read_at.is_(None))
                                .values(read_at=utcnow()))
    return result.rowcount
