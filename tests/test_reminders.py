"""Reminder jobs (attendance due, the annual report season), the reminders page, and e-mail through a
local SMTP server started by the test (never a real one)."""
import socket
from datetime import datetime

import pytest
from sqlalchemy import select

from calendar_app.approval import operations as approval
from calendar_app.clock import to_utc
from calendar_app.models import Attendance, Reminder
from calendar_app.notifications.mail import deliver_pending
from calendar_app.notifications.reminders import attendance_due_reminders, deadline_reminders
from tests import factories as f
from tests.mail_sink import smtp_sink

PASSWORD = "correct horse battery"


def local(text: str) -> datetime:
    return to_utc(datetime.fromisoformat(text))


# --- e-mail to a local sink --------------------------------------------------------------------------------


@pytest.fixture()
def mail_to_sink(app):
    with smtp_sink() as sink:
        saved = {key: app.config.get(key) for key in ("MAIL_SERVER", "MAIL_PORT", "PUBLIC_BASE_URL")}
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port, PUBLIC_BASE_URL="https://lich.example")
        try:
            yield sink
        finally:
            app.config.update(saved)


# --- data --------------------------------------------------------------------------------------------------


@pytest.fixture()
def world(db):
    province = f.area("25", "Phú Thọ", "province")
    viet_tri = f.area("227", "Việt Trì", parent=province)
    doan_hung = f.area("230", "Đoan Hùng", parent=province)
    lib = f.institution("tv-viet-tri", viet_tri, name="Thư viện Việt Trì")
    museum = f.institution("bao-tang", viet_tri, category="museum", name="Bảo tàng Hùng Vương")
    far = f.institution("tv-doan-hung", doan_hung, name="Thư viện Đoan Hùng")
    # three Monday meetings: 20/10 and 27/10 are held by 3/11 08:00, 3/11 09:00 is not yet
    club = f.activity(lib, "Câu lạc bộ đọc", start="2025-10-20T09:00", rrule="FREQ=WEEKLY;COUNT=3")
    draft = f.activity(lib, "Nháp", start="2025-10-21T09:00", status="draft")
    recorded = f.activity(museum, "Triển lãm", start="2025-10-22T09:00")
    db.session.add(Attendance(occurrence=recorded.occurrences[0], total=40))
    people = {
        # reminders are written in the recipient's language: English here, Vietnamese (the default) below
        "editor": f.user("ed@example.org", "editor", institution=lib, locale="en"),
        "vi_editor": f.user("ed3@example.org", "editor", institution=lib),
        "second_editor": f.user("ed2@example.org", "editor", institution=lib, locale="en"),
        "gone": f.user("gone@example.org", "editor", institution=lib, active=False),
        "museum_editor": f.user("bt@example.org", "editor", institution=museum),
        "far_editor": f.user("far@example.org", "editor", institution=far, locale="en"),
        "officer": f.user("of@example.org", "officer", area=viet_tri, locale="en"),
        "province_officer": f.user("p@example.org", "officer", area=province, locale="en"),
        "admin": f.user("admin@example.org", "admin"),
    }
    db.session.commit()
    return {"lib": lib, "museum": museum, "far": far, "club": club, "draft": draft, **people}


def _reminders(db, user=None, kind=None):
    query = select(Reminder).order_by(Reminder.user_id, Reminder.id)
    if user is not None:
        query = query.where(Reminder.user_id == user.id)
    if kind is not None:
        query = query.where(Reminder.kind == kind)
    return db.session.scalars(query).all()


# --- attendance due ----------------------------------------------------------------------------------------


def test_attendance_due_reminds_each_editor_once_a_day(db, world):
    now = local("2025-11-03T08:00")
    outcome = attendance_due_reminders(now)
    assert (outcome.created, outcome.recipients) == (3, 3)  # every active editor of the library
    reminders = _reminders(db, kind="attendance_due")
    assert {r.user_id for r in reminders} == {world["editor"].id, world["second_editor"].id, world["vi_editor"].id}
    message = _reminders(db, world["editor"])[0].message
    assert "Thư viện Việt Trì" in message and "2 held occurrences" in message and "20/10/2025" in message
    vietnamese = _reminders(db, world["vi_editor"])[0].message
    assert "held occurrences" not in vietnamese and "2 buổi" in vietnamese and "20/10/2025" in vietnamese
    assert all(r.dedupe_key == "attendance_due:2025-11-03" for r in reminders)

    # later the same day: nothing new; the next day: again, now with the third meeting held too
    assert attendance_due_reminders(local("2025-11-03T19:00")).created == 0
    db.session.add(Attendance(occurrence=world["club"].occurrences[0], total=12))
    db.session.commit()
    attendance_due_reminders(local("2025-11-04T08:00"))
    latest = _reminders(db, world["editor"])[-1]
    assert latest.dedupe_key == "attendance_due:2025-11-04" and "2 held occurrences" in latest.message
    assert _reminders(db, world["museum_editor"]) == [] and _reminders(db, world["officer"]) == []
    assert _reminders(db, world["gone"]) == []


def test_no_attendance_reminder_once_the_year_is_approved(db, world):
    approval.submit_year(world["editor"], world["lib"], 2025)
    approval.approve_year(world["officer"], world["lib"], 2025)
    db.session.commit()
    assert attendance_due_reminders(local("2025-11-03T08:00")).created == 0


