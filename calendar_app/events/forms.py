"""The activity form with its recurrence builder, and the per-occurrence move form.

The forms check what only a form has (dates typed in separate boxes, the builder's choices) and turn
the input into ActivityIn data; everything else is validated once, by the operation's schema.
"""
from datetime import date, datetime

from babel.dates import get_day_names
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import StopValidation
from wtforms.widgets import CheckboxInput, ListWidget, TimeInput, URLInput

from ..forms import DateText, NumberText, options, parse_date
from ..vocabulary import ACTIVITY_CATEGORIES, AUDIENCES
from .recurrence import MAX_OCCURRENCES
from .rrule_builder import (
    KINDS,
    MAX_INTERVAL,
    ORDINALS,
    WEEKDAYS,
    Repeat,
    defaults_for,
    from_rrule,
    starts_on_rule,
    to_rrule,
)
from .schema import MAX_CAPACITY, MAX_DESCRIPTION, MAX_REASON, MAX_TITLE

# --- small fields with messages in the user's language (WTForms ships no Vietnamese catalogue) ---------


class TimeText(StringField):
    widget = TimeInput()


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes; unknown values are not dropped here but reported by the schema, by name."""

    widget = ListWidget(html_tag="ul", prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)


def parse_time(text: str | None) -> str | None:
    """"HH:MM" (seconds dropped) or None."""
    value = (text or "").strip()
    for pattern in ("%H:%M", "%H:%M:%S"):
        try:
            return datetime.strptime(value, pattern).strftime("%H:%M")
        except ValueError:
            continue
    return None


def parse_int(text: str | None) -> int | None:
    value = (text or "").strip()
    if value.lstrip("-").isdigit():
        return int(value)
    return None


def real_date(required: bool = True):
    def check(form, field):
        if not (field.data or "").strip():
            if required:
                raise StopValidation(_l("Enter a date."))
            return
        if parse_date(field.data) is None:
            raise StopValidation(_l("Enter a real date, e.g. 2025-10-01."))
    return check


def whole_number(low: int, high: int, required: bool = False):
    def check(form, field):
        if not (field.data or "").strip():
            if required:
                raise StopValidation(_l("Enter a number."))
            return
        value = parse_int(field.data)
        if value is None:
            raise StopValidation(_l("Enter a whole number."))
        if not low <= value <= high:
            raise StopValidation(_l("Enter a number from %(low)d to %(high)d.", low=low, high=high))
    return check


def weekday_choices() -> list[SelectChoice]:
    """MO … SU with day names from CLDR in the page's language."""
    names = get_day_names("wide", locale=str(get_locale() or "vi"))
    return options((code, names[index][:1].upper() + names[index][1:]) for index, code in enumerate(WEEKDAYS))


ORDINAL_LABELS = {1: _l("first"), 2: _l("second"), 3: _l("third"), 4: _l("fourth"), -1: _l("last")}
REPEAT_LABELS = {
    "none": _l("Does not repeat"),
    "weekly": _l("Weekly, on chosen days"),
    "monthly_weekday": _l("Monthly, on a weekday (e.g. the third Saturday)"),
    "monthly_date": _l("Monthly, on a date (e.g. the 15th)"),
    "custom": _l("Custom rule (RRULE)"),
}
REPEATING = ("weekly", "monthly_weekday", "monthly_date")
TIME_FIELDS = ("all_day", "starts_on", "start_time", "end_time", "ends_on")
RULE_FIELDS = ("repeat", "interval", "weekdays", "ordinal", "weekday", "month_day", "end", "until", "count",
               "custom_rule")

# --- the activity form --------------------------------------------------------------------------------


