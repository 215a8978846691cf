"""Registrations: the public form, capacity and waitlist, cancellation by secret link, the personal feed,
anti-abuse, and the purge of personal data."""
import re
from datetime import UTC, timedelta

import icalendar
import pytest
from sqlalchemy import select

from calendar_app import create_app
from calendar_app.config import for_tests
from calendar_app.events.operations import find_occurrence
from calendar_app.extensions import limiter
from calendar_app.models import AuditEntry, Registrant, Registration
from calendar_app.registration import check_in
from calendar_app.registration import operations as reg
from calendar_app.registration.personal_feed import changed_at
from calendar_app.registration.purge import purge_personal_data
from calendar_app.validation import ValidationFailed
from tests.participation_fixtures import NOW, count, frozen_fixture, login, snapshot, world_fixture  # noqa: F401

KEY = "2025-10-20T09:00"


def person(name, email=None, phone=None, people=1, **extra):
    return {"occurrence": KEY, "name": name, "email": email, "phone": phone, "people": people, "consent": True,
            **extra}


def register(world, *args, **kwargs):
    return reg.register(world["talk"], person(*args, **kwargs), now=NOW)


def statuses(db):
    db.session.expire_all()
    return [(r.name, r.status) for r in db.session.scalars(select(Registration).order_by(Registration.position))]


def test_confirmed_while_places_last_then_waitlisted_then_promoted_in_order(db, world):
    register(world, "An", "an@example.org", people=2)
    register(world, "Bình", phone="0912 345 678")
    register(world, "Chi", "chi@example.org", people=2)  # 3 places: full
    register(world, "Dũng", "dung@example.org")  # waits behind Chi, although one place would be enough
    db.session.commit()
    assert statuses(db) == [("An", "confirmed"), ("Bình", "confirmed"), ("Chi", "waitlisted"),
                            ("Dũng", "waitlisted")]
    occurrence = find_occurrence(world["talk"], KEY)
    assert reg.seats(occurrence) == {"capacity": 3, "confirmed": 3, "waitlisted": 3, "left": 0}
    an = db.session.scalar(select(Registration).where(Registration.name == "An"))
    assert reg.waitlist_place(db.session.scalar(select(Registration).where(Registration.name == "Dũng"))) == 2
    promoted = reg.cancel(an, now=NOW)
    db.session.commit()
    assert [r.name for r in promoted] == ["Chi"]
    assert statuses(db) == [("An", "cancelled"), ("Bình", "confirmed"), ("Chi", "confirmed"),
                            ("Dũng", "waitlisted")]
    bình = db.session.scalar(select(Registration).where(Registration.name == "Bình"))
    assert [r.name for r in reg.cancel(bình, now=NOW)] == ["Dũng"]
    assert reg.cancel(bình, now=NOW) == []  # twice is harmless


def test_a_duplicate_by_the_same_contact_is_refused(db, world):
    register(world, "An", "An@Example.org", phone="+84 912 345 678")
    db.session.commit()
    before = snapshot(db)
    for email, phone in (("an@example.org ", None), (None, "0912345678"), ("other@example.org", "0912.345.678")):
        with pytest.raises(ValidationFailed) as refused:
            register(world, "An again", email, phone)
        db.session.rollback()
        assert "already registered" in " ".join(refused.value.fields.values())
    assert snapshot(db) == before
    # once cancelled, the same person may register again
    reg.cancel(db.session.scalar(select(Registration)), now=NOW)
    register(world, "An", "an@example.org")
    db.session.commit()
    assert count(db, Registrant) == 1  # the same person, one personal feed


@pytest.mark.parametrize("data, field", [
    (person("An"), "email"),
    (person("", "a@example.org"), "name"),
    (person("An", "not-an-address"), "email"),
    (person("An", phone="12"), "phone"),
    (person("An", "a@example.org", people=0), "people"),
    (person("An", "a@example.org", people=-1), "people"),
    (person("An", "a@example.org", people=1.5), "people"),
    (person("An", "a@example.org", people="hai"), "people"),
    (person("An", "a@example.org", people=4), "people"),  # more than the 3 places there are
    (person("An", "a@example.org", consent=False), "consent"),
    (person("An", "a@example.org", occurrence="2025-10-21T09:00"), "occurrence"),
])
def test_bad_registrations_are_refused_and_nothing_written(db, world, data, field):
    before = snapshot(db)
    with pytest.raises(ValidationFailed) as refused:
        reg.register(world["talk"], data, now=NOW)
    db.session.rollback()
    assert field in refused.value.fields
    assert snapshot(db) == before


