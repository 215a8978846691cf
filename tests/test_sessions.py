"""Sessions that end on the server, sign-in that costs the same for every address, and a rate-limit store
that production workers share (issue 11, item 5)."""
import pytest

from calendar_app.accounts.models import User
from calendar_app.config import ConfigError, from_environment
from tests import factories as f

PASSWORD = "correct horse battery"


@pytest.fixture()
def editor(db):
    lib = f.institution("thu-vien", f.area("25", "Phú Thọ", "province"))
    user = f.user("editor@example.org", "editor", institution=lib)
    db.session.commit()
    return user


def signed_in(app, email="editor@example.org"):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def copy_of_the_session(app, client):
    """Another browser holding the very session cookie `client` has now."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_a_session_cookie_copied_before_sign_out_stops_working(app, editor):
    client = signed_in(app)
    thief = copy_of_the_session(app, client)
    assert thief.get("/account").status_code == 200  # the copy works while the session lasts
    assert client.post("/logout").status_code == 302
    assert thief.get("/account").status_code == 302  # to the sign-in page
    assert client.get("/account").status_code == 302


def test_signing_out_ends_the_other_sessions_too(app, editor):
    phone, laptop = signed_in(app), signed_in(app)
    phone.post("/logout")
    assert laptop.get("/account").status_code == 302


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app, editor, db):
    client = signed_in(app)
    thief = copy_of_the_session(app, client)
    other = signed_in(app)
    before = editor.session_version
    response = client.post("/account", data={"current_password": PASSWORD, "new_password": "a new long password",
                                             "confirm_password": "a new long password"})
    assert response.status_code == 302
    db.session.refresh(editor)
    assert editor.session_version == before + 1
    assert client.get("/account").status_code == 200
    assert thief.get("/account").status_code == 302 and other.get("/account").status_code == 302


def test_sign_in_checks_a_password_whether_or_not_the_address_is_known(client, editor, monkeypatch):
    checked = []
    real = User.check_password

    def spy(user, password):
        checked.append(user.email)
        return real(user, password)

    monkeypatch.setattr(User, "check_password", spy)
    for email in ("editor@example.org", "nobody@example.org"):
        assert client.post("/login", data={"email": email, "password": "wrong password"}).status_code == 400
    assert checked == ["editor@example.org", None]  # the unknown address is checked against a stand-in hash


def test_a_disabled_account_costs_a_check_too(client, editor, db, monkeypatch):
    editor.active = False
    db.session.commit()
    checked = []
    monkeypatch.setattr(User, "check_password", lambda user, password: checked.append(user.email) or True)
    assert client.post("/login", data={"email": "editor@example.org", "password": PASSWORD}).status_code == 400
    assert checked == ["editor@example.org"]
    assert client.get("/account").status_code == 302


def production(monkeypatch, **env):
    monkeypatch.setenv("CALENDAR_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql://db/calendar")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://lich.example.gov.vn")
    for name in ("RATELIMIT_STORAGE_URI", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize("env", [{}, {"WEB_CONCURRENCY": "4"}, {"RATELIMIT_STORAGE_URI": "memory://",
                                                                 "WEB_CONCURRENCY": "2"}])
def test_production_refuses_a_per_process_rate_limit_store_with_several_workers(monkeypatch, tmp_path, env):
    production(monkeypatch, **env)
    with pytest.raises(ConfigError, match=r"RATELIMIT_STORAGE_URI.*redis://"):
        from_environment(str(tmp_path))


@pytest.mark.parametrize("env", [{"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0", "WEB_CONCURRENCY": "9"},
                                 {"WEB_CONCURRENCY": "1"}])
def test_production_starts_with_a_shared_store_or_one_worker(monkeypatch, tmp_path, env):
    production(monkeypatch, **env)
    assert from_environment(str(tmp_path))["RATELIMIT_STORAGE_URI"] == env.get("RATELIMIT_STORAGE_URI", "memory://")


def test_development_keeps_the_memory_store(monkeypatch, tmp_path):
    monkeypatch.delenv("CALENDAR_ENV", raising=False)
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    assert from_environment(str(tmp_path))["RATELIMIT_STORAGE_URI"] == "memory://"
