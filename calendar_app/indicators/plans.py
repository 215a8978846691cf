"""Which plan a report measures against: the plan of the nearest area at or above it, else the default plan.

Plans name their area by official code and level, so a province's plan holds for the unit with its code
on both sides of a reform. A target is the figure of the plan for (indicator, category) at the next
milestone at or after the report's year (2025 up to 2025, 2030 for 2026–2030).
"""
from collections.abc import Collection

from sqlalchemy import select, tuple_

from ..extensions import db
from ..places.models import Area
from .models import IndicatorTarget, Plan

#: (indicator, institution category or "") -> the target that applies
Targets = dict[tuple[str, str], IndicatorTarget]


def plan_for(area: Area) -> Plan | None:
    """The plan of the nearest area at or above `area` that has one; else the default plan."""
    chain = [area, *reversed(area.ancestors())]
    keys = [(unit.code, unit.level) for unit in chain]
    plans = {(p.area_code, p.area_level): p for p in db.session.scalars(
        select(Plan).where(tuple_(Plan.area_code, Plan.area_level).in_(keys)))}
    for key in keys:
        if key in plans:
            return plans[key]
    return db.session.scalar(select(Plan).where(Plan.is_default.is_(True)).limit(1))


def targets_for(year: int, plan: Plan | None) -> Targets:
    """(indicator, category) -> the plan's target at the next milestone at or after `year`."""
    return targets_by_year([year], plan)[year]


def targets_by_year(years: Collection[int], plan: Plan | None) -> dict[int, Targets]:
    """targets_for of each of some years (one statement)."""
    if plan is None or not years:
        return {year: {} for year in years}
    targets = db.session.scalars(select(IndicatorTarget).where(
        IndicatorTarget.plan_id == plan.id, IndicatorTarget.milestone >= min(years))
        .order_by(IndicatorTarget.milestone.desc())).all()
    chosen: dict[int, Targets] = {year: {} for year in years}
    for year, found in chosen.items():
        for target in targets:
            if target.milestone >= year:
                found[(target.indicator, target.category)] = target  # the nearest milestone is written last
    return chosen
