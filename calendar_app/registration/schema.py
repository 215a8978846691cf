"""What a registration and a walk-in may contain (the public form, the check-in list)."""
import re
from typing import Annotated

from flask_babel import gettext as _
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, field_validator

from ..participation.schema import MAX_COUNT, at_most, whole_number

MAX_PEOPLE_PER_REGISTRATION = 20
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_CHARS_RE = re.compile(r"^\+?[0-9 .()\-]+$")


def _required(value):
    if value is None:
        raise ValueError(_("Enter a whole number of people, 1 or more."))
    if value < 1:
        raise ValueError(_("Enter a whole number of people, 1 or more."))
    return value


#: how many people one registration or walk-in stands for
People = Annotated[int | None, BeforeValidator(whole_number), AfterValidator(_required)]


class RegistrationIn(BaseModel):
    """A citizen's registration from the public form."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    occurrence: str = Field(min_length=1, max_length=20)
    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    people: Annotated[People, at_most(MAX_PEOPLE_PER_REGISTRATION)] = 1
    consent: StrictBool = False

    @field_validator("email", "phone", mode="before")
    @classmethod
    def _empty_is_none(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("email")
    @classmethod
    def _email(cls, value):
        if value is not None and not EMAIL_RE.match(value):
            raise ValueError(_("Enter an e-mail address like name@example.com."))
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value):
        if value is None:
            return None
        digits = normalise_phone(value)
        if not PHONE_CHARS_RE.match(value) or not 9 <= len(digits) <= 15:
            raise ValueError(_("Enter a phone number of 9 to 15 digits, e.g. 0912 345 678."))
        return value

    @field_validator("consent")
    @classmethod
    def _consented(cls, value):
        if not value:
            raise ValueError(_("Tick the box to agree that we keep your contact until the activity is over."))
        return value


class WalkInIn(BaseModel):
    """People who came without registering, added at the door."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(None, max_length=200)
    people: Annotated[People, at_most(MAX_COUNT)] = 1


def normalise_email(value: str | None) -> str | None:
    return value.strip().lower() if value else None


def normalise_phone(value: str | None) -> str | None:
    """Digits only, with the country code +84 / 0084 written as the domestic leading 0."""
    if not value:
        return None
    digits = re.sub(r"\D", "", value)
    if value.strip().startswith("+84") or digits.startswith("0084"):
        digits = "0" + digits[2:] if value.strip().startswith("+84") else "0" + digits[4:]
    return digits
