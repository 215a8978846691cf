"""Recording changes in the audit trail (called by every operation that changes state)."""
from datetime import date, datetime
from enum import Enum

from sqlalchemy import insert

from ..clock import utcnow
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
    entry = AuditEntry(**entry_values(user, action, entity_type, entity_id, institution=institution, area=area,
                                      changes=changes, reason=reason))
    db.session.add(entry)
    return entry


def entry_values(user, action: str, entity_type: str, entity_id, *, institution=None, area=None,
                 changes: dict | None = None, reason: str | None = None) -> dict:
    """The columns of an audit entry (record's arguments)."""
    if area is None and institution is not None:
        area = institution.area
    return {"user_id": getattr(user, "id", None), "action": action, "entity_type": entity_type,
            "entity_id": str(entity_id), "institution_id": getattr(institution, "id", None),
            "area_path": getattr(area, "path", None),
            "changes": {k: [_plain(v[0]), _plain(v[1])] for k, v in (changes or {}).items()}, "reason": reason}


def record_all(entries: list[dict]) -> None:
    """Add many entries (entry_values) in the caller's transaction with one statement, without ORM objects:
    the audit trail of an import of thousands of rows."""
    if entries:
        at = utcnow()
        db.session.execute(insert(AuditEntry.__table__), [{"at": at, **entry} for entry in entries])
