"""The year lock: approved figures are read-only for every writer until an officer unlocks them with a reason."""
import io

import pytest
from sqlalchemy import select
from werkzeug.exceptions import Forbidden

from calendar_app.events.operations import find_occurrence
from calendar_app.models import AuditEntry, Registration
from calendar_app.participation import imports, locks
from calendar_app.participation import operations as ops
from calendar_app.registration import check_in
from calendar_app.validation import ValidationFailed
from tests.participation_fixtures import NOW, approve, bearer, frozen_fixture, login, snapshot, world_fixture  # noqa: F401


@pytest.fixture()
def locked(db, world):
    editor = world["users"]["editor"]
    occurrence = find_occurrence(world["club"], "2025-10-01T09:00")
    ops.record_attendance(editor, occurrence, {"total": 20})
    ops.set_tallies(editor, world["lib"], 2025, 1, {"library_visits": 100})
    db.session.commit()
    approve(db, world["lib"], 2025)
    return occurrence


def _writes(world, occurrence):
    editor = world["users"]["editor"]
    return {
        "attendance": lambda: ops.record_attendance(editor, occurrence, {"total": 21, "version": 1}),
        "tallies": lambda: ops.set_tallies(editor, world["lib"], 2025, 1, {"library_visits": 101}),
        "tally grid": lambda: ops.set_tally_year(editor, world["lib"], 2025, {2: {"library_visits": "5"}}),
        "assessment": lambda: ops.save_assessment(editor, world["lib"], 2025, {"digital_catalogue": True}),
        "import": lambda: imports.import_tallies(editor, imports.read_table(
            "t.csv", b"institution,year,month,library_visits\nthu-vien,2025,4,9\n")),
        "walk-in": lambda: check_in.add_walk_in(editor, occurrence, {"people": 2}, now=NOW),
    }


@pytest.mark.parametrize("what", ["attendance", "tallies", "tally grid", "assessment", "import", "walk-in"])
def test_every_figure_writer_refuses_an_approved_year(db, world, locked, what):
    before = snapshot(db)
    with pytest.raises(ValidationFailed) as refused:
        _writes(world, locked)[what]()
    db.session.rollback()
    assert "locked" in " ".join(refused.value.fields.values())
    assert snapshot(db) == before


def test_check_in_refuses_an_approved_year(db, world, locked):
    registration = Registration(activity=world["club"], occurrence=locked, name="An", people=1, position=1)
    db.session.add(registration)
    db.session.commit()
    with pytest.raises(locks.YearLocked):
        check_in.set_checked_in(world["users"]["editor"], registration, True, now=NOW)
    db.session.rollback()
    assert db.session.get(Registration, registration.id).checked_in_at is None


def test_other_years_stay_open(db, world, locked):
    ops.set_tallies(world["users"]["editor"], world["lib"], 2024, 12, {"library_visits": 5})
    db.session.commit()
    assert not locks.is_year_locked(world["lib"], 2024) and locks.is_year_locked(world["lib"], 2025)


def test_only_an_officer_in_scope_or_an_admin_unlocks_and_must_say_why(db, world, locked):
    users = world["users"]
    for outsider in ("editor", "officer_out"):
        with pytest.raises(Forbidden):
            locks.unlock_year(users[outsider], world["lib"], 2025, "wrong figure")
        db.session.rollback()
    with pytest.raises(ValidationFailed) as refused:
        locks.unlock_year(users["officer"], world["lib"], 2025, "   ")
    assert "reason" in refused.value.fields
    db.session.rollback()
    assert locks.is_year_locked(world["lib"], 2025)

    locks.unlock_year(users["officer"], world["lib"], 2025, "Tháng 1 nhập nhầm")
    db.session.commit()
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "unlock"))
    assert entry.reason == "Tháng 1 nhập nhầm" and entry.changes == {"status": ["approved", "open"]}
    assert entry.user_id == users["officer"].id
    ops.record_attendance(users["editor"], locked, {"total": 21, "version": 1})
    db.session.commit()
    with pytest.raises(ValidationFailed):  # nothing left to unlock
        locks.unlock_year(users["admin"], world["lib"], 2025, "again")


def test_the_api_answers_409_on_a_locked_year(db, world, locked, client):
    before = snapshot(db)
    response = client.put(f"/api/v1/events/{world['club'].id}/occurrences/2025-10-01T09:00/attendance",
                          json={"total": 25, "version": 1}, headers=bearer(world, "editor"))
    assert response.status_code == 409
    assert response.json["error"]["code"] == "year_locked"
    response = client.put("/api/v1/institutions/thu-vien/tallies/2025-01", json={"library_visits": 1},
                          headers=bearer(world, "editor"))
    assert response.status_code == 409
    assert snapshot(db) == before
    assert client.get("/api/v1/institutions/thu-vien/tallies/2025-01",
                      headers=bearer(world, "editor")).json["locked"] is True


def test_the_pages_show_the_lock_and_refuse_the_save(db, world, locked, client):
    login(client, "ed@example.org")
    page = client.get("/participation/institutions/thu-vien/tallies/2025?lang=en")
    assert "approved and locked" in page.text and "Save the year" not in page.text
    before = snapshot(db)
    response = client.post("/participation/institutions/thu-vien/tallies/2025", data={"library_visits-1": "7"})
    assert response.status_code == 422 and "locked" in response.text
    response = client.post(f"/participation/attendance/{world['club'].id}/2025-10-01T09:00",
                           data={"total": "9", "version": "1"})
    assert response.status_code == 422
    response = client.post("/participation/import", data={
        "kind": "tallies",
        "file": (io.BytesIO(b"institution,year,month,library_visits\nthu-vien,2025,2,3\n"), "t.csv")})
    assert response.status_code == 422 and "locked" in response.text
    assert snapshot(db) == before
    client.post("/logout")
    login(client, "of@example.org")
    assert "/approval/queue?year=2025" in client.get("/participation/institutions/thu-vien/tallies/2025").text
