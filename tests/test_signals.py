"""The named signals that changes.py sends for ORM writes: what they carry, and when."""
from contextlib import contextmanager

from calendar_app import signals
from calendar_app.models import Attendance
from tests import factories as f


@contextmanager
def heard(signal):
    """The keyword arguments of each send of `signal` while the block runs."""
    calls = []

    def receiver(_sender, **kwargs):
        calls.append(kwargs)

    with signal.connected_to(receiver):
        yield calls


def _library(db):
    province = f.area("25", "Phú Thọ", "province")
    library = f.institution("tv", f.area("227", "Việt Trì", parent=province))
    db.session.commit()
    return library


def test_committed_writes_are_told_after_the_commit_and_rolled_back_ones_never(db):
    library = _library(db)
    with heard(signals.activity_changed) as activities, heard(signals.occurrence_changed) as occurrences:
        activity = f.activity(library, start="2025-04-21T09:00")
        assert activities == []  # flushed, not committed
        db.session.commit()
        assert activities == [{"activity_ids": {activity.id}}]
        assert occurrences == [{"occurrence_ids": {activity.occurrences[0].id}, "activity_ids": {activity.id}}]
        activity.title = "Đọc sách mùa thu"
        db.session.flush()
        db.session.rollback()
        assert len(activities) == 1


def test_figures_changed_names_the_institution_and_the_local_month_when_it_is_known(db):
    library = _library(db)
    activity = f.activity(library, start="2025-04-30T20:00")  # 13:00 UTC: April in Vietnam either way
    late = f.activity(library, start="2025-05-01T06:00")  # 23:00 UTC on 30 April: May in Vietnam
    db.session.commit()
    with heard(signals.figures_changed) as figures:
        db.session.add(Attendance(occurrence=activity.occurrences[0], total=12))
        db.session.add(Attendance(occurrence=late.occurrences[0], total=3))
        db.session.commit()
        activity.status = "cancelled"
        db.session.commit()
    assert figures == [{"institution_ids": {library.id}, "months": {library.id: {202504, 202505}}, "years": set()},
                       {"institution_ids": {library.id}, "months": {library.id: None}, "years": set()}]
