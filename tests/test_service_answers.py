"""What clients are told when the database is out of reach, when a method is not allowed, what the OpenAPI
document promises, and which host absolute links name (issue 11, item 6)."""
import pytest

from calendar_app import create_app
from calendar_app.config import ConfigError, for_tests, from_environment
from calendar_app.extensions import db as db_
from tests import factories as f

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/calendar"


@pytest.fixture()
def database_down():
    """An app whose database refuses every connection (nothing listens on port 1)."""
    app = create_app(for_tests(UNREACHABLE))
    yield app
    with app.app_context():
        db_.session.remove()
        db_.engine.dispose()


@pytest.mark.parametrize("path", ["/", "/events", "/institutions/thu-vien", "/observances/hung-kings/2026"])
def test_pages_answer_503_with_retry_after_when_the_database_is_down(database_down, path):
    response = database_down.test_client().get(path + "?lang=en")
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert "database cannot be reached" in response.text and response.mimetype == "text/html"


@pytest.mark.parametrize("method, path", [("GET", "/api/v1/events"), ("GET", "/api/v1/areas/25"),
                                          ("POST", "/api/v1/events")])
def test_the_api_answers_503_json_when_the_database_is_down(database_down, method, path):
    headers = {"Authorization": "Bearer lcal_whatever"}
    response = database_down.test_client().open(path, method=method, json={}, headers=headers)
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert response.json["error"]["code"] == "unavailable"


def test_a_statement_the_database_refuses_is_not_an_outage(app):
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from calendar_app.outage import is_outage

    class Refused(Exception):
        sqlstate = "42P01"  # undefined table

    class Lost(Exception):
        sqlstate = "57P01"  # admin shutdown

    assert not is_outage(ProgrammingError("SELECT", {}, Refused()))
    assert is_outage(OperationalError("SELECT", {}, Lost()))
    assert is_outage(OperationalError("SELECT", {}, Refused(), connection_invalidated=True))


@pytest.mark.parametrize("method, path, allowed", [
    ("DELETE", "/events", "GET, HEAD, OPTIONS"),
    ("POST", "/feeds/all.ics", "GET, HEAD, OPTIONS"),
    ("DELETE", "/api/v1/events", "GET, HEAD, OPTIONS, POST"),
    ("POST", "/api/v1/events/1", "GET, HEAD, OPTIONS, PATCH"),
])
def test_405_says_which_methods_are_allowed(client, method, path, allowed):
    response = client.open(path, method=method)
    assert response.status_code == 405 and response.headers["Allow"] == allowed
    if path.startswith("/api/"):
        assert response.json["error"]["code"] == "method_not_allowed"


def test_the_openapi_document_states_429_and_query_formats(client):
    document = client.get("/api/v1/openapi.json").json
    assert "429" in document["paths"]["/indicators"]["get"]["responses"]
    assert "429" not in document["paths"]["/events"]["get"]["responses"]  # not rate-limited
    schemas = {p["name"]: p["schema"] for p in document["paths"]["/events"]["get"]["parameters"]}
    assert schemas["from"]["format"] == "date" and schemas["to"]["format"] == "date"
    assert (schemas["limit"]["type"], schemas["limit"]["minimum"], schemas["limit"]["maximum"]) == ("integer", 1, 200)
    assert (schemas["offset"]["minimum"], schemas["offset"]["maximum"]) == (0, 100_000)
    assert schemas["q"]["maxLength"] == 200
    year = {p["name"]: p["schema"] for p in document["paths"]["/indicators"]["get"]["parameters"]}["year"]
    assert (year["type"], year["minimum"], year["maximum"]) == ("integer", 2000, 2100)


def test_the_rate_limit_is_what_the_document_says(limited_app):
    client = limited_app.test_client()
    answers = [client.get("/api/v1/indicators?year=1999").status_code for _ in range(21)]
    assert answers[:20] == [400] * 20 and answers[20] == 429


def production(monkeypatch, **env):
    monkeypatch.setenv("CALENDAR_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql://db/calendar")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def test_production_requires_the_public_base_url(monkeypatch, tmp_path):
    production(monkeypatch)
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL must be set"):
        from_environment(str(tmp_path))
    production(monkeypatch, PUBLIC_BASE_URL="lich.example.gov.vn/feeds")
    with pytest.raises(ConfigError, match="site root"):
        from_environment(str(tmp_path))
    production(monkeypatch, PUBLIC_BASE_URL="https://lich.example.gov.vn/")
    settings = from_environment(str(tmp_path))
    assert (settings["PUBLIC_BASE_URL"], settings["SERVER_NAME"], settings["PREFERRED_URL_SCHEME"]) == (
        "https://lich.example.gov.vn", "lich.example.gov.vn", "https")


def test_development_still_follows_the_request(monkeypatch, tmp_path):
    monkeypatch.delenv("CALENDAR_ENV", raising=False)
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    settings = from_environment(str(tmp_path))
    assert settings["PUBLIC_BASE_URL"] is None and settings["SERVER_NAME"] is None


def test_absolute_links_name_the_public_host_whatever_host_the_client_sends(app, db, monkeypatch, tmp_path):
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://lich.example.gov.vn")
    public = {key: value for key, value in from_environment(str(tmp_path)).items()
              if key in ("PUBLIC_BASE_URL", "SERVER_NAME", "PREFERRED_URL_SCHEME")}
    site = create_app({**for_tests(app.config["SQLALCHEMY_DATABASE_URI"]), **public})
    with site.app_context():
        lib = f.institution("thu-vien", f.area("25", "Phú Thọ", "province"))
        activities = [f.activity(lib, f"Đọc sách {n}", start=f"2030-10-0{n + 1}T09:00") for n in range(3)]
        db_.session.commit()
        client = site.test_client()
        headers = {"Host": "evil.example"}
        page = client.get("/api/v1/events?from=2030-10-01&limit=1", headers=headers)
        assert page.status_code == 200 and page.json["next"].startswith("https://lich.example.gov.vn/api/v1/events")
        event = client.get(f"/events/{activities[0].id}", headers=headers)
        assert f"https://lich.example.gov.vn/events/{activities[0].id}" in event.text
        assert "evil.example" not in event.text
        db_.session.remove()
        db_.engine.dispose()
