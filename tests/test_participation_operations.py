"""Attendance, tallies and self-assessments through the operations shared by pages, API, import and check-in."""
import pytest
from sqlalchemy import select, update
from werkzeug.exceptions import NotFound

from calendar_app.events.operations import find_occurrence
from calendar_app.models import Attendance, AuditEntry, MonthlyTally, SelfAssessment
from calendar_app.participation import operations as ops
from calendar_app.validation import ValidationFailed
from tests.participation_fixtures import NOW, count, frozen_fixture, snapshot, world_fixture  # noqa: F401

pytestmark = pytest.mark.usefixtures("world")


def held(world, key="2025-10-01T09:00"):
    return find_occurrence(world["club"], key)


def test_attendance_is_recorded_versioned_and_audited(db, world):
    editor = world["users"]["editor"]
    attendance = ops.record_attendance(editor, held(world), {"total": "40", "onsite": 30, "online": 10,
                                                             "audiences": {"pupils": 25, "youth": "5"}})
    db.session.commit()
    assert (attendance.total, attendance.onsite, attendance.online, attendance.version) == (40, 30, 10, 1)
    assert attendance.audiences == {"pupils": 25, "youth": 5}
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_type == "attendance"))
    assert entry.action == "create" and entry.entity_id == f"{world['club'].id}/2025-10-01T09:00"
    assert entry.changes["total"] == [None, 40] and entry.changes["audiences.pupils"] == [None, 25]

    ops.record_attendance(editor, held(world), {"total": 42, "audiences": {"pupils": 25}, "version": 1})
    db.session.commit()
    assert attendance.version == 2 and attendance.onsite is None and attendance.audiences == {"pupils": 25}
    update = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "update")).one()
    assert update.changes == {"total": [40, 42], "onsite": [30, None], "online": [10, None],
                              "audiences.youth": [5, None]}


def test_total_is_the_sum_when_only_onsite_and_online_are_given(db, world):
    attendance = ops.record_attendance(world["users"]["editor"], held(world), {"onsite": 12, "online": 3})
    assert attendance.total == 15


def test_saving_the_same_figures_again_changes_nothing(db, world):
    editor = world["users"]["editor"]
    ops.record_attendance(editor, held(world), {"total": 20})
    db.session.commit()
    ops.record_attendance(editor, held(world), {"total": 20, "version": 1})
    db.session.commit()
    assert db.session.scalar(select(Attendance.version)) == 1
    assert count(db, AuditEntry) == 1


@pytest.mark.parametrize("data, field", [
    ({"total": -1}, "total"),
    ({"total": 2.5}, "total"),
    ({"total": "12.5"}, "total"),
    ({"total": "mười"}, "total"),
    ({"total": True}, "total"),
    ({"total": 10, "onsite": -2}, "onsite"),
    ({"total": 10, "audiences": {"pupils": 1.5}}, "audiences.pupils"),
    ({"total": 10, "audiences": {"pupils": 8, "youth": 3}}, "audiences"),
    ({"total": 10, "onsite": 6, "online": 3}, "online"),
    ({"total": 10, "onsite": 11}, "onsite"),
    ({"total": 10, "audiences": {"martians": 1}}, "audiences"),
    ({"onsite": 10}, "total"),
    ({}, "total"),
    ({"total": 10, "colour": "red"}, "colour"),
])
def test_bad_attendance_is_refused_with_the_field_and_nothing_written(db, world, data, field):
    before = snapshot(db)
    with pytest.raises(ValidationFailed) as refused:
        ops.record_attendance(world["users"]["editor"], held(world), data)
    db.session.rollback()
    assert field in refused.value.fields
    assert snapshot(db) == before


