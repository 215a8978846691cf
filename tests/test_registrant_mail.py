"""Registrants' e-mails (issue 12, item 1): queued in the transaction, sent by the scheduler through a local SMTP
sink, in the registrant's language, with the booked date as an .ics file read back with icalendar."""
import re
from datetime import datetime, timedelta

import icalendar
import pytest
from sqlalchemy import select

from calendar_app.clock import local_day, to_utc
from calendar_app.events import operations as ops
from calendar_app.events.operations import find_occurrence
from calendar_app.models import RegistrantMail, Registration
from calendar_app.notifications.registrant_mail import MAX_ATTEMPTS, deliver_registrant_mail
from calendar_app.registration import operations as reg
from calendar_app.registration.followup import queue_reminders
from calendar_app.registration.purge import purge_personal_data
from calendar_app.scheduler.runner import run_job
from tests import factories as f
from tests.mail_sink import smtp_sink
from tests.participation_fixtures import NOW, frozen_fixture, world_fixture  # noqa: F401

KEY = "2025-10-20T09:00"


@pytest.fixture()
def sink(app):
    with smtp_sink() as server:
        saved = {key: app.config.get(key) for key in ("MAIL_SERVER", "MAIL_PORT", "PUBLIC_BASE_URL")}
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, PUBLIC_BASE_URL="https://lich.example")
        try:
            yield server
        finally:
            app.config.update(saved)


def local(text: str) -> datetime:
    return to_utc(datetime.fromisoformat(text))


def person(name, email=None, phone=None, people=1):
    return {"occurrence": KEY, "name": name, "email": email, "phone": phone, "people": people, "consent": True}


def register(world, *args, locale="en", **kwargs):
    return reg.register(world["talk"], person(*args, **kwargs), now=NOW, locale=locale)


def messages_to(sink, address):
    return [m["message"] for m in sink.messages if m["to"] == [address]]


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def event_of(message) -> icalendar.Event:
    """The one VEVENT of the attached calendar (and no recurrence in it)."""
    attachments = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    assert len(attachments) == 1
    calendar = icalendar.Calendar.from_ical(attachments[0].get_content())
    events = calendar.walk("VEVENT")
    assert len(events) == 1 and "RRULE" not in events[0]
    return events[0]


def test_the_confirmation_is_sent_by_the_scheduler_not_the_request(db, client, world, sink):
    talk = world["talk"]
    response = client.post(f"/events/{talk.id}/register?lang=en", data={
        "occurrence": KEY, "name": "Nguyễn Văn An", "email": "an@example.org", "people": "2", "consent": "y",
        "website": ""})
    assert response.status_code == 302
    assert sink.messages == []  # the request only queued it
    mail = db.session.scalar(select(RegistrantMail))
    assert mail.kind == "confirmation" and mail.done_at is None
    registration = db.session.scalar(select(Registration))
    assert registration.locale == "en"

    page = client.get(response.headers["Location"].replace("http://localhost", "") + "&lang=en")
    assert "A confirmation is on its way to an@example.org" in page.text
    assert run_job("send_emails", NOW)[0] == "ran"
    (message,) = messages_to(sink, "an@example.org")
    assert message["Subject"] == "Your registration is confirmed: Tọa đàm sách hay"
    body = body_of(message)
    secret_path = response.headers["Location"].split("?")[0].replace("http://localhost", "")
    assert f"https://lich.example{secret_path}" in body  # the secret link, on the public address
    assert "Wednesday" not in body and "Monday, 20 October 2025, 09:00" in body
    event = event_of(message)
    assert str(event["UID"]) == f"registration-{registration.id}@test.example"
    assert event.DTSTART == local("2025-10-20T09:00").replace(tzinfo=event.DTSTART.tzinfo) or \
        to_utc(event.DTSTART) == local("2025-10-20T09:00")
    assert str(event["STATUS"]) == "CONFIRMED"
    # sent once; the secret address is not kept
    db.session.expire_all()
    mail = db.session.get(RegistrantMail, mail.id)
    assert mail.done_at is not None and mail.link is None and not mail.gave_up
    assert deliver_registrant_mail(NOW + timedelta(minutes=5)) == 0 and len(sink.messages) == 1


