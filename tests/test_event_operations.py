"""The operation layer shared by the editor's pages, the API and the CLI."""
import pytest
from sqlalchemy import func, select
from werkzeug.exceptions import Forbidden, NotFound

from calendar_app.clock import to_local
from calendar_app.events import operations as ops
from calendar_app.models import Activity, AuditEntry, Occurrence
from calendar_app.validation import ValidationFailed
from tests import factories as f

CLUB = {
    "title": "Câu lạc bộ đọc sách", "description": "Mỗi tuần một cuốn sách", "starts_at": "2025-10-01T18:00",
    "ends_at": "2025-10-01T20:00", "rrule": "FREQ=WEEKLY;BYDAY=WE;COUNT=4", "categories": ["club", "reading"],
    "audiences": ["youth"], "status": "published",
}


@pytest.fixture()
def world(db):
    province = f.area("25", "Phú Thọ", "province")
    district = f.area("227", "Việt Trì", parent=province)
    other = f.area("230", "Đoan Hùng", parent=province)
    lib = f.institution("thu-vien", district)
    far = f.institution("xa", other)
    editor = f.user("ed@example.org", "editor", institution=lib)
    officer = f.user("of@example.org", "officer", area=district)
    return {"lib": lib, "far": far, "editor": editor, "officer": officer}


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_create_recurring_activity_tags_and_audits(db, world):
    act = ops.create_activity(world["editor"], CLUB, institution=world["lib"])
    assert len(act.occurrences) == 4
    # 1/10 is in the Lifelong Learning Week and 8/10 in 10/10's window, but 15/10 and 22/10 in neither: a
    # series that only touches them is suggested (in the editor's preview), not tagged
    assert act.observances == []
    week = ops.create_activity(world["editor"], {**CLUB, "rrule": "FREQ=DAILY;COUNT=3"}, institution=world["lib"])
    assert [o.key for o in week.observances] == ["lifelong-learning-week"]  # 1-3/10, all inside the week
    entry = db.session.scalar(select(AuditEntry))
    assert entry.action == "create" and entry.changes["title"] == [None, "Câu lạc bộ đọc sách"]
    assert act.search_text == "cau lac bo doc sach moi tuan mot cuon sach"


def test_editor_cannot_write_outside_their_institution(db, world):
    with pytest.raises(Forbidden):
        ops.create_activity(world["editor"], {**CLUB, "institution": "xa"})
    act = ops.create_activity(world["officer"], CLUB, institution=world["lib"])
    outsider = f.user("o2@example.org", "editor", institution=world["far"])
    with pytest.raises(NotFound):
        ops.update_activity(outsider, act, {"title": "x"})


@pytest.mark.parametrize("change, field", [
    ({"ends_at": "2025-10-01T17:00"}, "ends_at"),
    ({"starts_at": "2025-02-30T10:00"}, "starts_at"),
    ({"rrule": "FREQ=WEEKLY"}, "rrule"),
    ({"categories": ["cooking"]}, "categories"),
    ({"audiences": ["martians"]}, "audiences"),
    ({"observances": ["no-such-day"]}, "observances"),
    ({"title": ""}, "title"),
    ({"title": "x" * 301}, "title"),
    ({"capacity": -1}, "capacity"),
    ({"online_url": "javascript:alert(1)"}, "online_url"),
    ({"institution": "xa"}, "institution"),
    ({"colour": "red"}, "colour"),
])
def test_refused_changes_name_the_field_and_change_nothing(db, world, change, field):
    act = ops.create_activity(world["editor"], CLUB, institution=world["lib"])
    db.session.commit()
    before = (ops.activity_values(act), _count(db, Occurrence), _count(db, AuditEntry))
    with pytest.raises(ValidationFailed) as refused:
        ops.update_activity(world["editor"], act, change)
    db.session.rollback()
    assert field in refused.value.fields
    assert (ops.activity_values(act), _count(db, Occurrence), _count(db, AuditEntry)) == before