def test_attendance_only_for_an_occurrence_that_has_started_and_was_not_cancelled(db, world):
    editor = world["users"]["editor"]
    coming = find_occurrence(world["club"], "2025-10-15T09:00")
    with pytest.raises(ValidationFailed) as refused:
        ops.record_attendance(editor, coming, {"total": 5})
    assert "not started" in refused.value.fields["occurrence"]
    cancelled = held(world, "2025-10-08T09:00")
    cancelled.status = "cancelled"
    with pytest.raises(ValidationFailed) as refused:
        ops.record_attendance(editor, cancelled, {"total": 5})
    assert "cancelled" in refused.value.fields["occurrence"]
    db.session.rollback()
    assert count(db, Attendance) == 0


def test_the_second_of_two_writers_gets_a_conflict_and_the_first_figures_stay(db, world):
    first, second = world["users"]["editor"], world["users"]["editor2"]
    ops.record_attendance(first, held(world), {"total": 30})
    db.session.commit()
    # both read version 1
    ops.record_attendance(first, held(world), {"total": 31, "version": 1})
    db.session.commit()
    with pytest.raises(ops.AttendanceConflict):
        ops.record_attendance(second, held(world), {"total": 99, "version": 1})
    db.session.rollback()
    with pytest.raises(ops.AttendanceConflict):  # no version at all, once a record exists
        ops.record_attendance(second, held(world), {"total": 99})
    db.session.rollback()
    with pytest.raises(ops.AttendanceConflict):  # a version for a record that does not exist
        ops.record_attendance(second, held(world, "2025-09-24T09:00"), {"total": 99, "version": 4})
    db.session.rollback()
    assert db.session.scalar(select(Attendance.total)) == 31
    assert db.session.scalar(select(Attendance.version)) == 2


def test_a_race_between_read_and_write_is_caught_by_the_database(db, world):
    """Another session commits after ours has read version 1: the versioned UPDATE matches no row."""
    editor = world["users"]["editor"]
    ops.record_attendance(editor, held(world), {"total": 30})
    db.session.commit()
    read = ops.attendance_of(held(world))  # read, and kept in this session
    assert read.version == 1
    with db.engine.begin() as other:
        other.execute(update(Attendance.__table__).values(total=50, version=2))
    assert ops.attendance_of(held(world)).version == 1  # so the version check before writing passes
    with pytest.raises(ops.AttendanceConflict):
        ops.record_attendance(editor, held(world), {"total": 40, "version": 1})
    db.session.rollback()
    assert db.session.scalar(select(Attendance.total)) == 50


def test_an_editor_of_another_institution_cannot_record_or_read_due_items(db, world):
    before = snapshot(db)
    with pytest.raises(NotFound):
        ops.record_attendance(world["users"]["outsider"], held(world), {"total": 5})
    db.session.rollback()
    assert snapshot(db) == before
    items, total = ops.attendance_due(world["users"]["outsider"], NOW)
    assert [o.activity.title for o in items] == ["Tham quan bảo tàng"] and total == 1


def test_attendance_due_lists_held_occurrences_without_figures(db, world):
    editor = world["users"]["editor"]
    items, total = ops.attendance_due(editor, NOW)
    assert [ops.occurrence_key(o.original_start, False) for o in items] == [
        "2025-10-08T09:00", "2025-10-01T09:00", "2025-09-24T09:00"]
    ops.record_attendance(editor, held(world), {"total": 3})
    held(world, "2025-10-08T09:00").status = "cancelled"
    db.session.commit()
    items, total = ops.attendance_due(editor, NOW)
    assert total == 1 and items[0].starts_at < held(world).starts_at
    officer_items, officer_total = ops.attendance_due(world["users"]["officer"], NOW)
    assert officer_total == 1
    _items, admin_total = ops.attendance_due(world["users"]["admin"], NOW)
    assert admin_total == 2  # and the museum's


# --- monthly tallies -----------------------------------------------------------------------------------


