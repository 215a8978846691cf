"""Accounts hardening: rate-limited sign-in, cookies, security headers and a CSP the staff pages satisfy,
changing one's own password, and sessions that end when the password changes."""
import re

import pytest
from sqlalchemy import select

from calendar_app.events import operations as ops
from calendar_app.models import AuditEntry
from tests import factories as f

PASSWORD = "correct horse battery"


@pytest.fixture()
def world(db):
    province = f.area("25", "Phú Thọ", "province")
    lib = f.institution("thu-vien", province)
    admin = f.user("admin@example.org", "admin")
    editor = f.user("editor@example.org", "editor", institution=lib)
    f.user("officer@example.org", "officer", area=province)
    activity = ops.create_activity(editor, {"title": "Câu lạc bộ", "starts_at": "2030-10-01T18:00",
                                            "ends_at": "2030-10-01T20:00", "rrule": "FREQ=WEEKLY;COUNT=3",
                                            "status": "published"}, institution=lib)
    db.session.commit()
    return {"admin": admin, "editor": editor, "activity": activity}


def sign_in(client, email, password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


# --- sign in -------------------------------------------------------------------------------------------


def test_sign_in_is_rate_limited(limited_app, world):
    client = limited_app.test_client()
    with limited_app.app_context():
        answers = [sign_in(client, "admin@example.org", "wrong password").status_code for _ in range(10)]
        assert answers == [400] * 10
        blocked = sign_in(client, "admin@example.org", PASSWORD)
        assert blocked.status_code == 429  # even the right password waits
        assert client.get("/login").status_code == 200  # only attempts count, not the page itself
        other = limited_app.test_client()
        assert sign_in(other, "admin@example.org", PASSWORD).status_code == 429  # same address


def test_the_limit_is_off_in_tests(client, world):
    assert [sign_in(client, "admin@example.org", "wrong").status_code for _ in range(12)] == [400] * 12


@pytest.mark.parametrize("email, password", [
    ("nobody@example.org", PASSWORD), ("admin@example.org", "wrong password"), ("ADMIN@example.org ", "nope"),
])
def test_one_message_for_every_refused_sign_in(client, world, email, password):
    response = client.post("/login?lang=en", data={"email": email, "password": password})
    assert response.status_code == 400 and "The e-mail address or password is not correct." in response.text


def test_a_disabled_account_gets_the_same_message(client, world, db):
    world["editor"].active = False
    db.session.commit()
    response = client.post("/login?lang=en", data={"email": "editor@example.org", "password": PASSWORD})
    assert response.status_code == 400 and "The e-mail address or password is not correct." in response.text


@pytest.mark.parametrize("target, expected", [
    ("/manage/", "/manage/"), ("//evil.example/x", "/"), ("https://evil.example/", "/"), ("javascript:x", "/"),
])
def test_after_sign_in_only_local_pages(client, world, target, expected):
    response = client.post("/login", query_string={"next": target},
                           data={"email": "editor@example.org", "password": PASSWORD})
    assert response.headers["Location"] == expected


# --- cookies and headers -------------------------------------------------------------------------------


def test_session_cookie_flags_over_http_and_https(app, world):
    plain = sign_in(app.test_client(), "admin@example.org").headers["Set-Cookie"]
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Secure" not in plain
    secure_client = app.test_client()
    secure = secure_client.post("/login", base_url="https://calendar.example",
                                data={"email": "admin@example.org", "password": PASSWORD})
    cookie = secure.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_production_settings_make_cookies_secure(monkeypatch, tmp_path):
    from calendar_app.config import from_environment

    monkeypatch.setenv("CALENDAR_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql://db/calendar")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://lich.example.gov.vn")
    settings = from_environment(str(tmp_path))
    assert settings["SESSION_COOKIE_SECURE"] and settings["REMEMBER_COOKIE_SECURE"]
    assert settings["SESSION_COOKIE_HTTPONLY"] and settings["SESSION_COOKIE_SAMESITE"] == "Lax"


def staff_pages(world):
    activity = world["activity"]
    return {
        "editor@example.org": ["/manage/", "/manage/activities/new", f"/manage/activities/{activity.id}",
                               f"/manage/activities/{activity.id}/occurrences",
                               f"/manage/activities/{activity.id}/occurrences/2030-10-08T18:00/move", "/account"],
        "officer@example.org": ["/audit/", "/manage/"],
        "admin@example.org": ["/admin/", "/admin/areas", "/admin/areas/new", "/admin/institutions",
                              "/admin/institutions/new", "/admin/institutions/thu-vien", "/admin/users",
                              f"/admin/users/{world['editor'].id}", "/admin/users/new", "/admin/tokens",
                              "/admin/tokens/new", "/admin/observances", "/admin/observances/new",
                              "/admin/observances/lifelong-learning-week", "/dashboard/plans", "/dashboard/plans/1",
                              "/admin/targets/1",
                              "/audit/"],
    }


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline script"),
    (re.compile(r"<style\b", re.I), "style element"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_staff_pages_send_security_headers_and_satisfy_the_csp(app, world):
    for email, urls in staff_pages(world).items():
        client = app.test_client()
        assert sign_in(client, email).status_code == 302
        for url in urls:
            for lang in ("vi", "en"):
                response = client.get(url, query_string={"lang": lang})
                assert response.status_code == 200, url
                csp = response.headers["Content-Security-Policy"]
                assert "script-src 'self'" in csp and "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
                assert response.headers["X-Content-Type-Options"] == "nosniff"
                assert response.headers["X-Frame-Options"] == "DENY"
                for pattern, what in INLINE:
                    assert not pattern.search(response.text), f"{what} on {url}"
                for src in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', response.text):
                    assert src.startswith("/static/") or src == "/favicon.ico", (url, src)


def test_the_recurrence_script_is_served_as_a_static_file(client, world):
    script = client.get("/static/js/recurrence.js")
    assert script.status_code == 200 and "preview-region" in script.text
    script.close()


# --- my account ----------------------------------------------------------------------------------------


def test_change_my_password(app, client, world, db):
    other_session = app.test_client()
    assert sign_in(other_session, "editor@example.org").status_code == 302
    assert sign_in(client, "editor@example.org").status_code == 302
    page = client.get("/account?lang=en").text
    assert "editor@example.org" in page and "Institution editor" in page
    response = client.post("/account", data={"current_password": PASSWORD, "new_password": "a new long password",
                                             "confirm_password": "a new long password"})
    assert response.status_code == 302
    assert client.get("/manage/").status_code == 200  # this session carries on
    assert other_session.get("/manage/").status_code == 302  # the other one is signed out
    client.post("/logout")
    assert sign_in(client, "editor@example.org").status_code == 400
    assert sign_in(client, "editor@example.org", "a new long password").status_code == 302
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "change_password"))
    assert entry.entity_id == "editor@example.org" and entry.changes == {}


