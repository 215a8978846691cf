"""Automatic observance tags of activities, from their occurrence dates and the observances' windows (the rule:
observances/tagging.py)."""
from datetime import timedelta

from sqlalchemy import func, or_, select

from .. import signals
from ..clock import ONE_DAY, local_day, local_midnight_utc
from ..extensions import db
from ..observances.dates import Span, tagging_window
from ..observances.models import Observance
from ..observances.tagging import match_observances
from .models import Activity, ActivityObservance, Occurrence


def retag(activity: Activity) -> None:
    """Add automatic tags the dates call for, drop automatic tags they no longer do.

    Only what every date falls in is tagged; what some dates touch is left for the editor (the preview
    suggests it). Manual tags and tags an editor removed (removed=True) are left as they are.
    """
    spans = [
        (local_day(occ.starts_at), local_day(occ.ends_at - ONE_DAY if activity.all_day else occ.ends_at))
        for occ in activity.occurrences
        if occ.status != "cancelled"
    ]
    observances = list(db.session.scalars(select(Observance)))
    wanted = match_observances(spans, observances).tagged
    links = {link.observance_id: link for link in activity.observance_links}
    for observance_id in wanted - links.keys():
        activity.observance_links.append(ActivityObservance(observance_id=observance_id, source="auto"))
    for observance_id, link in links.items():
        if link.source == "auto" and not link.removed and observance_id not in wanted:
            activity.observance_links.remove(link)
    db.session.flush()


def retag_windows(windows: list[Span]) -> int:
    """Re-tag every activity with an occurrence overlapping one of the windows; returns how many."""
    if not windows:
        return 0
    overlaps = [
        (Occurrence.starts_at < local_midnight_utc(w.ends_on + timedelta(days=1)))
        & (Occurrence.ends_at > local_midnight_utc(w.starts_on))
        for w in windows
    ]
    ids = select(Occurrence.activity_id).where(or_(*overlaps)).distinct()
    activities = list(db.session.scalars(select(Activity).where(Activity.id.in_(ids))))
    for activity in activities:
        retag(activity)
    return len(activities)


def _activity_years() -> range:
    """The local years that hold any occurrence (the database finds the first and last)."""
    first, last = db.session.execute(select(func.min(Occurrence.starts_at), func.max(Occurrence.ends_at))).one()
    if first is None:
        return range(0)
    return range(local_day(first).year, local_day(last).year + 1)


def observance_dates_changed(observance: Observance, windows: list[Span] | None) -> None:
    """Re-tag the activities in the windows that moved (every window of a new observance)."""
    if windows is None:
        windows = [w for w in (tagging_window(observance, year) for year in _activity_years()) if w]
    retag_windows(windows)


def subscribe() -> None:
    signals.observance_dates_changed.connect(observance_dates_changed)
