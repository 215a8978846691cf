"""How dates read: one style per language, the same in lists, headings, pages and e-mails.

English "Wednesday, 2 December 2026", Vietnamese "Thứ Tư, 2 tháng 12 năm 2026"; with a time
"Wednesday, 2 December 2026, 18:00"; a month heading "December 2026" / "Tháng 12 năm 2026".
"""
from datetime import date, datetime, time
from functools import lru_cache

from babel import dates
from babel.dates import format_skeleton
from flask_babel import format_date, format_datetime, get_locale

DAY = {"vi": "EEEE, d 'tháng' M 'năm' y", "en": "EEEE, d MMMM y"}
TIME = "HH:mm"


def _locale(locale: str | None) -> str:
    return locale or str(get_locale() or "vi")


def day_pattern(locale: str | None = None) -> str:
    """The CLDR pattern of a day in `locale` (the current one when None)."""
    return DAY.get(_locale(locale), DAY["en"])


def moment_pattern(locale: str | None = None) -> str:
    return f"{day_pattern(locale)}, {TIME}"


def format_day(day: date, locale: str | None = None) -> str:
    return format_date(day, day_pattern(locale))


def format_moment(moment: datetime, locale: str | None = None) -> str:
    """An aware local datetime as "day, HH:mm"."""
    return format_datetime(moment, moment_pattern(locale), rebase=False)


def month_heading(day: date, locale: str | None = None) -> str:
    """"Tháng 4 năm 2025" / "April 2025"."""
    text = format_skeleton("yMMMM", day, locale=_locale(locale))
    return text[:1].upper() + text[1:]


# a page repeats the same days and hours (a month shows hundreds of dates): each is formatted once per process
# (CLDR formatting is slow), for a locale given by its name
@lru_cache(maxsize=4096)
def cached_day(value: date, pattern: str, locale: str) -> str:
    return dates.format_date(value, pattern, locale=locale)


@lru_cache(maxsize=4096)
def cached_time(value: time, locale: str) -> str:
    """"HH:mm"."""
    return dates.format_time(value, TIME, locale=locale)