@pytest.mark.parametrize("data, field, message", [
    ({"current_password": "wrong", "new_password": "a new long password", "confirm_password": "a new long password"},
     "current_password", "This is not your current password."),
    ({"current_password": PASSWORD, "new_password": "short", "confirm_password": "short"},
     "new_password", "The password must have at least 10 characters."),
    ({"current_password": PASSWORD, "new_password": "a new long password", "confirm_password": "a new long pasword"},
     "confirm_password", "The two new passwords are not the same."),
    ({"current_password": PASSWORD, "new_password": PASSWORD, "confirm_password": PASSWORD},
     "new_password", "Choose a password different from the current one."),
    ({"current_password": PASSWORD, "new_password": "x" * 201, "confirm_password": "x" * 201},
     "new_password", "at most 200 characters"),
])
def test_refused_password_change(client, world, db, data, field, message):
    sign_in(client, "editor@example.org")
    response = client.post("/account?lang=en", data=data)
    assert response.status_code == 422 and message in response.text
    assert f'id="{field}-error"' in response.text
    db.session.refresh(world["editor"])
    assert world["editor"].check_password(PASSWORD)


def test_account_page_needs_sign_in(client, world):
    response = client.get("/account")
    assert response.status_code == 302 and "/login?next=%2Faccount" in response.headers["Location"]


def test_a_forged_or_old_style_session_is_not_a_sign_in(app, world, db):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(world["admin"].id)  # no password fingerprint
    assert client.get("/admin/").status_code == 302
    with client.session_transaction() as session:
        session["_user_id"] = f"{world['admin'].id}:0000000000000000"
    assert client.get("/admin/").status_code == 302
    with client.session_transaction() as session:
        session["_user_id"] = world["admin"].get_id()
    assert client.get("/admin/").status_code == 200
