"""Forms of the registration pages: the public form and the walk-in box of the check-in list. They carry the
input; the rules live in schema.py and operations.py, whose refusals come back onto the fields."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField

from ..forms import NUMBER


class RegistrationForm(FlaskForm):
    occurrence = SelectField(_l("Date"), choices=[])
    name = StringField(_l("Your name"), render_kw={"autocomplete": "name"})
    email = StringField(_l("E-mail"), render_kw={"type": "email", "autocomplete": "email"})
    phone = StringField(_l("Phone"), render_kw={"type": "tel", "autocomplete": "tel"})
    people = StringField(_l("Number of people"), default="1", render_kw={**NUMBER, "size": 3})
    consent = BooleanField(_l("I agree that the organisers keep my name and contact until the activity is over, "
                              "to manage places and reach me about changes. They are erased afterwards."))
    #: honeypot: hidden from people by CSS, left empty by them and filled in by form-filling robots
    website = StringField(_l("Leave this field empty"), render_kw={"autocomplete": "off", "tabindex": "-1"})

    def data_for_operation(self) -> dict:
        return {"occurrence": self.occurrence.data, "name": self.name.data, "email": self.email.data,
                "phone": self.phone.data, "people": self.people.data, "consent": bool(self.consent.data)}


class WalkInForm(FlaskForm):
    name = StringField(_l("Name (optional)"))
    people = StringField(_l("People"), default="1", render_kw={**NUMBER, "size": 3})
