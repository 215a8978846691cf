"""Cancelling an activity asks for confirmation and a reason; moving or cancelling one meeting takes an optional
reason. The reason is kept on the activity or occurrence, shown on the public page, in the feeds' DESCRIPTION
and in the API, and dropped when the activity or meeting is back as planned."""
from datetime import datetime

import pytest
from icalendar import Calendar
from sqlalchemy import select

from calendar_app.events import operations as ops
from calendar_app.feeds import ical
from calendar_app.models import AuditEntry
from tests import factories as f
from tests.test_editor_pages import login

CONTEXT = ical.FeedContext(domain="lich.example", timezone="Asia/Ho_Chi_Minh", base_url="https://lich.example",
                           notice_labels={"cancelled": "Lý do hủy", "moved": "Lý do dời lịch",
                                          "meeting_cancelled": "Buổi {when} bị hủy"})


@pytest.fixture()
def world(db):
    district = f.area("227", "Việt Trì")
    lib = f.institution("thu-vien", district, name="Thư viện Việt Trì")
    editor = f.user("editor@example.org", "editor", institution=lib)
    talk = f.activity(lib, "Tọa đàm", start="2030-03-05T09:00")
    club = f.activity(lib, "Câu lạc bộ", start="2030-10-01T18:00", rrule="FREQ=WEEKLY;COUNT=4")
    db.session.commit()
    return {"lib": lib, "editor": editor, "talk": talk, "club": club}


def descriptions(body: bytes) -> list[str]:
    return [str(event["DESCRIPTION"]) for event in Calendar.from_ical(body).walk("VEVENT")]


def test_the_edit_page_cancels_through_a_confirmation_not_a_first_red_button(client, world):
    login(client, "editor@example.org")
    talk = world["talk"]
    page = client.get(f"/manage/activities/{talk.id}").text
    bar = page[page.index('class="action-bar"'):page.index("</div>", page.index('class="action-bar"'))]
    assert 'value="cancelled"' not in bar  # no one-click cancellation left
    assert "button danger" not in bar
    assert bar.index("Cancel the activity…") > bar.index("Duplicate")  # last, not first
    confirm = client.get(f"/manage/activities/{talk.id}/cancel").text
    assert "Every meeting of this activity is cancelled." in confirm and 'name="reason"' in confirm
    assert 'aria-describedby="reason-hint"' in confirm


def test_cancelling_the_activity_keeps_the_reason_for_the_public_the_feed_and_the_api(client, world, db):
    talk = world["talk"]
    login(client, "editor@example.org")
    response = client.post(f"/manage/activities/{talk.id}/cancel", data={"reason": "  Diễn giả bị ốm.  "})
    assert response.status_code == 302
    db.session.refresh(talk)
    assert (talk.status, talk.cancel_reason) == ("cancelled", "Diễn giả bị ốm.")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "cancel"))
    assert entry.changes["cancel_reason"] == [None, "Diễn giả bị ốm."]
    assert "Reason: Diễn giả bị ốm." in client.get(f"/events/{talk.id}?lang=en").text
    assert client.get(f"/api/v1/events/{talk.id}").get_json()["cancel_reason"] == "Diễn giả bị ốm."
    feed = client.get(f"/events/{talk.id}.ics?lang=en").data
    assert descriptions(feed)[0].startswith("Lý do hủy: Diễn giả bị ốm.")  # feeds speak the site's language
    # published again: the reason goes, it no longer explains anything
    ops.set_status(world["editor"], talk, "published")
    db.session.commit()
    assert talk.cancel_reason is None


def test_cancelling_without_a_reason_is_fine(client, world, db):
    talk = world["talk"]
    login(client, "editor@example.org")
    assert client.post(f"/manage/activities/{talk.id}/cancel", data={"reason": ""}).status_code == 302
    db.session.refresh(talk)
    assert (talk.status, talk.cancel_reason) == ("cancelled", None)
    assert "Reason:" not in client.get(f"/events/{talk.id}?lang=en").text


def test_a_draft_has_no_cancel_page(client, world, db):
    draft = f.activity(world["lib"], "Nháp", start="2030-03-05T09:00", status="draft")
    db.session.commit()
    login(client, "editor@example.org")
    response = client.post(f"/manage/activities/{draft.id}/cancel", data={"reason": "x"}, follow_redirects=True)
    assert "Only a published activity can be cancelled." in response.text
    db.session.refresh(draft)
    assert draft.status == "draft"


