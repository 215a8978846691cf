"""Form pieces every feature's pages share: the button form, date and number boxes, choices, and putting an
operation's refusals back onto the fields. Messages in the user's language (WTForms ships no Vietnamese)."""
from datetime import date

from flask_wtf import FlaskForm
from wtforms import SelectChoice, StringField
from wtforms.widgets import DateInput, NumberInput

#: render_kw of a box for a count: the numeric keyboard on phones, no autofill
NUMBER = {"inputmode": "numeric", "autocomplete": "off"}


class ActionForm(FlaskForm):
    """Only the CSRF token: for buttons that change something (publish, cancel, check in …) and for grids
    whose cells a view reads from the request by name (the monthly tallies)."""


class DateText(StringField):
    """A date box that keeps whatever was typed, so a refused form shows it again."""

    widget = DateInput()


class NumberText(StringField):
    """A number box that keeps whatever was typed; the schema says what is wrong with it."""

    widget = NumberInput()


def parse_date(text: str | None) -> date | None:
    """An ISO date typed in a box, or None."""
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def apply_errors(form, fields: dict[str, str]) -> list[str]:
    """Put an operation's per-field reasons on the form's fields; returns those no field can show.

    A form whose field names differ from the operation's (dates typed in separate boxes, "audiences.pupils")
    maps them with `field_for(name) -> field name or None`; otherwise a reason goes to the field of its name.
    """
    left = []
    for name, reason in fields.items():
        target = form.field_for(name) if hasattr(form, "field_for") else name
        field = form._fields.get(target) if target else None
        if field is None:
            left.append(reason)
            continue
        if isinstance(field.errors, tuple):  # WTForms leaves a tuple on fields it did not validate
            field.errors = list(field.errors)
        field.errors.append(reason)
    return left