def test_tallies_set_remove_and_audit(db, world):
    editor, lib = world["users"]["editor"], world["lib"]
    changes = ops.set_tallies(editor, lib, 2025, 3, {"library_visits": "1200", "library_online_visits": 300})
    db.session.commit()
    assert changes == {"library_visits": [None, 1200], "library_online_visits": [None, 300]}
    ops.set_tallies(editor, lib, 2025, 3, {"library_visits": 1300, "library_online_visits": None})
    db.session.commit()
    assert ops.tallies_of(lib, 2025) == {(3, "library_visits"): 1300}
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "tally")
                                 .order_by(AuditEntry.id)).all()
    assert [e.entity_id for e in entries] == ["thu-vien/2025-03"] * 2
    assert entries[1].changes == {"library_visits": [1200, 1300], "library_online_visits": [300, None]}


@pytest.mark.parametrize("month, data, field", [
    (13, {"library_visits": 1}, "month"),
    (0, {"library_visits": 1}, "month"),
    ("mar", {"library_visits": 1}, "month"),
    (3, {"library_visits": -5}, "library_visits"),
    (3, {"library_visits": 10.5}, "library_visits"),
    (3, {"library_visits": "nhiều"}, "library_visits"),
    (3, {"book_loans": 10}, "book_loans"),
])
def test_bad_tallies_are_refused_and_nothing_written(db, world, month, data, field):
    before = snapshot(db)
    with pytest.raises(ValidationFailed) as refused:
        ops.set_tallies(world["users"]["editor"], world["lib"], 2025, month, data)
    db.session.rollback()
    assert field in refused.value.fields
    assert snapshot(db) == before


def test_the_year_grid_is_saved_whole_or_not_at_all(db, world):
    editor, lib = world["users"]["editor"], world["lib"]
    grid = {month: {"library_visits": str(100 * month), "club_members": ""} for month in range(1, 13)}
    assert ops.set_tally_year(editor, lib, 2025, grid) == 12
    db.session.commit()
    bad = {**grid, 5: {"library_visits": "-1"}, 9: {"museum_visitors": "x"}}
    bad[1] = {"library_visits": "7"}
    before = snapshot(db)
    with pytest.raises(ValidationFailed) as refused:
        ops.set_tally_year(editor, lib, 2025, bad)
    db.session.rollback()
    assert set(refused.value.fields) == {"library_visits-5", "museum_visitors-9"}
    assert snapshot(db) == before
    assert ops.tallies_of(lib, 2025)[(1, "library_visits")] == 100


def test_tallies_outside_the_scope_are_refused(db, world):
    with pytest.raises(NotFound):
        ops.set_tallies(world["users"]["outsider"], world["lib"], 2025, 1, {"library_visits": 1})
    db.session.rollback()
    assert count(db, MonthlyTally) == 0


# --- self-assessment -----------------------------------------------------------------------------------


def test_self_assessment_is_replaced_and_audited(db, world):
    editor, lib = world["users"]["editor"], world["lib"]
    ops.save_assessment(editor, lib, 2025, {"digital_catalogue": True, "online_services": True})
    db.session.commit()
    ops.save_assessment(editor, lib, 2025, {"digital_catalogue": True})
    db.session.commit()
    assert ops.assessment_values(ops.assessment_of(lib, 2025)) == {
        "digital_catalogue": True, "digital_resources": False, "online_services": False,
        "digitised_heritage": False, "online_activities": False}
    changes = [e.changes for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert changes[1] == {"online_services": [True, False]}


@pytest.mark.parametrize("year, data, field", [
    (2025, {"digital_catalogue": "maybe"}, "digital_catalogue"),
    (2025, {"digital_catalogue": 1}, "digital_catalogue"),
    (2025, {"blockchain": True}, "blockchain"),
    (1999, {}, "year"),
    ("next", {}, "year"),
])
def test_bad_self_assessments_are_refused(db, world, year, data, field):
    with pytest.raises(ValidationFailed) as refused:
        ops.save_assessment(world["users"]["editor"], world["lib"], year, data)
    db.session.rollback()
    assert field in refused.value.fields
    assert count(db, SelfAssessment) == 0
