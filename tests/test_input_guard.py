"""Every odd input of issue 11 answers a clear 4xx on both databases, never a 500 (the PostgreSQL pass runs the
same cases: NUL bytes and out-of-range integers are what PostgreSQL refuses and SQLite stores)."""
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from calendar_app import bounds
from calendar_app.guard import digits_up_to
from calendar_app.models import Activity, Registration
from tests.participation_fixtures import (  # noqa: F401
    bearer,
    frozen_fixture,
    login,
    world_fixture,
)

EVENT = {"institution": "thu-vien", "title": "Đọc sách", "starts_at": "2025-11-01T09:00",
         "ends_at": "2025-11-01T10:00"}

#: (method, path, JSON body or None, expected status, the field named in the JSON error or None)
CASES = [
    # NUL in a path, a query string or a body
    ("GET", "/events?q=a%00b", None, 400, None),
    ("GET", "/institutions/a%00b", None, 404, None),
    ("GET", "/feeds/areas/%00.ics", None, 404, None),
    ("GET", "/feeds/events.ics?q=a%00b", None, 400, None),
    ("GET", "/api/v1/institutions?area=%00", None, 400, "area"),
    ("GET", "/api/v1/events?q=a%00b", None, 400, "q"),
    ("GET", "/api/v1/institutions/a%00b", None, 404, None),
    ("POST", "/api/v1/events", {**EVENT, "title": "a\x00b"}, 400, "title"),
    # integers beyond their column
    ("GET", "/api/v1/events/2147483648", None, 404, None),
    ("GET", "/events/2147483648", None, 404, None),
    ("GET", "/events/99999999999999999999999.ics", None, 404, None),
    ("PUT", "/api/v1/events/2147483648/occurrences/%5D/attendance", {"total": 1}, 404, None),
    ("GET", "/api/v1/events?offset=9223372036854775808", None, 400, "offset"),
    ("GET", "/api/v1/events?limit=9223372036854775808", None, 400, "limit"),
    ("GET", "/api/v1/institutions?offset=-1", None, 400, "offset"),
    ("GET", "/events?page=99999999999999999999999", None, 200, None),  # the last page there can be
    # dates outside what the application handles
    ("GET", "/events?from=9999-12-31", None, 400, None),
    ("GET", "/events?from=0001-01-01", None, 400, None),
    ("GET", "/events?from=2025-02-30", None, 400, None),
    ("GET", "/api/v1/events?from=9999-12-31", None, 400, "from"),
    ("GET", "/api/v1/events?from=0001-01-01", None, 400, "from"),
    ("GET", "/api/v1/events?from=9999-12-30&to=9999-12-31", None, 400, "from"),
    ("GET", "/api/v1/events/{club}?from=0001-01-01", None, 400, "from"),
    ("POST", "/api/v1/events", {**EVENT, "starts_at": "2101-05-01T09:00", "ends_at": "2101-05-01T10:00"},
     422, "starts_at"),
    ("POST", "/api/v1/events", {**EVENT, "starts_at": "0001-01-01T00:00+07:00", "ends_at": "0001-01-01T10:00"},
     422, "starts_at"),
    ("POST", "/api/v1/events", {**EVENT, "all_day": True, "starts_at": "9999-12-31", "ends_at": "9999-12-31"},
     422, "starts_at"),
    ("POST", "/api/v1/events", {**EVENT, "rrule": "FREQ=WEEKLY;INTERVAL=0;COUNT=3"}, 422, "rrule"),
    ("POST", "/api/v1/events", {**EVENT, "rrule": "FREQ=WEEKLY;UNTIL=20250230"}, 422, "rrule"),  # day out of range
    ("POST", "/api/v1/events", {**EVENT, "rrule": "FREQ=WEEKLY;UNTIL=99991231T165959Z"}, 422, "rrule"),
    ("PUT", "/api/v1/events/{club}/occurrences/0001-01-01T00:00", {"status": "cancelled"}, 404, None),
    ("PUT", "/api/v1/events/{club}/occurrences/2025-10-01T09:00", {"starts_at": "9999-12-31T23:00"}, 422,
     "starts_at"),
    ("GET", "/api/v1/events/{club}/occurrences/9999-12-31T23:59/attendance", None, 404, None),
    ("GET", "/api/v1/institutions/thu-vien/tallies/9999-12", None, 422, "year"),
    ("GET", "/api/v1/institutions/thu-vien/tallies/0001-01", None, 422, "year"),
    ("GET", "/api/v1/institutions/thu-vien/assessments/99999999999999999999", None, 422, "year"),
]


