"""The editor's pages: list, create, edit, preview, tags, status, copies, one meeting on its own, bad input."""
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from calendar_app.accounts.models import User
from calendar_app.clock import local_day, to_local
from calendar_app.events import operations as ops
from calendar_app.events.managed import managed_page
from calendar_app.models import Activity, AuditEntry, Occurrence
from tests import factories as f

PASSWORD = "correct horse battery"


def login(client, email: str) -> None:
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.text
    client.get("/?lang=en")  # the pages' messages are asserted in English


def club(**changes) -> dict:
    """The activity form as a browser sends it: a weekly club on Tuesdays from 1 October 2030."""
    data = {
        "title": "Câu lạc bộ đọc sách", "description": "Mỗi tuần **một** cuốn sách", "starts_on": "2030-10-01",
        "start_time": "18:00", "end_time": "20:00", "ends_on": "", "repeat": "weekly", "interval": "1",
        "weekdays": ["TU"], "ordinal": "1", "weekday": "TU", "month_day": "1", "end": "count", "until": "",
        "count": "4", "location": "Phòng đọc tầng 2", "online_url": "", "capacity": "30",
        "categories": ["club", "reading"], "audiences": ["youth"], "programme": "", "observances_shown": "",
        "publish": "1",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture()
def world(db):
    province = f.area("25", "Phú Thọ", "province")
    district = f.area("227", "Việt Trì", parent=province)
    other = f.area("230", "Đoan Hùng", parent=province)
    lib = f.institution("thu-vien", district, name="Thư viện Việt Trì")
    far = f.institution("xa", other, name="Thư viện Đoan Hùng")
    users = {
        "admin": f.user("admin@example.org", "admin"),
        "officer": f.user("officer@example.org", "officer", area=district),
        "editor": f.user("editor@example.org", "editor", institution=lib),
        "far_editor": f.user("far@example.org", "editor", institution=far),
    }
    db.session.commit()
    return {"lib": lib, "far": far, "district": district, **users}


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def the_activity(db) -> Activity:
    return db.session.scalar(select(Activity).order_by(Activity.id.desc()))


def tags(activity) -> list[str]:
    return [o.key for o in activity.observances]


# --- the list ------------------------------------------------------------------------------------------


def test_empty_list_invites_a_first_activity(client, world):
    login(client, "editor@example.org")
    page = client.get("/manage/?lang=en")
    assert page.status_code == 200
    assert "No activities yet" in page.text and 'href="/manage/activities/new"' in page.text


def test_list_shows_own_activities_with_status_and_next_meeting(client, world, db):
    f.activity(world["lib"], "Câu lạc bộ thơ", start="2030-03-05T18:00", rrule="FREQ=WEEKLY;COUNT=3")
    f.activity(world["lib"], "Buổi nói chuyện cũ", start="2020-03-05T09:00", status="draft")
    f.activity(world["far"], "Hoạt động nơi khác", start="2030-03-05T09:00")
    db.session.commit()
    login(client, "editor@example.org")
    page = client.get("/manage/?lang=en").text
    assert "Câu lạc bộ thơ" in page and "Buổi nói chuyện cũ" in page
    assert "Hoạt động nơi khác" not in page
    assert "Tuesday, 5 March 2030, 18:00" in page  # the next meeting, in local time
    assert "None to come" in page and "Draft" in page
    # upcoming first
    assert page.index("Câu lạc bộ thơ") < page.index("Buổi nói chuyện cũ")
    drafts = client.get("/manage/?lang=en&status=draft").text
    assert "Buổi nói chuyện cũ" in drafts and "Câu lạc bộ thơ" not in drafts
    assert "Câu lạc bộ thơ" in client.get("/manage/?q=cau+lac+bo").text  # accent-insensitive search


def test_officers_and_admins_list_their_whole_scope_paginated(client, world, db, app):
    f.activity(world["far"], "Hoạt động Đoan Hùng", start="2030-03-05T09:00")
    for n in range(app.config["PER_PAGE"]):
        f.activity(world["lib"], f"Buổi {n:02d}", start=f"2030-04-{n + 1:02d}T09:00")
    db.session.commit()
    login(client, "officer@example.org")
    first = client.get("/manage/?lang=en").text
    assert "20 activities" in first and "Hoạt động Đoan Hùng" not in first and "Page 1 of 1" not in first
    client.post("/logout")
    login(client, "admin@example.org")
    first, second = client.get("/manage/?lang=en").text, client.get("/manage/?lang=en&page=2").text
    assert "21 activities" in first and "Page 1 of 2" in first and "Page 2 of 2" in second
    assert len(re.findall(r'href="/manage/activities/\d+"', first + second)) == 21


def test_the_list_counts_up_to_a_bound_and_pages_on_past_it(client, world, db, app, monkeypatch):
    """A province has hundreds of thousands of activities: the count stops past COUNTED (or past the page
    asked for), the page says "more than" and still offers the next page while there is one."""
    monkeypatch.setattr("calendar_app.events.managed.COUNTED", 5)
    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    ids = [f.activity(world["lib"], f"Buổi {n:02d}", start=f"2030-04-{n + 1:02d}T09:00").id for n in range(9)]
    db.session.commit()
    admin = db.session.scalar(select(User).where(User.email == "admin@example.org"))
    pages = [managed_page(admin, number, 2) for number in range(1, 7)]
    assert [activity.id for page in pages for activity, _next, _count in page.items] == ids
    assert [(page.total, page.more, page.has_next) for page in pages] == [
        (6, True, True), (6, True, True), (7, True, True), (9, True, True), (9, False, False), (9, False, False)]
    login(client, "admin@example.org")
    first, fourth, last = (client.get(f"/manage/?lang=en&page={n}").text for n in (1, 4, 5))
    assert "more than 5 activities" in first and "Page 1<" in first and 'rel="next"' in first
    assert "more than 8 activities" in fourth and "Page 4<" in fourth and 'rel="next"' in fourth
    assert "9 activities" in last and "Page 5 of 5" in last and 'rel="next"' not in last


# --- create, preview, edit -----------------------------------------------------------------------------


def test_create_a_weekly_club_through_the_form(client, world, db):
    login(client, "editor@example.org")
    assert client.get("/manage/activities/new").status_code == 200
    response = client.post("/manage/activities/new", data=club())
    assert response.status_code == 302
    activity = the_activity(db)
    assert response.headers["Location"].endswith(f"/manage/activities/{activity.id}")
    assert activity.institution_id == world["lib"].id and activity.status == "published"
    assert activity.rrule == "FREQ=WEEKLY;BYDAY=TU;COUNT=4" and activity.capacity == 30
    assert [local_day(o.starts_at) for o in activity.occurrences] == [
        date(2030, 10, 1), date(2030, 10, 8), date(2030, 10, 15), date(2030, 10, 22)]
    assert to_local(activity.starts_at).strftime("%H:%M") == "18:00"
    # four Tuesdays that only touch the Lifelong Learning Week and 10/10: suggested, not tagged
    assert tags(activity) == []
    entry = db.session.scalar(select(AuditEntry))
    assert (entry.action, entry.user_id, entry.changes["rrule"]) == ("create", world["editor"].id,
                                                                     [None, "FREQ=WEEKLY;BYDAY=TU;COUNT=4"])


def test_save_as_draft_and_until_date(client, world, db):
    login(client, "editor@example.org")
    data = club(end="until", until="2030-10-15", count="")
    data.pop("publish")
    data["save"] = "1"
    assert client.post("/manage/activities/new", data=data).status_code == 302
    activity = the_activity(db)
    assert activity.status == "draft" and activity.rrule == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20301015T165959Z"
    assert len(activity.occurrences) == 3


def test_monthly_on_the_third_saturday(client, world, db):
    login(client, "editor@example.org")
    data = club(starts_on="2030-09-21", repeat="monthly_weekday", ordinal="3", weekday="SA", count="3")
    assert client.post("/manage/activities/new", data=data).status_code == 302
    activity = the_activity(db)
    assert activity.rrule == "FREQ=MONTHLY;BYDAY=3SA;COUNT=3"
    assert [local_day(o.starts_at).day for o in activity.occurrences] == [21, 19, 16]


def test_all_day_activity_over_several_days(client, world, db):
    login(client, "editor@example.org")
    data = club(title="Triển lãm sách", all_day="y", starts_on="2030-05-16", ends_on="2030-05-20",
                start_time="", end_time="", repeat="none")
    assert client.post("/manage/activities/new", data=data).status_code == 302
    activity = the_activity(db)
    assert activity.all_day and activity.rrule is None and (activity.ends_at - activity.starts_at).days == 5
    assert tags(activity) == ["museum-day"]
    page = client.get(f"/manage/activities/{activity.id}").text
    assert 'value="2030-05-16"' in page and 'value="2030-05-20"' in page


def test_preview_shows_dates_and_suggested_tags_and_writes_nothing(client, world, db):
    login(client, "editor@example.org")
    data = club(description="<script>alert(1)</script> **đậm**")
    data.pop("publish")
    data["preview"] = "1"
    page = client.post("/manage/activities/new?lang=en", data=data)
    assert page.status_code == 200 and count(db, Activity) == 0
    assert "4 meetings" in page.text and "Tuesday, 22 October 2030, 18:00–20:00" in page.text
    # a series that only touches the windows: named as a suggestion, not ticked
    assert not re.search(r'<input checked[^>]*value="lifelong-learning-week"', page.text)
    suggestion = page.text.split("Some dates fall in the days of:")[1][:400]
    assert "Lifelong Learning Week" in suggestion and "Digital Transformation Day" in suggestion
    # a one-off inside the week: ticked
    one_off = client.post("/manage/activities/new?lang=en", data={**data, "repeat": "none", "starts_on": "2030-10-03"})
    assert re.search(r'<input checked[^>]*value="lifelong-learning-week"', one_off.text)
    assert "Some dates fall in the days of:" not in one_off.text
    # the description preview is sanitised Markdown: no raw HTML reaches the page
    assert "<script>" not in page.text and "<strong>đậm</strong>" in page.text
    assert 'value="Câu lạc bộ đọc sách"' in page.text  # the input is kept
    fragment = client.post("/manage/activities/new?lang=en", data=data, headers={"X-Preview": "fragment"})
    assert fragment.text.lstrip().startswith('<section class="preview"') and "4 meetings" in fragment.text


def test_edit_form_shows_the_builder_choices_and_saving_unchanged_changes_nothing(client, world, db):
    login(client, "editor@example.org")
    client.post("/manage/activities/new", data=club(count="5"))
    activity = the_activity(db)
    page = client.get(f"/manage/activities/{activity.id}").text
    assert re.search(r'<input checked[^>]*name="weekdays"[^>]*value="TU"', page)
    assert re.search(r'<input checked[^>]*name="repeat"[^>]*value="weekly"', page)
    assert 'name="count" type="number" value="5"' in page
    shown = re.search(r'name="observances_shown" type="hidden" value="([^"]*)"', page).group(1)
    assert shown == ""  # the series only touches the observances' windows
    data = club(count="5", observances_shown=shown, observances=[])
    data.pop("publish")
    data["save"] = "1"
    assert client.post(f"/manage/activities/{activity.id}", data=data).status_code == 302
    db.session.refresh(activity)
    assert activity.sequence == 0 and count(db, AuditEntry) == 1  # only the creation
    # a real change: two more meetings, one audit entry, SEQUENCE grows
    assert client.post(f"/manage/activities/{activity.id}", data={**data, "count": "7"}).status_code == 302
    db.session.refresh(activity)
    assert len(activity.occurrences) == 7 and activity.sequence == 1
    assert db.session.scalar(select(AuditEntry.changes).order_by(AuditEntry.id.desc()))["rrule"] == [
        "FREQ=WEEKLY;BYDAY=TU;COUNT=5", "FREQ=WEEKLY;BYDAY=TU;COUNT=7"]


def test_a_rule_written_through_the_api_is_kept_as_custom(client, world, db):
    activity = ops.create_activity(world["editor"], {"title": "Lớp học", "starts_at": "2030-03-01T09:00",
                                                     "ends_at": "2030-03-01T10:00", "rrule": "FREQ=DAILY;COUNT=3"},
                                   institution=world["lib"])
    db.session.commit()
    login(client, "editor@example.org")
    page = client.get(f"/manage/activities/{activity.id}").text
    assert re.search(r'<input checked[^>]*value="custom"', page) and 'value="FREQ=DAILY;COUNT=3"' in page
    data = club(title="Lớp học mới", starts_on="2030-03-01", start_time="09:00", end_time="10:00",
                repeat="custom", custom_rule="FREQ=DAILY;COUNT=3", observances_shown="")
    data.pop("publish")
    assert client.post(f"/manage/activities/{activity.id}", data={**data, "save": "1"}).status_code == 302
    db.session.refresh(activity)
    assert activity.title == "Lớp học mới" and activity.rrule == "FREQ=DAILY;COUNT=3"


# --- observance tags through the pages ------------------------------------------------------------------


def test_removing_a_suggested_tag_keeps_it_removed_when_the_dates_change(client, world, db):
    login(client, "editor@example.org")
    # Monday 7 October: the last day of the Lifelong Learning Week and in 10/10's window
    client.post("/manage/activities/new", data=club(repeat="none", starts_on="2030-10-07"))
    activity = the_activity(db)
    shown = "digital-transformation-day,lifelong-learning-week"
    assert tags(activity) == shown.split(",")
    edit = club(repeat="none", starts_on="2030-10-07", observances_shown=shown, observances=["lifelong-learning-week"],
                save="1")
    edit.pop("publish")
    assert client.post(f"/manage/activities/{activity.id}", data=edit).status_code == 302
    db.session.refresh(activity)
    assert tags(activity) == ["lifelong-learning-week"]
    # one week later, tags untouched on the page: Lifelong Learning Week no longer fits, the removed one stays out
    moved = club(repeat="none", starts_on="2030-10-14", observances_shown="lifelong-learning-week",
                 observances=["lifelong-learning-week"], save="1")
    moved.pop("publish")
    assert client.post(f"/manage/activities/{activity.id}", data=moved).status_code == 302
    db.session.refresh(activity)
    assert tags(activity) == []
    page = client.get(f"/manage/activities/{activity.id}").text
    assert not re.search(r'<input checked[^>]*value="digital-transformation-day"', page)


def test_adding_a_tag_by_hand(client, world, db):
    login(client, "editor@example.org")
    data = club(repeat="none", starts_on="2030-10-07", observances_shown="", observances=["museum-day"])
    assert client.post("/manage/activities/new", data=data).status_code == 302
    activity = the_activity(db)
    assert tags(activity) == ["museum-day"]  # an explicit choice: the two suggestions were unticked
    sources = {link.observance.key: (link.source, link.removed) for link in activity.observance_links}
    assert sources["museum-day"] == ("manual", False)
    assert sources["lifelong-learning-week"] == ("auto", True)


def test_preview_ticks_new_suggestions_but_not_ones_the_editor_unticked(client, world, db):
    login(client, "editor@example.org")
    data = club(observances_shown="digital-transformation-day,lifelong-learning-week",
                observances=["lifelong-learning-week"], preview="1")
    data.pop("publish")
    page = client.post("/manage/activities/new", data=data).text
    assert re.search(r'<input checked[^>]*value="lifelong-learning-week"', page)
    assert not re.search(r'<input checked[^>]*value="digital-transformation-day"', page)


# --- status and copies ---------------------------------------------------------------------------------


def test_publish_cancel_and_back_to_draft(client, world, db):
    activity = f.activity(world["lib"], "Tọa đàm", start="2030-03-05T09:00", status="draft")
    db.session.commit()
    login(client, "editor@example.org")
    url = f"/manage/activities/{activity.id}/status"
    # a draft cannot be cancelled: refused with the reason, nothing changed
    refused = client.post(url, data={"status": "cancelled"}, follow_redirects=True)
    assert "A draft cannot be cancelled" in refused.text
    db.session.refresh(activity)
    assert activity.status == "draft"
    assert client.post(url, data={"status": "published"}).status_code == 302
    db.session.refresh(activity)
    assert activity.status == "published" and activity.published_at is not None
    assert client.post(url, data={"status": "cancelled"}).status_code == 302
    db.session.refresh(activity)
    assert activity.status == "cancelled"
    assert client.post(url, data={"status": "deleted"}).status_code == 400
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["publish", "cancel"]


def test_duplicate_makes_a_draft_copy(client, world, db):
    activity = f.activity(world["lib"], "Câu lạc bộ thơ", start="2030-03-05T18:00", rrule="FREQ=WEEKLY;COUNT=3")
    db.session.commit()
    response = None
    login(client, "editor@example.org")
    response = client.post(f"/manage/activities/{activity.id}/duplicate")
    copy = the_activity(db)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/manage/activities/{copy.id}")
    assert copy.id != activity.id and copy.status == "draft" and copy.rrule == "FREQ=WEEKLY;COUNT=3"
    assert "Câu lạc bộ thơ" in copy.title


# --- one meeting on its own ----------------------------------------------------------------------------


@pytest.fixture()
def weekly(world, db):
    activity = ops.create_activity(world["editor"], {
        "title": "Câu lạc bộ", "starts_at": "2030-10-01T18:00", "ends_at": "2030-10-01T20:00",
        "rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=4", "status": "published"}, institution=world["lib"])
    db.session.commit()
    return activity


def statuses(activity):
    return [(to_local(o.starts_at).strftime("%d %H:%M"), o.status) for o in activity.occurrences]


def test_cancel_move_and_restore_one_meeting(client, world, db, weekly):
    login(client, "editor@example.org")
    base = f"/manage/activities/{weekly.id}/occurrences"
    page = client.get(base + "?lang=en").text
    # each meeting's "Cancel…" opens a page asking why; the cancellation itself is a POST from there
    assert page.count(">Cancel…<") == 4
    assert "Cancel this meeting" in client.get(f"{base}/2030-10-08T18:00/cancel").text
    assert client.post(f"{base}/2030-10-08T18:00/cancel").status_code == 302
    assert client.get(f"{base}/2030-10-15T18:00/move").status_code == 200
    moved = client.post(f"{base}/2030-10-15T18:00/move",
                        data={"starts_on": "2030-10-16", "start_time": "19:00", "end_time": "21:00"})
    assert moved.status_code == 302
    db.session.refresh(weekly)
    assert statuses(weekly) == [("01 18:00", "scheduled"), ("08 18:00", "cancelled"), ("16 19:00", "scheduled"),
                                ("22 18:00", "scheduled")]
    assert weekly.sequence == 2
    page = client.get(base + "?lang=en").text
    assert "moved from" in page and page.count("Restore") == 2
    assert client.post(f"{base}/2030-10-08T18:00/restore").status_code == 302
    assert client.post(f"{base}/2030-10-15T18:00/restore").status_code == 302
    db.session.refresh(weekly)
    assert all(status == "scheduled" for _when, status in statuses(weekly))
    assert not any(o.overridden for o in weekly.occurrences)
    assert statuses(weekly)[2] == ("15 18:00", "scheduled")
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.entity_type == "occurrence")
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["cancel", "update", "update", "update"]