def test_registration_closes_when_the_date_has_begun_or_was_cancelled(db, world):
    with pytest.raises(ValidationFailed):
        reg.register(world["talk"], person("An", "a@example.org"), now=NOW + timedelta(days=30))
    find_occurrence(world["talk"], KEY).status = "cancelled"
    with pytest.raises(ValidationFailed):
        register(world, "An", "a@example.org")
    with pytest.raises(ValidationFailed):  # an activity without registration
        reg.register(world["club"], {**person("An", "a@example.org"), "occurrence": "2025-10-15T09:00"}, now=NOW)
    db.session.rollback()
    assert count(db, Registration) == 0


# --- through the public pages ---------------------------------------------------------------------------


def form(name, email="", phone="", people="1", consent="y", **extra):
    return {"occurrence": KEY, "name": name, "email": email, "phone": phone, "people": people, "consent": consent,
            "website": "", **extra}


def test_a_citizen_registers_sees_the_confirmation_and_cancels_by_the_link(db, client, world):
    talk = world["talk"]
    page = client.get(f"/events/{talk.id}/register?lang=en")
    assert page.status_code == 200 and "3 places left" in page.text
    response = client.post(f"/events/{talk.id}/register", data=form("Nguyễn Văn An", "an@example.org",
                                                                    people="2"))
    assert response.status_code == 302
    confirmation = client.get(response.headers["Location"] + "&lang=en")
    assert "You are registered" in confirmation.text
    assert confirmation.headers["Cache-Control"] == "no-store"
    # the booked date alone, not the activity's series
    assert re.search(r'href="/registrations/[\w-]+\.ics"', confirmation.text)
    feed_url = re.search(r"http://localhost(/my/[\w-]+\.ics)", confirmation.text).group(1)
    cancel_path = urlpath(response.headers["Location"])
    assert client.get(feed_url).status_code == 200
    # the personal feed link is shown once only
    assert "/my/" not in client.get(cancel_path + "?lang=en").text

    second = client.post(f"/events/{talk.id}/register", data=form("Trần Thị Bình", phone="0987654321",
                                                                  people="2"))
    waiting = client.get(second.headers["Location"] + "&lang=en")
    assert "You are on the waitlist" in waiting.text and "number 1 in line" in waiting.text

    cancelled = client.post(cancel_path + "/cancel")
    assert cancelled.status_code == 302
    assert "Cancelled." in client.get(cancel_path + "?lang=en").text
    assert "Confirmed: your place is booked." in client.get(urlpath(second.headers["Location"]) + "?lang=en").text
    assert statuses(db) == [("Nguyễn Văn An", "cancelled"), ("Trần Thị Bình", "confirmed")]


def urlpath(location: str) -> str:
    return location.split("?")[0].replace("http://localhost", "")


def test_the_form_refuses_bad_input_and_keeps_it(db, client, world):
    url = f"/events/{world['talk'].id}/register?lang=en"
    response = client.post(url, data=form("An", consent=""))
    assert response.status_code == 422
    assert "Give a phone number or an e-mail address" in response.text
    response = client.post(url, data=form("An", "an@example.org", people="-2", consent=""))
    assert response.status_code == 422
    assert "Tick the box" in response.text and 'value="-2"' in response.text and 'value="an@example.org"' in \
        response.text
    client.post(url, data=form("An", "an@example.org"))
    duplicate = client.post(url, data=form("An", "AN@example.org"))
    assert duplicate.status_code == 422 and "already registered" in duplicate.text
    assert count(db, Registration) == 1


def test_the_honeypot_refuses_robots_without_writing(db, client, world):
    before = snapshot(db)
    response = client.post(f"/events/{world['talk'].id}/register", data=form("Bot", "bot@example.org",
                                                                             website="http://spam.example"))
    assert response.status_code == 400
    assert snapshot(db) == before
    assert 'class="field hp" aria-hidden="true"' in client.get(f"/events/{world['talk'].id}/register").text


