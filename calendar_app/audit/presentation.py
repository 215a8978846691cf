"""An audit entry as people read it: the vocabulary's words for actions, kinds, fields and keyed values, and
times in the calendar's zone (the entries store what the operations wrote: keys and ISO times)."""
import re
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import format_date, format_datetime
from flask_babel import gettext as _

from .. import vocabulary
from ..clock import local_zone, to_local
from .models import AuditEntry

#: ISO text of a datetime stored by the database (naive UTC, written with seconds by audit.operations._plain)
_UTC_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$")
#: ISO text of a local time as the activity forms and the API write it (to the minute)
_LOCAL_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: how a local time is written on the audit page
MOMENT = "d MMM y HH:mm"


@dataclass
class Change:
    field: str
    label: str
    before: str | None
    after: str | None


def action_label(action: str) -> str:
    return str(vocabulary.AUDIT_ACTIONS.get(action, action))


def entity_label(entity: str) -> str:
    return str(vocabulary.AUDIT_ENTITIES.get(entity, entity))


def value_text(entity: str, name: str, value) -> str | None:
    """One value of a change as words; None for "nothing" (the page shows a dash)."""
    if value is None or value == "" or value == []:
        return None
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, list):
        return ", ".join(value_text(entity, name, item) or "—" for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}: {item}" for key, item in value.items())
    word = vocabulary.value_word(entity, name, value)
    if word is not None:
        return word
    if isinstance(value, str):
        if _UTC_MOMENT.match(value):
            return format_datetime(to_local(datetime.fromisoformat(value)), MOMENT, rebase=False)
        if _LOCAL_MOMENT.match(value):
            return format_datetime(datetime.fromisoformat(value).replace(tzinfo=local_zone()), MOMENT, rebase=False)
        if _DAY.match(value):
            return format_date(date.fromisoformat(value), "d MMM y")
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def changes(entry: AuditEntry) -> list[Change]:
    return [Change(name, vocabulary.field_label(name), value_text(entry.entity_type, name, pair[0]),
                   value_text(entry.entity_type, name, pair[1]))
            for name, pair in (entry.changes or {}).items()]


def zone_note() -> str:
    """"UTC+07:00 (Asia/Ho_Chi_Minh)": what "local time" means on this site."""
    zone = local_zone()
    offset = datetime.now(zone).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d} ({zone.key})"
