"""One unit of work per request and per CLI command: committed when it succeeds, rolled back when it fails,
and the session usable afterwards whatever happened (unit_of_work.py)."""
import click
import pytest
from flask import abort, redirect
from sqlalchemy import func, select

from calendar_app import create_app, unit_of_work
from calendar_app.config import for_tests
from calendar_app.extensions import db as _db
from calendar_app.models import Observance
from calendar_app.validation import ValidationFailed


def _observance(key: str) -> Observance:
    observance = Observance(key=key, name_vi=key, name_en=key, rule="fixed", month=1, day=2)
    _db.session.add(observance)
    _db.session.flush()
    return observance


@pytest.fixture()
def probe(app, db):
    """A second app on the same database with a view that writes, then answers as the test asks."""
    probe = create_app({**for_tests(app.config["SQLALCHEMY_DATABASE_URI"]), "PROPAGATE_EXCEPTIONS": False})

    @probe.post("/probe/<outcome>")
    def write(outcome: str):
        _observance("probe")
        if outcome == "refused":
            return "refused", 422
        if outcome == "not-found":
            abort(404)
        if outcome == "raise":
            raise RuntimeError("the view failed after writing")
        if outcome == "clash":
            _db.session.add(Observance(key="museum-day", name_vi="x", name_en="x", rule="fixed", month=5, day=18))
        if outcome == "refusal-then-redirect":
            try:
                with unit_of_work.attempt():
                    _observance("inside")
                    raise ValidationFailed({"key": "refused"})
            except ValidationFailed:
                return redirect("/")
        return "ok"

    @probe.cli.command("probe-write")
    @click.argument("outcome")
    @unit_of_work.command
    def write_command(outcome: str):
        _observance("probe")
        if outcome == "fail":
            raise SystemExit(1)

    with probe.app_context():
        yield probe
        _db.session.remove()
        _db.engine.dispose()


def _stored(app, *keys: str) -> set[str]:
    """The keys found by another session, i.e. what was committed."""
    with app.app_context():
        found = set(_db.session.scalars(select(Observance.key).where(Observance.key.in_(keys))))
        _db.session.remove()
    return found


@pytest.mark.parametrize("outcome, status, kept", [
    ("ok", 200, {"probe"}),
    ("refused", 422, set()),
    ("not-found", 404, set()),
    ("raise", 500, set()),
    ("clash", 500, set()),  # the commit itself fails: a unique key
    ("refusal-then-redirect", 302, set()),  # a redirect commits, but attempt() rolled the refusal back
])
def test_a_request_commits_only_when_it_succeeds(app, probe, outcome, status, kept):
    response = probe.test_client().post(f"/probe/{outcome}")
    assert response.status_code == status
    assert _stored(app, "probe", "inside") == kept
    # whatever happened, the session that served the request is usable
    assert _db.session.scalar(select(func.count()).select_from(Observance)) >= 1


@pytest.mark.parametrize("outcome, exit_code, kept", [("ok", 0, {"probe"}), ("fail", 1, set())])
def test_a_command_commits_only_when_it_succeeds(app, probe, outcome, exit_code, kept):
    result = probe.test_cli_runner().invoke(args=["probe-write", outcome])
    assert result.exit_code == exit_code
    assert _stored(app, "probe") == kept