def test_the_public_form_is_rate_limited(db, world, monkeypatch, app):
    """A second app with the limiter on (the test config turns it off); the limiter is restored after."""
    monkeypatch.setattr(limiter, "enabled", limiter.enabled)
    limited = create_app({**for_tests(app.config["SQLALCHEMY_DATABASE_URI"]), "RATELIMIT_ENABLED": True,
                          "RATELIMIT_STORAGE_URI": "memory://"})
    client = limited.test_client()
    url = f"/events/{world['talk'].id}/register"
    codes = [client.post(url, data=form(f"P{n}", f"p{n}@example.org", people="1")).status_code
             for n in range(7)]
    assert codes == [302] * 5 + [429] * 2  # 3 confirmed, 2 on the waitlist, then refused
    assert count(db, Registration) == 5
    assert client.get(url).status_code == 200  # reading the form is not limited
    with limited.app_context():
        db.session.remove()
        db.engine.dispose()


def test_closed_and_unknown_registration_pages(db, client, world):
    assert "does not take registrations" in client.get(f"/events/{world['club'].id}/register?lang=en").text
    assert client.post(f"/events/{world['club'].id}/register", data=form("An", "a@example.org")).status_code == 409
    assert client.get("/events/9999/register").status_code == 404
    assert client.get("/registrations/not-a-real-secret").status_code == 404
    assert client.post("/registrations/not-a-real-secret/cancel").status_code == 404
    assert client.get("/my/not-a-real-secret.ics").status_code == 404
    assert count(db, Registration) == 0


# --- the personal feed ----------------------------------------------------------------------------------


