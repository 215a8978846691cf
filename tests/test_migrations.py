"""Migrations, on SQLite and on PostgreSQL: the chain builds the models' schema from an empty database, keeps
the data a database holds at every revision, and goes down to nothing and up again.

The data test upgrades one revision at a time. On reaching a revision it runs that revision's `Step` from
tests/migration_rows.py: `check` (what the upgrade did to the rows already there), then writes `rows` (what a
database of that revision holds, in that revision's tables and columns, never through the ORM models). At
head every row written on the way must still be there, the monthly facts must be what `rebuild` computes
today, and the reference data what the test database gets from `seed_reference_data`.

Adding revision 0004: add `"0004": Step(rows={...})` to `STEPS` in tests/migration_rows.py, with rows that
exercise what it changes (a row in its new table, a value in its new column, a row its data migration has to
rewrite); give it `check=` to assert a data migration, and `rewrites=` if it changes rows written before it on
purpose (rename a key, convert a value in the expected rows). `test_every_revision_has_a_step` fails until the
entry exists.
"""
import ast
import copy
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, select

from calendar_app import create_app
from calendar_app.config import for_tests
from calendar_app.extensions import db
from tests.conftest import require_service
from tests.migration_rows import STEPS, Rows, facts
from tests.scratch_db import scratch_postgres

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def revisions() -> list[str]:
    """Every revision, oldest first."""
    return [script.revision for script in reversed(list(ScriptDirectory(str(MIGRATIONS)).walk_revisions()))]


