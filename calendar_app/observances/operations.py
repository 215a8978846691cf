"""Adding provincial observances and setting a year's dates; the activities in the windows are re-tagged
(events/tagging.py, through the `observance_dates_changed` signal).

Shared by the admin pages, the API and the CLI. Callers commit.
"""

from flask_babel import gettext as _
from sqlalchemy import select

from .. import signals
from ..accounts.scope import require_role
from ..audit.operations import diff, record
from ..extensions import db
from ..validation import ValidationFailed, validate
from .dates import Span, observance_span, tagging_window
from .models import Observance, ObservanceDate
from .schema import ObservanceDatesIn, ObservanceIn

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
    signals.observance_dates_changed.send(observance, windows=None)
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
    signals.observance_dates_changed.send(observance, windows=[w for w in (old_window, tagging_window(
        observance, payload.year)) if w])
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
    signals.observance_dates_changed.send(observance, windows=[w for w in (old_window, tagging_window(
        observance, year)) if w])
    record(user, "update", "observance", observance.key, changes=diff(before, observance_values(observance)))


def this_year_spans(observances: list[Observance], year: int) -> dict[int, tuple[Span | None, Span | None]]:
    """{observance id: (its days, its tagging window)} in `year`, for the admin list."""
    return {o.id: (observance_span(o, year), tagging_window(o, year)) for o in observances}
