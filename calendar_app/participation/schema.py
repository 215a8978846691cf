"""What participation figures may contain: one pydantic layer for forms, API, import and CLI.

Cross-field rules (onsite + online = total, audiences within the total) are checked after the shape, in
operations.py, so that each refusal names the field at fault.
"""
import re
from typing import Annotated

from flask_babel import gettext as _
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    WithJsonSchema,
    field_validator,
)

from ..vocabulary import AUDIENCES, CHECKLIST_ITEMS, TALLY_METRICS

#: bounds that keep any figure inside a 32-bit integer column
MAX_COUNT = 10_000_000
MAX_TALLY = 1_000_000_000


def whole_number(value):
    """Accept 12, "12" or 12.0; refuse booleans, fractions, words and negatives with one clear reason."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(_("Enter a whole number, 0 or more."))
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(_("Enter a whole number, 0 or more (no fractions)."))
        value = int(value)
    if isinstance(value, str):
        # spaces are the one unambiguous thousands separator ("1 300"); a dot or comma may be either
        text = re.sub(r"(?<=\d)[ \u00a0\u202f](?=\d{3}\b)", "", value.strip())
        if not text.isdigit():
            if re.fullmatch(r"\d{1,3}([.,]\d{3})+", text):
                raise ValueError(_("Write the number without dots or commas, e.g. 1300."))
            if re.fullmatch(r"-\d+([.,]\d+)?", text):
                raise ValueError(_("Enter a whole number, 0 or more (no minus signs)."))
            if re.fullmatch(r"\d+[.,]\d+", text):
                raise ValueError(_("Enter a whole number, 0 or more (no fractions)."))
            raise ValueError(_("Enter a whole number, 0 or more."))
        value = int(text)
    if not isinstance(value, int):
        raise ValueError(_("Enter a whole number, 0 or more."))
    if value < 0:
        raise ValueError(_("Enter a whole number, 0 or more (no minus signs)."))
    return value


def at_most(limit: int):
    def check(value):
        if value is not None and value > limit:
            raise ValueError(_("Must be at most %(limit)s.", limit=limit))
        return value

    return AfterValidator(check)


def documented_bounds(limit: int) -> WithJsonSchema:
    """The bounds the validators above enforce, stated in the OpenAPI document."""
    return WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 0, "maximum": limit}, {"type": "null"}]})


#: a count of people: a whole number >= 0 (None when left empty)
Count = Annotated[int | None, BeforeValidator(whole_number), at_most(MAX_COUNT), documented_bounds(MAX_COUNT)]
TallyValue = Annotated[int | None, BeforeValidator(whole_number), at_most(MAX_TALLY), documented_bounds(MAX_TALLY)]


class AttendanceIn(BaseModel):
    """Attendance of one occurrence as sent by the form, the API or an import row."""

    model_config = ConfigDict(extra="forbid")

    total: Count = Field(None, description="Everyone who took part; derived from onsite + online when omitted")
    onsite: Count = None
    online: Count = None
    audiences: dict[str, Count] = Field(default_factory=dict,
                                        description='Counts per audience key, e.g. {"pupils": 12}')
    version: Count = Field(None, description="The version last read; required once a record exists")

    @field_validator("audiences", mode="before")
    @classmethod
    def _known_audiences(cls, value):
        if isinstance(value, dict):
            unknown = sorted(str(k) for k in value if k not in AUDIENCES)
            if unknown:
                raise ValueError(_("Unknown audience: %(keys)s. Use one of: %(known)s.",
                                   keys=", ".join(unknown), known=", ".join(AUDIENCES)))
        return value

    @field_validator("audiences")
    @classmethod
    def _drop_empty(cls, value):
        return {key: count for key, count in sorted(value.items()) if count is not None}


class AttendanceOut(BaseModel):
    id: int | None
    event: int
    occurrence: str = Field(description="The occurrence's original local start")
    total: int | None
    onsite: int | None
    online: int | None
    audiences: dict[str, int]
    version: int = Field(description="Quote it in the next PUT; 0 while nothing is recorded")
    updated_at: str | None


class TallyIn(BaseModel):
    """Monthly figures of one institution; a metric left out is unchanged, null removes it."""

    model_config = ConfigDict(extra="forbid")

    library_visits: TallyValue = None
    library_online_visits: TallyValue = None
    museum_visitors: TallyValue = None
    museum_study_visitors: TallyValue = None
    club_members: TallyValue = None


assert set(TallyIn.model_fields) == set(TALLY_METRICS)


class TallyOut(TallyIn):
    institution: str
    month: str = Field(description="YYYY-MM")
    locked: bool


class AssessmentIn(BaseModel):
    """The digital-transformation checklist of one institution and year (an item left out is false)."""

    model_config = ConfigDict(extra="forbid")

    digital_catalogue: StrictBool = False
    digital_resources: StrictBool = False
    online_services: StrictBool = False
    digitised_heritage: StrictBool = False
    online_activities: StrictBool = False


assert set(AssessmentIn.model_fields) == set(CHECKLIST_ITEMS)


class AssessmentOut(AssessmentIn):
    id: int | None
    institution: str
    year: int
    locked: bool


class ImportOut(BaseModel):
    kind: str = Field(description="tallies | attendance")
    rows: int = Field(description="Rows of figures read")
    written: int
    skipped: int
