"""Admin forms: they collect what was typed; the operations' schemas say what is wrong, field by field."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField, SubmitField, TextAreaField

from ..forms import DateText, NumberText, options
from ..vocabulary import AREA_LEVELS, INSTITUTION_CATEGORIES, ROLES
from ..years import EARLIEST_YEAR, LATEST_YEAR

#: an area code box with suggestions (static/js/area-picker.js asks data-suggest, filled in by the view)
AREA_SUGGEST = {"list": "area-options", "autocomplete": "off", "inputmode": "search"}


class SchemaForm(FlaskForm):
    """A form whose fields carry the schema's names: data out, per-field reasons back in."""

    #: form fields that are not schema fields
    skip = ("csrf_token", "submit")

    def to_data(self) -> dict:
        return {name: field.data for name, field in self._fields.items() if name not in self.skip}

    def field_for(self, name: str) -> str | None:
        name = name.split(".")[-1] if name.startswith("dates.") else name.split(".")[0]
        return name if name in self._fields and name not in self.skip else None


class AreaForm(SchemaForm):
    code = StringField(_l("Official code"), render_kw={"maxlength": 16, "required": True})
    name = StringField(_l("Name"), render_kw={"maxlength": 200, "required": True})
    level = SelectField(_l("Level"), choices=options(AREA_LEVELS.items()), validate_choice=False)
    #: the code of the unit valid on valid_from (or today); a search box suggests units as one types
    parent = StringField(_l("Part of (code)"), render_kw={"maxlength": 16, **AREA_SUGGEST})
    valid_from = DateText(_l("Valid from"))
    valid_to = DateText(_l("Valid until (closed by a reform)"))
    submit = SubmitField(_l("Add the area"))


class InstitutionForm(SchemaForm):
    slug = StringField(_l("Short name in web addresses (slug)"), render_kw={"maxlength": 120, "required": True})
    name = StringField(_l("Name"), render_kw={"maxlength": 255, "required": True})
    category = SelectField(_l("Kind of institution"), choices=options(INSTITUTION_CATEGORIES.items()),
                           validate_choice=False)
    area = StringField(_l("Area (code)"), render_kw={"maxlength": 16, "required": True, **AREA_SUGGEST})
    effective = DateText(_l("Placed there from"))
    address = StringField(_l("Address"), render_kw={"maxlength": 500})
    latitude = StringField(_l("Latitude"), render_kw={"inputmode": "decimal"})
    longitude = StringField(_l("Longitude"), render_kw={"inputmode": "decimal"})
    contact_name = StringField(_l("Contact person"), render_kw={"maxlength": 200})
    contact_email = EmailField(_l("Contact e-mail"), render_kw={"maxlength": 254})
    contact_phone = StringField(_l("Contact phone"), render_kw={"maxlength": 40})
    website = StringField(_l("Website"), render_kw={"maxlength": 500})
    description = TextAreaField(_l("Description"), render_kw={"rows": 4, "maxlength": 5000})
    active = BooleanField(_l("Active (shown to the public)"), default=True)
    submit = SubmitField(_l("Save"))


class UserForm(SchemaForm):
    email = EmailField(_l("E-mail"), render_kw={"maxlength": 254, "required": True})
    name = StringField(_l("Name"), render_kw={"maxlength": 200})
    role = SelectField(_l("Role"), choices=options(ROLES.items()), validate_choice=False)
    institution = SelectField(_l("Institution (for an editor)"), validate_choice=False)
    area = StringField(_l("Area code (for an officer)"), render_kw={"maxlength": 16, **AREA_SUGGEST})
    password = StringField(_l("Password"), render_kw={"autocomplete": "new-password", "maxlength": 200})
    submit = SubmitField(_l("Create the account"))


class TokenForm(SchemaForm):
    user = SelectField(_l("For the account"), validate_choice=False)
    name = StringField(_l("Label (which program uses it)"), render_kw={"maxlength": 100})
    submit = SubmitField(_l("Create the token"))


class ObservanceForm(SchemaForm):
    key = StringField(_l("Key (in web addresses and feeds)"), render_kw={"maxlength": 60, "required": True})
    name_vi = StringField(_l("Name in Vietnamese"), render_kw={"maxlength": 200, "required": True})
    name_en = StringField(_l("Name in English"), render_kw={"maxlength": 200, "required": True})
    description = TextAreaField(_l("Description"), render_kw={"rows": 3, "maxlength": 2000})
    rule = RadioField(_l("When"), default="fixed", validate_choice=False, choices=options([
        ("fixed", _l("The same date every year")),
        ("lunar", _l("The same date of the Vietnamese lunar calendar every year")),
        ("per_year", _l("Dates set year by year")),
    ]))
    month = NumberText(_l("Month"), render_kw={"min": 1, "max": 12})
    day = NumberText(_l("Day"), render_kw={"min": 1, "max": 31})
    duration_days = NumberText(_l("Lasts (days)"), default="1", render_kw={"min": 1, "max": 31})
    window_before = NumberText(_l("Days before"), default="3", render_kw={"min": 0, "max": 31})
    window_after = NumberText(_l("Days after"), default="3", render_kw={"min": 0, "max": 31})
    year = NumberText(_l("Year"))
    starts_on = DateText(_l("First day"))
    ends_on = DateText(_l("Last day"))
    submit = SubmitField(_l("Add the observance"))

    skip = SchemaForm.skip + ("year", "starts_on", "ends_on")

    def to_data(self) -> dict:
        data = super().to_data()
        if self.rule.data == "per_year":
            data["dates"] = {"year": self.year.data, "starts_on": self.starts_on.data, "ends_on": self.ends_on.data}
        return data

    def field_for(self, name: str) -> str | None:
        if name.startswith("dates."):
            inner = name.split(".", 1)[1]
            return inner if inner in ("year", "starts_on", "ends_on") else "starts_on"
        if name == "dates":
            return "starts_on"
        return super().field_for(name)


class ObservanceDatesForm(SchemaForm):
    year = NumberText(_l("Year"), render_kw={"min": EARLIEST_YEAR, "max": LATEST_YEAR, "required": True})
    starts_on = DateText(_l("First day"), render_kw={"required": True})
    ends_on = DateText(_l("Last day"), render_kw={"required": True})
    submit = SubmitField(_l("Set the dates"))


class TargetForm(SchemaForm):
    low = StringField(_l("Target (or lower bound of a range)"), render_kw={"inputmode": "decimal"})
    high = StringField(_l("Upper bound of a range"), render_kw={"inputmode": "decimal"})
    note = StringField(_l("Note"), render_kw={"maxlength": 300})
    submit = SubmitField(_l("Save"))