def test_one_meeting_cancelled_and_one_moved_with_reasons(client, world, db):
    club = world["club"]
    base = f"/manage/activities/{club.id}/occurrences"
    login(client, "editor@example.org")
    page = client.get(f"{base}/2030-10-08T18:00/cancel").text
    assert "Only this meeting is cancelled" in page
    assert client.post(f"{base}/2030-10-08T18:00/cancel", data={"reason": "Mưa bão"}).status_code == 302
    moved = client.post(f"{base}/2030-10-15T18:00/move", data={
        "starts_on": "2030-10-16", "start_time": "18:00", "end_time": "20:00", "reason": "Hội trường sửa chữa"})
    assert moved.status_code == 302
    db.session.refresh(club)
    reasons = {o.original_start.day: (o.status, o.change_reason) for o in club.occurrences}
    assert reasons[8] == ("cancelled", "Mưa bão") and reasons[15] == ("scheduled", "Hội trường sửa chữa")
    assert reasons[1] == ("scheduled", None)
    assert "Reason: Mưa bão" in client.get(f"{base}?lang=en").text
    public = client.get(f"/events/{club.id}?lang=en").text
    assert "Reason: Mưa bão" in public and "Reason: Hội trường sửa chữa" in public
    # the series' own DESCRIPTION lists the cancelled date (an EXDATE has no text); the moved one has its own
    texts = descriptions(client.get(f"/events/{club.id}.ics").data)
    assert texts[0].startswith("Buổi 08/10/2030 18:00 bị hủy: Mưa bão")
    assert texts[1].startswith("Lý do dời lịch: Hội trường sửa chữa")
    occurrences = client.get(f"/api/v1/events/{club.id}").get_json()["occurrences"]
    assert [o["reason"] for o in occurrences] == [None, "Mưa bão", "Hội trường sửa chữa", None]
    # the move form shows the reason again; restoring drops it
    assert "Hội trường sửa chữa" in client.get(f"{base}/2030-10-15T18:00/move").text
    assert client.post(f"{base}/2030-10-15T18:00/restore").status_code == 302
    db.session.refresh(club)
    assert all(o.change_reason is None for o in club.occurrences if o.original_start.day == 15)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "occurrence")
                               .order_by(AuditEntry.id)).first()
    assert entry.reason == "Mưa bão" and entry.changes["reason"] == [None, "Mưa bão"]


def test_the_api_takes_a_reason_too(client, world, db):
    club = world["club"]
    from calendar_app.accounts import operations as accounts
    token = accounts.issue_token(world["editor"], "test")
    db.session.commit()
    response = client.put(f"/api/v1/events/{club.id}/occurrences/2030-10-22T18:00",
                          json={"status": "cancelled", "reason": "Nghỉ lễ"},
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    assert response.get_json()["reason"] == "Nghỉ lễ"
    too_long = client.put(f"/api/v1/events/{club.id}/occurrences/2030-10-01T18:00",
                          json={"status": "cancelled", "reason": "x" * 501},
                          headers={"Authorization": f"Bearer {token}"})
    assert too_long.status_code == 422


def test_the_serialiser_without_labels_writes_the_reason_alone():
    """ical.py stays a pure serialiser: the words around the reason come from the context."""
    from types import SimpleNamespace
    stamp = datetime(2030, 3, 1)
    occurrence = SimpleNamespace(original_start=datetime(2030, 3, 5, 2), starts_at=datetime(2030, 3, 5, 2),
                                 ends_at=datetime(2030, 3, 5, 4), status="cancelled", change_reason="Mất điện")
    activity = SimpleNamespace(id=1, title="Tọa đàm", description="", status="published", cancel_reason=None,
                               sequence=1, created_at=stamp, updated_at=stamp, starts_at=occurrence.starts_at,
                               ends_at=occurrence.ends_at, all_day=False, rrule=None, location=None,
                               latitude=None, longitude=None, online_url=None, categories=[],
                               institution=SimpleNamespace(name="Thư viện", address=None, latitude=None,
                                                           longitude=None), occurrences=[occurrence])
    plain = ical.FeedContext(domain="d", timezone="Asia/Ho_Chi_Minh", base_url="https://d")
    assert descriptions(ical.calendar("x", [activity], plain))[0].startswith("Mất điện")
    assert descriptions(ical.calendar("x", [activity], CONTEXT))[0].startswith("Lý do hủy: Mất điện")