def test_sequence_grows_on_time_place_or_status_only(db, world):
    act = ops.create_activity(world["editor"], CLUB, institution=world["lib"])
    assert act.sequence == 0
    ops.update_activity(world["editor"], act, {"description": "new words"})
    assert act.sequence == 0
    ops.update_activity(world["editor"], act, {"location": "Phòng 2"})
    assert act.sequence == 1
    ops.set_status(world["editor"], act, "cancelled")
    assert act.sequence == 2
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["create", "update", "update", "cancel"]


def test_cancel_and_move_one_occurrence(db, world):
    act = ops.create_activity(world["editor"], CLUB, institution=world["lib"])
    second = ops.find_occurrence(act, "2025-10-08T18:00")
    ops.change_occurrence(world["editor"], act, second, {"status": "cancelled"})
    third = ops.find_occurrence(act, "2025-10-15T18:00")
    ops.change_occurrence(world["editor"], act, third, {"starts_at": "2025-10-16T19:00"})
    assert second.status == "cancelled" and second.overridden
    assert to_local(third.starts_at).strftime("%d %H:%M") == "16 19:00"
    assert to_local(third.ends_at).strftime("%H:%M") == "21:00" and third.moved
    assert [o.status for o in act.occurrences] == ["scheduled", "cancelled", "scheduled", "scheduled"]
    # changing the description leaves the overrides alone
    ops.update_activity(world["editor"], act, {"description": "still weekly"})
    assert second.status == "cancelled" and third.moved
    assert ops.find_occurrence(act, "2025-10-09T18:00") is None


def test_removed_suggestion_stays_removed_after_date_change(db, world):
    act = ops.create_activity(world["editor"], CLUB, institution=world["lib"])
    ops.update_activity(world["editor"], act, {"observances": ["lifelong-learning-week"]})
    assert [o.key for o in act.observances] == ["lifelong-learning-week"]
    ops.update_activity(world["editor"], act, {"starts_at": "2025-10-02T18:00", "ends_at": "2025-10-02T20:00",
                                               "rrule": "FREQ=WEEKLY;BYDAY=TH;COUNT=4"})
    assert [o.key for o in act.observances] == ["lifelong-learning-week"]


def test_all_day_dates_are_inclusive(db, world):
    act = ops.create_activity(world["editor"], {"title": "Triển lãm", "starts_at": "2025-05-16",
                                                "ends_at": "2025-05-20", "all_day": True},
                              institution=world["lib"])
    assert (act.ends_at - act.starts_at).days == 5
    assert ops.activity_values(act)["ends_at"] == "2025-05-20"
    assert [o.key for o in act.observances] == ["museum-day"]


def test_duplicate_is_a_draft(db, world):
    act = ops.create_activity(world["editor"], CLUB, institution=world["lib"])
    copy = ops.duplicate_activity(world["editor"], act)
    assert copy.status == "draft" and copy.id != act.id and copy.categories == act.categories
    assert _count(db, Activity) == 2


def test_more_places_promote_the_waitlist_in_order(db, world):
    from calendar_app.registration import operations as registration

    act = ops.create_activity(world["editor"], {
        "title": "Tọa đàm", "starts_at": "2030-01-16T09:00", "ends_at": "2030-01-16T11:00", "capacity": 1,
        "registration_required": True, "status": "published"}, institution=world["lib"])
    people = [registration.register(act, {"name": name, "email": f"{name}@example.org", "people": 1,
                                          "consent": True, "occurrence": "2030-01-16T09:00"}).registration
              for name in ("an", "binh", "chi")]
    assert [p.status for p in people] == ["confirmed", "waitlisted", "waitlisted"]
    ops.update_activity(world["editor"], act, {"capacity": 2})
    assert [p.status for p in people] == ["confirmed", "confirmed", "waitlisted"]
    ops.update_activity(world["editor"], act, {"capacity": None})
    assert [p.status for p in people] == ["confirmed", "confirmed", "confirmed"]
