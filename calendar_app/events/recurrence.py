"""Bounded expansion of an activity's RRULE into occurrence times (local wall-clock, stored as UTC)."""
import re
from datetime import UTC, datetime, tzinfo

from dateutil.rrule import rrulestr

from ..clock import local_zone, to_local, to_utc

#: a rule is expanded to at most this many occurrences, whatever it says
MAX_OCCURRENCES = 500
_UNTIL_VALUE = re.compile(r"(\d{8})(?:T(\d{6})(Z)?)?", re.IGNORECASE)
_UNTIL = re.compile(rf"UNTIL=({_UNTIL_VALUE.pattern})", re.IGNORECASE)
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


def until_moment(value: str, zone: tzinfo) -> datetime | None:
    """An RRULE's UNTIL value as an aware time in `zone`, None when malformed: a date means the end of that
    local day (our expansion includes the whole day), a time with Z is UTC, a time without Z is local."""
    match = _UNTIL_VALUE.fullmatch(value)
    if match is None:
        return None
    day, clock, zulu = match.groups()
    moment = datetime.strptime(day + (clock or "235959"), "%Y%m%d%H%M%S")
    return (moment.replace(tzinfo=UTC) if zulu else moment.replace(tzinfo=zone)).astimezone(zone)


def local_until(rule: str, zone: tzinfo) -> str:
    """The rule with UNTIL in naive local time of `zone`: dateutil wants UNTIL of the same kind as DTSTART,
    and rules are expanded from a naive local DTSTART."""

    def local(match: re.Match[str]) -> str:
        moment = until_moment(match.group(1), zone)
        return f"UNTIL={moment:%Y%m%dT%H%M%S}" if moment else match.group(0)

    return _UNTIL.sub(local, rule)


def _local_naive_until(rule: str) -> str:
    return local_until(rule, local_zone())


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
    return to_utc(local)


