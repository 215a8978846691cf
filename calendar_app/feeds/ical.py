"""iCalendar (RFC 5545 + RFC 7986) serialisation: activities in, bytes out — no database, no request.

A feed is assembled from per-activity fragments: `calendar_head()` + `activity_events()` of each
activity + CALENDAR_TAIL. `calendar()` does the same in one call (one activity, tests, the benchmark).
`occurrence_event()` is one dated occurrence on its own, for a calendar of someone's own (the personal feed).

What it reads of an activity is ActivityData below: an ORM Activity, or anything with those attributes.
"""
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from itertools import islice
from typing import Protocol
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from icalendar import Calendar, Event, Timezone, vDuration, vRecur, vText

from ..events.recurrence import MAX_OCCURRENCES, until_moment

CALENDAR_TAIL = b"END:VCALENDAR\r\n"


class InstitutionData(Protocol):
    name: str
    address: str | None
    latitude: float | None
    longitude: float | None


class OccurrenceData(Protocol):
    #: naive UTC, as stored
    original_start: datetime
    starts_at: datetime
    ends_at: datetime
    status: str
    #: why it was moved or cancelled (optional; read with getattr, so older stand-ins still serialise)
    change_reason: str | None


class ActivityData(Protocol):
    id: int
    title: str
    description: str | None
    status: str
    #: why the whole activity is cancelled (optional, read with getattr)
    cancel_reason: str | None
    sequence: int | None
    created_at: datetime | None
    updated_at: datetime
    #: naive UTC; for an all-day activity, local midnights (the end exclusive)
    starts_at: datetime
    ends_at: datetime
    all_day: bool
    rrule: str | None
    location: str | None
    latitude: float | None
    longitude: float | None
    online_url: str | None
    categories: list[str]
    institution: InstitutionData
    occurrences: Sequence[OccurrenceData]


@dataclass(frozen=True)
class FeedContext:
    """What every fragment depends on besides the activity itself (constant for one site)."""

    domain: str
    timezone: str
    #: public site root without a trailing slash; the activity page is <base_url>/events/<id>
    base_url: str
    #: how often clients should refresh (REFRESH-INTERVAL, X-PUBLISHED-TTL)
    refresh: timedelta = timedelta(hours=2)
    #: category key -> label shown in CATEGORIES
    category_labels: Mapping[str, str] = field(default_factory=dict)
    #: how DESCRIPTION introduces an editor's reason: "cancelled" and "moved" ("Lý do hủy: …"), and
    #: "meeting_cancelled" with {when} for a cancelled date of a series (an EXDATE carries no text of its own)
    notice_labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def uid(activity_id: int, domain: str) -> str:
    return f"activity-{activity_id}@{domain}"


