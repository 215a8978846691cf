"""Bounded expansion of an activity's RRULE into occurrence times (local wall-clock, stored as UTC)."""
import re
from datetime import UTC, datetime

from dateutil.rrule import rrulestr

from ..bounds import in_range
from ..clock import to_local, to_utc

#: a rule is expanded to at most this many occurrences, whatever it says
MAX_OCCURRENCES = 500
_UNTIL = re.compile(r"UNTIL=(\d{8})(T(\d{6})(Z)?)?", re.IGNORECASE)
_ALLOWED_KEYS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS",
                 "WKST", "BYYEARDAY", "BYWEEKNO"}


class RecurrenceError(ValueError):
    """The rule cannot be used: malformed, unsupported or unbounded."""


def normalise(rule: str | None) -> str | None:
    """Upper-case, strip an "RRULE:" prefix; None for an empty rule."""
    if rule is None:
        return None
    rule = rule.strip()
    if rule.upper().startswith("RRULE:"):
        rule = rule[6:]
    return rule.upper() or None


def _local_naive_until(rule: str) -> str:
    """dateutil wants UNTIL in the same kind as DTSTART; we expand with naive local times."""

    def replace(match: re.Match) -> str:
        day, _t, clock, zulu = match.groups()
        if clock is None:
            return f"UNTIL={day}T235959"
        if zulu:
            moment = datetime.strptime(day + clock, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
            return "UNTIL=" + to_local(moment.replace(tzinfo=None)).strftime("%Y%m%dT%H%M%S")
        return f"UNTIL={day}T{clock}"

    return _UNTIL.sub(replace, rule)


def validate(rule: str) -> None:
    """Raise RecurrenceError unless the rule is well-formed and bounded (COUNT or UNTIL)."""
    parts = {}
    for part in rule.split(";"):
        if "=" not in part:
            raise RecurrenceError(f"malformed part {part!r}")
        key, value = part.split("=", 1)
        if key not in _ALLOWED_KEYS:
            raise RecurrenceError(f"unsupported part {key}")
        parts[key] = value
    if parts.get("FREQ") not in {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}:
        raise RecurrenceError("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY")
    if "COUNT" not in parts and "UNTIL" not in parts:
        raise RecurrenceError("the rule needs an end: COUNT or UNTIL")
    if "COUNT" in parts and (not parts["COUNT"].isdigit() or not 1 <= int(parts["COUNT"]) <= MAX_OCCURRENCES):
        raise RecurrenceError(f"COUNT must be between 1 and {MAX_OCCURRENCES}")
    try:
        rrulestr(_local_naive_until(rule), dtstart=datetime(2000, 1, 1))
    except (ValueError, TypeError) as error:
        raise RecurrenceError(str(error)) from None


def expand(starts_at: datetime, ends_at: datetime, rule: str | None) -> list[tuple[datetime, datetime]]:
    """[(start, end)] in naive UTC for every occurrence; a one-off activity has exactly one."""
    duration = ends_at - starts_at
    if not rule:
        return [(starts_at, ends_at)]
    local_start = to_local(starts_at).replace(tzinfo=None)
    times = []
    for moment in rrulestr(_local_naive_until(rule), dtstart=local_start):
        start = to_utc(moment)
        times.append((start, start + duration))
        if len(times) >= MAX_OCCURRENCES:
            break
    return times


def occurrence_key(start: datetime, all_day: bool) -> str:
    """The `<start>` path segment of SPEC.md: local YYYY-MM-DDTHH:MM, or YYYY-MM-DD for all-day."""
    local = to_local(start)
    return local.strftime("%Y-%m-%d") if all_day else local.strftime("%Y-%m-%dT%H:%M")


def parse_occurrence_key(key: str, all_day: bool) -> datetime | None:
    """Inverse of occurrence_key: naive UTC, or None when malformed."""
    try:
        if all_day or len(key) == 10:
            local = datetime.strptime(key, "%Y-%m-%d")
        else:
            local = datetime.strptime(key, "%Y-%m-%dT%H:%M")
    except ValueError:
        return None
    if not in_range(local):
        return None  # no occurrence lies outside the supported dates, and year 1 would overflow in UTC
    return to_utc(local)


