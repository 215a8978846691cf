"""The recurrence builder: the choices a librarian makes <-> a bounded RFC 5545 RRULE.

Pure functions, no request needed. Rules the builder cannot show (written by hand or through the API)
come back as kind "custom" and are kept exactly as they were.
"""
import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time

from ..clock import to_local, to_utc

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
#: 1st … 4th, and -1 for the last one of the month
ORDINALS = (1, 2, 3, 4, -1)
KINDS = ("none", "weekly", "monthly_weekday", "monthly_date", "custom")
MAX_INTERVAL = 12


@dataclass
class Repeat:
    kind: str = "none"
    #: every `interval` weeks or months
    interval: int = 1
    #: weekly: the days of the week (MO … SU)
    weekdays: list[str] = field(default_factory=list)
    #: monthly_weekday: the 1st … 4th or last (-1) `weekday` of the month
    ordinal: int | None = None
    weekday: str | None = None
    #: monthly_date: the day of the month
    month_day: int | None = None
    #: how the repetition ends: "until" (a last date) or "count" (a number of times)
    end: str | None = None
    until: date | None = None
    count: int | None = None
    #: kind "custom": the rule as it is stored
    custom: str | None = None


def to_rrule(repeat: Repeat, all_day: bool) -> str | None:
    """The RRULE value (no "RRULE:" prefix) for the builder's choices; None for a one-off activity.

    UNTIL is the end of the last local day: a DATE for all-day activities, a UTC time (…Z) otherwise,
    which is what RFC 5545 asks for next to a DTSTART with a time zone.
    """
    if repeat.kind == "none":
        return None
    if repeat.kind == "custom":
        return (repeat.custom or "").strip().upper() or None
    parts = []
    if repeat.kind == "weekly":
        parts.append("FREQ=WEEKLY")
    else:
        parts.append("FREQ=MONTHLY")
    if repeat.interval and repeat.interval != 1:
        parts.append(f"INTERVAL={repeat.interval}")
    if repeat.kind == "weekly":
        days = [d for d in WEEKDAYS if d in repeat.weekdays]
        if days:
            parts.append("BYDAY=" + ",".join(days))
    elif repeat.kind == "monthly_weekday":
        parts.append(f"BYDAY={repeat.ordinal}{repeat.weekday}")
    elif repeat.kind == "monthly_date":
        parts.append(f"BYMONTHDAY={repeat.month_day}")
    if repeat.end == "count" and repeat.count:
        parts.append(f"COUNT={repeat.count}")
    elif repeat.end == "until" and repeat.until:
        parts.append("UNTIL=" + _until_value(repeat.until, all_day))
    return ";".join(parts)


def _until_value(day: date, all_day: bool) -> str:
    if all_day:
        return day.strftime("%Y%m%d")
    return to_utc(datetime.combine(day, time(23, 59, 59))).strftime("%Y%m%dT%H%M%SZ")


def _until_day(value: str) -> date | None:
    try:
        if len(value) == 8:
            return datetime.strptime(value, "%Y%m%d").date()
        moment = datetime.strptime(value.rstrip("Z"), "%Y%m%dT%H%M%S")
    except ValueError:
        return None
    return to_local(moment).date() if value.endswith("Z") else moment.date()


def from_rrule(rule: str | None) -> Repeat:
    """The builder's choices for a stored rule, or kind "custom" when the builder cannot show it."""
    if not rule:
        return Repeat()
    rule = rule.strip().upper()
    if rule.startswith("RRULE:"):
        rule = rule[6:]
    custom = Repeat(kind="custom", custom=rule)
    try:
        parts = dict(part.split("=", 1) for part in rule.split(";"))
    except ValueError:
        return custom
    parts.pop("WKST", None)
    repeat = Repeat()
    interval = parts.pop("INTERVAL", "1")
    if not interval.isdigit() or not 1 <= int(interval) <= MAX_INTERVAL:
        return custom
    repeat.interval = int(interval)
    count, until = parts.pop("COUNT", None), parts.pop("UNTIL", None)
    if (count is None) == (until is None):
        return custom  # neither (unbounded) or both (not allowed by RFC 5545)
    if count is not None:
        if not count.isdigit():
            return custom
        repeat.end, repeat.count = "count", int(count)
    elif until is not None:
        repeat.end, repeat.until = "until", _until_day(until)
        if repeat.until is None:
            return custom
    frequency = parts.pop("FREQ", None)
    byday = parts.pop("BYDAY", None)
    bysetpos = parts.pop("BYSETPOS", None)
    bymonthday = parts.pop("BYMONTHDAY", None)
    if parts:
        return custom
    if frequency == "WEEKLY" and bysetpos is None and bymonthday is None:
        days = byday.split(",") if byday else []
        if any(d not in WEEKDAYS for d in days):
            return custom
        repeat.kind, repeat.weekdays = "weekly", [d for d in WEEKDAYS if d in days]
        return repeat
    if frequency != "MONTHLY":
        return custom
    if byday and bymonthday is None:
        ordinal, weekday = _ordinal_weekday(byday, bysetpos)
        if ordinal is None:
            return custom
        repeat.kind, repeat.ordinal, repeat.weekday = "monthly_weekday", ordinal, weekday
        return repeat
    if byday is None and bysetpos is None:
        if bymonthday is not None and not (bymonthday.isdigit() and 1 <= int(bymonthday) <= 31):
            return custom
        repeat.kind = "monthly_date"
        repeat.month_day = int(bymonthday) if bymonthday else None
        return repeat
    return custom


def _ordinal_weekday(byday: str, bysetpos: str | None) -> tuple[int | None, str | None]:
    """"3SA" or BYDAY=SA;BYSETPOS=3 -> (3, "SA"); (None, None) for anything else."""
    if "," in byday:
        return None, None
    weekday, prefix = byday[-2:], byday[:-2]
    if weekday not in WEEKDAYS:
        return None, None
    if bysetpos is not None:
        if prefix:
            return None, None
        prefix = bysetpos
    try:
        ordinal = int(prefix.lstrip("+"))
    except ValueError:
        return None, None
    return (ordinal, weekday) if ordinal in ORDINALS else (None, None)


def weekday_of(day: date) -> str:
    return WEEKDAYS[day.weekday()]


def ordinal_of(day: date) -> int:
    """Which weekday of its month `day` is: 1 … 4, or 5 for a fifth one."""
    return (day.day - 1) // 7 + 1


def is_last_weekday(day: date) -> bool:
    return day.day + 7 > calendar.monthrange(day.year, day.month)[1]


def starts_on_rule(repeat: Repeat, first_day: date) -> bool:
    """Whether the first date is itself one the rule gives (else the calendar would skip or invent it)."""
    if repeat.kind == "weekly":
        return not repeat.weekdays or weekday_of(first_day) in repeat.weekdays
    if repeat.kind == "monthly_weekday":
        if weekday_of(first_day) != repeat.weekday:
            return False
        return is_last_weekday(first_day) if repeat.ordinal == -1 else ordinal_of(first_day) == repeat.ordinal
    if repeat.kind == "monthly_date":
        return repeat.month_day is None or first_day.day == repeat.month_day
    return True


def defaults_for(first_day: date) -> Repeat:
    """Sensible builder values for a first date: its weekday, its place in the month, its day."""
    ordinal = ordinal_of(first_day)
    return Repeat(weekdays=[weekday_of(first_day)], ordinal=-1 if ordinal == 5 else ordinal,
                  weekday=weekday_of(first_day), month_day=first_day.day)
