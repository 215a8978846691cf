"""How dates, times and places read on the public pages, in the reader's locale."""
from datetime import date, datetime, timedelta
from functools import lru_cache

from flask_babel import get_locale

from ..clock import ONE_DAY, local_zone, to_local
from ..datestyle import TIME, cached_day, cached_time, day_pattern, month_heading


def when(starts_at: datetime, ends_at: datetime, all_day: bool) -> str:
    """"Thứ Hai, 21 tháng 4 năm 2025, 09:00–11:00", or a day range for all-day and multi-day activities."""
    # a list repeats the same days and hours: each is formatted once (CLDR formatting is slow)
    locale = str(get_locale() or "vi")
    day = day_pattern(locale)

    def format_date(value: date, pattern: str) -> str:
        return cached_day(value, pattern, locale)

    def format_time(value: datetime, pattern: str, rebase: bool) -> str:
        return cached_time(value.time(), locale)

    if all_day:
        first, last = to_local(starts_at).date(), to_local(ends_at - ONE_DAY).date()
        if last <= first:
            return format_date(first, day)
        return f"{format_date(first, day)} – {format_date(last, day)}"
    start, end = to_local(starts_at), to_local(ends_at)
    if start.date() == end.date():
        return f"{format_date(start.date(), day)}, {format_time(start, TIME, rebase=False)}–" \
               f"{format_time(end, TIME, rebase=False)}"
    return f"{format_date(start.date(), day)}, {format_time(start, TIME, rebase=False)} – " \
           f"{format_date(end.date(), day)}, {format_time(end, TIME, rebase=False)}"


def month_name(day: date, locale: str) -> str:
    return month_heading(day, locale)


def machine_time(value: datetime, all_day: bool = False) -> str:
    """The datetime attribute of a <time> element."""
    return _machine_time(value, all_day, local_zone())


@lru_cache(maxsize=4096)
def _machine_time(value: datetime, all_day: bool, zone) -> str:
    local = to_local(value, zone)
    return local.date().isoformat() if all_day else local.isoformat(timespec="minutes")


def place(activity) -> str:
    """Where an activity happens, in words: its own place, else its institution's name and address."""
    institution = activity.institution
    if activity.location:
        return activity.location
    return f"{institution.name}, {institution.address}" if institution.address else institution.name


def map_url(point: tuple[float, float] | None) -> str | None:
    if point is None:
        return None
    lat, lon = point
    return f"https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lon:.5f}#map=17/{lat:.5f}/{lon:.5f}"


def month_weeks(year: int, month: int) -> list[list[date]]:
    """The weeks (Monday first) covering a month, as lists of seven days."""
    first = date(year, month, 1)
    start = first - timedelta(days=first.weekday())
    following = date(year + (month == 12), month % 12 + 1, 1)
    weeks = []
    day = start
    while day < following:
        weeks.append([day + timedelta(days=i) for i in range(7)])
        day += timedelta(days=7)
    return weeks
