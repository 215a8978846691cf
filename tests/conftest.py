"""Fixtures: one app per session, every test on a clean database (SQLite by default, or TEST_DATABASE_URL)."""
import os
from contextlib import contextmanager

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.engine import make_url

from calendar_app import create_app
from calendar_app.config import for_tests
from calendar_app.extensions import db as _db
from calendar_app.extensions import limiter as _limiter
from calendar_app.seed import seed_reference_data
from tests.scratch_db import scratch_postgres

IN_CI = os.environ.get("CI", "").lower() == "true"


class FreshClient(FlaskClient):
    """Requests share the test's app context (the `db` fixture holds it), so per-request caches kept on `g`
    (Flask-Login's user, the API token's user) are dropped before each request, as a real server would."""

    def open(self, *args, **kwargs):
        for name in list(g):
            g.pop(name)
        return super().open(*args, **kwargs)


@contextmanager
def session_database(tmp_path_factory):
    """SQLite in a temp dir, or a private PostgreSQL database beside TEST_DATABASE_URL's (dropped after),
    so that concurrent runs on one server never share tables."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url or not url.startswith("postgresql"):
        yield url or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    with scratch_postgres(url, make_url(url).database or "test") as private_url:
        yield private_url


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    os.environ["CALENDAR_INSTANCE_PATH"] = str(instance)
    with session_database(tmp_path_factory) as url:
        app = create_app(for_tests(url))
        app.test_client_class = FreshClient
        with app.app_context():
            _db.create_all()
        yield app
        app.extensions["feed_cache"].dispose()  # its own connections: the fast path's look at the feed store
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()


def _clean(db) -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(text(f"DELETE FROM {table}"))
    db.session.commit()


@pytest.fixture()
def db(app):
    """A clean database with the reference data (observances, targets), inside an app context."""
    with app.app_context():
        _clean(_db)
        seed_reference_data()
        _db.session.commit()
        yield _db
        _db.session.rollback()
        _db.session.remove()


@pytest.fixture()
def client(app, db):
    return app.test_client()


@pytest.fixture()
def runner(app, db):
    return app.test_cli_runner()


def require_service(available: bool, reason: str) -> None:
    """Skip outside CI when a real component is missing; in CI a missing component is a failure."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture()
def limited_app(app):
    """A second app on the same database with the rate limit on (the test config turns it off).

    The limiter object is shared by every app, so its switch and counters are put back afterwards.
    """
    was_enabled = _limiter.enabled
    limited = create_app({**for_tests(app.config["SQLALCHEMY_DATABASE_URI"]), "RATELIMIT_ENABLED": True})
    _limiter.reset()
    try:
        yield limited
    finally:
        _limiter.reset()
        _limiter.enabled = was_enabled
        limited.extensions["feed_cache"].dispose()
        with limited.app_context():
            _db.session.remove()
            _db.engine.dispose()
