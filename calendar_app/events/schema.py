"""What an activity may contain: one pydantic schema validates the HTML forms' data, the API and the CLI.

Times are ISO 8601; a time without an offset is local time (CALENDAR_TIMEZONE). For all-day activities
starts_at and ends_at are dates and ends_at is the last day (inclusive).
"""
import re
from datetime import date, datetime, timedelta
from typing import Literal

from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..bounds import OutOfRange, check_day
from ..clock import local_midnight_utc, to_local, to_utc
from ..validation import ValidationFailed, partial_model
from ..vocabulary import ACTIVITY_CATEGORIES, AUDIENCES
from .recurrence import RecurrenceError, normalise, validate, validate_series

MAX_TITLE = 300
MAX_DESCRIPTION = 20_000
MAX_CAPACITY = 100_000
#: a reason for a cancellation or a move: a sentence or two for the public
MAX_REASON = 500
#: one occurrence may not last longer than this (a multi-day exhibition is one all-day activity)
MAX_DURATION = timedelta(days=366)
PROGRAMME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def parse_moment(value: str, all_day: bool) -> datetime:
    """ISO text -> naive UTC. All-day values are dates (local midnight); naive times are local.

    ValueError when malformed; bounds.OutOfRange (a ValueError) outside the supported dates, checked before
    the move to UTC, which would overflow near year 1 or 9999."""
    value = value.strip()
    if all_day:
        return local_midnight_utc(check_day(date.fromisoformat(value[:10]) if len(value) > 10 and value[10] == "T"
                                            else date.fromisoformat(value)))
    if len(value) == 10:
        raise ValueError("a time is needed")
    return to_utc(check_day(datetime.fromisoformat(value.replace("Z", "+00:00"))))


class ActivityIn(BaseModel):
    """A whole activity as given by an editor or a client program."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    institution: str | None = Field(None, description="Institution slug; when creating through the API it "
                                    "may be left out only by an editor (their own institution)")
    title: str = Field(min_length=1, max_length=MAX_TITLE)
    description: str = Field("", max_length=MAX_DESCRIPTION, description="Plain text or safe Markdown")
    starts_at: str = Field(description="ISO 8601; local time when no offset; a date when all_day")
    ends_at: str = Field(description="ISO 8601; for all-day activities the last day, inclusive")
    all_day: bool = False
    rrule: str | None = Field(None, max_length=500, description="RFC 5545 RRULE with COUNT or UNTIL")
    location: str | None = Field(None, max_length=500)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    online_url: str | None = Field(None, max_length=1000)
    categories: list[str] = Field(default_factory=list, max_length=len(ACTIVITY_CATEGORIES),
                                  json_schema_extra={"items": {"type": "string", "enum": list(ACTIVITY_CATEGORIES)}})
    audiences: list[str] = Field(default_factory=list, max_length=len(AUDIENCES),
                                 json_schema_extra={"items": {"type": "string", "enum": list(AUDIENCES)}})
    observances: list[str] | None = Field(None, description="Observance keys; omitted = suggested from the dates")
    programme: str | None = Field(None, max_length=100)
    capacity: int | None = Field(None, ge=0, le=MAX_CAPACITY)
    registration_required: bool = False
    status: Literal["draft", "published", "cancelled"] = "draft"
    cancel_reason: str | None = Field(None, max_length=MAX_REASON, description="Why the activity is cancelled, "
                                      "for the public page, the feeds and registrants; kept only while cancelled")

    @field_validator("rrule", "location", "online_url", "programme", "institution", "cancel_reason", mode="before")
    @classmethod
    def _empty_is_none(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("categories")
    @classmethod
    def _known_categories(cls, value):
        unknown = [v for v in value if v not in ACTIVITY_CATEGORIES]
        if unknown:
            raise ValueError(_("Unknown category: %(keys)s.", keys=", ".join(unknown)))
        return sorted(set(value))

    @field_validator("audiences")
    @classmethod
    def _known_audiences(cls, value):
        unknown = [v for v in value if v not in AUDIENCES]
        if unknown:
            raise ValueError(_("Unknown audience: %(keys)s.", keys=", ".join(unknown)))
        return sorted(set(value))

    @field_validator("programme")
    @classmethod
    def _programme_key(cls, value):
        if value is not None and not PROGRAMME_RE.match(value):
            raise ValueError(_("Use lower-case letters, digits and hyphens only, e.g. em-yeu-lich-su."))
        return value

    @field_validator("online_url")
    @classmethod
    def _web_address(cls, value):
        if value is not None and not URL_RE.match(value):
            raise ValueError(_("Enter a web address starting with http:// or https://."))
        return value

    @field_validator("rrule")
    @classmethod
    def _bounded_rule(cls, value):
        value = normalise(value)
        if value is None:
            return None
        try:
            validate(value)
        except RecurrenceError as error:
            raise ValueError(error.message or _("This repeat rule cannot be used (%(why)s). Give it an end date "
                                                "or a number of times.", why=str(error))) from None
        return value


def check_series(rule: str | None, start: datetime) -> None:
    """ValidationFailed on `rrule` unless the rule, from `start` (naive UTC), gives at least one date and
    all of its dates within the horizon (recurrence.validate_series); the work is bounded either way."""
    if rule:
        try:
            validate_series(rule, to_local(start).replace(tzinfo=None))
        except RecurrenceError as error:
            raise ValidationFailed({"rrule": error.message or str(error)}) from None


def resolve_times(starts_at: str, ends_at: str, all_day: bool) -> tuple[datetime, datetime]:
    """(start, exclusive end) in naive UTC, or ValidationFailed naming the field at fault."""
    errors = {}
    moments = {}
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        try:
            moments[name] = parse_moment(value, all_day)
        except OutOfRange as refused:
            errors[name] = str(refused.reason)
        except ValueError:
            errors[name] = (_("Enter a real date as YYYY-MM-DD.") if all_day
                            else _("Enter a real date and time as YYYY-MM-DDTHH:MM."))
    if errors:
        raise ValidationFailed(errors)
    start, end = moments["starts_at"], moments["ends_at"]
    if all_day:
        end += timedelta(days=1)  # inclusive last day -> exclusive midnight
        if end <= start:
            raise ValidationFailed({"ends_at": _("The last day must not be before the first day.")})
    elif end <= start:
        raise ValidationFailed({"ends_at": _("The end must be after the start.")})
    if end - start > MAX_DURATION:
        raise ValidationFailed({"ends_at": _("One occurrence cannot last more than a year.")})
    return start, end


class OccurrenceChange(BaseModel):
    """Cancel one occurrence, move it, or restore it as the rule gave it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    status: Literal["cancelled", "scheduled"] | None = None
    starts_at: str | None = None
    ends_at: str | None = None
    reason: str | None = Field(None, max_length=MAX_REASON, description="Why it is cancelled or moved, for the "
                               "public page, the feeds and registrants; dropped when the occurrence is restored")

    @field_validator("reason", mode="before")
    @classmethod
    def _blank_reason(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _something(self):
        if self.status is None and self.starts_at is None and self.ends_at is None:
            raise ValueError(_('Give "status" or a new "starts_at" / "ends_at".'))
        return self


#: PATCH /events/<id>: any subset of ActivityIn's fields, each checked as ActivityIn checks it (the merged
#: result is then validated as a whole by update_activity)
ActivityPatch = partial_model(ActivityIn, "ActivityPatch", "Any subset of an activity's fields.")
