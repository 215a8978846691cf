"""The participation endpoints of /api/v1, as SPEC.md lists them."""
import pytest

from calendar_app.models import Attendance, MonthlyTally, SelfAssessment
from tests.participation_fixtures import bearer, count, frozen_fixture, snapshot, world_fixture  # noqa: F401


@pytest.fixture()
def url(world):
    return f"/api/v1/events/{world['club'].id}/occurrences/2025-10-01T09:00/attendance"


def test_attendance_read_then_write_with_the_version(client, world, url):
    editor = bearer(world, "editor")
    empty = client.get(url, headers=editor)
    assert empty.status_code == 200
    assert empty.json == {"id": None, "event": world["club"].id, "occurrence": "2025-10-01T09:00", "total": None,
                          "onsite": None, "online": None, "audiences": {}, "version": 0, "updated_at": None}
    first = client.put(url, json={"total": 40, "onsite": 35, "online": 5, "audiences": {"pupils": 30}},
                       headers=editor)
    assert first.status_code == 200, first.json
    assert first.json["version"] == 1 and first.json["audiences"] == {"pupils": 30}
    second = client.put(url, json={"total": 41, "onsite": 36, "online": 5, "version": 1}, headers=editor)
    assert second.status_code == 200 and second.json["version"] == 2
    read = client.get(url, headers=editor).json
    assert (read["total"], read["onsite"], read["audiences"], read["version"]) == (41, 36, {}, 2)


def test_two_writers_the_second_gets_409_and_nothing_is_overwritten(db, client, world, url):
    one, two = bearer(world, "editor"), bearer(world, "editor2")
    client.put(url, json={"total": 10}, headers=one)
    version = client.get(url, headers=two).json["version"]  # both read version 1
    assert client.put(url, json={"total": 12, "version": version}, headers=one).status_code == 200
    stale = client.put(url, json={"total": 99, "version": version}, headers=two)
    assert stale.status_code == 409
    assert stale.json["error"]["code"] == "conflict" and "version" in stale.json["error"]["fields"]
    assert stale.json["error"]["current"]["total"] == 12 and stale.json["error"]["current"]["version"] == 2
    unversioned = client.put(url, json={"total": 99}, headers=two)
    assert unversioned.status_code == 409
    assert client.get(url, headers=one).json["total"] == 12


@pytest.mark.parametrize("body, field", [
    ({"total": -3}, "total"),
    ({"total": 3.5}, "total"),
    ({"total": "many"}, "total"),
    ({"total": 10, "audiences": {"pupils": 11}}, "audiences"),
    ({"total": 10, "onsite": 4, "online": 4}, "online"),
    ({"total": 10, "audiences": {"aliens": 1}}, "audiences"),
    ({"total": 10, "audiences": ["pupils"]}, "audiences"),
    ({"total": 10, "extra": 1}, "extra"),
])
def test_bad_attendance_gets_422_with_the_field_and_nothing_written(db, client, world, url, body, field):
    before = snapshot(db)
    response = client.put(url, json=body, headers=bearer(world, "editor"))
    assert response.status_code == 422
    assert response.json["error"]["code"] == "validation_failed"
    assert field in response.json["error"]["fields"]
    assert snapshot(db) == before


def test_missing_and_coming_occurrences(db, client, world):
    editor = bearer(world, "editor")
    club = world["club"].id
    assert client.put(f"/api/v1/events/{club}/occurrences/2025-10-02T09:00/attendance", json={"total": 1},
                      headers=editor).status_code == 404
    assert client.put(f"/api/v1/events/{club}/occurrences/yesterday/attendance", json={"total": 1},
                      headers=editor).status_code == 404
    assert client.put("/api/v1/events/99999/occurrences/2025-10-01T09:00/attendance", json={"total": 1},
                      headers=editor).status_code == 404
    coming = client.put(f"/api/v1/events/{club}/occurrences/2025-10-15T09:00/attendance", json={"total": 1},
                        headers=editor)
    assert coming.status_code == 422 and "occurrence" in coming.json["error"]["fields"]
    assert count(db, Attendance) == 0


