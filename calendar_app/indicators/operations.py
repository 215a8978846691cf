"""Editing indicator targets (data seeded from the plan; the admin keeps them up to date). Callers commit."""
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..accounts.scope import require_role
from ..audit.operations import diff, record
from ..validation import ValidationFailed, validate
from .models import IndicatorTarget

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


def update_target(user, target: IndicatorTarget, data: dict) -> IndicatorTarget:
    """Change one target's figures (admins only), recorded in the audit trail."""
    require_role(user, "admin")
    payload = validate(TargetIn, data)
    if payload.problems():
        raise ValidationFailed(payload.problems())
    before = target_values(target)
    target.low, target.high, target.note = payload.low, payload.high, payload.note
    changed = diff(before, target_values(target))
    if changed:
        record(user, "update", "indicator_target", f"{target.indicator}/{target.category or '-'}/{target.milestone}",
               changes=changed)
    return target
