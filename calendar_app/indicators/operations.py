"""Editing plans and their indicator targets (seeded from the plans; admins, and the officers of a plan's own
province, keep them up to date). Every change is audited. Callers commit."""
import re
from datetime import date

from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from werkzeug.exceptions import Forbidden, NotFound

from ..audit.operations import diff, record
from ..clock import local_today
from ..extensions import db
from ..places.lookup import unit_for_year, unit_on
from ..places.models import Area
from ..validation import ValidationFailed, validate
from .models import IndicatorTarget, Plan
from .rollup import BY_KEY

#: the plans' milestone years (Decision 1520/QĐ-TTg and the provinces' plans: 2025, then 2030)
MILESTONES = (2025, 2030)

#: a target is a percentage or a count of programmes; nothing sensible is larger
MAX_TARGET = 1000


class TargetIn(BaseModel):
    """low alone is a single figure; low and high a range (met at its lower bound); neither: no target."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    low: float | None = Field(None, ge=0, le=MAX_TARGET)
    high: float | None = Field(None, ge=0, le=MAX_TARGET)
    note: str | None = Field(None, max_length=300)

    @field_validator("low", "high", "note", mode="before")
    @classmethod
    def _blank(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    def problems(self) -> dict[str, str]:
        if self.high is not None and self.low is None:
            return {"low": _("Give the lower bound too, or leave both empty for no target.")}
        if self.high is not None and self.high < self.low:
            return {"high": _("The upper bound must not be below the lower bound.")}
        return {}


def target_values(target: IndicatorTarget) -> dict:
    return {"low": target.low, "high": target.high, "note": target.note}


def can_edit_plan(user, plan: Plan) -> bool:
    """Admins edit every plan; an officer edits the plan of their own area (a province's officer, its plan)."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "active", True):
        return False
    if user.role == "admin":
        return True
    return user.role == "officer" and user.area is not None and \
        (user.area.code, user.area.level) == (plan.area_code, plan.area_level)


def require_plan(user, plan: Plan | None) -> Plan:
    if plan is None:
        raise NotFound()
    if not can_edit_plan(user, plan):
        raise Forbidden()
    return plan


def plan_area(plan: Plan) -> Area | None:
    """The unit the plan is for, as it stands today (its audit entries belong to that area's officers)."""
    return unit_for_year(plan.area_code, local_today().year) or db.session.scalar(
        select(Area).where(Area.code == plan.area_code, Area.level == plan.area_level).order_by(Area.id.desc()))


def _target_name(plan: Plan, target: IndicatorTarget) -> str:
    return f"{plan.number}:{target.indicator}/{target.category or '-'}/{target.milestone}"


def update_target(user, target: IndicatorTarget, data: dict) -> IndicatorTarget:
    """Change one target's figures (an editor of its plan), recorded in the audit trail."""
    require_plan(user, target.plan)
    payload = validate(TargetIn, data)
    if payload.problems():
        raise ValidationFailed(payload.problems())
    before = target_values(target)
    target.low, target.high, target.note = payload.low, payload.high, payload.note
    changed = diff(before, target_values(target))
    if changed:
        record(user, "update", "indicator_target", _target_name(target.plan, target), area=plan_area(target.plan),
               changes=changed)
    return target


class PlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    number: str = Field(min_length=1, max_length=60)
    title: str = Field(min_length=1, max_length=500)
    issued_on: date | None = None

    @field_validator("issued_on", mode="before")
    @classmethod
    def _blank(cls, value):
        return None if isinstance(value, str) and not value.strip() else value


def plan_values(plan: Plan) -> dict:
    return {"number": plan.number, "title": plan.title, "issued_on": plan.issued_on}


def update_plan(user, plan: Plan, data: dict) -> Plan:
    """Change a plan's number, title or date of issue."""
    require_plan(user, plan)
    payload = validate(PlanIn, data)
    before = plan_values(plan)
    plan.number, plan.title, plan.issued_on = payload.number, payload.title, payload.issued_on
    changed = diff(before, plan_values(plan))
    if changed:
        record(user, "update", "plan", plan.number, area=plan_area(plan), changes=changed)
    return plan


class NewPlanIn(PlanIn):
    #: official code of the area the plan is for: a province, or the country
    area: str = Field(min_length=1, max_length=16)


#: the levels a plan can be written for: Decision 1520 for the country, each province's own plan
PLAN_LEVELS = ("country", "province")


def can_create_plan(user, area: Area | None = None) -> bool:
    """Admins write a plan for any province or the country; a province's officer for their own province."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "active", True):
        return False
    if user.role == "admin":
        return True
    own = user.area if user.role == "officer" else None
    if own is None or own.level != "province":
        return False
    return area is None or (area.code, area.level) == (own.code, own.level)


def create_plan(user, data: dict) -> Plan:
    """A new plan, without targets yet, for a province or the country that has none (a report of its areas
    measures against it from then on); recorded in the audit trail."""
    if not can_create_plan(user):
        raise Forbidden()
    payload = validate(NewPlanIn, data)
    area = unit_on(payload.area, local_today())
    if area is None:
        raise ValidationFailed({"area": _("No area has this code today.")})
    if area.level not in PLAN_LEVELS:
        raise ValidationFailed({"area": _("A plan is written for a province or for the country.")})
    if not can_create_plan(user, area):
        raise Forbidden()
    existing = db.session.scalar(select(Plan).where(Plan.area_code == area.code, Plan.area_level == area.level))
    if existing is not None:
        raise ValidationFailed({"area": _("%(area)s already has a plan: %(number)s.", area=area.name,
                                          number=existing.number)})
    plan = Plan(area_code=area.code, area_level=area.level, number=payload.number, title=payload.title,
                issued_on=payload.issued_on, is_default=False)
    db.session.add(plan)
    db.session.flush()
    record(user, "create", "plan", plan.number, area=area, changes=diff({}, plan_values(plan)))
    return plan


def target_categories(key: str) -> tuple[str, ...]:
    """The categories a plan can set a target for on this indicator ("" for the indicator as a whole)."""
    indicator = BY_KEY[key]
    if indicator.kind == "share" and indicator.per_category:
        return indicator.categories
    if indicator.kind == "programmes":
        return indicator.categories
    return ("",)


_RANGE = re.compile(r"^\s*([0-9]+(?:[.,][0-9]+)?)\s*(?:[-–—]\s*([0-9]+(?:[.,][0-9]+)?)\s*)?$")


def parse_figure(text: str | None) -> tuple[float | None, float | None]:
    """"70" -> (70, None); "10–15" or "10-15" -> (10, 15); "" -> (None, None): no target. ValueError else."""
    text = (text or "").strip().rstrip("%").strip()
    if not text:
        return None, None
    found = _RANGE.match(text)
    if not found:
        raise ValueError(text)
    low, high = (float(part.replace(",", ".")) if part else None for part in found.groups())
    return low, high


def cell_name(category: str, milestone: int) -> str:
    """The form field of one (category, milestone) of an indicator's table."""
    return f"{category or 'all'}-{milestone}"


def set_targets(user, plan: Plan, key: str, cells: dict[str, str]) -> int:
    """Set an indicator's targets in a plan from its table: a figure, a range or empty (no target) per
    (category, milestone). A category given a figure for one milestone gets explicit "no target" rows for
    the others, so a later milestone's figure is never read as an earlier one's. Returns how many changed."""
    require_plan(user, plan)
    if key not in BY_KEY:
        raise ValidationFailed({"indicator": _("Unknown indicator.")})
    existing = {(t.category, t.milestone): t for t in plan.targets if t.indicator == key}
    milestones = sorted(set(MILESTONES) | {milestone for _category, milestone in existing})
    wanted: dict[tuple[str, int], tuple[float | None, float | None]] = {}
    errors = {}
    for category in target_categories(key):
        for milestone in milestones:
            name = cell_name(category, milestone)
            try:
                low, high = parse_figure(cells.get(name))
                payload = validate(TargetIn, {"low": low, "high": high})
                if payload.problems():
                    raise ValidationFailed(payload.problems())
            except ValueError as error:
                reasons = getattr(error, "fields", None)
                errors[name] = " ".join(reasons.values()) if reasons else \
                    _("Enter a figure such as 70, a range such as 10–15, or nothing for no target.")
                continue
            wanted[(category, milestone)] = (payload.low, payload.high)
    if errors:
        raise ValidationFailed(errors)
    area = plan_area(plan)
    changed = 0
    for category in target_categories(key):
        row = {milestone: wanted[(category, milestone)] for milestone in milestones}
        if all(low is None for low, _high in row.values()) and \
                not any((category, milestone) in existing for milestone in milestones):
            continue  # nothing set and nothing there: the plan sets no target here, as before
        for milestone, (low, high) in row.items():
            target = existing.get((category, milestone))
            if target is None:
                target = IndicatorTarget(indicator=key, category=category, milestone=milestone)
                plan.targets.append(target)
                before = {}
            else:
                before = target_values(target)
            target.low, target.high = low, high
            difference = diff(before, target_values(target)) if before else \
                diff({}, {"low": low, "high": high})
            if before and not difference:
                continue
            changed += 1
            record(user, "update" if before else "create", "indicator_target", _target_name(plan, target),
                   area=area, changes=difference)
    db.session.flush()
    return changed