@pytest.mark.parametrize("data, message", [
    ({"starts_on": "2030-10-16", "start_time": "19:00", "end_time": "18:00"}, "The end must be after the start."),
    ({"starts_on": "2030-02-30", "start_time": "19:00", "end_time": "21:00"}, "Enter a real date"),
    ({"starts_on": "2030-10-16", "start_time": "25:00", "end_time": "21:00"}, "Enter a real time"),
])
def test_a_refused_move_says_why_and_changes_nothing(client, world, db, weekly, data, message):
    login(client, "editor@example.org")
    before = statuses(weekly)
    response = client.post(f"/manage/activities/{weekly.id}/occurrences/2030-10-15T18:00/move?lang=en", data=data)
    assert response.status_code == 422 and message in response.text
    assert f'value="{data["starts_on"]}"' in response.text
    db.session.refresh(weekly)
    assert statuses(weekly) == before and weekly.sequence == 0


def test_unknown_meeting_is_404(client, world, weekly):
    login(client, "editor@example.org")
    assert client.post(f"/manage/activities/{weekly.id}/occurrences/2030-10-09T18:00/cancel").status_code == 404
    assert client.post(f"/manage/activities/{weekly.id}/occurrences/garbage/cancel").status_code == 404


# --- bad input through the form ------------------------------------------------------------------------


