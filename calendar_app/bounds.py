"""The range of dates and numbers the application stores and computes with, and one check for each.

Dates: lunar-vn computes the lunar observances (Hùng Kings) for 1899–2100 only, and a date near year 1 or
9999 overflows when it is moved between the local zone and UTC; so every date read from a person or a
program lies in 1900–2100. Integers: the id columns are 32-bit signed on PostgreSQL.
"""
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

MIN_YEAR, MAX_YEAR = 1900, 2100
FIRST_DAY, LAST_DAY = date(MIN_YEAR, 1, 1), date(MAX_YEAR, 12, 31)
#: the largest value of a PostgreSQL `integer` column (every id)
INT32_MAX = 2**31 - 1


class OutOfRange(ValueError):
    """A well-formed date outside FIRST_DAY … LAST_DAY; `reason` says so in the user's language."""

    def __init__(self):
        self.reason = _l("Enter a date between %(first)s and %(last)s.", first=FIRST_DAY.isoformat(),
                         last=LAST_DAY.isoformat())
        super().__init__(str(self.reason))


def in_range(day: date | datetime) -> bool:
    """Whether the calendar date of `day` (as written, whatever its zone) lies in FIRST_DAY … LAST_DAY."""
    return FIRST_DAY <= (day.date() if isinstance(day, datetime) else day) <= LAST_DAY


def check_day(day: date | datetime) -> date | datetime:
    """`day` itself, or OutOfRange when its calendar date lies outside the supported range."""
    if not in_range(day):
        raise OutOfRange()
    return day


def parse_day(text: str) -> date:
    """YYYY-MM-DD -> date; ValueError when malformed (or not a real day), OutOfRange when outside the range."""
    return check_day(date.fromisoformat(text.strip()))


def day_or_none(text: str | None) -> date | None:
    """A date in range from YYYY-MM-DD, or None for anything else (optional filters that ignore bad input)."""
    try:
        return parse_day(text or "")
    except ValueError:
        return None


def id_or_none(value) -> int | None:
    """A row id (1 … INT32_MAX) from text or a number, or None: a larger number would overflow the column."""
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= INT32_MAX else None


def year_or_none(text) -> int | None:
    """A year in range from its digits, or None."""
    text = str(text or "").strip()
    if not text.isdigit() or len(text) > 4:
        return None
    year = int(text)
    return year if MIN_YEAR <= year <= MAX_YEAR else None
