"""The personal feed: every occurrence one person registered for, as iCalendar bytes (no request, no database).

The calendar head (name, refresh interval, the one VTIMEZONE) comes from the public feeds' serialiser;
the events are per occurrence, because a registration is for one date, not for a whole course.
"""
import unicodedata
from collections.abc import Iterable
from datetime import UTC, datetime

from icalendar import Event

from ..feeds.ical import FeedContext, assemble, calendar_head

#: SEQUENCE must grow when a registration's status changes; the lifecycle only moves forward this way
STATUS_STEP = {"waitlisted": 0, "confirmed": 1, "cancelled": 2}


def personal_calendar(registrations: Iterable, name: str, context: FeedContext, waitlist_label: str) -> bytes:
    return assemble(calendar_head(name, context), (_event(r, context, waitlist_label) for r in registrations))


def _event(registration, context: FeedContext, waitlist_label: str) -> bytes:
    occurrence, activity = registration.occurrence, registration.activity
    zone = context.zone
    event = Event()
    event.add("uid", f"registration-{registration.id}@{context.domain}")
    changed = max(moment for moment in (registration.created_at, registration.cancelled_at, occurrence.updated_at,
                                        activity.updated_at) if moment is not None)
    event.add("dtstamp", _utc(changed))
    event.add("last-modified", _utc(changed))
    event.add("sequence", (activity.sequence or 0) * 3 + STATUS_STEP[registration.status])
    start, end = (moment.replace(tzinfo=UTC).astimezone(zone) for moment in (occurrence.starts_at, occurrence.ends_at))
    event.add("dtstart", start.date() if activity.all_day else start)
    event.add("dtend", end.date() if activity.all_day else end)
    title = activity.title if registration.status != "waitlisted" else f"[{waitlist_label}] {activity.title}"
    event.add("summary", _text(title))
    url = f"{context.base_url}/events/{activity.id}"
    event.add("url", url)
    event.add("location", _text(activity.location or activity.online_url or activity.institution.address
                                or activity.institution.name))
    event.add("description", _text("\n\n".join(filter(None, (activity.institution.name, activity.online_url, url)))))
    cancelled = "cancelled" in (registration.status, occurrence.status, activity.status)
    event.add("status", "CANCELLED" if cancelled else
              "TENTATIVE" if registration.status == "waitlisted" else "CONFIRMED")
    return event.to_ical()


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC, microsecond=0)


def _text(value: str) -> str:
    return unicodedata.normalize("NFC", value)