def calendar_head(name: str, context: FeedContext, description: str | None = None) -> bytes:
    """VCALENDAR properties and the one VTIMEZONE, up to the first VEVENT; `description` becomes the calendar's
    DESCRIPTION and X-WR-CALDESC (RFC 7986 and what Apple, Google and Outlook read)."""
    cal = Calendar()
    cal.add("prodid", f"-//{context.domain}//Lifelong learning calendar//VI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    # no METHOD: without it DTSTAMP means "last revised", so fragments stay byte-identical between builds
    name = " ".join(_text(name).split())
    cal.add("name", vText(name))
    cal.add("x-wr-calname", vText(name))
    if description:
        description = _text(description)
        cal.add("description", vText(description))
        cal.add("x-wr-caldesc", vText(description))
    cal.add("x-wr-timezone", context.timezone)
    cal.add("refresh-interval", context.refresh, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(context.refresh))
    body = cal.to_ical()
    assert body.endswith(CALENDAR_TAIL)
    return body[: -len(CALENDAR_TAIL)] + _vtimezone(context.timezone)


def calendar(name: str, activities: Iterable[ActivityData], context: FeedContext) -> bytes:
    """A whole calendar in one go."""
    return assemble(calendar_head(name, context), (activity_events(a, context) for a in activities))


def assemble(head: bytes, fragments: Iterable[bytes]) -> bytes:
    return b"".join((head, *fragments, CALENDAR_TAIL))


def activity_events(activity: ActivityData, context: FeedContext) -> bytes:
    """The VEVENT of one activity, plus one per moved occurrence of a recurring one; b"" if it has no dates."""
    zone = context.zone
    if activity.rrule:
        return _recurring(activity, activity.rrule, context, zone)
    occurrence = activity.occurrences[0] if activity.occurrences else None
    start = occurrence.starts_at if occurrence else activity.starts_at
    end = occurrence.ends_at if occurrence else activity.ends_at
    notices = [_activity_notice(activity, context)]
    reason = getattr(occurrence, "change_reason", None)
    if occurrence is not None and reason:
        notices.append(_notice(context, "cancelled" if occurrence.status == "cancelled" else "moved", reason))
    event = _event(activity, context, start, end, zone, notices)
    cancelled = activity.status == "cancelled" or (occurrence is not None and occurrence.status == "cancelled")
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event.to_ical()


def _notice(context: FeedContext, kind: str, reason: str, **values: str) -> str:
    """An editor's reason as DESCRIPTION's first paragraph: "Lý do hủy: …"."""
    label = context.notice_labels.get(kind, "").format(**values)
    return f"{label}: {reason}" if label else reason


def _activity_notice(activity: ActivityData, context: FeedContext) -> str:
    reason = getattr(activity, "cancel_reason", None)
    return _notice(context, "cancelled", reason) if activity.status == "cancelled" and reason else ""


def _recurring(activity: ActivityData, rrule: str, context: FeedContext, zone: ZoneInfo) -> bytes:
    rule, local_rule = _rule(rrule, activity.all_day, zone)
    duration = activity.ends_at - activity.starts_at
    local_start = _local(activity.starts_at, zone).replace(tzinfo=None)
    times = rrulestr(local_rule, dtstart=local_start)
    first = next(iter(times), None)
    if first is None:
        return b""
    if len(activity.occurrences) >= MAX_OCCURRENCES and "COUNT" not in rule:
        # the rule gives more dates than we materialise: say exactly how many there are
        if sum(1 for _ in islice(times, MAX_OCCURRENCES + 1)) > MAX_OCCURRENCES:
            rule = {key: value for key, value in rule.items() if key != "UNTIL"} | {"COUNT": str(MAX_OCCURRENCES)}
    # DTSTART is the first date the rule gives, so clients count it the way our expansion does
    start = _to_utc(first.replace(tzinfo=zone))
    notices = [_activity_notice(activity, context)] + [
        _notice(context, "meeting_cancelled", reason, when=_spoken(occ.original_start, activity.all_day, zone))
        for occ in activity.occurrences
        if occ.status == "cancelled" and (reason := getattr(occ, "change_reason", None))]
    event = _event(activity, context, start, start + duration, zone, notices)
    event.add("rrule", vRecur.from_ical(_join(rule)))
    cancelled = [occ.original_start for occ in activity.occurrences if occ.status == "cancelled"]
    if cancelled:
        event.add("exdate", [_value(moment, activity.all_day, zone) for moment in cancelled])
    event.add("status", "CANCELLED" if activity.status == "cancelled" else "CONFIRMED")
    parts = [event.to_ical()]
    for occ in activity.occurrences:
        if occ.status == "cancelled" or (occ.starts_at, occ.ends_at) == (occ.original_start, occ.original_start
                                                                         + duration):
            continue
        reason = getattr(occ, "change_reason", None)
        override = _event(activity, context, occ.starts_at, occ.ends_at, zone,
                          [_activity_notice(activity, context), _notice(context, "moved", reason) if reason else ""])
        override.add("recurrence-id", _value(occ.original_start, activity.all_day, zone))
        override.add("status", "CANCELLED" if activity.status == "cancelled" else "CONFIRMED")
        parts.append(override.to_ical())
    return b"".join(parts)


def occurrence_event(activity: ActivityData, occurrence: OccurrenceData, context: FeedContext, *, uid: str,
                     summary: str, sequence: int, changed: datetime, status: str) -> bytes:
    """The VEVENT of one dated occurrence, in a calendar of someone's own (the personal feed): the activity's
    time, place, description and link as the public feeds give them, with the caller's UID, SUMMARY, SEQUENCE,
    time of the last change and STATUS."""
    event = _described(activity, context, occurrence.starts_at, occurrence.ends_at, context.zone, summary)
    event.add("uid", uid)
    event.add("dtstamp", _utc(changed))
    event.add("last-modified", _utc(changed))
    event.add("sequence", sequence)
    event.add("status", status)
    return event.to_ical()


def _event(activity: ActivityData, context: FeedContext, start: datetime, end: datetime, zone: ZoneInfo,
           notices: Sequence[str] = ()) -> Event:
    event = _described(activity, context, start, end, zone, activity.title, notices)
    event.add("uid", uid(activity.id, context.domain))
    event.add("dtstamp", _utc(activity.updated_at))
    event.add("last-modified", _utc(activity.updated_at))
    if activity.created_at is not None:
        event.add("created", _utc(activity.created_at))
    event.add("sequence", activity.sequence or 0)
    return event


def _described(activity: ActivityData, context: FeedContext, start: datetime, end: datetime, zone: ZoneInfo,
               summary: str, notices: Sequence[str] = ()) -> Event:
    """A VEVENT with what the activity says: its time, summary, description (after the editor's reasons for
    a cancellation or a move, if any), place and link."""
    event = Event()
    event.add("dtstart", _value(start, activity.all_day, zone))
    event.add("dtend", _value(end, activity.all_day, zone))
    event.add("summary", _text(summary))
    url = f"{context.base_url}/events/{activity.id}"
    institution = activity.institution
    lines = [*notices, activity.description or "", institution.name, activity.online_url or "", url]
    event.add("description", _text("\n\n".join(line for line in lines if line)))
    event.add("location", _text(_location(activity)))
    geo = _geo(activity)
    if geo:
        event.add("geo", geo)
    event.add("url", url)
    if activity.categories:
        event.add("categories", [_text(context.category_labels.get(key, key)) for key in activity.categories])
    return event


def _location(activity: ActivityData) -> str:
    if activity.location:
        return activity.location
    if activity.online_url:
        return activity.online_url
    institution = activity.institution
    return f"{institution.name}, {institution.address}" if institution.address else institution.name


def _geo(activity: ActivityData) -> tuple[float, float] | None:
    if activity.latitude is not None and activity.longitude is not None:
        return activity.latitude, activity.longitude
    institution = activity.institution
    if not activity.location and institution.latitude is not None and institution.longitude is not None:
        return institution.latitude, institution.longitude
    return None


def _rule(rrule: str, all_day: bool, zone: ZoneInfo) -> tuple[dict[str, str], str]:
    """(the rule as written to the feed, the rule in local naive time for dateutil).

    RFC 5545: with a TZID DTSTART, UNTIL must be UTC; with a DATE DTSTART, UNTIL must be a DATE.
    A date-only UNTIL includes that whole local day, as our expansion does.
    """
    parts = dict(part.split("=", 1) for part in rrule.upper().removeprefix("RRULE:").split(";") if part)
    local = dict(parts)
    until = until_moment(parts.get("UNTIL", ""), zone)
    if until:
        local["UNTIL"] = until.strftime("%Y%m%dT%H%M%S")
        parts["UNTIL"] = until.strftime("%Y%m%d") if all_day else until.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return parts, _join(local)


def _join(rule: dict[str, str]) -> str:
    # FREQ first: RFC 5545 allows any order, some older clients do not
    return ";".join(f"{key}={value}" for key, value in sorted(rule.items(), key=lambda item: item[0] != "FREQ"))


def _value(moment: datetime, all_day: bool, zone: ZoneInfo) -> date | datetime:
    """A naive-UTC moment as the feed writes it: local DATE for all-day activities, else local TZID time."""
    local = _local(moment, zone)
    return local.date() if all_day else local


def _spoken(moment: datetime, all_day: bool, zone: ZoneInfo) -> str:
    """A date as people write it in Vietnam: 12/03/2026 18:00 (or the day alone)."""
    return _local(moment, zone).strftime("%d/%m/%Y" if all_day else "%d/%m/%Y %H:%M")


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.replace(tzinfo=UTC).astimezone(zone)


def _to_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC, microsecond=0)


def _text(value: str) -> str:
    # composed form: a Vietnamese letter is one character, so folding never separates it from its marks
    return unicodedata.normalize("NFC", value)


@lru_cache(maxsize=8)
def _vtimezone(name: str) -> bytes:
    zone = Timezone.from_tzid(name, first_date=date(2000, 1, 1))
    # icalendar says for which years it computed the zone in a COMMENT on the VTIMEZONE itself, where RFC 5545
    # allows none (only in STANDARD and DAYLIGHT; libical flags it)
    zone.pop("COMMENT", None)
    return zone.to_ical()
