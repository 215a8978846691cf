"""What an area or an institution may contain (validates admin forms, the API and the CLI)."""
import re
from datetime import date

from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..bounds import check_day
from ..vocabulary import AREA_LEVELS, INSTITUTION_CATEGORIES

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,119}$")
CODE_RE = re.compile(r"^[0-9A-Za-z]{1,16}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def _blank_to_none(value):
    return None if isinstance(value, str) and not value.strip() else value


class AreaIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(min_length=1, max_length=16, description="Official statistical code")
    name: str = Field(min_length=1, max_length=200)
    level: str = Field(description="country | province | district | commune",
                       json_schema_extra={"enum": list(AREA_LEVELS)})
    parent: str | None = Field(None, description="Code of the parent area (the unit with that code valid on "
                               "valid_from, or today); none for a country, optional for a province")
    valid_from: date | None = Field(None, description="First day the unit exists; none: since always")
    valid_to: date | None = Field(None, description="First day the unit no longer exists (exclusive); none: still "
                                  "valid")

    _blank = field_validator("parent", "valid_from", "valid_to", mode="before")(_blank_to_none)

    @field_validator("valid_from", "valid_to")
    @classmethod
    def _supported_day(cls, value):
        return value if value is None else check_day(value)  # OutOfRange is a ValueError: a field error

    @field_validator("code")
    @classmethod
    def _code(cls, value):
        if not CODE_RE.match(value):
            raise ValueError(_("Use the official code: letters and digits only."))
        return value

    @field_validator("level")
    @classmethod
    def _level(cls, value):
        if value not in AREA_LEVELS:
            raise ValueError(_("Level must be country, province, district or commune."))
        return value


class InstitutionDetails(BaseModel):
    """The fields an institution's own editor may change."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(None, min_length=1, max_length=255)
    address: str | None = Field(None, max_length=500)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    contact_name: str | None = Field(None, max_length=200)
    contact_email: str | None = Field(None, max_length=254)
    contact_phone: str | None = Field(None, max_length=40)
    website: str | None = Field(None, max_length=500)
    description: str | None = Field(None, max_length=5000)

    _blank = field_validator("address", "contact_name", "contact_email", "contact_phone", "website",
                             "description", "latitude", "longitude", mode="before")(_blank_to_none)

    @field_validator("contact_email")
    @classmethod
    def _email(cls, value):
        if value is not None and not EMAIL_RE.match(value):
            raise ValueError(_("Enter a valid e-mail address."))
        return value

    @field_validator("website")
    @classmethod
    def _website(cls, value):
        if value is not None and not URL_RE.match(value):
            raise ValueError(_("Enter a web address starting with http:// or https://."))
        return value


class InstitutionIn(InstitutionDetails):
    """A whole institution, as an admin creates it."""

    slug: str = Field(min_length=1, max_length=120, description="Lower-case letters, digits and hyphens")
    name: str = Field(min_length=1, max_length=255)
    category: str = Field(json_schema_extra={"enum": list(INSTITUTION_CATEGORIES)})
    area: str = Field(description="Area code: the unit valid on `effective` (today when not given)")
    effective: date | None = Field(None, description="The day the institution is placed in `area` from; none: "
                                   "since it exists")
    active: bool = True

    _blank_effective = field_validator("effective", mode="before")(_blank_to_none)

    @field_validator("slug")
    @classmethod
    def _slug(cls, value):
        if value is not None and not SLUG_RE.match(value):
            raise ValueError(_("Use lower-case letters, digits and hyphens only, e.g. thu-vien-tinh."))
        return value

    @field_validator("category")
    @classmethod
    def _category(cls, value):
        if value is not None and value not in INSTITUTION_CATEGORIES:
            raise ValueError(_("Unknown institution category."))
        return value


class InstitutionPatch(InstitutionDetails):
    """Any subset of an institution's fields (admins may change all of them)."""

    slug: str | None = None
    category: str | None = Field(None, json_schema_extra={"anyOf": [
        {"type": "string", "enum": list(INSTITUTION_CATEGORIES)}, {"type": "null"}]})
    area: str | None = Field(None, description="Area code: moves the institution there from `effective`")
    effective: date | None = Field(None, description="With `area`: the day the move takes effect (default today; "
                                   "the old placement ends the day before)")
    active: bool | None = None

    _blank_effective = field_validator("effective", mode="before")(_blank_to_none)

    _slug = field_validator("slug")(InstitutionIn._slug.__func__)
    _category = field_validator("category")(InstitutionIn._category.__func__)