def test_cancelled_occurrences_are_not_due(db, world):
    for occurrence in world["club"].occurrences:
        occurrence.status = "cancelled"
    db.session.commit()
    assert attendance_due_reminders(local("2025-11-03T08:00")).created == 0


# --- the annual report season ------------------------------------------------------------------------------


def test_no_report_reminders_before_the_first_of_november(db, world):
    assert deadline_reminders(local("2025-10-31T20:00")).created == 0
    assert deadline_reminders(local("2025-06-01T08:00")).created == 0
    assert _reminders(db) == []


def test_report_season_reminds_editors_not_submitted_and_officers_of_what_is_pending(db, world):
    approval.submit_year(world["museum_editor"], world["museum"], 2025)
    approval.submit_year(world["far_editor"], world["far"], 2025)
    approval.return_year(world["province_officer"], world["far"], 2025, "Thiếu số liệu tháng 3")
    db.session.commit()

    deadline_reminders(local("2025-11-03T08:00"))
    by_user = {r.user_id: r.message for r in _reminders(db, kind="annual_report")}
    assert "has not been submitted yet; it is due on 15/11/2025" in by_user[world["editor"].id]
    assert world["museum_editor"].id not in by_user  # submitted: nothing to do
    assert "sent the 2025 report back" in by_user[world["far_editor"].id]
    assert "Thiếu số liệu tháng 3" in by_user[world["far_editor"].id]
    # Việt Trì: the museum waits for approval, the library has not submitted
    assert by_user[world["officer"].id] == (
        "Việt Trì, report 2025: 1 year is waiting for your approval; 1 institution has not submitted yet; "
        "the deadline is 15/11/2025.")
    # the province: the museum waits; the library and the returned Đoan Hùng library are missing
    assert "1 year is waiting" in by_user[world["province_officer"].id]
    assert "2 institutions have not submitted yet" in by_user[world["province_officer"].id]
    assert world["admin"].id not in by_user and world["gone"].id not in by_user

    assert deadline_reminders(local("2025-11-03T15:00")).created == 0  # once a day
    deadline_reminders(local("2025-11-20T08:00"))
    late = _reminders(db, world["editor"], "annual_report")[-1].message
    assert "was due on 15/11/2025 and has not been submitted" in late


def test_officers_with_nothing_pending_get_no_reminder(db, world):
    for inst, editor in ((world["lib"], "editor"), (world["museum"], "museum_editor")):
        approval.submit_year(world[editor], inst, 2025)
        approval.approve_year(world["officer"], inst, 2025)
    db.session.commit()
    deadline_reminders(local("2025-11-05T08:00"))
    assert _reminders(db, world["officer"]) == []
    assert "1 institution has not submitted yet" in _reminders(db, world["province_officer"])[0].message


# --- e-mail ------------------------------------------------------------------------------------------------


def test_reminders_are_emailed_once_through_smtp(db, world, mail_to_sink):
    attendance_due_reminders(local("2025-11-03T08:00"))
    sent = deliver_pending(local("2025-11-03T08:01"))
    assert sent == 3 and len(mail_to_sink.messages) == 3
    first = next(m for m in mail_to_sink.messages if m["to"] == ["ed@example.org"])
    message = first["message"]
    assert message["To"] == "ed@example.org" and message["From"] == "calendar@localhost"
    assert message["Subject"]
    body = message.get_content()
    assert "Thư viện Việt Trì" in body and "https://lich.example/reminders" in body
    assert all(r.emailed_at == local("2025-11-03T08:01") for r in _reminders(db))
    assert deliver_pending(local("2025-11-03T08:10")) == 0 and len(mail_to_sink.messages) == 3


def test_unreachable_mail_server_keeps_reminders_for_later(app, db, world):
    with socket.socket() as probe:  # a loopback port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    attendance_due_reminders(local("2025-11-03T08:00"))
    saved = app.config["MAIL_SERVER"], app.config["MAIL_PORT"]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        assert deliver_pending(local("2025-11-03T08:01")) == 0
    finally:
        app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = saved
    assert all(r.emailed_at is None for r in _reminders(db))


def test_without_smtp_settings_nothing_is_sent(app, db, world):
    assert not app.config.get("MAIL_SERVER")
    attendance_due_reminders(local("2025-11-03T08:00"))
    assert deliver_pending(local("2025-11-03T08:01")) == 0
    assert all(r.emailed_at is None for r in _reminders(db))


# --- the reminders page ------------------------------------------------------------------------------------




def _client(app, email_address):
    client = app.test_client()
    assert client.post("/login", data={"email": email_address, "password": PASSWORD}).status_code == 302
    return client


def test_reminders_page_shows_the_users_own_and_marks_them_read(app, db, world):
    attendance_due_reminders(local("2025-11-03T08:00"))
    editor = _client(app, "ed@example.org")
    page = editor.get("/reminders?lang=en")
    assert page.status_code == 200 and "Thư viện Việt Trì: 2 held occurrences" in page.text
    assert 'Reminders <span class="badge">1</span>' in page.text
    assert editor.post("/reminders/read").status_code == 302
    after = editor.get("/reminders?lang=en")
    assert 'class="badge"' not in after.text and "Thư viện Việt Trì" in after.text
    assert all(r.read_at is not None for r in _reminders(db, world["editor"]))
    assert all(r.read_at is None for r in _reminders(db, world["second_editor"]))  # someone else's
    other = _client(app, "bt@example.org")
    assert "Thư viện Việt Trì" not in other.get("/reminders?lang=en").text
    assert app.test_client().get("/reminders").status_code == 302
