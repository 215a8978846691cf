"""Registrations: the public form's operation, capacity and waitlist, cancellation by secret link, and the
personal feed secret (the staff check-in list is check_in.py).

Secrets (cancellation link, personal feed) are shown once and stored only as sha256 hashes. Capacity is
counted in people per occurrence; registrations beyond it join the waitlist, which is promoted strictly
in order whenever places free up.
"""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from .. import clock, signals
from ..events.models import Activity, Occurrence
from ..events.operations import find_occurrence
from ..extensions import db
from ..validation import ValidationFailed, validate
from . import followup
from .models import Registrant, Registration
from .schema import RegistrationIn, normalise_email, normalise_phone

#: how many coming occurrences the public form offers
MAX_CHOICES = 60


def new_secret() -> str:
    return secrets.token_urlsafe(24)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass
class Registered:
    """What the citizen gets back once: the registration and its secrets (the feed only for a new person)."""

    registration: Registration
    cancel_secret: str
    feed_secret: str | None


# --- the public side ----------------------------------------------------------------------------------


def open_occurrences(activity: Activity, now: datetime | None = None) -> list[Occurrence]:
    """Coming, scheduled occurrences one may register for (empty when registration is closed)."""
    now = now or clock.utcnow()
    if not activity.registration_required or activity.status != "published":
        return []
    return db.session.scalars(
        select(Occurrence).where(Occurrence.activity_id == activity.id, Occurrence.status == "scheduled",
                                 Occurrence.starts_at > now)
        .order_by(Occurrence.starts_at).limit(MAX_CHOICES)
    ).all()


def confirmed_people(occurrence: Occurrence) -> int:
    """People holding a place (walk-ins do not take places booked in advance)."""
    return db.session.scalar(select(func.coalesce(func.sum(Registration.people), 0)).where(
        Registration.occurrence_id == occurrence.id, Registration.status == "confirmed",
        Registration.walk_in.is_(False)))


def seats(occurrence: Occurrence) -> dict:
    """{capacity, confirmed, waitlisted, left} in people; capacity and left are None without a limit."""
    return seats_of([occurrence])[occurrence.id]


def seats_of(occurrences: list[Occurrence]) -> dict[int, dict]:
    """seats() of several occurrences of one activity, in one query."""
    people = {(occ_id, status): total for occ_id, status, total in db.session.execute(
        select(Registration.occurrence_id, Registration.status, func.sum(Registration.people))
        .where(Registration.occurrence_id.in_([o.id for o in occurrences]), Registration.walk_in.is_(False))
        .group_by(Registration.occurrence_id, Registration.status))}
    result = {}
    for occurrence in occurrences:
        capacity = occurrence.activity.capacity or None
        confirmed = people.get((occurrence.id, "confirmed")) or 0
        result[occurrence.id] = {
            "capacity": capacity, "confirmed": confirmed, "waitlisted": people.get((occurrence.id, "waitlisted")) or 0,
            "left": None if capacity is None else max(0, capacity - confirmed)}
    return result


def places_left(occurrences: list[Occurrence]) -> dict[int, int]:
    """{occurrence id: places still free} for the occurrences whose activity has a capacity, in one query
    (any activities; the API lists many at once)."""
    limited = [o for o in occurrences if o.activity.capacity]
    if not limited:
        return {}
    taken = dict(db.session.execute(
        select(Registration.occurrence_id, func.sum(Registration.people))
        .where(Registration.occurrence_id.in_([o.id for o in limited]), Registration.status == "confirmed",
               Registration.walk_in.is_(False))
        .group_by(Registration.occurrence_id)).all())
    return {o.id: max(0, o.activity.capacity - (taken.get(o.id) or 0)) for o in limited}


def register(activity: Activity, data: dict, now: datetime | None = None, locale: str = "vi") -> Registered:
    """Register someone for one coming occurrence: confirmed while places last, else on the waitlist.

    `locale` is the language they registered in: their e-mails are written in it. With an e-mail address, the
    confirmation is queued (followup.py)."""
    now = now or clock.utcnow()
    errors = {}
    try:
        payload = validate(RegistrationIn, data)
    except ValidationFailed as refused:
        errors = refused.fields
    if not any(str(data.get(name) or "").strip() for name in ("email", "phone")):
        errors.setdefault("email", _("Give a phone number or an e-mail address, so that the organisers can "
                                     "reach you."))
    if errors:
        raise ValidationFailed(errors)
    occurrence = _open_occurrence(activity, payload.occurrence, now)
    # one registration at a time per occurrence, so two people never take the last place together
    db.session.execute(select(Occurrence.id).where(Occurrence.id == occurrence.id).with_for_update())
    email, phone = normalise_email(payload.email), normalise_phone(payload.phone)
    if _duplicate(occurrence, email, phone):
        raise ValidationFailed({"email" if email else "phone": _(
            "This contact is already registered for this date. Use the link from your confirmation to see or "
            "cancel that registration.")})
    capacity = activity.capacity or None
    if capacity is not None and payload.people > capacity:
        raise ValidationFailed({"people": _("This activity has %(capacity)s places in all; register at most "
                                            "%(capacity)s people.", capacity=capacity)})
    status = "confirmed"
    if capacity is not None and (_has_waitlist(occurrence) or confirmed_people(occurrence) + payload.people > capacity):
        status = "waitlisted"
    registrant, feed_secret = _registrant(email or phone, now)
    cancel_secret = new_secret()
    registration = Registration(
        activity=activity, occurrence=occurrence, registrant=registrant, name=payload.name, email=email,
        phone=phone, people=payload.people, status=status, position=next_position(occurrence),
        cancel_token_hash=hash_secret(cancel_secret), consent=True, created_at=now, locale=locale,
    )
    db.session.add(registration)
    db.session.flush()
    followup.queue_confirmation(registration, cancel_secret)
    return Registered(registration, cancel_secret, feed_secret)


