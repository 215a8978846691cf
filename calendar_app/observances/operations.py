"""Adding provincial observances and setting a year's dates; activities in the windows are re-tagged.

Shared by the admin pages, the API and the CLI. Callers commit.
"""
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from ..accounts.scope import require_role
from ..audit.operations import diff, record
from ..clock import local_day, local_midnight_utc
from ..extensions import db
from ..validation import ValidationFailed, validate
from .dates import Span, observance_span, tagging_window
from .models import Observance, ObservanceDate
from .schema import ObservanceDatesIn, ObservanceIn
from .tagging import retag

FIELDS = ("key", "name_vi", "name_en", "description", "rule", "month", "day", "duration_days", "window_before",
          "window_after")


def observance_by_key(key: str | None) -> Observance | None:
    return db.session.scalar(select(Observance).where(Observance.key == key)) if key else None


def observance_values(observance: Observance) -> dict:
    values = {name: getattr(observance, name) for name in FIELDS}
    values["dates"] = {str(d.year): f"{d.starts_on.isoformat()}/{d.ends_on.isoformat()}" for d in observance.dates}
    return values


def create_observance(user, data: dict) -> Observance:
    """Add a provincial observance; activities already in its windows get its tag."""
    require_role(user, "admin")
    payload = validate(ObservanceIn, data)
    errors = payload.problems()
    if observance_by_key(payload.key) is not None:
        errors["key"] = _("An observance with this key already exists.")
    if errors:
        raise ValidationFailed(errors)
    values = payload.model_dump(exclude={"dates"})
    if payload.rule == "per_year":
        values["month"] = values["day"] = None
    observance = Observance(**values, provincial=True)
    if payload.dates is not None:
        observance.dates.append(ObservanceDate(year=payload.dates.year, starts_on=payload.dates.starts_on,
                                               ends_on=payload.dates.ends_on))
    db.session.add(observance)
    db.session.flush()
    windows = [w for w in (tagging_window(observance, year) for year in _activity_years()) if w]
    retag_windows(windows)
    record(user, "create", "observance", observance.key, changes=diff({}, observance_values(observance)))
    return observance


def set_dates(user, observance: Observance, data: dict) -> ObservanceDate:
    """Set (or replace) one year's dates, e.g. this year's Lifelong Learning Week, and re-tag."""
    require_role(user, "admin")
    payload = validate(ObservanceDatesIn, data)
    if payload.problems():
        raise ValidationFailed(payload.problems())
    before = observance_values(observance)
    old_window = tagging_window(observance, payload.year)
    entry = next((d for d in observance.dates if d.year == payload.year), None)
    if entry is None:
        entry = ObservanceDate(year=payload.year, starts_on=payload.starts_on, ends_on=payload.ends_on)
        observance.dates.append(entry)
    entry.starts_on, entry.ends_on = payload.starts_on, payload.ends_on
    db.session.flush()
    retag_windows([w for w in (old_window, tagging_window(observance, payload.year)) if w])
    changed = diff(before, observance_values(observance))
    if changed:
        record(user, "update", "observance", observance.key, changes=changed)
    return entry


def clear_dates(user, observance: Observance, year: int) -> None:
    """Drop a year's dates so the usual rule applies again (a per-year observance then has none)."""
    require_role(user, "admin")
    entry = next((d for d in observance.dates if d.year == year), None)
    if entry is None:
        return
    before = observance_values(observance)
    old_window = tagging_window(observance, year)
    observance.dates.remove(entry)
    db.session.flush()
    retag_windows([w for w in (old_window, tagging_window(observance, year)) if w])
    record(user, "update", "observance", observance.key, changes=diff(before, observance_values(observance)))


def _activity_years() -> range:
    """The local years that hold any occurrence (the database finds the first and last)."""
    from ..events.models import Occurrence

    first, last = db.session.execute(select(func.min(Occurrence.starts_at), func.max(Occurrence.ends_at))).one()
    if first is None:
        return range(0)
    return range(local_day(first).year, local_day(last).year + 1)


def retag_windows(windows: list[Span]) -> int:
    """Re-tag every activity with an occurrence overlapping one of the windows; returns how many."""
    from ..events.models import Activity, Occurrence

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


def this_year_spans(observances: list[Observance], year: int) -> dict[int, tuple[Span | None, Span | None]]:
    """{observance id: (its days, its tagging window)} in `year`, for the admin list."""
    return {o.id: (observance_span(o, year), tagging_window(o, year)) for o in observances}