class ActivityForm(FlaskForm):
    institution = SelectField(_l("Institution"), validate_choice=False)
    title = StringField(_l("Title"), render_kw={"maxlength": MAX_TITLE, "required": True})
    description = TextAreaField(_l("Description"), render_kw={"rows": 8, "maxlength": MAX_DESCRIPTION})

    all_day = BooleanField(_l("All day (no start or end time)"))
    starts_on = DateText(_l("Date (first day)"), validators=[real_date()])
    start_time = TimeText(_l("Starts at"))
    end_time = TimeText(_l("Ends at"))
    ends_on = DateText(_l("Last day, if the activity lasts several days"), validators=[real_date(False)])

    repeat = RadioField(_l("How often"), choices=options((k, REPEAT_LABELS[k]) for k in KINDS[:-1]), default="none",
                        validate_choice=False)
    interval = NumberText(_l("Every … weeks or months"), default="1", render_kw={"min": 1, "max": MAX_INTERVAL})
    weekdays = MultiCheckboxField(_l("On these days"))
    ordinal = SelectField(_l("Which one in the month"), validate_choice=False,
                          choices=options(ORDINAL_LABELS.items()))
    weekday = SelectField(_l("Day of the week"), validate_choice=False)
    month_day = NumberText(_l("Day of the month"), render_kw={"min": 1, "max": 31})
    end = RadioField(_l("Ends"), validate_choice=False,
                     choices=options([("until", _l("On a date")), ("count", _l("After a number of times"))]))
    until = DateText(_l("Last date"))
    count = NumberText(_l("Number of times"), render_kw={"min": 1, "max": MAX_OCCURRENCES})
    custom_rule = StringField(_l("Repeat rule (RRULE)"), render_kw={"maxlength": 500})

    location = StringField(_l("Place"), render_kw={"maxlength": 500})
    online_url = StringField(_l("Online link"), widget=URLInput(), render_kw={"maxlength": 1000})
    #: the activity's own point on the map; empty: the institution's
    latitude = StringField(_l("Latitude"), render_kw={"inputmode": "decimal", "autocomplete": "off", "size": 10})
    longitude = StringField(_l("Longitude"), render_kw={"inputmode": "decimal", "autocomplete": "off", "size": 10})
    capacity = NumberText(_l("Places available"), render_kw={"min": 0, "max": MAX_CAPACITY})
    registration_required = BooleanField(_l("People must register"))
    programme = StringField(_l("Education programme key"), render_kw={"maxlength": 100})
    categories = MultiCheckboxField(_l("Kind of activity"),
                                    choices=options(ACTIVITY_CATEGORIES.items()))
    audiences = MultiCheckboxField(_l("For whom"), choices=options(AUDIENCES.items()))
    observances = MultiCheckboxField(_l("Observance tags"))
    #: the tags the page showed as ticked, so that unticking one is told apart from not touching them
    observances_shown = HiddenField()

    preview = SubmitField(_l("Preview"))
    save = SubmitField(_l("Save"))
    publish = SubmitField(_l("Save and publish"))

    def __init__(self, *args, observance_choices=(), institution_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.weekdays.choices = weekday_choices()
        self.weekday.choices = weekday_choices()
        self.observances.choices = options(observance_choices)
        self.institution.choices = options(institution_choices)
        if self.repeat.data == "custom" or (self.custom_rule.data or "").strip():
            self.repeat.choices = options((k, REPEAT_LABELS[k]) for k in KINDS)

    # field checks that need the other fields --------------------------------------------------------

    def validate_start_time(self, field):
        self._check_time(field)

    def validate_end_time(self, field):
        self._check_time(field)

    def _check_time(self, field):
        if self.all_day.data:
            return
        if not (field.data or "").strip():
            raise StopValidation(_l("Enter a time, or tick “All day”."))
        if parse_time(field.data) is None:
            raise StopValidation(_l("Enter a real time, e.g. 18:00."))

    def validate_repeat(self, field):
        if field.data not in KINDS:
            raise StopValidation(_l("Choose how the activity repeats."))
        if field.data == "custom" and not (self.custom_rule.data or "").strip():
            raise StopValidation(_l("Type the repeat rule, or choose another way to repeat."))

    def validate_interval(self, field):
        if self.repeat.data in REPEATING:
            whole_number(1, MAX_INTERVAL, required=True)(self, field)

    def validate_weekdays(self, field):
        if self.repeat.data != "weekly":
            return
        if not field.data:
            raise StopValidation(_l("Choose at least one day of the week."))
        if any(day not in WEEKDAYS for day in field.data):
            raise StopValidation(_l("Choose days of the week from the list."))

    def validate_ordinal(self, field):
        if self.repeat.data == "monthly_weekday" and parse_int(field.data) not in ORDINALS:
            raise StopValidation(_l("Choose first, second, third, fourth or last."))

    def validate_weekday(self, field):
        if self.repeat.data == "monthly_weekday" and field.data not in WEEKDAYS:
            raise StopValidation(_l("Choose a day of the week."))

    def validate_month_day(self, field):
        if self.repeat.data == "monthly_date":
            whole_number(1, 31, required=True)(self, field)

    def validate_end(self, field):
        if self.repeat.data in REPEATING and field.data not in ("until", "count"):
            raise StopValidation(_l("A repeating activity needs an end: choose a last date or a number "
                                    "of times."))

    def validate_until(self, field):
        if self.repeat.data not in REPEATING or self.end.data != "until":
            return
        real_date()(self, field)
        first = parse_date(self.starts_on.data)
        if first is not None and parse_date(field.data) < first:
            raise StopValidation(_l("The last date must not be before the first day."))

    def validate_count(self, field):
        if self.repeat.data in REPEATING and self.end.data == "count":
            whole_number(1, MAX_OCCURRENCES, required=True)(self, field)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        first = parse_date(self.starts_on.data)
        if valid and first is not None and self.repeat.data in REPEATING \
                and not starts_on_rule(self.repeat_choice(), first):
            self.repeat.errors.append(_l(
                "The first date is not one of the days this rule repeats on. Change the date or the "
                "repeat days."))
            valid = False
        return valid

    # form <-> data -----------------------------------------------------------------------------------

    def repeat_choice(self) -> Repeat:
        """The builder's choices as typed (call after validation)."""
        return Repeat(
            kind=self.repeat.data or "none", interval=parse_int(self.interval.data) or 1,
            weekdays=list(self.weekdays.data or []), ordinal=parse_int(self.ordinal.data),
            weekday=self.weekday.data, month_day=parse_int(self.month_day.data), end=self.end.data,
            until=parse_date(self.until.data), count=parse_int(self.count.data), custom=self.custom_rule.data,
        )

    def rrule(self) -> str | None:
        return to_rrule(self.repeat_choice(), bool(self.all_day.data))

    def times(self) -> tuple[str, str]:
        """ActivityIn's starts_at / ends_at (local ISO; dates when all day)."""
        first = (self.starts_on.data or "").strip()
        last = (self.ends_on.data or "").strip() or first
        if self.all_day.data:
            return first, last
        return f"{first}T{parse_time(self.start_time.data)}", f"{last}T{parse_time(self.end_time.data)}"

    def tags_touched(self) -> bool:
        shown = {key for key in (self.observances_shown.data or "").split(",") if key}
        return shown != set(self.observances.data or [])

    def to_data(self, lenient: bool = False) -> dict:
        """ActivityIn data (without status; `observances` only when the editor changed the tags).

        lenient: after the form's own checks failed, put harmless stand-ins for the dates and the rule so
        the schema can still judge every other field (and the page shows all errors at once).
        """
        broken = {name for name, field in self._fields.items() if field.errors}
        if lenient and broken & set(TIME_FIELDS):
            starts_at = ends_at = "2000-01-01"
            all_day = True
        else:
            (starts_at, ends_at), all_day = self.times(), bool(self.all_day.data)
        rrule = None if lenient and broken & set(RULE_FIELDS) else self.rrule()
        data = {
            "title": self.title.data or "", "description": self.description.data or "",
            "starts_at": starts_at, "ends_at": ends_at, "all_day": all_day,
            "rrule": rrule, "location": self.location.data, "online_url": self.online_url.data,
            "latitude": (self.latitude.data or "").strip().replace(",", ".") or None,
            "longitude": (self.longitude.data or "").strip().replace(",", ".") or None,
            "capacity": (self.capacity.data or "").strip() or None,
            "registration_required": bool(self.registration_required.data),
            "programme": self.programme.data, "categories": list(self.categories.data or []),
            "audiences": list(self.audiences.data or []),
        }
        if self.tags_touched():
            data["observances"] = sorted(self.observances.data or [])
        return data

    def fill(self, values: dict) -> None:
        """Put an activity's values (operations.activity_values) into the fields, for editing."""
        starts, ends = values["starts_at"], values["ends_at"]
        self.title.data, self.description.data = values["title"], values["description"]
        self.all_day.data = values["all_day"]
        self.starts_on.data, self.ends_on.data = starts[:10], ends[:10] if ends[:10] != starts[:10] else ""
        if not values["all_day"]:
            self.start_time.data, self.end_time.data = starts[11:16], ends[11:16]
        repeat = from_rrule(values["rrule"])
        defaults = defaults_for(date.fromisoformat(starts[:10]))
        self.repeat.data = repeat.kind
        if repeat.kind == "custom":
            self.repeat.choices = options((k, REPEAT_LABELS[k]) for k in KINDS)
        self.interval.data = str(repeat.interval)
        self.weekdays.data = repeat.weekdays or defaults.weekdays
        self.ordinal.data = str(repeat.ordinal or defaults.ordinal)
        self.weekday.data = repeat.weekday or defaults.weekday
        self.month_day.data = str(repeat.month_day or defaults.month_day)
        self.end.data = repeat.end or "until"
        self.until.data = repeat.until.isoformat() if repeat.until else ""
        self.count.data = str(repeat.count) if repeat.count else ""
        self.custom_rule.data = repeat.custom or ""
        self.location.data, self.online_url.data = values["location"] or "", values["online_url"] or ""
        self.latitude.data = "" if values["latitude"] is None else str(values["latitude"])
        self.longitude.data = "" if values["longitude"] is None else str(values["longitude"])
        self.capacity.data = "" if values["capacity"] is None else str(values["capacity"])
        self.registration_required.data = values["registration_required"]
        self.programme.data = values["programme"] or ""
        self.categories.data, self.audiences.data = values["categories"], values["audiences"]
        self.show_tags(values["observances"])

    def show_tags(self, keys) -> None:
        self.observances.data = sorted(keys)
        self.observances_shown.data = ",".join(sorted(keys))

    def field_for(self, name: str) -> str | None:
        """The field that shows an error the schema reports for an ActivityIn field."""
        if name == "starts_at":
            return "starts_on"
        if name == "ends_at":
            return "ends_on" if self.all_day.data else "end_time"
        if name == "rrule":
            return "custom_rule" if self.repeat.data == "custom" else "repeat"
        base = name.split(".")[0]
        return base if base in self._fields and base not in ("preview", "save", "publish") else None


class OccurrenceForm(FlaskForm):
    """Move one occurrence: a new date and times (or first and last day when all day)."""

    starts_on = DateText(_l("New date"), validators=[real_date()])
    start_time = TimeText(_l("Starts at"))
    end_time = TimeText(_l("Ends at"))
    ends_on = DateText(_l("Last day"), validators=[real_date(False)])
    reason = TextAreaField(_l("Reason (optional)"), render_kw={"rows": 2, "maxlength": MAX_REASON})

    def __init__(self, *args, all_day: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.all_day = all_day

    def validate_start_time(self, field):
        if not self.all_day and parse_time(field.data) is None:
            raise StopValidation(_l("Enter a real time, e.g. 18:00."))

    def validate_end_time(self, field):
        if not self.all_day and parse_time(field.data) is None:
            raise StopValidation(_l("Enter a real time, e.g. 18:00."))

    def to_data(self) -> dict:
        first = self.starts_on.data.strip()
        last = (self.ends_on.data or "").strip() or first
        reason = (self.reason.data or "").strip() or None
        if self.all_day:
            return {"starts_at": first, "ends_at": last, "reason": reason}
        return {"starts_at": f"{first}T{parse_time(self.start_time.data)}",
                "ends_at": f"{last}T{parse_time(self.end_time.data)}", "reason": reason}

    def field_for(self, name: str) -> str | None:
        if name == "starts_at":
            return "starts_on"
        if name == "ends_at":
            return "ends_on" if self.all_day else "end_time"
        if name == "reason":
            return "reason"
        return None


class ReasonForm(FlaskForm):
    """Cancel an activity or one meeting: the optional reason people will read."""

    reason = TextAreaField(_l("Reason (optional)"), render_kw={"rows": 3, "maxlength": MAX_REASON})

    def to_reason(self) -> str | None:
        return (self.reason.data or "").strip()[:MAX_REASON] or None
