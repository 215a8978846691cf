"""The year lock is held, not only checked (issue 11, item 7): on PostgreSQL, approving a year and writing a
figure of it never interleave, so no figure lands in a year after it was approved.

Runs on a private PostgreSQL database whatever TEST_DATABASE_URL says: the race needs row locks, and SQLite
runs one writing transaction at a time, so it cannot happen there."""
import os
import threading

import pytest
from sqlalchemy import create_engine, delete, select

from calendar_app import create_app
from calendar_app.approval.operations import approve_year
from calendar_app.config import for_tests
from calendar_app.extensions import db
from calendar_app.models import Institution, MonthlyTally, User, YearReport
from calendar_app.participation import operations as ops
from calendar_app.participation.locks import YearLocked
from tests import factories as f
from tests.conftest import require_service
from tests.scratch_db import scratch_postgres

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
YEAR = 2025
#: how long a transaction that should be waiting is given to (wrongly) finish
PATIENCE = 1.0


def postgres_server() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL") or PG_DEFAULT
    url = url if url.startswith("postgresql") else PG_DEFAULT
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return url
    except Exception:  # noqa: BLE001 - any failure means "no server here"
        return None
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def pg():
    server = postgres_server()
    require_service(server is not None, "PostgreSQL is not reachable: the year-lock race needs its row locks "
                                        "(SQLite runs one writing transaction at a time)")
    with scratch_postgres(server, "calendar_lock") as url:
        app = create_app(for_tests(url))
        with app.app_context():
            db.create_all()
            district = f.area("227", "Việt Trì", "district")
            lib = f.institution("thu-vien", district)
            ids = {"institution": lib.id,
                   "editor": f.user("ed@example.org", "editor", institution=lib).id,
                   "officer": f.user("of@example.org", "officer", area=district).id}
            db.session.commit()
            db.session.remove()
        yield app, ids
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture()
def submitted(pg):
    """The library's year submitted for approval, without tallies."""
    app, ids = pg
    with app.app_context():
        db.session.execute(delete(MonthlyTally))
        db.session.execute(delete(YearReport))
        db.session.add(YearReport(institution_id=ids["institution"], year=YEAR, status="submitted"))
        db.session.commit()
        db.session.remove()
    return pg


class Transaction(threading.Thread):
    """Runs `work` in its own app context (so its own session and connection), then waits for `release`
    before committing; `ready` is set once `work` returned, `done` once the transaction ended."""

    def __init__(self, app, work):
        super().__init__(daemon=True)
        self.app, self.work = app, work
        self.ready, self.release, self.done = threading.Event(), threading.Event(), threading.Event()
        self.error = None

    def run(self):
        with self.app.app_context():
            try:
                self.work()
                self.ready.set()
                self.release.wait(30)
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported to the test
                self.error = error
                db.session.rollback()
            finally:
                self.ready.set()
                self.done.set()
                db.session.remove()


def write_tally(ids):
    def work():
        editor, library = db.session.get(User, ids["editor"]), db.session.get(Institution, ids["institution"])
        ops.set_tallies(editor, library, YEAR, 3, {"library_visits": 10})
    return work


def approve(ids):
    def work():
        officer, library = db.session.get(User, ids["officer"]), db.session.get(Institution, ids["institution"])
        approve_year(officer, library, YEAR)
    return work


def state(app, ids):
    with app.app_context():
        status = db.session.scalar(select(YearReport.status).where(YearReport.institution_id == ids["institution"]))
        tallies = db.session.scalars(select(MonthlyTally.value)).all()
        db.session.remove()
    return status, tallies


def test_approval_waits_for_a_writer_whose_check_passed(submitted):
    app, ids = submitted
    writer = Transaction(app, write_tally(ids))
    writer.start()
    assert writer.ready.wait(10) and writer.error is None  # checked the year (open) and wrote, not committed
    approval = Transaction(app, approve(ids))
    approval.release.set()
    approval.start()
    assert not approval.done.wait(PATIENCE), "the approval committed while a writer held the year open"
    writer.release.set()
    assert writer.done.wait(10) and approval.done.wait(10)
    assert writer.error is None and approval.error is None
    # the figure landed before the approval, which then locked it with the rest of the year
    assert state(app, ids) == ("approved", [10])


def test_a_writer_waits_for_an_approval_in_progress_and_is_then_refused(submitted):
    app, ids = submitted
    approval = Transaction(app, approve(ids))
    approval.start()
    assert approval.ready.wait(10) and approval.error is None  # approved, not committed
    writer = Transaction(app, write_tally(ids))
    writer.release.set()
    writer.start()
    assert not writer.done.wait(PATIENCE), "the writer went ahead while an approval of its year was open"
    approval.release.set()
    assert approval.done.wait(10) and writer.done.wait(10)
    assert approval.error is None and isinstance(writer.error, YearLocked)
    assert state(app, ids) == ("approved", [])