@pytest.mark.parametrize("method, path, body, status, field", CASES, ids=[f"{c[0]} {c[1]}" for c in CASES])
def test_odd_input_is_a_clear_4xx(db, world, client, method, path, body, status, field):
    path = path.format(club=world["club"].id)
    headers = bearer(world, "editor") if path.startswith("/api/") else {}
    response = client.open(path, method=method, json=body, headers=headers)
    assert response.status_code == status, response.text[:500]
    if path.startswith("/api/") and status >= 400:
        error = response.json["error"]
        assert error["message"]
        assert field is None or field in error["fields"], error


def test_text_the_database_cannot_store_is_named(db, world, client):
    response = client.post("/api/v1/events?lang=en", json={**EVENT, "title": "a\x00b"}, headers=bearer(world, "editor"))
    error = response.json["error"]
    assert error["code"] == "bad_characters" and "NUL character" in error["fields"]["title"]
    # an unpaired surrogate, as JSON carries it
    raw = '{"institution": "thu-vien", "title": "a\\ud800b", "starts_at": "2025-11-01T09:00", ' \
          '"ends_at": "2025-11-01T10:00"}'
    response = client.post("/api/v1/events", data=raw, content_type="application/json",
                           headers=bearer(world, "editor"))
    assert response.status_code == 400 and "title" in response.json["error"]["fields"]
    assert db.session.scalar(select(func.count()).select_from(Activity)) == 3  # the world's three


def test_a_body_nested_too_deep_is_malformed_not_a_crash(db, world, client):
    response = client.post("/api/v1/events", data="[" * 100_000, content_type="application/json",
                           headers=bearer(world, "editor"))
    assert response.status_code == 400


def _multipart(*parts: str) -> dict:
    body = "".join(f"--b\r\nContent-Disposition: form-data; {part}\r\n\r\n{value}\r\n" for part, value in parts)
    return {"data": (body + "--b--\r\n").encode(), "content_type": "multipart/form-data; boundary=b"}


def test_multipart_parts_without_a_readable_name_are_a_4xx(db, world, client):
    """Found by the fuzz test: a part named with a line break reaches Flask with the name None."""
    headers = bearer(world, "editor")
    response = client.post("/api/v1/imports/tallies", headers=headers, **_multipart(('name="\n"', "null")))
    assert response.status_code == 400 and response.json["error"]["code"] == "no_file"
    response = client.post("/api/v1/imports/tallies", headers=headers, **_multipart(('name="\n"', "a\x00b")))
    assert response.status_code == 400 and response.json["error"]["code"] == "bad_characters"
    response = client.post("/api/v1/imports/tallies", headers=headers,
                           **_multipart(('filename="bang\x00.csv"', "month")))
    assert response.status_code == 400 and response.json["error"]["code"] == "bad_characters"
    # a page's form treats it as the empty form it is
    assert client.post("/login", **_multipart(('name="\n"', "x"))).status_code == client.post("/login").status_code


def test_forms_with_a_nul_answer_the_error_page(db, world, client):
    talk = world["talk"]
    response = client.post(f"/events/{talk.id}/register?lang=en", data={
        "occurrence": "2025-10-20T09:00", "name": "An\x00", "email": "an@example.org", "people": "1",
        "consent": "y", "website": ""})
    assert response.status_code == 400 and "cannot be stored" in response.text
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0
    login(client, "ed@example.org")
    response = client.post("/manage/activities/new?lang=en", data={"title": "Đọc\x00sách"})
    assert response.status_code == 400 and "cannot be stored" in response.text


def test_a_registration_number_beyond_the_id_column_is_a_404(db, world, client):
    login(client, "ed@example.org")
    path = f"/participation/check-in/{world['talk'].id}/2025-10-20T09:00"
    for number in ("2147483648", "99999999999999999999", "-3", "x"):
        assert client.post(path, data={"action": "present", "registration": number}).status_code == 404


def test_audit_filters_ignore_dates_out_of_range(db, world, client):
    login(client, "of@example.org")
    for query in ("from=0001-01-01", "to=9999-12-31", "from=2025-02-30"):
        assert client.get(f"/audit/?{query}").status_code == 200


def test_int_segments_match_only_what_fits_an_id_column():
    pattern = re.compile(digits_up_to(bounds.INT32_MAX) + r"\Z")
    for number in (0, 7, 99, 1999999999, 2147483647):
        assert pattern.match(str(number))
    for number in (2147483648, 2147483650, 9999999999, 21474836470, 10**30):
        assert not pattern.match(str(number))


def test_the_supported_dates():
    assert bounds.parse_day("2100-12-31") == date(2100, 12, 31)
    for text in ("2101-01-01", "1899-12-31", "0001-01-01", "9999-12-31"):
        with pytest.raises(bounds.OutOfRange):
            bounds.parse_day(text)
    assert bounds.day_or_none("2025-02-30") is None and bounds.year_or_none("99999") is None
    assert [bounds.id_or_none(v) for v in ("7", 7, "2147483648", "0", "-1", "1.5", None)] == [7, 7] + [None] * 5
