"""Forms of the participation pages. They carry and render the input; the rules live in schema.py and
operations.py (one validation layer for forms, API and imports), whose refusals come back onto the fields."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, RadioField, SelectChoice, StringField

from ..forms import NUMBER
from ..vocabulary import AUDIENCES, CHECKLIST_ITEMS


class AttendanceForm(FlaskForm):
    total = StringField(_l("Total participants"), render_kw=NUMBER)
    onsite = StringField(_l("On site"), render_kw=NUMBER)
    online = StringField(_l("Online"), render_kw=NUMBER)
    version = HiddenField()

    def audience_fields(self):
        return [self[f"audience_{key}"] for key in AUDIENCES]

    def data_for_operation(self) -> dict:
        return {
            "total": self.total.data, "onsite": self.onsite.data, "online": self.online.data,
            "audiences": {key: self[f"audience_{key}"].data for key in AUDIENCES},
            "version": self.version.data or None,
        }

    def field_for(self, name: str) -> str:
        """The form field a refusal from the operation belongs to ("audiences.pupils" -> audience_pupils)."""
        if name.startswith("audiences."):
            return "audience_" + name.split(".", 1)[1]
        return name


for _key, _label in AUDIENCES.items():
    setattr(AttendanceForm, f"audience_{_key}", StringField(_label, render_kw=NUMBER))


class AssessmentForm(FlaskForm):
    def data_for_operation(self) -> dict:
        return {item: bool(self[item].data) for item in CHECKLIST_ITEMS}


for _key, _label in CHECKLIST_ITEMS.items():
    setattr(AssessmentForm, _key, BooleanField(_label))


class ImportForm(FlaskForm):
    kind = RadioField(_l("What the file holds"), choices=[
        SelectChoice("tallies", _l("Monthly tallies")), SelectChoice("attendance", _l("Attendance per occurrence"))],
        default="tallies")
    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired(_l("Choose the file to import."))])
