"""The personal feed: every occurrence one person registered for, as iCalendar bytes (no request, no database).

Built with the public feeds' serialiser (feeds/ical.py): its calendar head, and per registration the VEVENT of
that one occurrence, because a registration is for one date, not for a whole course.
"""
import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime

from ..feeds.ical import FeedContext, assemble, calendar_head, occurrence_event

#: SEQUENCE must grow when a registration's status changes; the lifecycle only moves forward this way
STATUS_STEP = {"waitlisted": 0, "confirmed": 1, "cancelled": 2}


def personal_calendar(registrations: Iterable, name: str, context: FeedContext, waitlist_label: str) -> bytes:
    return assemble(calendar_head(name, context), (_event(r, context, waitlist_label) for r in registrations))


def validators(response, body: bytes, registrations: list) -> None:
    """ETag (a digest of the bytes, which hold every change a subscriber sees) and Last-Modified on a personal
    calendar's response, so that a calendar app asks again conditionally."""
    response.set_etag(personal_etag(body))
    modified = last_modified(registrations)
    if modified is not None:
        response.last_modified = modified.replace(tzinfo=UTC, microsecond=0)


def personal_etag(body: bytes) -> str:
    """The feed's validator (unquoted): a digest of its bytes, which hold every change a subscriber sees."""
    return hashlib.blake2b(body, digest_size=16).hexdigest()


def changed_at(registration) -> datetime:
    """The latest change a subscriber sees in this registration's event (naive UTC)."""
    occurrence, activity = registration.occurrence, registration.activity
    return max(moment for moment in (registration.created_at, registration.cancelled_at, occurrence.updated_at,
                                     activity.updated_at) if moment is not None)


def last_modified(registrations: Iterable) -> datetime | None:
    """The feed's Last-Modified: the latest change among its registrations (None for an empty feed)."""
    return max((changed_at(r) for r in registrations), default=None)


def _event(registration, context: FeedContext, waitlist_label: str) -> bytes:
    occurrence, activity = registration.occurrence, registration.activity
    changed = changed_at(registration)
    waiting = registration.status == "waitlisted"
    cancelled = "cancelled" in (registration.status, occurrence.status, activity.status)
    return occurrence_event(
        activity, occurrence, context, uid=f"registration-{registration.id}@{context.domain}",
        summary=f"[{waitlist_label}] {activity.title}" if waiting else activity.title,
        sequence=(activity.sequence or 0) * 3 + STATUS_STEP[registration.status], changed=changed,
        status="CANCELLED" if cancelled else "TENTATIVE" if waiting else "CONFIRMED")
