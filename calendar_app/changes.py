"""What each transaction wrote, told as the named signals of signals.py: one listener on every session.

At each flush the rows written to the tables the signals speak of are noted on the session: changed and
deleted rows before the flush, while they can still be read, new ones after it, once they have ids. Just
before the transaction commits, `figures_changed` (the institutions are looked up then) and `calendar_written`
are sent; once it has committed, the others. A rollback forgets what was noted; a savepoint leaves it to its
transaction. Noting too much only costs a receiver some work; writes that bypass the ORM (raw SQL, COPY)
send nothing.
"""
from collections.abc import Iterable, Iterator
from itertools import chain

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from . import signals
from .clock import local_day
from .events.models import Activity, ActivityAudience, ActivityCategory, ActivityObservance, Occurrence
from .observances.models import Observance, ObservanceDate
from .participation.models import Attendance, MonthlyTally, SelfAssessment
from .places.models import Area, Institution, Placement
from .written import KEY, Written, written_by

#: ids per IN list when looking up the institutions of activities and occurrences
CHUNK = 500


def _note(written: Written, obj) -> None:
    """Note what this changed or new row is: its ids, and what it changes of the figures."""
    if isinstance(obj, Activity):
        written.activities |= _values(obj, "id")
        written.figure_institutions |= _values(obj, "institution_id")
    elif isinstance(obj, ActivityCategory | ActivityAudience):
        activity_ids = _values(obj, "activity_id")
        written.activities |= activity_ids
        written.figure_activities |= activity_ids
    elif isinstance(obj, ActivityObservance):
        written.activities |= _values(obj, "activity_id")
    elif isinstance(obj, Occurrence):
        activity_ids = _values(obj, "activity_id")
        written.occurrences |= _values(obj, "id")
        written.occurrence_activities |= activity_ids
        written.occurrence_months |= {(activity_id, _month(start)) for activity_id in activity_ids
                                   for start in _values(obj, "starts_at")}
    elif isinstance(obj, Attendance):
        written.attended |= _values(obj, "occurrence_id")
    elif isinstance(obj, MonthlyTally):
        written.tally_months |= {(institution_id, year * 100 + month)
                              for institution_id in _values(obj, "institution_id")
                              for year in _values(obj, "year") for month in _values(obj, "month")}
    elif isinstance(obj, SelfAssessment):
        written.assessed_years |= _values(obj, "year")
    elif isinstance(obj, Institution):
        written.institutions |= _values(obj, "id")
        written.figure_institutions |= _values(obj, "id")
    elif isinstance(obj, Placement):
        written.institutions |= _values(obj, "institution_id")
    elif isinstance(obj, Area):
        written.areas |= _values(obj, "id")
    elif isinstance(obj, Observance):
        written.observances |= _values(obj, "id")
    elif isinstance(obj, ObservanceDate):
        written.observances |= _values(obj, "observance_id")


def _figure_months(written: Written, session: Session) -> dict[int, set[int] | None]:
    """{institution id: local months touched, or None for any month} of what affects the figures."""
    months: dict[int, set[int] | None] = dict.fromkeys(written.figure_institutions)
    for _activity, institution_id in _rows(session, select(Activity.id, Activity.institution_id),
                                           Activity.id, written.figure_activities):
        months[institution_id] = None
    institution_of = dict(_rows(session, select(Activity.id, Activity.institution_id), Activity.id,
                                {activity_id for activity_id, _month in written.occurrence_months}))
    touched = [(institution_of.get(activity_id), month) for activity_id, month in written.occurrence_months]
    touched += [(institution_id, _month(start)) for institution_id, start in _rows(
        session, select(Activity.institution_id, Occurrence.starts_at).join(Occurrence.activity),
        Occurrence.id, written.attended)]
    touched += written.tally_months
    for institution_id, month in touched:
        if institution_id is not None and (found := months.setdefault(institution_id, set())) is not None:
            found.add(month)
    return months


def _values(obj, name: str) -> set:
    """The attribute's value and, when this flush changes it, the value it had."""
    return {getattr(obj, name), *inspect(obj).attrs[name].history.deleted} - {None}


def _month(moment) -> int:
    """The local month (yyyymm) of a naive-UTC time."""
    day = local_day(moment)
    return day.year * 100 + day.month


def _rows(session: Session, query, column, ids: Iterable[int]) -> Iterator:
    """The rows of `query` where `column` is one of `ids`, a chunk of ids per round trip."""
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        yield from session.execute(query.where(column.in_(ordered[start:start + CHUNK])))


def _before_flush(session: Session, _context, _instances) -> None:
    written = written_by(session)
    for obj in chain(session.dirty, session.deleted):
        _note(written, obj)


def _after_flush(session: Session, _context) -> None:
    written = written_by(session)
    for obj in session.new:
        _note(written, obj)


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    session.flush()  # what is still unflushed gets noted too (the commit would flush it anyway)
    written = session.info.get(KEY)
    if written is None:
        return
    months = _figure_months(written, session)
    written.figure_institutions, written.figure_activities = set(), set()
    written.occurrence_months, written.attended, written.tally_months = set(), set(), set()
    years, written.assessed_years = written.assessed_years, set()
    if months or years:
        signals.figures_changed.send(session, institution_ids=set(months), months=months, years=years)
    activity_ids = written.activities | written.occurrence_activities
    if activity_ids or written.institutions or written.areas or written.observances:
        signals.calendar_written.send(session, activity_ids=activity_ids, institution_ids=written.institutions,
                                      area_ids=written.areas, observance_ids=written.observances)


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    written = session.info.pop(KEY, None)
    if written is None:
        return
    if written.activities:
        signals.activity_changed.send(session, activity_ids=written.activities)
    if written.occurrences or written.occurrence_activities:
        signals.occurrence_changed.send(session, occurrence_ids=written.occurrences,
                                        activity_ids=written.occurrence_activities)
    if written.institutions or written.areas:
        signals.place_changed.send(session, institution_ids=written.institutions, area_ids=written.areas)
    if written.observances:
        signals.observance_changed.send(session, observance_ids=written.observances)


def _after_rollback(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(KEY, None)


LISTENERS = (("before_flush", _before_flush), ("after_flush", _after_flush), ("before_commit", _before_commit),
             ("after_commit", _after_commit), ("after_rollback", _after_rollback))


def listen() -> None:
    """Listen on every session, the app's and any other (once per process; the app factory calls this)."""
    for name, listener in LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