def _open_occurrence(activity: Activity, key: str, now: datetime) -> Occurrence:
    if not activity.registration_required or activity.status != "published":
        raise ValidationFailed({"occurrence": _("This activity does not take registrations.")})
    occurrence = find_occurrence(activity, key)
    if occurrence is None:
        raise ValidationFailed({"occurrence": _("Choose one of the dates offered.")})
    if occurrence.status == "cancelled":
        raise ValidationFailed({"occurrence": _("This date was cancelled; choose another one.")})
    if occurrence.starts_at <= now:
        raise ValidationFailed({"occurrence": _("This date has already begun; registration is closed.")})
    return occurrence


def _duplicate(occurrence: Occurrence, email: str | None, phone: str | None) -> bool:
    same_contact = [column == value for column, value in ((Registration.email, email), (Registration.phone, phone))
                    if value]
    return db.session.scalar(select(Registration.id).where(
        Registration.occurrence_id == occurrence.id, Registration.status != "cancelled", or_(*same_contact)
    ).limit(1)) is not None


def _has_waitlist(occurrence: Occurrence) -> bool:
    return db.session.scalar(select(Registration.id).where(
        Registration.occurrence_id == occurrence.id, Registration.status == "waitlisted").limit(1)) is not None


def next_position(occurrence: Occurrence) -> int:
    return db.session.scalar(select(func.coalesce(func.max(Registration.position), 0)).where(
        Registration.occurrence_id == occurrence.id)) + 1


def _registrant(contact_key: str, now: datetime) -> tuple[Registrant, str | None]:
    """The person behind a contact; a personal feed secret only when they are new.

    An existing person's feed is never re-issued here: anyone can type someone else's e-mail address, and
    must not get to see that person's registrations.
    """
    registrant = db.session.scalar(select(Registrant).where(Registrant.contact_key == contact_key))
    if registrant is not None:
        return registrant, None
    secret = new_secret()
    registrant = Registrant(contact_key=contact_key, feed_token_hash=hash_secret(secret), created_at=now)
    db.session.add(registrant)
    return registrant, secret


def registration_for_secret(secret: str) -> Registration | None:
    if not secret or len(secret) > 100:
        return None
    return db.session.scalar(select(Registration).where(Registration.cancel_token_hash == hash_secret(secret)))


def waitlist_place(registration: Registration) -> int | None:
    """1 for the first in line; None unless waitlisted."""
    if registration.status != "waitlisted":
        return None
    return db.session.scalar(select(func.count()).where(
        Registration.occurrence_id == registration.occurrence_id, Registration.status == "waitlisted",
        Registration.position < registration.position)) + 1


def cancel(registration: Registration, now: datetime | None = None) -> list[Registration]:
    """Cancel by the citizen's link; returns the waitlisted registrations promoted into the freed places."""
    now = now or clock.utcnow()
    if registration.status == "cancelled":
        return []
    if registration.occurrence.starts_at <= now:
        raise ValidationFailed({"registration": _("This date has already begun and can no longer be cancelled "
                                                  "here; please tell the organisers.")})
    db.session.execute(select(Occurrence.id).where(Occurrence.id == registration.occurrence_id).with_for_update())
    held_place = registration.status == "confirmed"
    registration.status, registration.cancelled_at = "cancelled", now
    db.session.flush()
    return promote_waitlist(registration.occurrence) if held_place else []


def promote_waitlist(occurrence: Occurrence) -> list[Registration]:
    """Confirm waitlisted registrations in order while they fit; the first that does not fit keeps its turn."""
    capacity = occurrence.activity.capacity or None
    free = None if capacity is None else capacity - confirmed_people(occurrence)
    promoted = []
    waiting = db.session.scalars(select(Registration).where(
        Registration.occurrence_id == occurrence.id, Registration.status == "waitlisted"
    ).order_by(Registration.position, Registration.id))
    for registration in waiting:
        if free is not None and registration.people > free:
            break
        registration.status = "confirmed"
        promoted.append(registration)
        followup.queue(registration, "promoted")
        if free is not None:
            free -= registration.people
    db.session.flush()
    return promoted


def promote_waitlists(activity: Activity) -> None:
    """More places (the `capacity_grew` signal): people waiting for the coming dates move up, in order."""
    now = clock.utcnow()
    for occurrence in activity.occurrences:
        if occurrence.starts_at > now and occurrence.status == "scheduled":
            promote_waitlist(occurrence)


def subscribe() -> None:
    signals.capacity_grew.connect(promote_waitlists)


def registrant_for_feed(secret: str) -> Registrant | None:
    if not secret or len(secret) > 100:
        return None
    return db.session.scalar(select(Registrant).where(Registrant.feed_token_hash == hash_secret(secret)))


def renew_feed(registrant: Registrant) -> str:
    """Revoke the personal feed address and give a new one (the old one stops working at once)."""
    secret = new_secret()
    registrant.feed_token_hash = hash_secret(secret)
    db.session.flush()
    return secret


def registrations_of(registrant: Registrant) -> list[Registration]:
    return db.session.scalars(
        select(Registration).join(Registration.occurrence).where(Registration.registrant_id == registrant.id)
        .options(selectinload(Registration.occurrence), selectinload(Registration.activity)
                 .selectinload(Activity.institution))
        .order_by(Occurrence.starts_at)
    ).all()