@pytest.mark.parametrize("changes, message", [
    ({"end_time": "17:00"}, "The end must be after the start."),
    ({"starts_on": "2030-02-30"}, "Enter a real date, e.g. 2025-10-01."),
    ({"starts_on": "1/10/2030"}, "Enter a real date, e.g. 2025-10-01."),
    ({"start_time": ""}, "Enter a time, or tick “All day”."),
    ({"end": ""}, "A repeating activity needs an end"),
    ({"end": "until", "until": ""}, "Enter a date."),
    ({"end": "until", "until": "2030-09-01"}, "The last date must not be before the first day."),
    ({"count": "0"}, "Enter a number from 1 to 500."),
    ({"count": "100000"}, "Enter a number from 1 to 500."),
    ({"repeat": "custom", "custom_rule": "FREQ=WEEKLY;BYDAY=TU"}, "This repeat rule cannot be used"),
    ({"repeat": "yearly"}, "Choose how the activity repeats."),
    ({"weekdays": []}, "Choose at least one day of the week."),
    ({"weekdays": ["XX"]}, "Choose days of the week from the list."),
    ({"weekdays": ["WE"]}, "The first date is not one of the days this rule repeats on."),
    ({"categories": ["cooking"]}, "Unknown category: cooking."),
    ({"audiences": ["martians"]}, "Unknown audience: martians."),
    ({"observances": ["no-such-day"]}, "Unknown observance: no-such-day."),
    ({"title": "   "}, "This field cannot be empty."),
    ({"title": "x" * 301}, "Too long: at most 300 characters."),
    ({"description": "x" * 20_001}, "Too long: at most 20000 characters."),
    ({"capacity": "-1"}, "Must be at least 0."),
    ({"capacity": "many"}, "Enter a whole number."),
    ({"online_url": "javascript:alert(1)"}, "Enter a web address starting with http:// or https://."),
    ({"programme": "Em yêu lịch sử"}, "Use lower-case letters, digits and hyphens only"),
    ({"all_day": "y", "ends_on": "2030-09-30", "repeat": "none"}, "The last day must not be before the first day."),
])
def test_bad_input_is_refused_with_a_reason_and_the_input_kept(client, world, db, changes, message):
    login(client, "editor@example.org")
    response = client.post("/manage/activities/new?lang=en", data=club(location="Nhà văn hóa", **changes))
    assert response.status_code == 422
    assert message in response.text.replace("&#34;", '"').replace("&#39;", "'")
    assert "Some fields need correcting" in response.text
    assert 'value="Nhà văn hóa"' in response.text  # what was typed is still there
    assert count(db, Activity) == 0 and count(db, Occurrence) == 0 and count(db, AuditEntry) == 0


