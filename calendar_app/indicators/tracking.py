"""Keeps the monthly facts (facts.py) in step with every ORM write, in the same transaction.

At each flush, the institutions, activities, occurrences and attendance rows written are noted on the
session; just before the transaction commits, the institutions they belong to are refreshed. Marking too
much only costs a refresh; writes that bypass the ORM (raw SQL, COPY) need `flask rebuild-facts`.
"""
from dataclasses import dataclass, field
from itertools import chain

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from ..events.models import Activity, ActivityAudience, ActivityCategory, Occurrence
from ..participation.models import Attendance
from ..places.models import Institution
from . import facts

KEY = "indicator_facts_pending"


@dataclass
class Pending:
    institutions: set[int] = field(default_factory=set)
    activities: set[int] = field(default_factory=set)
    occurrences: set[int] = field(default_factory=set)

    def institution_ids(self, session: Session) -> set[int]:
        ids = set(self.institutions)
        for chunk in facts.chunks(self.activities):
            ids.update(session.scalars(select(Activity.institution_id).where(Activity.id.in_(chunk))))
        for chunk in facts.chunks(self.occurrences):
            ids.update(session.scalars(select(Activity.institution_id)
                                       .join(Occurrence, Occurrence.activity_id == Activity.id)
                                       .where(Occurrence.id.in_(chunk))))
        return ids - {None}


def _values(obj, name: str) -> set:
    """The attribute's value and, when this flush changes it, the value it had."""
    return {getattr(obj, name), *inspect(obj).attrs[name].history.deleted} - {None}


def _note(pending: Pending, obj) -> None:
    if isinstance(obj, Institution):
        pending.institutions |= _values(obj, "id")
    elif isinstance(obj, Activity):
        pending.institutions |= _values(obj, "institution_id")
    elif isinstance(obj, Occurrence | ActivityCategory | ActivityAudience):
        pending.activities |= _values(obj, "activity_id")
    elif isinstance(obj, Attendance):
        pending.occurrences |= _values(obj, "occurrence_id")


def _before_flush(session: Session, _context, _instances) -> None:
    # changed and deleted rows are noted while they can still be loaded; new ones once they have ids
    pending = session.info.setdefault(KEY, Pending())
    for obj in chain(session.dirty, session.deleted):
        _note(pending, obj)


def _after_flush(session: Session, _context) -> None:
    pending = session.info.setdefault(KEY, Pending())
    for obj in session.new:
        _note(pending, obj)


def _before_commit(session: Session) -> None:
    session.flush()  # what is still unflushed gets noted too (commit would flush it anyway)
    pending = session.info.pop(KEY, None)
    ids = pending.institution_ids(session) if pending else set()
    if ids:
        facts.refresh(session, ids)


def _after_rollback(session: Session) -> None:
    session.info.pop(KEY, None)


def install() -> None:
    """Listen on every session (once per process; the app factory calls this)."""
    for name, listener in (("before_flush", _before_flush), ("after_flush", _after_flush),
                           ("before_commit", _before_commit),
                           ("after_rollback", _after_rollback)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
