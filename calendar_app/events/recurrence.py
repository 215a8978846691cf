"""Bounded expansion of an activity's RRULE into occurrence times (local wall-clock, stored as UTC).

Bounded in count (MAX_OCCURRENCES), in time (a series ends within HORIZON_YEARS of its first date, and by
bounds.LAST_DAY) and in work: see local_times().
"""
import re
from collections.abc import Iterator
from datetime import MAXYEAR, UTC, datetime, time, tzinfo
from itertools import islice

from dateutil.rrule import rrulestr
from flask_babel import gettext as _

from ..bounds import LAST_DAY, in_range
from ..clock import local_zone, to_local, to_utc

#: a rule is expanded to at most this many occurrences, whatever it says
MAX_OCCURRENCES = 500
#: a series ends at most this many years after its first date (and never after bounds.LAST_DAY)
HORIZON_YEARS = 10
#: FREQ=DAILY;INTERVAL=366 is about once a year; a larger step is a typing mistake
MAX_INTERVAL = 366
#: the Gregorian calendar repeats exactly every 400 years: 146,097 days, whole weeks, the same leap years
CALENDAR_CYCLE_YEARS = 400
_UNTIL_VALUE = re.compile(r"(\d{8})(?:T(\d{6})(Z)?)?", re.IGNORECASE)
_UNTIL = re.compile(rf"UNTIL=({_UNTIL_VALUE.pattern})", re.IGNORECASE)
_UNTIL_DAY = re.compile(r"UNTIL=(\d{8})", re.IGNORECASE)
_LOCAL_UNTIL = re.compile(r"UNTIL=(\d{8}T\d{6})")
_ALLOWED_KEYS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS",
                 "WKST", "BYYEARDAY", "BYWEEKNO"}


class RecurrenceError(ValueError):
    """The rule cannot be used: malformed, unsupported or unbounded. `message`, when given, is the whole
    explanation in the user's language; otherwise str(error) is a technical reason to quote."""

    def __init__(self, reason: str, message: str | None = None):
        super().__init__(reason)
        self.message = message


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
    if "INTERVAL" in parts and not (parts["INTERVAL"].isascii() and parts["INTERVAL"].isdigit()
                                    and 1 <= int(parts["INTERVAL"]) <= MAX_INTERVAL):
        raise RecurrenceError("INTERVAL", _("The repeat interval (INTERVAL) must be a whole number from 1 to "
                                            "%(max)s.", max=MAX_INTERVAL))
    if "UNTIL" in parts:
        _check_until_day(parts["UNTIL"])
    try:
        rrulestr(_local_naive_until(rule), dtstart=datetime(2000, 1, 1))
    except (ValueError, TypeError) as error:
        raise RecurrenceError(str(error)) from None


def _check_until_day(value: str) -> None:
    """UNTIL names a real day no later than bounds.LAST_DAY (checked before any move between zones)."""
    match = _UNTIL_DAY.match(f"UNTIL={value}")
    try:
        day = datetime.strptime(match.group(1), "%Y%m%d").date() if match else None
    except ValueError:
        day = None
    if day is None:
        raise RecurrenceError("UNTIL", _("The end date of the repeats (UNTIL) is not a real date; write it as "
                                         "YYYYMMDD, e.g. 20251231."))
    if day > LAST_DAY:
        raise RecurrenceError("UNTIL", _("The repeats must end by %(last)s at the latest.", last=LAST_DAY.isoformat()))


def horizon(local_start: datetime) -> datetime:
    """The last local moment a series starting at `local_start` may reach."""
    first = local_start.date()
    try:
        last = first.replace(year=first.year + HORIZON_YEARS)
    except ValueError:  # from 29 February to a common year
        last = first.replace(year=first.year + HORIZON_YEARS, day=28)
    return datetime.combine(min(last, LAST_DAY), time(23, 59, 59))


def _years_later(moment: datetime, years: int) -> datetime:
    return moment.replace(year=moment.year + years)


