"""Reference data every installation needs: the shipped observances, and the plans with their targets."""
from sqlalchemy import select

from .extensions import db
from .indicators.models import IndicatorTarget, Plan
from .indicators.targets import PLANS
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
    plans = {(p.area_code, p.area_level): p for p in db.session.scalars(select(Plan))}
    for code, level, number, title, issued_on, is_default, targets in PLANS:
        plan = plans.get((code, level))
        if plan is not None:
            continue  # a plan once seeded is the admins' to edit
        plan = Plan(area_code=code, area_level=level, number=number, title=title, issued_on=issued_on,
                    is_default=is_default and not any(p.is_default for p in plans.values()))
        plan.targets = [IndicatorTarget(indicator=indicator, category=category, milestone=milestone, low=low, high=high)
                        for indicator, category, milestone, low, high in targets]
        db.session.add(plan)
        added += 1 + len(targets)
    db.session.flush()
    return added