def test_several_errors_show_at_once(client, world, db):
    login(client, "editor@example.org")
    page = client.post("/manage/activities/new?lang=en",
                       data=club(title="", weekdays=[], capacity="-5", end_time="17:00")).text
    for message in ("This field cannot be empty.", "Choose at least one day of the week.", "Must be at least 0.",
                    "The end must be after the start."):
        assert message in page


def test_a_refused_edit_changes_nothing(client, world, db, weekly):
    login(client, "editor@example.org")
    data = club(title="", end_time="17:00", save="1")
    data.pop("publish")
    response = client.post(f"/manage/activities/{weekly.id}?lang=en", data=data)
    assert response.status_code == 422 and "The end must be after the start." in response.text
    db.session.refresh(weekly)
    assert weekly.title == "Câu lạc bộ" and count(db, AuditEntry) == 1


def test_errors_in_vietnamese_pages(client, world, db):
    login(client, "editor@example.org")
    page = client.post("/manage/activities/new?lang=vi", data=club(weekdays=[]))
    assert page.status_code == 422 and 'lang="vi"' in page.text
    assert "Thứ Ba" in page.text  # day names in the page's language


def test_a_stale_form_is_refused(client, world, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    login_page = client.get("/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page.text).group(1)
    assert client.post("/login", data={"email": "editor@example.org", "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    missing = client.post("/manage/activities/new?lang=en", data=club())
    forged = client.post("/manage/activities/new?lang=en", data={**club(), "csrf_token": "stale" + token[5:]})
    for response in (missing, forged):
        assert response.status_code == 400
        assert "This form has expired" in response.text
    assert count(db, Activity) == 0
    # the same form with the page's token goes through
    new = client.get("/manage/activities/new")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', new.text).group(1)
    assert client.post("/manage/activities/new", data={**club(), "csrf_token": token}).status_code == 302


# --- done when -----------------------------------------------------------------------------------------


def test_an_editor_creates_a_weekly_club_for_the_week_cancels_one_meeting_and_sees_it_tagged(client, world, db):
    # signs in
    assert client.get("/manage/").status_code == 302
    login(client, "editor@example.org")
    # creates a weekly club for the Lifelong Learning Week, after a look at the preview
    preview = club(title="CLB Đọc sách Tuần lễ học tập suốt đời", preview="1")
    preview.pop("publish")
    page = client.post("/manage/activities/new?lang=en", data=preview).text
    assert "4 meetings" in page
    shown = re.search(r'name="observances_shown" type="hidden" value="([^"]*)"', page).group(1)
    assert shown == "" and "Some dates fall in the days of:" in page  # suggested, for the editor to choose
    created = client.post("/manage/activities/new", data=club(
        title="CLB Đọc sách Tuần lễ học tập suốt đời", observances_shown=shown, observances=["lifelong-learning-week"]))
    assert created.status_code == 302
    activity = the_activity(db)
    # cancels one meeting
    meetings = client.get(created.headers["Location"] + "/occurrences?lang=en").text
    assert "Friday" not in meetings and "Tuesday, 8 October 2030" in meetings
    assert client.post(f"/manage/activities/{activity.id}/occurrences/2030-10-08T18:00/cancel").status_code == 302
    # sees it tagged and listed
    listed = client.get("/manage/?lang=en").text
    assert "CLB Đọc sách Tuần lễ học tập suốt đời" in listed and "Tuesday, 1 October 2030, 18:00" in listed
    edit = client.get(f"/manage/activities/{activity.id}?lang=en").text
    assert re.search(r'<input checked[^>]*value="lifelong-learning-week"', edit)
    meetings = client.get(f"/manage/activities/{activity.id}/occurrences?lang=en").text
    assert meetings.count("Cancelled") == 1 and meetings.count(">Cancel…<") == 3
    public = client.get("/observances/lifelong-learning-week/2030")
    assert public.status_code == 200 and "CLB Đọc sách Tuần lễ học tập suốt đời" in public.text


def test_move_and_restore_one_day_of_an_all_day_series(client, world, db):
    activity = ops.create_activity(world["editor"], {
        "title": "Triển lãm cuối tuần", "starts_at": "2030-05-04", "ends_at": "2030-05-05", "all_day": True,
        "rrule": "FREQ=WEEKLY;BYDAY=SA;COUNT=3", "status": "published"}, institution=world["lib"])
    db.session.commit()
    login(client, "editor@example.org")
    base = f"/manage/activities/{activity.id}/occurrences/2030-05-11"
    form = client.get(f"{base}/move").text
    assert 'value="2030-05-11"' in form and 'value="2030-05-12"' in form and 'name="start_time"' not in form
    assert client.post(f"{base}/move", data={"starts_on": "2030-05-17", "ends_on": "2030-05-19"}).status_code == 302
    db.session.refresh(activity)
    second = activity.occurrences[1]
    assert (local_day(second.starts_at), local_day(second.ends_at)) == (date(2030, 5, 17), date(2030, 5, 20))
    assert client.post(f"{base}/restore").status_code == 302
    db.session.refresh(activity)
    second = activity.occurrences[1]
    assert (local_day(second.starts_at), local_day(second.ends_at)) == (date(2030, 5, 11), date(2030, 5, 13))
    assert not second.overridden


def test_an_activity_has_its_own_point_or_its_institutions(client, world, db):
    login(client, "editor@example.org")
    assert client.post("/manage/activities/new", data=club(latitude="21,3227", longitude="105.4019")).status_code == 302
    activity = the_activity(db)
    assert (activity.latitude, activity.longitude) == (21.3227, 105.4019)
    page = client.get(f"/manage/activities/{activity.id}").text
    assert 'value="21.3227"' in page and 'aria-describedby="latitude-hint"' in page
    edit = club(latitude="", longitude="", save="1")
    edit.pop("publish")
    assert client.post(f"/manage/activities/{activity.id}", data=edit).status_code == 302
    db.session.refresh(activity)
    assert activity.latitude is None  # the public page falls back on the institution's point
    refused = client.post("/manage/activities/new", data=club(title="Sai", latitude="200", longitude="105"))
    assert refused.status_code == 422 and 'id="latitude-error"' in refused.text


def test_the_list_pages_through_upcoming_then_past_activities_in_order(world, db):
    """Upcoming activities by their next meeting, then the others (the most recent first), whatever page the
    boundary falls on; the same order as sorting every activity by its next meeting."""
    admin = db.session.scalar(select(User).where(User.email == "admin@example.org"))
    upcoming = [f.activity(world["lib"], f"Sắp tới {n}", start=f"2030-0{1 + n % 9}-{10 + n}T09:00",
                           rrule="FREQ=WEEKLY;COUNT=2") for n in range(7)]
    past = [f.activity(world["lib"], f"Đã qua {n}", start=f"2020-0{1 + n % 9}-{10 + n}T09:00") for n in range(6)]
    cancelled = f.activity(world["lib"], "Chỉ còn buổi hủy", start="2031-01-01T09:00")
    ops.change_occurrence(admin, cancelled, cancelled.occurrences[0], {"status": "cancelled"})
    db.session.commit()
    expected = [a.id for a in sorted(upcoming, key=lambda a: a.starts_at)]
    expected += [a.id for a in sorted(past + [cancelled], key=lambda a: (a.starts_at, a.id), reverse=True)]
    for per_page in (1, 3, 5, 7, 8, 20):
        listed = []
        for number in range(1, 20):
            page = managed_page(admin, number, per_page)
            assert page.total == len(expected)
            listed += [activity.id for activity, _next, _count in page.items]
        assert listed == expected, per_page
    first = managed_page(admin, 1, 1).items[0]
    assert (first[1], first[2]) == (upcoming[0].occurrences[0].starts_at, 2)
