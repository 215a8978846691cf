"""Recording changes in the audit trail (called by every operation that changes state)."""
from datetime import date, datetime
from enum import Enum

from ..extensions import db
from .models import AuditEntry


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | tuple):
        return sorted(value)
    return value


def diff(old: dict, new: dict) -> dict:
    """{field: [old, new]} for the fields whose value changed."""
    return {key: [_plain(old.get(key)), _plain(new.get(key))]
            for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)}


def record(user, action: str, entity_type: str, entity_id, *, institution=None, area=None,
           changes: dict | None = None, reason: str | None = None) -> AuditEntry:
    """Add an audit entry in the caller's transaction (it commits with the change it describes)."""
    if area is None and institution is not None:
        area = institution.area
    entry = AuditEntry(
        user_id=getattr(user, "id", None), action=action, entity_type=entity_type, entity_id=str(entity_id),
        institution_id=getattr(institution, "id", None), area_path=getattr(area, "path", None),
        changes={k: [_plain(v[0]), _plain(v[1])] for k, v in (changes or {}).items()}, reason=reason,
    )
    db.session.add(entry)
    return entry
