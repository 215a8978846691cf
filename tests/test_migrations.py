"""`flask db upgrade` builds the same schema as the models, on SQLite and on PostgreSQL."""
import os
from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, func, insert, select

from calendar_app import create_app
from calendar_app.config import for_tests
from calendar_app.extensions import db
from calendar_app.models import IndicatorTarget, InstitutionMonth, Observance
from tests.conftest import require_service
from tests.scratch_db import scratch_postgres

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _check_upgrade(url: str) -> None:
    app = create_app(for_tests(url))
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
        assert diff == []
        assert db.session.scalar(select(func.count()).select_from(Observance)) == 7
        assert db.session.scalar(select(func.count()).select_from(IndicatorTarget)) > 20
        db.session.remove()
        downgrade(revision="base")
        db.session.remove()
        db.engine.dispose()


def test_migrations_on_sqlite(tmp_path):
    _check_upgrade(f"sqlite:///{tmp_path / 'migrated.db'}")


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


def test_migrations_on_postgresql():
    url = _postgres_url()
    require_service(url is not None, "PostgreSQL is not reachable on 127.0.0.1:5432")
    with scratch_postgres(url, "calendar_migrate") as private_url:
        _check_upgrade(private_url)


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


def test_the_facts_of_an_existing_database_are_computed_on_upgrade(tmp_path):
    """0003 adds the monthly facts and fills them from what the database already holds."""
    app = create_app(for_tests(f"sqlite:///{tmp_path / 'existing.db'}"))
    with app.app_context():
        upgrade(revision="0002")
        stamp = datetime(2025, 1, 1)
        tables = {name: db.metadata.tables[name] for name in ("areas", "institutions", "activities", "occurrences",
                                                             "attendances")}
        with db.engine.begin() as connection:  # written as the old code did, without the facts
            connection.execute(insert(tables["areas"]).values(id=1, code="25", name="Phú Thọ", level="province",
                                                              path="/1/"))
            connection.execute(insert(tables["institutions"]).values(
                id=1, slug="tv", name="Thư viện", category="library_district", area_id=1, active=True,
                created_at=stamp, updated_at=stamp))
            connection.execute(insert(tables["activities"]).values(
                id=1, institution_id=1, title="Đọc sách", description="", starts_at=datetime(2025, 3, 1, 2),
                ends_at=datetime(2025, 3, 1, 4), all_day=False, registration_required=False, status="published",
                sequence=0, search_text="", created_at=stamp, updated_at=stamp))
            connection.execute(insert(tables["occurrences"]).values(
                id=1, activity_id=1, original_start=datetime(2025, 3, 1, 2), starts_at=datetime(2025, 3, 1, 2),
                ends_at=datetime(2025, 3, 1, 4), status="scheduled", overridden=False, updated_at=stamp))
            connection.execute(insert(tables["attendances"]).values(id=1, occurrence_id=1, total=42, version=1,
                                                                    updated_at=stamp))
        upgrade()
        assert db.session.execute(select(InstitutionMonth.institution_id, InstitutionMonth.month,
                                         InstitutionMonth.attendance)).all() == [(1, 202503, 42)]
        db.session.remove()
        db.engine.dispose()
