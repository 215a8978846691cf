"""Small builders for test data."""
from datetime import date, datetime, timedelta
from functools import lru_cache

from calendar_app.clock import local_midnight_utc, to_utc
from calendar_app.events.models import Activity, ActivityAudience, ActivityCategory
from calendar_app.events.occurrences import sync_occurrences
from calendar_app.extensions import db
from calendar_app.models import Area, Institution, User
from calendar_app.places.tree import assign_path
from calendar_app.search import fold


def area(code: str, name: str | None = None, level: str = "district", parent: Area | None = None) -> Area:
    a = Area(code=code, name=name or f"Area {code}", level=level, parent=parent)
    assign_path(a)
    return a


def institution(slug: str, area: Area, category: str = "library_district", name: str | None = None):
    inst = Institution(slug=slug, name=name or slug.replace("-", " ").title(), category=category, area=area)
    db.session.add(inst)
    db.session.flush()
    return inst


@lru_cache(maxsize=32)
def _password_hash(password: str) -> str:
    """scrypt is slow on purpose; tests hash each distinct password once and reuse it."""
    probe = User()
    probe.set_password(password)
    return probe.password_hash


def user(email: str, role: str, password: str = "correct horse battery", **scope) -> User:
    u = User(email=email, role=role, **scope)
    u.password_hash = _password_hash(password)
    db.session.add(u)
    db.session.flush()
    return u


def activity(inst: Institution, title: str = "Đọc sách", start: str = "2025-04-21T09:00", hours: float = 2,
             rrule: str | None = None, status: str = "published", categories=("reading",),
             audiences=("everyone",), **fields) -> Activity:
    starts = to_utc(datetime.fromisoformat(start))
    fields.setdefault("search_text", fold(f"{title} {fields.get('description') or ''}"))
    act = Activity(institution=inst, title=title, starts_at=starts, ends_at=starts + timedelta(hours=hours),
                   rrule=rrule, status=status, **fields)
    act.category_links = [ActivityCategory(key=k) for k in categories]
    act.audience_links = [ActivityAudience(key=k) for k in audiences]
    db.session.add(act)
    db.session.flush()
    sync_occurrences(act)
    return act


def all_day_activity(inst: Institution, title: str, first: str, last: str, **fields) -> Activity:
    """An all-day activity from `first` to `last` (local dates, inclusive)."""
    act = activity(inst, title, start=f"{first}T00:00", **fields)
    act.all_day = True
    act.ends_at = local_midnight_utc(date.fromisoformat(last) + timedelta(days=1))
    sync_occurrences(act)
    return act


def client_events(body: bytes, start, end) -> list[tuple]:
    """What a calendar client shows between two dates: the feed parsed by icalendar and expanded by
    recurring-ical-events, as sorted (UID, start, end, STATUS) with timed values in naive UTC and
    all-day values as dates."""
    import icalendar
    import recurring_ical_events

    def plain(value):
        if isinstance(value, datetime):
            return to_utc(value)
        return value

    calendar = icalendar.Calendar.from_ical(body)
    return sorted(
        (str(event["UID"]), plain(event.DTSTART), plain(event.DTEND), str(event.get("STATUS", "")))
        for event in recurring_ical_events.of(calendar).between(start, end)
    )
