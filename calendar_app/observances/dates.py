"""When an observance falls in a given year, and its tagging window."""
from dataclasses import dataclass
from datetime import date, timedelta

from lunar_vn import convert_lunar_to_solar

#: the Vietnamese lunar calendar is defined at UTC+7, whatever CALENDAR_TIMEZONE says
VIETNAM_UTC_OFFSET = 7.0


@dataclass(frozen=True)
class Span:
    starts_on: date
    ends_on: date  # inclusive

    def contains(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def overlaps(self, first: date, last: date) -> bool:
        return first <= self.ends_on and self.starts_on <= last


def lunar_to_solar(year: int, month: int, day: int) -> date:
    """Solar date of a (non-leap) Vietnamese lunar date in the lunar year `year`."""
    return convert_lunar_to_solar(day, month, year, 0, VIETNAM_UTC_OFFSET)


def observance_span(observance, year: int) -> Span | None:
    """The days of the observance itself in `year`, or None when not known for that year."""
    for override in observance.dates:
        if override.year == year:
            return Span(override.starts_on, override.ends_on)
    if observance.rule == "fixed":
        first = date(year, observance.month, observance.day)
    elif observance.rule == "lunar":
        first = lunar_to_solar(year, observance.month, observance.day)
    else:
        return None
    return Span(first, first + timedelta(days=max(observance.duration_days, 1) - 1))


def tagging_window(observance, year: int) -> Span | None:
    """The observance's days widened by its window_before / window_after."""
    span = observance_span(observance, year)
    if span is None:
        return None
    return Span(
        span.starts_on - timedelta(days=observance.window_before),
        span.ends_on + timedelta(days=observance.window_after),
    )
