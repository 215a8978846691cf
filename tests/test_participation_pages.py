"""The editor's participation pages: attendance form (with the stale-save conflict), due list, tally grid,
self-assessment."""
import re

import pytest
from sqlalchemy import select

from calendar_app.events.operations import find_occurrence
from calendar_app.models import Attendance, MonthlyTally, SelfAssessment
from calendar_app.participation import operations as ops
from tests.participation_fixtures import count, frozen_fixture, login, snapshot, world_fixture  # noqa: F401


@pytest.fixture()
def page(world):
    return f"/participation/attendance/{world['club'].id}/2025-10-01T09:00"


def test_participation_needs_a_sign_in(client, world, page):
    for path in ("/participation/", page, "/participation/institutions/thu-vien/tallies/2025"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_due_list_and_the_nav_link(client, world):
    login(client, "ed@example.org")
    response = client.get("/participation/?lang=en")
    assert response.status_code == 200
    assert 'href="/participation/"' in response.text  # the header link
    assert "Attendance due" in response.text and "(3)" in response.text
    assert "Câu lạc bộ đọc sách" in response.text and "Tham quan bảo tàng" not in response.text
    assert f"/participation/attendance/{world['club'].id}/2025-10-08T09:00" in response.text


def test_attendance_form_saves_and_shows_the_figures(db, client, world, page):
    login(client, "ed@example.org")
    form = client.get(page + "?lang=en")
    assert form.status_code == 200 and 'name="audience_pupils"' in form.text
    saved = client.post(page, data={"total": "25", "onsite": "20", "online": "5", "audience_pupils": "12",
                                    "version": ""})
    assert saved.status_code == 302
    attendance = db.session.scalar(select(Attendance))
    assert (attendance.total, attendance.onsite, attendance.online, attendance.audiences) == (25, 20, 5,
                                                                                             {"pupils": 12})
    again = client.get(page)
    assert 'value="25"' in again.text and 'name="version" type="hidden" value="1"' in again.text


@pytest.mark.parametrize("data, message", [
    ({"total": "-4"}, "no minus signs"),
    ({"total": "4.5"}, "no fractions"),
    ({"total": "bốn"}, "whole number"),
    ({"total": "10", "audience_pupils": "8", "audience_youth": "5"}, "more than the total"),
    ({"total": "10", "onsite": "3", "online": "3"}, "must equal the total"),
])
def test_attendance_form_refuses_bad_input_keeps_it_and_writes_nothing(db, client, world, page, data, message):
    login(client, "ed@example.org")
    before = snapshot(db)
    response = client.post(page + "?lang=en", data={"version": "", **data})
    assert response.status_code == 422
    assert message in response.text
    assert f'value="{data["total"]}"' in response.text  # the input is kept
    assert snapshot(db) == before


def test_a_stale_form_shows_the_other_persons_values_and_overwrites_nothing(db, client, world, page, app):
    login(client, "ed@example.org")
    ops.record_attendance(world["users"]["editor"], find_occurrence(world["club"], "2025-10-01T09:00"),
                          {"total": 30})
    db.session.commit()
    # both editors opened the form at version 1
    ops.record_attendance(world["users"]["editor2"], find_occurrence(world["club"], "2025-10-01T09:00"),
                          {"total": 33, "onsite": 33, "version": 1})
    db.session.commit()
    response = client.post(page + "?lang=en", data={"total": "29", "version": "1"})
    assert response.status_code == 409
    assert "Someone else saved this attendance" in response.text
    assert "ed2@example.org" in response.text and "<dd>33</dd>" in response.text
    assert 'value="29"' in response.text  # what this person typed is still there
    assert 'name="version" type="hidden" value="2"' in response.text  # saving again is a deliberate choice
    db.session.expire_all()
    assert db.session.scalar(select(Attendance.total)) == 33
    saved = client.post(page, data={"total": "29", "version": "2"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Attendance.total)) == 29


def test_a_coming_occurrence_has_no_attendance_form(db, client, world):
    login(client, "ed@example.org")
    url = f"/participation/attendance/{world['club'].id}/2025-10-15T09:00"
    assert "has not started yet" in client.get(url + "?lang=en").text
    response = client.post(url, data={"total": "3", "version": ""})
    assert response.status_code == 422
    assert count(db, Attendance) == 0


def test_pages_of_another_institution_are_not_found(db, client, world, page):
    login(client, "out@example.org")
    before = snapshot(db)
    assert client.get(page).status_code == 404
    assert client.post(page, data={"total": "3", "version": ""}).status_code == 404
    assert client.post("/participation/institutions/thu-vien/tallies/2025",
                       data={"library_visits-1": "4"}).status_code == 404
    assert client.post("/participation/institutions/thu-vien/assessments/2025",
                       data={"digital_catalogue": "y"}).status_code == 404
    assert client.get(f"/participation/check-in/{world['talk'].id}/2025-10-20T09:00").status_code == 404
    assert snapshot(db) == before


def test_tally_grid_saves_the_year(db, client, world):
    login(client, "ed@example.org")
    url = "/participation/institutions/thu-vien/tallies/2025"
    grid = client.get(url + "?lang=en")
    assert grid.status_code == 200 and 'name="museum_study_visitors-12"' in grid.text
    saved = client.post(url, data={"library_visits-1": "1200", "library_visits-2": " 1 300 ".replace(" ", ""),
                                   "club_members-12": "0"})
    assert saved.status_code == 302
    assert ops.tallies_of(world["lib"], 2025) == {(1, "library_visits"): 1200, (2, "library_visits"): 1300,
                                                 (12, "club_members"): 0}
    cleared = client.post(url, data={"library_visits-1": "1200", "club_members-12": "0"})
    assert cleared.status_code == 302
    assert (2, "library_visits") not in ops.tallies_of(world["lib"], 2025)


def test_tally_grid_refuses_bad_cells_keeps_the_input_and_writes_nothing(db, client, world):
    login(client, "ed@example.org")
    url = "/participation/institutions/thu-vien/tallies/2025"
    client.post(url, data={"library_visits-1": "100"})
    before = snapshot(db)
    response = client.post(url + "?lang=en", data={"library_visits-1": "150", "library_visits-2": "-3",
                                                   "museum_visitors-7": "2,5"})
    assert response.status_code == 422
    assert "Nothing was saved" in response.text
    assert 'id="cell-library_visits-2"' in response.text and 'value="-3"' in response.text
    assert 'value="150"' in response.text and 'value="2,5"' in response.text
    assert 'aria-invalid="true" aria-describedby="err-museum_visitors-7"' in response.text
    assert snapshot(db) == before
    assert client.get("/participation/institutions/thu-vien/tallies/1999").status_code == 404
    assert count(db, MonthlyTally) == 1


def test_self_assessment_page(db, client, world):
    login(client, "ed@example.org")
    url = "/participation/institutions/thu-vien/assessments/2025"
    assert "Digital catalogue" in client.get(url + "?lang=en").text
    assert client.post(url, data={"digital_catalogue": "y", "online_activities": "y"}).status_code == 302
    assessment = db.session.scalar(select(SelfAssessment))
    assert assessment.digital_catalogue and assessment.online_activities and not assessment.online_services
    text = client.get(url).text
    tags = {name: re.search(rf'<input[^>]*id="{name}"[^>]*>', text).group(0)
            for name in ("digital_catalogue", "online_services")}
    assert "checked" in tags["digital_catalogue"] and "checked" not in tags["online_services"]


def test_activity_overview_lists_dates_with_registrations_and_attendance(db, client, world):
    login(client, "ed@example.org")
    response = client.get(f"/participation/activities/{world['club'].id}?lang=en")
    assert response.status_code == 200
    assert response.text.count(">due<") == 3
