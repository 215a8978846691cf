"""Which observances a set of dates calls for (events/tagging.py tags the activities)."""
from .dates import tagging_window
from .models import Observance


def suggested_observances(spans: list[tuple], observances: list[Observance]) -> set[int]:
    """Ids of observances whose tagging window overlaps any (first_day, last_day) span."""
    years = {day.year for span in spans for day in span}
    found = set()
    for observance in observances:
        for year in years:
            window = tagging_window(observance, year)
            if window and any(window.overlaps(first, last) for first, last in spans):
                found.add(observance.id)
                break
    return found