def _postgres_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL") or PG_DEFAULT
    if not url.startswith("postgresql"):
        url = PG_DEFAULT
    try:
        engine = create_engine(url)
        with engine.connect():
            pass
        engine.dispose()
    except Exception:  # noqa: BLE001 - any failure means "no server here"
        return None
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_app(request, tmp_path):
    """An app on an empty database of each kind, inside its app context."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrated.db'}"
        with _context(url) as app:
            yield app
        return
    server = _postgres_url()
    require_service(server is not None, "PostgreSQL is not reachable on 127.0.0.1:5432")
    with scratch_postgres(server, "calendar_migrate") as url, _context(url) as app:
        yield app


@contextmanager
def _context(url: str) -> Iterator[Flask]:
    # the expected facts in tests/migration_rows.py are counted in UTC+7
    app = create_app({**for_tests(url), "CALENDAR_TIMEZONE": "Asia/Ho_Chi_Minh"})
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()  # PostgreSQL drops the scratch database only once nobody is connected


def assert_schema_is_the_models() -> None:
    with db.engine.connect() as connection, warnings.catch_warnings():
        # SQLite cannot reflect an index on an expression, so Alembic leaves it out (and says so); the models
        # make theirs on PostgreSQL only (Index(...).ddl_if), where it is compared
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression-based index")
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def assert_reference_data_is_seeded() -> None:
    """The migrated database holds the reference data the test database gets from seed_reference_data."""
    from calendar_app.indicators.targets import PLANS
    from calendar_app.observances.defaults import DEFAULT_OBSERVANCES

    observances, targets = db.metadata.tables["observances"], db.metadata.tables["indicator_targets"]
    plans = db.metadata.tables["plans"]
    columns = list(DEFAULT_OBSERVANCES[0])
    with db.engine.connect() as connection:
        shipped = connection.execute(select(*(observances.c[name] for name in columns))
                                     .where(observances.c.provincial.is_(False))).mappings().all()
        held = connection.execute(
            select(plans.c.area_code, plans.c.area_level, plans.c.number, plans.c.title, plans.c.issued_on,
                   plans.c.is_default, targets.c.indicator, targets.c.category, targets.c.milestone, targets.c.low,
                   targets.c.high).join(targets, targets.c.plan_id == plans.c.id)).all()
    message = "the defaults changed: ship the change in a new revision"
    assert sorted(map(dict, shipped), key=lambda row: row["key"]) == sorted(DEFAULT_OBSERVANCES,
                                                                            key=lambda row: row["key"]), message
    shipped_targets = [(*plan[:6], *target) for plan in PLANS for target in plan[6]]
    assert sorted(map(tuple, held), key=repr) == sorted(shipped_targets, key=repr), message


def _sql_type(values) -> sa.types.TypeEngine:
    sample = next((value for value in values if value is not None), None)
    for python_type, sql_type in ((bool, sa.Boolean), (int, sa.Integer), (float, sa.Double),
                                  (datetime, sa.DateTime), (date, sa.Date), (str, sa.String), (dict, sa.JSON),
                                  (list, sa.JSON)):
        if isinstance(sample, python_type):
            return sql_type()
    return sa.types.NullType()


def write(rows: Rows) -> None:
    """Insert rows as plain SQL against whatever the tables are at the current revision."""
    with db.engine.begin() as connection:
        for name, table_rows in rows.items():
            names = list(dict.fromkeys(key for row in table_rows for key in row))
            table = sa.table(name, *(sa.column(key, _sql_type([row.get(key) for row in table_rows]))
                                     for key in names))
            for row in table_rows:
                connection.execute(table.insert().values(**row))


def assert_rows_survived(expected: Rows) -> None:
    """Every expected row is at head, found by its primary key, with the values it was written with."""
    with db.engine.connect() as connection:
        for name, table_rows in expected.items():
            table = db.metadata.tables[name]
            for row in table_rows:
                found = connection.execute(
                    select(*(table.c[key] for key in row))
                    .where(*(column == row[column.name] for column in table.primary_key.columns))
                ).mappings().one_or_none()
                assert found is not None and dict(found) == row, f"{name}: {row} became {found}"


def assert_facts_are_rebuilt_the_same() -> None:
    from calendar_app.indicators.facts import rebuild

    with db.engine.connect() as connection:
        migrated = facts(connection, years=True, keys=True)
    with db.engine.connect() as connection:
        rebuild(connection)
        rebuilt = facts(connection, years=True, keys=True)
        connection.rollback()
    assert migrated == rebuilt


def assert_only_the_version_table_is_left() -> None:
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}


def test_every_revision_has_a_step():
    assert list(STEPS) == revisions(), "add the new revision's rows to STEPS in tests/migration_rows.py"


def test_no_revision_imports_the_application():
    """A revision replayed in five years must do what it did the day it was written."""
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if node.level == 0 else ["."]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            assert not any(name == "." or name.split(".")[0] in {"calendar_app", "tests"} for name in names), \
                f"{path.name} imports {names}"


def test_the_chain_from_an_empty_database_builds_the_models(empty_app):
    upgrade()
    assert_schema_is_the_models()
    assert_reference_data_is_seeded()
    downgrade(revision="base")
    assert_only_the_version_table_is_left()


def test_the_data_of_every_revision_survives_the_chain(empty_app):
    expected: Rows = {}
    for revision in revisions():
        upgrade(revision=revision)
        step = STEPS[revision]
        if step.rewrites:
            step.rewrites(expected)
        if step.check:
            with db.engine.connect() as connection:
                step.check(connection)
        write(step.rows)
        for name, table_rows in copy.deepcopy(step.rows).items():
            expected.setdefault(name, []).extend(table_rows)

    assert_schema_is_the_models()
    assert_rows_survived(expected)
    assert_facts_are_rebuilt_the_same()
    assert_reference_data_is_seeded()

    downgrade(revision="base")  # with all that data in it
    assert_only_the_version_table_is_left()
    upgrade()
    assert_schema_is_the_models()
    assert_reference_data_is_seeded()


@pytest.mark.parametrize("flag", ["production"])
def test_production_refuses_to_start_without_secret(monkeypatch, tmp_path, flag):
    from calendar_app.config import ConfigError

    monkeypatch.setenv("CALENDAR_ENV", flag)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_development_secret_is_generated_once(monkeypatch, tmp_path):
    from calendar_app.config import from_environment

    monkeypatch.delenv("CALENDAR_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    first = from_environment(str(tmp_path))
    second = from_environment(str(tmp_path))
    assert first["SECRET_KEY"] == second["SECRET_KEY"] and len(first["SECRET_KEY"]) == 64
    assert (tmp_path / "secret_key").exists()
    assert first["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'calendar.db'}"
