"""The reform operation: move every institution of the old units that now form a province to the new unit
that absorbed its old one, from the reform's day, by the official mapping (area_successions).

- placed in an old commune wholly absorbed by one new commune: that commune;
- placed in an old commune split among several new ones, or in an old district: the new commune (among
  the old unit's successors) nearest to the institution's coordinates, named in the plan with its
  distance; without coordinates the institution is listed for an admin to place by hand, never guessed;
- placed in the old province itself (a provincial library, say): the new province.

Only the institutions still placed in a closed old unit are planned, so a second run plans nothing.
"""
from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..audit.operations import record
from ..extensions import db
from ..validation import ValidationFailed
from . import official
from .lookup import unit_on
from .models import Area, AreaSuccession, Institution
from .placement import open_placement, relocate


@dataclass
class Move:
    institution: Institution
    old: Area
    new: Area
    #: mapping | nearest | province
    how: str
    distance_km: float | None = None


@dataclass
class Unplaced:
    institution: Institution
    old: Area
    candidates: list[Area]
    reason: str


@dataclass
class ReformPlan:
    province: Area
    old_provinces: list[Area]
    moves: list[Move] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)


def plan_reform(province_code: str) -> ReformPlan:
    """What the reform of this (new) province would do; nothing is written."""
    day = official.REFORM_DATE
    province = unit_on(province_code, day)
    if province is None or province.level != "province":
        raise ValidationFailed({"province": _(
            "No province with code %(code)s is valid on %(day)s: import the official units first "
            "(flask areas import --province %(code)s).", code=province_code, day=day.isoformat())})
    old_provinces = list(db.session.scalars(
        select(Area).join(AreaSuccession, AreaSuccession.predecessor_id == Area.id)
        .where(AreaSuccession.successor_id == province.id, Area.level == "province").order_by(Area.code)))
    plan = ReformPlan(province, old_provinces)
    if not old_provinces:
        return plan
    successors = _successors(province)
    subtree = province.subtree_filter()
    inside = set(db.session.scalars(select(Area.id).where(subtree)))
    institutions = db.session.scalars(
        select(Institution).join(Area, Area.id == Institution.area_id)
        .where(Area.valid_to.is_not(None), Area.valid_to <= day,
               or_(*(Area.path.startswith(old.path, autoescape=True) for old in old_provinces)))
        .options(selectinload(Institution.placements), selectinload(Institution.area))
        .order_by(Area.path, Institution.slug))
    for institution in institutions:
        current = open_placement(institution)
        if current is None or (current.valid_from is not None and current.valid_from >= day):
            continue
        old = institution.area
        if old.level == "province":
            plan.moves.append(Move(institution, old, province, "province"))
            continue
        candidates = [area for area in _candidates(old, successors) if area.id in inside]
        if len(candidates) == 1:
            plan.moves.append(Move(institution, old, candidates[0], "mapping"))
        elif not candidates:
            plan.unplaced.append(Unplaced(institution, old, [], _("the official lists name no new unit for it")))
        elif institution.latitude is None or institution.longitude is None:
            plan.unplaced.append(Unplaced(institution, old, candidates, _(
                "it went to several new communes and the institution has no coordinates")))
        else:
            located = [area for area in candidates if area.latitude is not None and area.longitude is not None]
            if not located:
                plan.unplaced.append(Unplaced(institution, old, candidates, _("the new communes have no coordinates")))
                continue
            chosen = official.nearest((institution.latitude, institution.longitude), located)
            plan.moves.append(Move(institution, old, chosen.choice, "nearest", round(chosen.distance_km, 2)))
    return plan


def apply_reform(user, plan: ReformPlan) -> int:
    """Carry out the plan's moves from the reform's day (in the caller's transaction); returns how many."""
    day = official.REFORM_DATE
    for move in plan.moves:
        relocate(move.institution, move.new, day)
        changes = {"area": [move.old.code, move.new.code], "effective": [None, day.isoformat()]}
        if move.distance_km is not None:
            changes["distance_km"] = [None, move.distance_km]
        record(user, "move", "institution", move.institution.slug, institution=move.institution, area=move.new,
               changes=changes, reason=f"reform {day.isoformat()} ({move.how})")
    db.session.flush()
    record(user, "reform", "area", plan.province.code, area=plan.province,
           changes={"moved": [None, len(plan.moves)], "unplaced": [None, len(plan.unplaced)]})
    return len(plan.moves)


def _successors(province: Area) -> dict[int, list[Area]]:
    """old area id → its official successors (new areas), for every succession into the province."""
    rows = db.session.execute(
        select(AreaSuccession.predecessor_id, Area)
        .join(Area, Area.id == AreaSuccession.successor_id)
        .where(province.subtree_filter())
        .order_by(AreaSuccession.predecessor_id, AreaSuccession.default.desc(), Area.code)).all()
    found: dict[int, list[Area]] = {}
    for old_id, area in rows:
        found.setdefault(old_id, []).append(area)
    return found


def _candidates(old: Area, successors: dict[int, list[Area]]) -> list[Area]:
    """The new units an old commune (or an old district, through its communes) went into, without repeats."""
    if old.id in successors:
        return successors[old.id]
    seen: dict[int, Area] = {}
    day_before = official.REFORM_DATE - timedelta(days=1)
    for child in db.session.scalars(select(Area).where(old.subtree_filter(), Area.id != old.id,
                                                       Area.valid_on_filter(day_before))):
        for area in successors.get(child.id, []):
            seen.setdefault(area.id, area)
    return sorted(seen.values(), key=lambda area: area.code)