def test_scope_and_tokens(db, client, world, url):
    before = snapshot(db)
    assert client.put(url, json={"total": 5}, headers=bearer(world, "outsider")).status_code == 404
    assert client.get(url, headers=bearer(world, "outsider")).status_code == 404
    assert client.put(url, json={"total": 5}, headers=bearer(world, "officer_out")).status_code == 404
    assert client.put(url, json={"total": 5}).status_code == 401
    assert client.get(url).status_code == 401
    assert client.put(url, json={"total": 5}, headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.put(url, data="{", content_type="application/json",
                      headers=bearer(world, "editor")).status_code == 400
    assert snapshot(db) == before
    assert client.put(url, json={"total": 5}, headers=bearer(world, "officer")).status_code == 200


def test_tallies_api(db, client, world):
    editor = bearer(world, "editor")
    url = "/api/v1/institutions/thu-vien/tallies/2025-03"
    empty = client.get(url, headers=editor).json
    assert empty == {"institution": "thu-vien", "month": "2025-03", "locked": False, "library_visits": None,
                     "library_online_visits": None, "museum_visitors": None, "museum_study_visitors": None,
                     "club_members": None}
    saved = client.put(url, json={"library_visits": 1200, "library_online_visits": 80}, headers=editor)
    assert saved.status_code == 200 and saved.json["library_visits"] == 1200
    saved = client.put(url, json={"library_online_visits": None}, headers=editor)
    assert saved.json["library_visits"] == 1200 and saved.json["library_online_visits"] is None
    assert client.get("/api/v1/institutions/thu-vien/tallies/2025-3", headers=editor).json["month"] == "2025-03"


@pytest.mark.parametrize("month, body, field", [
    ("2025-13", {"library_visits": 1}, "month"),
    ("2025-00", {"library_visits": 1}, "month"),
    ("March", {"library_visits": 1}, "month"),
    ("2025-03", {"library_visits": -1}, "library_visits"),
    ("2025-03", {"library_visits": 1.5}, "library_visits"),
    ("2025-03", {"library_visits": "lots"}, "library_visits"),
    ("2025-03", {"book_loans": 5}, "book_loans"),
])
def test_bad_tallies_get_422(db, client, world, month, body, field):
    response = client.put(f"/api/v1/institutions/thu-vien/tallies/{month}", json=body,
                          headers=bearer(world, "editor"))
    assert response.status_code == 422 and field in response.json["error"]["fields"]
    assert count(db, MonthlyTally) == 0


def test_tallies_of_another_institution_are_out_of_reach(db, client, world):
    outsider = bearer(world, "outsider")
    assert client.put("/api/v1/institutions/thu-vien/tallies/2025-03", json={"library_visits": 1},
                      headers=outsider).status_code == 404
    assert client.get("/api/v1/institutions/thu-vien/tallies/2025-03", headers=outsider).status_code == 404
    assert client.get("/api/v1/institutions/nowhere/tallies/2025-03", headers=outsider).status_code == 404
    assert count(db, MonthlyTally) == 0


def test_assessments_api(db, client, world):
    editor = bearer(world, "editor")
    url = "/api/v1/institutions/thu-vien/assessments/2025"
    assert client.get(url, headers=editor).json["digital_catalogue"] is False
    saved = client.put(url, json={"digital_catalogue": True, "online_activities": True}, headers=editor)
    assert saved.status_code == 200
    assert saved.json == {"id": saved.json["id"], "institution": "thu-vien", "year": 2025, "locked": False,
                          "digital_catalogue": True, "digital_resources": False, "online_services": False,
                          "digitised_heritage": False, "online_activities": True}
    refused = client.put(url, json={"digital_catalogue": "yes please"}, headers=editor)
    assert refused.status_code == 422 and "digital_catalogue" in refused.json["error"]["fields"]
    refused = client.put(url, json={"ai_strategy": True}, headers=editor)
    assert refused.status_code == 422 and "ai_strategy" in refused.json["error"]["fields"]
    assert client.put("/api/v1/institutions/thu-vien/assessments/20x5", json={},
                      headers=editor).status_code == 422
    assert client.put(url, json={}, headers=bearer(world, "outsider")).status_code == 404
    assert count(db, SelfAssessment) == 1


def test_the_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    attendance = paths["/events/{id}/occurrences/{start}/attendance"]
    assert set(attendance) == {"get", "put"} and "409" in attendance["put"]["responses"]
    assert set(paths["/institutions/{slug}/tallies/{month}"]) == {"get", "put"}
    assert set(paths["/institutions/{slug}/assessments/{year}"]) == {"get", "put"}
    assert "post" in paths["/imports/{kind}"]
