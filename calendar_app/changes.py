"""What each transaction wrote, told as the named signals of signals.py: one listener on every session.

At each flush the rows written to the tables the signals speak of are noted on the session: changed and
deleted rows before the flush, while they can still be read, new ones after it, once they have ids. Just
before the transaction commits, `figures_changed` (the institutions are looked up then) and `calendar_written`
are sent; once it has committed, the others. A rollback forgets what was noted; a savepoint leaves it to its
transaction. Noting too much only costs a receiver some work; writes that bypass the ORM (raw SQL, COPY)
send nothing.
"""
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from . import signals
from .clock import local_day
from .events.models import Activity, ActivityAudience, ActivityCategory, ActivityObservance, Occurrence
from .observances.models import Observance, ObservanceDate
from .participation.models import Attendance, MonthlyTally
from .places.models import Area, Institution

KEY = "calendar_app.written"
#: ids per IN list when looking up the institutions of activities and occurrences
CHUNK = 500


@dataclass
class Written:
    """The ids a transaction wrote so far, by what the signals speak of."""

    activities: set[int] = field(default_factory=set)
    occurrences: set[int] = field(default_factory=set)
    occurrence_activities: set[int] = field(default_factory=set)
    institutions: set[int] = field(default_factory=set)
    areas: set[int] = field(default_factory=set)
    observances: set[int] = field(default_factory=set)
    #: for `figures_changed`: institutions and activities whose every month may count differently, the
    #: (activity, local month) of each occurrence written, the occurrences whose attendance was written
    figure_institutions: set[int] = field(default_factory=set)
    figure_activities: set[int] = field(default_factory=set)
    occurrence_months: set[tuple[int, int]] = field(default_factory=set)
    attended: set[int] = field(default_factory=set)
    #: (institution, yyyymm) of each monthly tally written
    tally_months: set[tuple[int, int]] = field(default_factory=set)

    def note(self, obj) -> None:
        if isinstance(obj, Activity):
            self.activities |= _values(obj, "id")
            self.figure_institutions |= _values(obj, "institution_id")
        elif isinstance(obj, ActivityCategory | ActivityAudience):
            activity_ids = _values(obj, "activity_id")
            self.activities |= activity_ids
            self.figure_activities |= activity_ids
        elif isinstance(obj, ActivityObservance):
            self.activities |= _values(obj, "activity_id")
        elif isinstance(obj, Occurrence):
            activity_ids = _values(obj, "activity_id")
            self.occurrences |= _values(obj, "id")
            self.occurrence_activities |= activity_ids
            self.occurrence_months |= {(activity_id, _month(start)) for activity_id in activity_ids
                                       for start in _values(obj, "starts_at")}
        elif isinstance(obj, Attendance):
            self.attended |= _values(obj, "occurrence_id")
        elif isinstance(obj, MonthlyTally):
            self.tally_months |= {(institution_id, year * 100 + month)
                                  for institution_id in _values(obj, "institution_id")
                                  for year in _values(obj, "year") for month in _values(obj, "month")}
        elif isinstance(obj, Institution):
            self.institutions |= _values(obj, "id")
            self.figure_institutions |= _values(obj, "id")
        elif isinstance(obj, Area):
            self.areas |= _values(obj, "id")
        elif isinstance(obj, Observance):
            self.observances |= _values(obj, "id")
        elif isinstance(obj, ObservanceDate):
            self.observances |= _values(obj, "observance_id")

    def figure_months(self, session: Session) -> dict[int, set[int] | None]:
        """{institution id: local months touched, or None for any month} of what affects the figures."""
        months: dict[int, set[int] | None] = dict.fromkeys(self.figure_institutions)
        for _activity, institution_id in _rows(session, select(Activity.id, Activity.institution_id),
                                               Activity.id, self.figure_activities):
            months[institution_id] = None
        institution_of = dict(_rows(session, select(Activity.id, Activity.institution_id), Activity.id,
                                    {activity_id for activity_id, _month in self.occurrence_months}))
        touched = [(institution_of.get(activity_id), month) for activity_id, month in self.occurrence_months]
        touched += [(institution_id, _month(start)) for institution_id, start in _rows(
            session, select(Activity.institution_id, Occurrence.starts_at).join(Occurrence.activity),
            Occurrence.id, self.attended)]
        touched += self.tally_months
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


def _written(session: Session) -> Written:
    return session.info.setdefault(KEY, Written())


def note_written_attendance(session: Session, occurrence_ids: Iterable[int]) -> None:
    """Attendance written with plain statements (an import): the figures of their months are refreshed."""
    _written(session).attended.update(occurrence_ids)


def note_written_areas(session: Session, area_ids: Iterable[int]) -> None:
    """Areas written with plain statements (a bulk import): announced with the others after the commit."""
    _written(session).areas.update(area_ids)


def _before_flush(session: Session, _context, _instances) -> None:
    written = _written(session)
    for obj in chain(session.dirty, session.deleted):
        written.note(obj)


def _after_flush(session: Session, _context) -> None:
    written = _written(session)
    for obj in session.new:
        written.note(obj)


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    session.flush()  # what is still unflushed gets noted too (the commit would flush it anyway)
    written = session.info.get(KEY)
    if written is None:
        return
    months = written.figure_months(session)
    written.figure_institutions, written.figure_activities = set(), set()
    written.occurrence_months, written.attended, written.tally_months = set(), set(), set()
    if months:
        signals.figures_changed.send(session, institution_ids=set(months), months=months)
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