def test_the_confirmation_is_in_the_registrants_language(db, world, sink):
    register(world, "An", "an@example.org", locale="vi")
    db.session.commit()
    deliver_registrant_mail(NOW)
    (message,) = messages_to(sink, "an@example.org")
    assert message["Subject"].startswith("Đã đăng ký")
    assert "Thứ Hai, 20 tháng 10 năm 2025, 09:00" in body_of(message)


def test_no_email_no_mail(db, world, sink):
    register(world, "Bình", phone="0912 345 678")
    db.session.commit()
    assert db.session.scalar(select(RegistrantMail)) is None
    assert deliver_registrant_mail(NOW) == 0 and sink.messages == []


def test_a_reminder_the_day_before_to_those_with_a_place(db, world, sink):
    register(world, "An", "an@example.org", people=3)
    register(world, "Chi", "chi@example.org")  # waitlisted: no reminder
    db.session.commit()
    deliver_registrant_mail(NOW)
    assert queue_reminders(local("2025-10-18T09:00")) == 0  # two days before
    outcome, detail = run_job("registrant_reminders", local("2025-10-19T08:15"))
    assert outcome == "ran" and detail.startswith("2025-10-19: 1 reminder(s) queued; 1 registrant")
    reminders = [m for m in messages_to(sink, "an@example.org") if m["Subject"].startswith("Tomorrow")]
    assert len(reminders) == 1 and reminders[0]["Subject"] == "Tomorrow: Tọa đàm sách hay"
    assert "please cancel with the link" in body_of(reminders[0])
    assert not [m for m in messages_to(sink, "chi@example.org") if m["Subject"].startswith("Tomorrow")]
    assert queue_reminders(local("2025-10-19T15:00")) == 0  # once


def test_a_moved_then_cancelled_date_updates_the_calendar_entry(db, world, sink):
    done = register(world, "An", "an@example.org")
    db.session.commit()
    deliver_registrant_mail(NOW)
    confirmed = event_of(messages_to(sink, "an@example.org")[0])
    talk = world["talk"]
    occurrence = find_occurrence(talk, KEY)

    ops.change_occurrence(world["users"]["editor"], talk, occurrence, {"starts_at": "2025-10-21T14:00"})
    db.session.commit()
    assert deliver_registrant_mail(NOW) == 1
    moved = messages_to(sink, "an@example.org")[-1]
    assert moved["Subject"] == "New time: Tọa đàm sách hay"
    assert "Tuesday, 21 October 2025, 14:00" in body_of(moved)
    assert "Planned at first: Monday, 20 October 2025, 09:00" in body_of(moved)
    event = event_of(moved)
    assert event["UID"] == confirmed["UID"] and event["SEQUENCE"] > confirmed["SEQUENCE"]
    assert to_utc(event.DTSTART) == local("2025-10-21T14:00")

    occurrence.change_reason = "Hội trường đang sửa chữa"  # the staff's optional reason, when their pages give one
    ops.change_occurrence(world["users"]["editor"], talk, occurrence, {"status": "cancelled"})
    db.session.commit()
    assert deliver_registrant_mail(NOW) == 1
    cancelled = messages_to(sink, "an@example.org")[-1]
    assert cancelled["Subject"] == "Cancelled: Tọa đàm sách hay, Tuesday, 21 October 2025, 14:00"
    assert "Hội trường đang sửa chữa" in body_of(cancelled)
    gone = event_of(cancelled)
    assert gone["UID"] == confirmed["UID"] and gone["SEQUENCE"] > event["SEQUENCE"]
    assert str(gone["STATUS"]) == "CANCELLED"
    assert done.registration.status == "confirmed"  # their registration stands; the date does not


def test_a_cancelled_activity_tells_everyone_registered_once(db, world, sink):
    register(world, "An", "an@example.org")
    register(world, "Bình", "binh@example.org")
    db.session.commit()
    ops.set_status(world["users"]["editor"], world["talk"], "cancelled")
    ops.update_activity(world["users"]["editor"], world["talk"], {"title": "Tọa đàm sách hay (huỷ)"})
    db.session.commit()
    deliver_registrant_mail(NOW)
    subjects = sorted(m["message"]["Subject"] for m in sink.messages)
    assert [s for s in subjects if s.startswith("Cancelled")] == [
        "Cancelled: Tọa đàm sách hay (huỷ), Monday, 20 October 2025, 09:00"] * 2


