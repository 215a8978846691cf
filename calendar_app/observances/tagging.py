"""Which observances a set of dates calls for (events/tagging.py tags the activities).

An activity whose dates all fall in an observance's tagging window (a one-off, or a short series inside it)
is tagged with it; a series of which only some dates fall in a window is only suggested, for an editor to
choose: a weekly club that meets through the season is not an activity of every observance it meets near.
A date "falls in" a window when any of its days does.
"""
from dataclasses import dataclass, field
from datetime import date

from .dates import Span, tagging_window
from .models import Observance


@dataclass
class ObservanceMatch:
    """Ids of the observances the dates call for: `tagged` automatically, or only `suggested`."""

    tagged: set[int] = field(default_factory=set)
    suggested: set[int] = field(default_factory=set)


def match_observances(spans: list[tuple[date, date]], observances: list[Observance]) -> ObservanceMatch:
    """The observances whose windows every (first_day, last_day) span overlaps (tagged), or only some (suggested)."""
    # a date early in January can fall in the window of the previous year's observance
    years = sorted({day.year + shift for span in spans for day in span for shift in (-1, 0)})
    match = ObservanceMatch()
    for observance in observances:
        windows = [w for w in (tagging_window(observance, year) for year in years) if w]
        inside = [_in_any(windows, first, last) for first, last in spans]
        if inside and all(inside):
            match.tagged.add(observance.id)
        elif any(inside):
            match.suggested.add(observance.id)
    return match


def _in_any(windows: list[Span], first: date, last: date) -> bool:
    return any(window.overlaps(first, last) for window in windows)
