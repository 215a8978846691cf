"""The staff's check-in list of one occurrence: who registered, who came, walk-ins at the door; the number of
people checked in becomes the occurrence's on-site attendance (through participation's record_attendance)."""
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import clock
from ..accounts.scope import require_institution
from ..events.models import Occurrence
from ..extensions import db
from ..participation.locks import ensure_year_open
from ..participation.operations import attendance_of, occurrence_year, record_attendance
from ..search import fold, terms
from ..validation import ValidationFailed, validate
from .models import Registration
from .operations import next_position
from .schema import WalkInIn


def check_in_list(user, occurrence: Occurrence, query: str | None = None) -> list[Registration]:
    """Everyone registered for (or walked into) one occurrence, in arrival order; `query` searches names
    and contacts without accents."""
    require_institution(user, occurrence.activity.institution)
    rows = db.session.scalars(select(Registration).where(Registration.occurrence_id == occurrence.id)
                              .order_by(Registration.walk_in, Registration.position, Registration.id)).all()
    words = terms(query)
    if not words:
        return rows
    # one occurrence has at most a few hundred registrations, and names must match without accents
    return [r for r in rows if all(w in fold(f"{r.name or ''} {r.email or ''} {r.phone or ''}") for w in words)]


def checked_in_people(occurrence: Occurrence) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(Registration.people), 0)).where(
        Registration.occurrence_id == occurrence.id, Registration.status != "cancelled",
        Registration.checked_in_at.is_not(None)))


def _ensure_check_in_open(user, occurrence: Occurrence, now: datetime) -> None:
    require_institution(user, occurrence.activity.institution)
    if occurrence.status == "cancelled" or occurrence.activity.status == "cancelled":
        raise ValidationFailed({"occurrence": _("This occurrence was cancelled; nobody can be checked in.")})
    if clock.local_day(occurrence.starts_at) > clock.local_day(now):
        raise ValidationFailed({"occurrence": _("Check-in opens on the day of the occurrence.")})
    ensure_year_open(occurrence.activity.institution, occurrence_year(occurrence))


def set_checked_in(user, registration: Registration, present: bool, now: datetime | None = None):
    """Mark someone present (or not after all); once the occurrence has begun, attendance follows."""
    now = now or clock.utcnow()
    occurrence = registration.occurrence
    _ensure_check_in_open(user, occurrence, now)
    if registration.status == "cancelled":
        raise ValidationFailed({"registration": _("This registration was cancelled.")})
    registration.checked_in_at = (registration.checked_in_at or now) if present else None
    db.session.flush()
    return sync_attendance(user, occurrence, now)


def add_walk_in(user, occurrence: Occurrence, data: dict, now: datetime | None = None) -> Registration:
    """People who came without registering: present at once, counted in attendance, no contact kept."""
    now = now or clock.utcnow()
    payload = validate(WalkInIn, data)
    _ensure_check_in_open(user, occurrence, now)
    walk_in = Registration(
        activity=occurrence.activity, occurrence=occurrence, name=payload.name or None, people=payload.people,
        status="confirmed", walk_in=True, checked_in_at=now, position=next_position(occurrence), created_at=now,
    )
    db.session.add(walk_in)
    db.session.flush()
    sync_attendance(user, occurrence, now)
    return walk_in


def sync_attendance(user, occurrence: Occurrence, now: datetime | None = None):
    """Make the occurrence's on-site attendance the number of people checked in (online figures kept).

    Goes through record_attendance, so the version, the year lock, the rules and the audit all apply.
    Does nothing before the occurrence has begun.
    """
    now = now or clock.utcnow()
    if occurrence.starts_at > now:
        return None
    present = checked_in_people(occurrence)
    attendance = attendance_of(occurrence)
    online = attendance.online if attendance is not None else None
    data = {"total": present + (online or 0), "onsite": present, "online": online,
            "audiences": attendance.audiences if attendance is not None else {},
            "version": attendance.version if attendance is not None else None}
    return record_attendance(user, occurrence, data, now)


def attendance_matches_check_in(occurrence: Occurrence) -> bool:
    attendance = attendance_of(occurrence)
    return attendance is not None and attendance.onsite == checked_in_people(occurrence)