def test_a_waitlist_place_opening_is_mailed(db, world, sink):
    first = register(world, "An", "an@example.org", people=3)
    register(world, "Chi", "chi@example.org")
    db.session.commit()
    deliver_registrant_mail(NOW)
    waiting = messages_to(sink, "chi@example.org")[0]
    assert waiting["Subject"] == "You are on the waitlist: Tọa đàm sách hay"
    assert str(event_of(waiting)["STATUS"]) == "TENTATIVE"
    reg.cancel(first.registration, now=NOW)
    db.session.commit()
    assert deliver_registrant_mail(NOW) == 1
    promoted = messages_to(sink, "chi@example.org")[-1]
    assert promoted["Subject"] == "A place is yours: Tọa đàm sách hay"
    event = event_of(promoted)
    assert str(event["STATUS"]) == "CONFIRMED" and event["SEQUENCE"] > event_of(waiting)["SEQUENCE"]
    assert messages_to(sink, "an@example.org")[-1]["Subject"].startswith("Your registration")  # nothing more


def test_a_mail_server_outage_is_retried_later_then_given_up(db, world, app):
    register(world, "An", "an@example.org")
    db.session.commit()
    with smtp_sink() as closed:
        port = closed.port
    saved = {key: app.config.get(key) for key in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)  # nobody listens there any more
    try:
        assert deliver_registrant_mail(NOW) == 0
        mail = db.session.scalar(select(RegistrantMail))
        assert mail.attempts == 1 and mail.done_at is None and mail.due_at == NOW + timedelta(minutes=5)
        assert deliver_registrant_mail(NOW + timedelta(minutes=1)) == 0
        assert db.session.scalar(select(RegistrantMail)).attempts == 1  # not due yet: not tried
        with smtp_sink() as sink:
            app.config.update(MAIL_PORT=sink.port)
            assert deliver_registrant_mail(NOW + timedelta(minutes=5)) == 1
            assert len(sink.messages) == 1
        app.config.update(MAIL_PORT=port)
        register(world, "Bình", "binh@example.org")
        db.session.commit()
        moment = NOW
        for _attempt in range(MAX_ATTEMPTS):
            moment += timedelta(days=1)
            deliver_registrant_mail(moment)
        db.session.expire_all()
        last = db.session.scalars(select(RegistrantMail).order_by(RegistrantMail.id.desc())).first()
        assert last.gave_up and last.attempts == MAX_ATTEMPTS and last.done_at is not None
    finally:
        app.config.update(saved)


def test_the_purge_stops_what_waits(db, world, sink):
    register(world, "An", "an@example.org")
    db.session.commit()
    occurrence = find_occurrence(world["talk"], KEY)
    assert purge_personal_data(occurrence.ends_at + timedelta(days=31), days=30) == 1
    db.session.commit()
    assert db.session.scalar(select(RegistrantMail)) is None
    assert deliver_registrant_mail(NOW) == 0 and sink.messages == []


def test_the_confirmation_pages_calendar_holds_the_booked_date_only(db, client, world):
    course = f.activity(world["lib"], "Lớp tin học", start="2025-10-13T18:00", rrule="FREQ=WEEKLY;COUNT=12",
                        registration_required=True, capacity=10)
    db.session.commit()
    response = client.post(f"/events/{course.id}/register", data={
        "occurrence": "2025-10-27T18:00", "name": "An", "email": "an@example.org", "people": "1", "consent": "y",
        "website": ""})
    page = client.get(response.headers["Location"].replace("http://localhost", ""))
    link = re.search(r'href="(/registrations/[\w-]+\.ics)"', page.text).group(1)
    answer = client.get(link)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    calendar = icalendar.Calendar.from_ical(answer.data)
    (event,) = calendar.walk("VEVENT")
    assert "RRULE" not in event and local_day(to_utc(event.DTSTART)).isoformat() == "2025-10-27"
    assert str(event["SUMMARY"]) == "Lớp tin học"
