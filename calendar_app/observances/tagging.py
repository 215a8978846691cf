"""Automatic observance tags from an activity's occurrence dates."""
from sqlalchemy import select

from ..clock import ONE_DAY, local_day
from ..extensions import db
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


def retag(activity) -> None:
    """Add automatic tags the dates call for, drop automatic tags they no longer do.

    Manual tags and tags an editor removed (removed=True) are left as they are.
    """
    from ..events.models import ActivityObservance

    spans = [
        (local_day(occ.starts_at), local_day(occ.ends_at - ONE_DAY if activity.all_day else occ.ends_at))
        for occ in activity.occurrences
        if occ.status != "cancelled"
    ]
    observances = list(db.session.scalars(select(Observance)))
    wanted = suggested_observances(spans, observances)
    links = {link.observance_id: link for link in activity.observance_links}
    for observance_id in wanted - links.keys():
        activity.observance_links.append(ActivityObservance(observance_id=observance_id, source="auto"))
    for observance_id, link in links.items():
        if link.source == "auto" and not link.removed and observance_id not in wanted:
            activity.observance_links.remove(link)
    db.session.flush()