def local_times(rule: str, local_start: datetime) -> Iterator[datetime]:
    """The rule's local start times from `local_start` up to its horizon, found with bounded work.

    dateutil looks for a next date until year 9999 whatever UNTIL says, so a rule that never matches
    (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30) would scan eight thousand years. The series is computed 400·k years
    later instead (the calendar repeats exactly every 400 years, weekdays and leap days included), with k
    chosen so that the horizon falls within dateutil's last 400 years: the search ends there, matched or not.
    """
    last = horizon(local_start)
    years = (MAXYEAR - 1 - last.year) // CALENDAR_CYCLE_YEARS * CALENDAR_CYCLE_YEARS

    def shifted_until(match: re.Match) -> str:
        until = min(datetime.strptime(match.group(1), "%Y%m%dT%H%M%S"), last)
        return "UNTIL=" + _years_later(until, years).strftime("%Y%m%dT%H%M%S")

    text = _LOCAL_UNTIL.sub(shifted_until, _local_naive_until(rule))
    try:
        for moment in rrulestr(text, dtstart=_years_later(local_start, years)):
            moment = _years_later(moment, -years)
            if moment > last:
                return
            yield moment
    except ValueError:
        return  # dateutil stepping past 9999-12-31 after the last date of the series


def validate_series(rule: str, local_start: datetime) -> None:
    """Raise RecurrenceError (with a message) unless the rule, starting at `local_start`, gives at least one
    date and all of its dates by horizon(local_start)."""
    last = horizon(local_start)
    limit = _("%(last)s (ten years after the first date, and no later than %(end)s)",
              last=last.date().isoformat(), end=LAST_DAY.isoformat())
    local_rule = _local_naive_until(rule)
    until = _LOCAL_UNTIL.search(local_rule)
    if until and datetime.strptime(until.group(1), "%Y%m%dT%H%M%S") > last:
        raise RecurrenceError("UNTIL", _("The repeats must end by %(limit)s.", limit=limit))
    times = list(islice(local_times(rule, local_start), MAX_OCCURRENCES + 1))
    if not times:
        raise RecurrenceError("empty", _("This rule gives no date between the first day and %(limit)s. Check the "
                                         "days and months it names.", limit=limit))
    count = re.search(r"COUNT=(\d+)", rule)
    if count and not until and len(times) < int(count.group(1)):
        raise RecurrenceError("COUNT", _("The %(count)s repeats do not all fall by %(limit)s: repeat fewer times.",
                                         count=count.group(1), limit=limit))


def expand(starts_at: datetime, ends_at: datetime, rule: str | None) -> list[tuple[datetime, datetime]]:
    """[(start, end)] in naive UTC for every occurrence; a one-off activity has exactly one."""
    duration = ends_at - starts_at
    if not rule:
        return [(starts_at, ends_at)]
    local_start = to_local(starts_at).replace(tzinfo=None)
    times = []
    for moment in islice(local_times(rule, local_start), MAX_OCCURRENCES):
        start = to_utc(moment)
        times.append((start, start + duration))
    return times


def occurrence_key(start: datetime, all_day: bool) -> str:
    """The `<start>` path segment of SPEC.md: local YYYY-MM-DDTHH:MM, or YYYY-MM-DD for all-day."""
    local = to_local(start)
    return local.strftime("%Y-%m-%d") if all_day else local.strftime("%Y-%m-%dT%H:%M")


_PLAIN_KEY = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?", re.ASCII)


def parse_occurrence_key(key: str, all_day: bool) -> datetime | None:
    """Inverse of occurrence_key: naive UTC, or None when malformed."""
    date_only = all_day or len(key) == 10
    try:
        if (plain := _PLAIN_KEY.fullmatch(key)) and (plain.group(4) is None) == date_only:
            # the keys this application writes (strptime, which also reads "2025-1-5", is slow for an import)
            year, month, day, hour, minute = (int(part or 0) for part in plain.groups())
            local = datetime(year, month, day, hour, minute)
        elif date_only:
            local = datetime.strptime(key, "%Y-%m-%d")
        else:
            local = datetime.strptime(key, "%Y-%m-%dT%H:%M")
    except ValueError:
        return None
    if not in_range(local):
        return None  # no occurrence lies outside the supported dates, and year 1 would overflow in UTC
    return to_utc(local)