def test_the_personal_feed_lists_everything_and_can_be_revoked(db, client, world):
    first = register(world, "An", "an@example.org")
    club_course = world["club"]
    club_course.registration_required = True
    second = reg.register(club_course, {**person("An", "an@example.org"), "occurrence": "2025-10-15T09:00"},
                          now=NOW)
    register(world, "Bình", "binh@example.org")
    db.session.commit()
    assert first.feed_secret and second.feed_secret is None  # the same person: no second feed
    reg.cancel(second.registration, now=NOW)
    db.session.commit()
    response = client.get(f"/my/{first.feed_secret}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    # private caching: the calendar app may keep it and revalidate (issue 11); never a shared cache or a widget
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert "Access-Control-Allow-Origin" not in response.headers and response.headers["X-Robots-Tag"]
    etag = response.headers["ETag"]
    unchanged = client.get(f"/my/{first.feed_secret}.ics", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.data == b"" and unchanged.headers["ETag"] == etag
    # Last-Modified too: the latest change among the registrations, for clients that only send If-Modified-Since
    modified = response.headers["Last-Modified"]
    assert response.last_modified == max(changed_at(r) for r in (first.registration, second.registration)
                                         ).replace(microsecond=0, tzinfo=UTC)
    assert client.get(f"/my/{first.feed_secret}.ics", headers={"If-Modified-Since": modified}).status_code == 304
    single = client.get(f"/registrations/{first.cancel_secret}.ics")
    assert single.status_code == 200 and single.headers["ETag"] and single.headers["Last-Modified"]
    assert client.get(f"/registrations/{first.cancel_secret}.ics",
                      headers={"If-None-Match": single.headers["ETag"]}).status_code == 304
    calendar = icalendar.Calendar.from_ical(response.data)
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"Tọa đàm sách hay", "Câu lạc bộ đọc sách"}
    assert str(events["Câu lạc bộ đọc sách"]["STATUS"]) == "CANCELLED"
    assert str(events["Tọa đàm sách hay"]["STATUS"]) == "CONFIRMED"
    assert events["Tọa đàm sách hay"].decoded("DTSTART").isoformat() == "2025-10-20T09:00:00+07:00"
    assert len(calendar.walk("VTIMEZONE")) == 1
    assert len(calendar.walk("VEVENT")) == 2 and "Bình" not in response.data.decode()

    reg.cancel(first.registration, now=NOW)
    db.session.commit()
    changed = client.get(f"/my/{first.feed_secret}.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag

    page = client.get(f"/my/{first.feed_secret}")
    assert page.status_code == 200 and "Tọa đàm sách hay" in page.text
    renewed = client.post(f"/my/{first.feed_secret}/renew")
    assert renewed.status_code == 302
    assert client.get(f"/my/{first.feed_secret}.ics").status_code == 404
    new_secret = renewed.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    assert client.get(f"/my/{new_secret}.ics").status_code == 200


def test_secrets_are_stored_hashed(db, world):
    done = register(world, "An", "an@example.org")
    db.session.commit()
    registration = db.session.scalar(select(Registration))
    registrant = db.session.scalar(select(Registrant))
    assert done.cancel_secret not in registration.cancel_token_hash
    assert registration.cancel_token_hash == reg.hash_secret(done.cancel_secret)
    assert registrant.feed_token_hash == reg.hash_secret(done.feed_secret)


# --- personal data: who sees it, and the purge ----------------------------------------------------------


def test_personal_data_is_shown_to_the_institutions_staff_only(db, client, world):
    register(world, "Nguyễn Văn An", "an@example.org", phone="0912345678")
    db.session.commit()
    url = f"/participation/check-in/{world['talk'].id}/{KEY}"
    assert client.get(url).status_code == 302  # anonymous: sign in first
    login(client, "out@example.org")
    assert client.get(url).status_code == 404
    client.post("/logout")
    login(client, "of2@example.org")  # an officer of another district
    assert client.get(url).status_code == 404
    client.post("/logout")
    login(client, "ed@example.org")
    page = client.get(url)
    assert "Nguyễn Văn An" in page.text and "an@example.org" in page.text and "0912345678" in page.text


def test_the_purge_erases_contacts_after_the_configured_days_and_keeps_the_counts(db, world, app, runner):
    done = register(world, "An", "an@example.org", people=2)
    other = reg.register(world["talk"], person("Bình", "binh@example.org"), now=NOW)
    check_in.set_checked_in(world["users"]["editor"], other.registration, True, now=NOW + timedelta(days=10))
    db.session.commit()
    ends = find_occurrence(world["talk"], KEY).ends_at
    days = app.config["REGISTRATION_PURGE_DAYS"]
    assert purge_personal_data(ends + timedelta(days=days) - timedelta(minutes=1)) == 0
    assert purge_personal_data(ends + timedelta(days=days)) == 2
    db.session.commit()
    rows = db.session.scalars(select(Registration)).all()
    assert [(r.name, r.email, r.phone, r.registrant_id, r.cancel_token_hash) for r in rows] == [(None,) * 5] * 2
    assert sorted(r.people for r in rows) == [1, 2] and all(r.purged_at for r in rows)
    assert rows[1].checked_in_at is not None  # the count of who came stays
    assert count(db, Registrant) == 0  # contact and personal feed go with the last registration
    assert reg.registration_for_secret(done.cancel_secret) is None
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "purge")).changes == {
        "registrations_purged": [None, 2]}
    assert purge_personal_data(ends + timedelta(days=days + 5)) == 0  # nothing twice


def test_the_purge_keeps_a_person_who_still_has_a_coming_registration(db, world):
    register(world, "An", "an@example.org")
    later = world["club"]
    later.registration_required = True
    reg.register(later, {**person("An", "an@example.org"), "occurrence": "2025-10-15T09:00"}, now=NOW)
    db.session.commit()
    # the club date (15/10) is long over, the talk (20/10) not yet
    assert purge_personal_data(find_occurrence(later, "2025-10-15T09:00").ends_at + timedelta(days=31),
                               days=30) == 1
    db.session.commit()
    assert count(db, Registrant) == 1
    assert [r.name for r in db.session.scalars(select(Registration).order_by(Registration.id))] == ["An", None]


def test_the_purge_command(db, world, runner):
    register(world, "An", "an@example.org")
    db.session.commit()
    result = runner.invoke(args=["participation", "purge", "--now", "2025-12-31T00:00"])
    assert result.exit_code == 0, result.output
    assert "registrations purged: 1" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(Registration.name)) is None
