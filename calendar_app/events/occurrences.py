"""Keeping the materialised occurrences of an activity in step with its rule."""
from sqlalchemy import exists, or_, select

from ..clock import utcnow
from ..extensions import db
from .models import Activity, Occurrence
from .recurrence import expand


def sync_occurrences(activity: Activity) -> None:
    """Rebuild the occurrence rows from starts_at/ends_at/rrule.

    Occurrences the rule still yields keep their id (and so their attendance and registrations);
    overridden ones (moved or cancelled on their own) keep their override. Occurrences the rule
    no longer yields are deleted unless other records refer to them (attendance, registrations), in which
    case they are kept cancelled.
    """
    wanted = expand(activity.starts_at, activity.ends_at, activity.rrule)
    existing = {occ.original_start: occ for occ in activity.occurrences}
    duration = activity.ends_at - activity.starts_at
    now = utcnow()
    for start, end in wanted:
        occ = existing.pop(start, None)
        if occ is None:
            activity.occurrences.append(
                Occurrence(original_start=start, starts_at=start, ends_at=end, updated_at=now)
            )
        elif not occ.overridden and (occ.starts_at, occ.ends_at) != (start, end):
            occ.starts_at, occ.ends_at, occ.updated_at = start, end, now
        elif occ.overridden and occ.starts_at == occ.original_start and occ.ends_at - occ.starts_at != duration:
            occ.ends_at, occ.updated_at = start + duration, now
    for occ in existing.values():
        if _has_records(occ):
            occ.status, occ.overridden, occ.updated_at = "cancelled", True, now
        else:
            activity.occurrences.remove(occ)
    db.session.flush()


def _has_records(occurrence: Occurrence) -> bool:
    """Whether a row of any other table refers to the occurrence (its attendance, registrations …).

    Read from the metadata, so that this module needs to know none of the features that keep such rows.
    """
    if occurrence.id is None:
        return False
    table = Occurrence.__table__
    references = [exists().where(key.parent == occurrence.id) for other in table.metadata.tables.values()
                  if other is not table for key in other.foreign_keys if key.column is table.c.id]
    return bool(references) and bool(db.session.scalar(select(or_(*references))))
