"""Throw-away PostgreSQL databases, for the test suite and the benchmarks (never used by the app itself)."""
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@contextmanager
def scratch_postgres(server_url: str, label: str) -> Iterator[str]:
    """Create an empty database on the server of `server_url`, yield its URL, drop it afterwards.

    Names are unique per process and call, so concurrent runs on one server never share tables.
    """
    base = make_url(server_url)
    name = f"{label}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
            # a scratch database has nothing to keep after a crash: its commits (and every test's TRUNCATE) need
            # not wait for the disk (the suite on PostgreSQL spent its time waiting on TRUNCATE's I/O here)
            connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
        try:
            yield base.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
