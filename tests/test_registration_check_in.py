"""The staff check-in list: search, mark present, walk-ins; its counts become the occurrence's attendance."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from calendar_app import clock
from calendar_app.events.operations import find_occurrence
from calendar_app.models import Attendance, AuditEntry, Registration
from calendar_app.participation import operations as ops
from calendar_app.registration import check_in
from calendar_app.registration import operations as reg
from calendar_app.validation import ValidationFailed
from tests.participation_fixtures import NOW, count, frozen_fixture, login, snapshot, world_fixture  # noqa: F401

KEY = "2025-10-20T09:00"
#: half an hour after the talk began
DURING = clock.to_utc(datetime(2025, 10, 20, 9, 30))


@pytest.fixture()
def registered(db, world):
    for name, email, people in (("Nguyễn Văn An", "an@example.org", 2), ("Trần Thị Bình", "binh@example.org", 1),
                                ("Lê Chí", "chi@example.org", 1)):
        reg.register(world["talk"], {"occurrence": KEY, "name": name, "email": email, "people": people,
                                     "consent": True}, now=NOW)
    db.session.commit()
    return {r.name: r for r in db.session.scalars(select(Registration))}


def test_checked_in_people_become_the_attendance(db, world, registered):
    editor = world["users"]["editor"]
    occurrence = find_occurrence(world["talk"], KEY)
    check_in.set_checked_in(editor, registered["Nguyễn Văn An"], True, now=DURING)
    check_in.add_walk_in(editor, occurrence, {"name": "", "people": "3"}, now=DURING)
    db.session.commit()
    attendance = ops.attendance_of(occurrence)
    assert (attendance.total, attendance.onsite, attendance.online, attendance.version) == (5, 5, None, 2)
    check_in.set_checked_in(editor, registered["Nguyễn Văn An"], False, now=DURING)
    db.session.commit()
    assert (ops.attendance_of(occurrence).total, ops.attendance_of(occurrence).version) == (3, 3)
    audited = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "attendance")).all()
    assert [e.changes["total"] for e in audited] == [[None, 2], [2, 5], [5, 3]]


def test_online_figures_and_audiences_entered_by_hand_are_kept(db, world, registered):
    editor = world["users"]["editor"]
    occurrence = find_occurrence(world["talk"], KEY)
    ops.record_attendance(editor, occurrence, {"total": 12, "onsite": 2, "online": 10,
                                               "audiences": {"adults": 4}}, now=DURING)
    check_in.set_checked_in(editor, registered["Lê Chí"], True, now=DURING)
    check_in.set_checked_in(editor, registered["Nguyễn Văn An"], True, now=DURING)
    db.session.commit()
    attendance = ops.attendance_of(occurrence)
    assert (attendance.total, attendance.onsite, attendance.online, attendance.audiences) == (13, 3, 10,
                                                                                             {"adults": 4})


def test_check_in_before_the_start_waits_then_is_recorded(db, world, registered):
    editor = world["users"]["editor"]
    occurrence = find_occurrence(world["talk"], KEY)
    morning = clock.to_utc(datetime(2025, 10, 20, 8, 30))
    with pytest.raises(ValidationFailed):  # not before the day
        check_in.set_checked_in(editor, registered["Lê Chí"], True, now=morning - timedelta(days=1))
    db.session.rollback()
    check_in.set_checked_in(editor, registered["Lê Chí"], True, now=morning)
    db.session.commit()
    assert ops.attendance_of(occurrence) is None and check_in.checked_in_people(occurrence) == 1
    assert not check_in.attendance_matches_check_in(occurrence)
    check_in.sync_attendance(editor, occurrence, now=DURING)
    db.session.commit()
    assert ops.attendance_of(occurrence).total == 1 and check_in.attendance_matches_check_in(occurrence)


def test_cancelled_registrations_cannot_be_checked_in(db, world, registered):
    reg.cancel(registered["Lê Chí"], now=NOW)
    db.session.commit()
    with pytest.raises(ValidationFailed):
        check_in.set_checked_in(world["users"]["editor"], registered["Lê Chí"], True, now=DURING)


def test_walk_ins_need_a_whole_number_of_people(db, world, registered):
    occurrence = find_occurrence(world["talk"], KEY)
    before = snapshot(db)
    for people in ("0", "-1", "1.5", "ba"):
        with pytest.raises(ValidationFailed) as refused:
            check_in.add_walk_in(world["users"]["editor"], occurrence, {"people": people}, now=DURING)
        db.session.rollback()
        assert "people" in refused.value.fields
    assert snapshot(db) == before


def test_the_search_ignores_accents_and_finds_contacts(db, world, registered):
    occurrence = find_occurrence(world["talk"], KEY)
    editor = world["users"]["editor"]
    assert [r.name for r in check_in.check_in_list(editor, occurrence, "nguyen an")] == ["Nguyễn Văn An"]
    assert [r.name for r in check_in.check_in_list(editor, occurrence, "binh@")] == ["Trần Thị Bình"]
    assert len(check_in.check_in_list(editor, occurrence, "")) == 3


def test_the_check_in_page(db, client, world, registered, monkeypatch):
    monkeypatch.setattr(clock, "utcnow", lambda: DURING)
    login(client, "ed@example.org")
    url = f"/participation/check-in/{world['talk'].id}/{KEY}"
    page = client.get(url + "?lang=en&q=tran")
    assert page.status_code == 200 and "Trần Thị Bình" in page.text and "Nguyễn Văn An" not in page.text
    an = registered["Nguyễn Văn An"]
    assert client.post(url, data={"action": "present", "registration": an.id}).status_code == 302
    assert client.post(url, data={"action": "walk_in", "name": "Khách", "people": "2"}).status_code == 302
    refused = client.post(url + "?lang=en", data={"action": "walk_in", "people": "-2"})
    assert refused.status_code == 422 and "no minus signs" in refused.text
    db.session.expire_all()
    assert db.session.scalar(select(Attendance.total)) == 4
    page = client.get(url + "?lang=en")
    assert "<strong>4</strong> present" in page.text and "Khách" in page.text
    # a registration of another occurrence cannot be ticked from here
    other = find_occurrence(world["club"], "2025-10-15T09:00")
    stray = Registration(activity=world["club"], occurrence=other, name="X", people=1, position=1)
    db.session.add(stray)
    db.session.commit()
    assert client.post(url, data={"action": "present", "registration": stray.id}).status_code == 404
    assert client.post(url, data={"action": "dance"}).status_code == 400


def test_a_check_in_racing_another_writer_changes_nothing(db, world, registered, monkeypatch):
    editor = world["users"]["editor"]
    occurrence = find_occurrence(world["talk"], KEY)
    check_in.set_checked_in(editor, registered["Lê Chí"], True, now=DURING)
    db.session.commit()

    def stale(user, occ, data, now=None):
        raise ops.AttendanceConflict()

    monkeypatch.setattr(check_in, "record_attendance", stale)
    with pytest.raises(ops.AttendanceConflict):
        check_in.set_checked_in(editor, registered["Trần Thị Bình"], True, now=DURING)
    db.session.rollback()
    assert check_in.checked_in_people(occurrence) == 1 and count(db, Attendance) == 1
