"""What a provincial observance and one year's dates may contain (admin pages, API and CLI)."""
import re
from datetime import date
from typing import Literal

from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..years import EARLIEST_YEAR, LATEST_YEAR

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
#: an observance (or one year of it) lasts at most this many days
MAX_DAYS = 31


def _blank_to_none(value):
    return None if isinstance(value, str) and not value.strip() else value


class ObservanceDatesIn(BaseModel):
    """The days of one year, e.g. this year's Lifelong Learning Week as the Ministry announced it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    year: int = Field(ge=EARLIEST_YEAR, le=LATEST_YEAR)
    starts_on: date
    ends_on: date

    def problems(self) -> dict[str, str]:
        """What is wrong between the fields, by field (checked by the operations)."""
        if self.starts_on.year != self.year:
            return {"starts_on": _("The first day must fall in %(year)d.", year=self.year)}
        if self.ends_on < self.starts_on:
            return {"ends_on": _("The last day must not be before the first day.")}
        if (self.ends_on - self.starts_on).days >= MAX_DAYS:
            return {"ends_on": _("An observance lasts at most %(n)d days.", n=MAX_DAYS)}
        return {}


class ObservanceIn(BaseModel):
    """A provincial observance: on a fixed or lunar date each year, or on dates set year by year."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    key: str = Field(min_length=1, max_length=60, description="Lower-case letters, digits and hyphens")
    name_vi: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2000)
    rule: Literal["fixed", "lunar", "per_year"] = "fixed"
    month: int | None = Field(None, ge=1, le=12)
    day: int | None = Field(None, ge=1, le=31)
    duration_days: int = Field(1, ge=1, le=MAX_DAYS)
    window_before: int = Field(3, ge=0, le=MAX_DAYS)
    window_after: int = Field(3, ge=0, le=MAX_DAYS)
    #: per_year: the first year's dates (more can be set later)
    dates: ObservanceDatesIn | None = None

    _blank = field_validator("description", "month", "day", mode="before")(_blank_to_none)

    @field_validator("key")
    @classmethod
    def _key(cls, value):
        if not KEY_RE.match(value):
            raise ValueError(_("Use lower-case letters, digits and hyphens only, e.g. hoi-sach-phu-tho."))
        return value

    def problems(self) -> dict[str, str]:
        """What is wrong between the fields, by field (checked by the operations)."""
        if self.rule == "per_year":
            if self.dates is None:
                return {"dates": _("Give the first year's dates.")}
            return {f"dates.{name}": reason for name, reason in self.dates.problems().items()}
        errors = {}
        if self.month is None:
            errors["month"] = _("Give the month.")
        if self.day is None:
            errors["day"] = _("Give the day.")
        if errors:
            return errors
        if self.rule == "lunar":
            longest = 30
        else:
            longest = 29 if self.month == 2 else 30 if self.month in (4, 6, 9, 11) else 31
        if self.day > longest:
            return {"day": _("There is no day %(day)d in month %(month)d.", day=self.day, month=self.month)}
        return {}
