"""Reference data every installation needs: the shipped observances and the plan's targets."""
from sqlalchemy import select

from .extensions import db
from .indicators.models import IndicatorTarget
from .indicators.targets import DEFAULT_TARGETS
from .observances.defaults import DEFAULT_OBSERVANCES
from .observances.models import Observance


def seed_reference_data() -> int:
    """Insert missing default observances and targets; returns how many rows were added."""
    added = 0
    known = set(db.session.scalars(select(Observance.key)))
    for row in DEFAULT_OBSERVANCES:
        if row["key"] not in known:
            db.session.add(Observance(**row))
            added += 1
    existing = {(t.indicator, t.category, t.milestone) for t in db.session.scalars(select(IndicatorTarget))}
    for indicator, category, milestone, low, high in DEFAULT_TARGETS:
        if (indicator, category, milestone) not in existing:
            db.session.add(IndicatorTarget(indicator=indicator, category=category, milestone=milestone,
                                           low=low, high=high))
            added += 1
    db.session.flush()
    return added
