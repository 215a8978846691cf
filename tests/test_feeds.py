"""The feeds as calendar clients read them: over HTTP, parsed by icalendar, expanded by recurring-ical-events,
and compared with what the database says; the store every worker shares, the window and ceiling, aliases."""
import re
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import icalendar
import pytest
from flask import render_template_string, url_for
from sqlalchemy import delete, select, update
from sqlalchemy.exc import OperationalError
from werkzeug.http import http_date, parse_date

from calendar_app import create_app
from calendar_app.clock import local_day, local_midnight_utc
from calendar_app.config import for_tests
from calendar_app.events import operations as ops
from calendar_app.events.models import Activity, ActivityObservance, Occurrence
from calendar_app.events.tagging import retag
from calendar_app.extensions import db as db_
from calendar_app.feeds import aliases, ical, store
from calendar_app.feeds import cache as feed_cache_module
from calendar_app.feeds import cli as feeds_cli
from calendar_app.feeds.cache import BoundedCache
from calendar_app.feeds.context import feed_context
from calendar_app.feeds.models import FeedFragment, FeedFragmentBody
from calendar_app.observances.models import Observance
from calendar_app.search import fold
from tests import factories as f
from tests.factories import client_events

TODAY = date(2025, 4, 1)
#: 10:00 in Vietnam on TODAY
NOW = datetime(2025, 4, 1, 3)
#: FEED_PAST_DAYS (90) before TODAY
WINDOW_START = date(2025, 1, 1)
FAR = date(2027, 1, 1)
MESSY = "Đọc sách, thơ; truyện \\ ngắn\ncho thiếu nhi"
LONG = ("Giới thiệu sách mới, trò chuyện cùng tác giả; thiếu nhi đọc truyện tranh, vẽ tranh minh hoạ\\ và "
        "chơi ô chữ.\nĐịa điểm: tầng 2, phòng đọc thiếu nhi, đường Trần Phú, phường Tân Dân, Việt Trì. ") * 3


@pytest.fixture(autouse=True)
def fixed_today(app, monkeypatch):
    """Feeds start FEED_PAST_DAYS before today: pin today, and start every test with an empty cache."""
    monkeypatch.setattr(feed_cache_module, "utcnow", lambda: NOW)
    cache = app.extensions["feed_cache"]
    cache.items.clear()
    return cache


def _activity(institution, title, **fields):
    activity = f.activity(institution, title=title, **fields)
    activity.search_text = fold(f"{activity.title} {activity.description}")
    retag(activity)
    return activity


def _occurrence(activity, local_start: str) -> Occurrence:
    start = datetime.fromisoformat(local_start)
    return next(o for o in activity.occurrences if o.original_start == local_midnight_utc(start.date())
                + timedelta(hours=start.hour, minutes=start.minute))


@pytest.fixture()
def world(db):
    province = f.area("25", "Phú Thọ", "province")
    viet_tri = f.area("227", "Việt Trì", parent=province)
    tan_dan = f.area("7888", "Phường Tân Dân", level="commune", parent=viet_tri)
    phu_ninh = f.area("228", "Phù Ninh", parent=province)
    library = f.institution("thu-vien-viet-tri", viet_tri, name="Thư viện Việt Trì")
    centre = f.institution("nha-van-hoa-tan-dan", tan_dan, category="culture_centre_commune",
                           name="Nhà văn hoá Tân Dân")
    museum = f.institution("bao-tang-phu-ninh", phu_ninh, category="museum", name="Bảo tàng Phù Ninh")
    admin = f.user("admin@example.org", "admin")
    w = SimpleNamespace(library=library, centre=centre, museum=museum, admin=admin)
    w.talk = _activity(library, MESSY, description=LONG, start="2025-04-21T09:00", audiences=("children",))
    w.club = _activity(centre, "Câu lạc bộ đọc sách", start="2025-04-05T08:00", rrule="FREQ=WEEKLY;COUNT=6",
                       categories=("club",))
    w.festival = _activity(museum, "Ngày hội bảo tàng", start="2025-05-18T00:00", hours=72, all_day=True,
                           categories=("festival",), audiences=("families",))
    w.evening = _activity(library, "Lớp tin học buổi tối", start="2025-04-22T18:00",
                          rrule="FREQ=DAILY;UNTIL=20250425", categories=("digital_skills",), audiences=("adults",))
    w.draft = _activity(library, "Bản nháp chưa đăng", start="2025-04-23T09:00", status="draft")
    w.cancelled = _activity(museum, "Triển lãm đã huỷ", start="2025-04-26T09:00", status="cancelled",
                            categories=("exhibition",))
    w.old = _activity(library, "Buổi đọc đã qua", start="2024-12-01T09:00")
    db.session.commit()
    ops.change_occurrence(admin, w.club, _occurrence(w.club, "2025-04-12T08:00"), {"status": "cancelled"})
    ops.change_occurrence(admin, w.club, _occurrence(w.club, "2025-04-19T08:00"), {"starts_at": "2025-04-20T14:00"})
    db.session.commit()
    return w


def uid(activity) -> str:
    return f"activity-{activity.id}@test.example"


def uids(body: bytes) -> set[str]:
    return {str(event["UID"]) for event in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def database_events(db, *conditions) -> list[tuple]:
    """What the database says a subscriber should see from WINDOW_START on: scheduled occurrences of public
    activities, marked CANCELLED when the whole activity is."""
    rows = db.session.execute(
        select(Occurrence, Activity).join(Occurrence.activity)
        .where(Activity.status.in_(("published", "cancelled")), Occurrence.status == "scheduled",
               Occurrence.ends_at > local_midnight_utc(WINDOW_START), *conditions)
    ).all()
    shown = []
    for occ, activity in rows:
        start, end = occ.starts_at, occ.ends_at
        if activity.all_day:
            start, end = local_day(start), local_day(end)
        shown.append((uid(activity), start, end, "CANCELLED" if activity.status == "cancelled" else "CONFIRMED"))
    return sorted(shown)


def get_feed(client, url: str, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.data[:300]
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return response


def test_all_feed_shows_what_the_database_says(client, db, world):
    body = get_feed(client, "/feeds/all.ics").data
    shown = client_events(body, WINDOW_START, FAR)

    assert shown == database_events(db)
    club = [(start, status) for u, start, _end, status in shown if u == uid(world.club)]
    starts = [start for start, _ in club]
    assert len(club) == 5
    assert local_midnight_utc(date(2025, 4, 12)) + timedelta(hours=8) not in starts  # cancelled on its own
    assert local_midnight_utc(date(2025, 4, 20)) + timedelta(hours=14) in starts  # moved
    assert local_midnight_utc(date(2025, 4, 19)) + timedelta(hours=8) not in starts
    assert (uid(world.festival), date(2025, 5, 18), date(2025, 5, 21), "CONFIRMED") in shown
    assert (uid(world.cancelled), world.cancelled.starts_at, world.cancelled.ends_at, "CANCELLED") in shown
    assert uid(world.draft) not in uids(body) and b"B\xe1\xba\xa3n nh\xc3\xa1p" not in body
    assert uid(world.old) not in uids(body)
    assert len([u for u, *_ in shown if u == uid(world.evening)]) == 4


def test_every_feed_is_valid_rfc5545_with_one_timezone_and_exact_properties(client, db, world):
    body = get_feed(client, "/feeds/all.ics").data
    cal = icalendar.Calendar.from_ical(body)
    lines = body.split(b"\r\n")

    assert lines[-1] == b"" and b"\n" not in body.replace(b"\r\n", b"")
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode("utf-8")
    assert all(not component.errors for component in cal.walk())
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Ho_Chi_Minh"]
    assert cal["X-WR-CALNAME"] == cal["NAME"]
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT2H\r\n" in body and b"X-PUBLISHED-TTL:PT2H\r\n" in body
    activities = {uid(a): a for a in db.session.scalars(select(Activity))}
    for event in cal.walk("VEVENT"):
        activity = activities[str(event["UID"])]
        assert event["SEQUENCE"] == activity.sequence
        assert event["LAST-MODIFIED"].dt == activity.updated_at.replace(tzinfo=UTC, microsecond=0)
        assert event["DTSTAMP"].dt == event["LAST-MODIFIED"].dt
        assert str(event["URL"]) == f"http://localhost/events/{activity.id}"
        if not activity.all_day:
            assert event["DTSTART"].params["TZID"] == "Asia/Ho_Chi_Minh"
            assert event["DTEND"].params["TZID"] == "Asia/Ho_Chi_Minh"
    assert activities[uid(world.club)].sequence == 2


def test_vietnamese_text_survives_with_its_punctuation(client, world):
    body = get_feed(client, f"/events/{world.talk.id}.ics").data
    (event,) = icalendar.Calendar.from_ical(body).walk("VEVENT")

    assert event["SUMMARY"] == MESSY
    assert event["DESCRIPTION"].startswith(LONG.strip())
    assert "SUMMARY:Đọc sách\\, thơ\\; truyện \\\\ ngắn\\ncho".encode() in body


def test_area_feed_includes_the_whole_subtree(client, db, world):
    viet_tri = uids(get_feed(client, "/feeds/areas/227.ics").data)
    province = uids(get_feed(client, "/feeds/areas/25.ics").data)
    phu_ninh = uids(get_feed(client, "/feeds/areas/228.ics").data)

    assert viet_tri == {uid(world.talk), uid(world.evening), uid(world.club)}  # the club is in a commune below
    assert phu_ninh == {uid(world.festival), uid(world.cancelled)}
    assert province == viet_tri | phu_ninh
    assert client.get("/feeds/areas/999.ics").status_code == 404


def test_institution_feed(client, world):
    body = get_feed(client, "/feeds/institutions/bao-tang-phu-ninh.ics").data

    assert uids(body) == {uid(world.festival), uid(world.cancelled)}
    assert "Bảo tàng Phù Ninh" in icalendar.Calendar.from_ical(body)["X-WR-CALNAME"]
    assert client.get("/feeds/institutions/khong-co.ics").status_code == 404


def test_observance_feed_follows_tags_and_removed_tags(client, db, world):
    observance = db.session.scalar(select(Observance).where(Observance.key == "book-reading-day"))
    tagged = {uid(link.activity) for link in db.session.scalars(select(ActivityObservance).where(
        ActivityObservance.observance_id == observance.id, ActivityObservance.removed.is_(False)))
        if link.activity.status != "draft"}
    body = get_feed(client, "/feeds/observances/book-reading-day.ics").data

    assert uids(body) == tagged
    # the talk on 21/4 is inside the window (18-24/4); the weekly club only touches it and the evening
    # course (22-25/4) runs past it: both are left for their editors to tag
    assert uid(world.talk) in tagged and not {uid(world.club), uid(world.evening), uid(world.festival)} & tagged

    ops.update_activity(world.admin, world.evening, {"observances": ["book-reading-day", "world-book-day"]})
    db.session.commit()
    assert uids(get_feed(client, "/feeds/observances/book-reading-day.ics").data) == tagged | {uid(world.evening)}
    assert client.get("/feeds/observances/no-such-day.ics").status_code == 404


@pytest.mark.parametrize("query, expected", [
    ("q=doc sach", {"talk", "club"}),
    ("q=ĐỌC", {"talk", "club"}),
    ("audience=children", {"talk", "club", "cancelled"}),  # the club and the exhibition are for everyone
    ("category=club", {"club"}),
    ("area=228", {"festival", "cancelled"}),
    ("area=227&category=digital_skills", {"evening"}),
    ("institution=bao-tang-phu-ninh&category=festival", {"festival"}),
    ("observance=museum-day", {"festival"}),
    ("q=khong co gi", set()),
    ("", {"talk", "club", "festival", "evening", "cancelled"}),
])
def test_events_feed_filters(client, world, query, expected):
    body = get_feed(client, f"/feeds/events.ics?{query}").data

    assert uids(body) == {uid(getattr(world, name)) for name in expected}


@pytest.mark.parametrize("query, field", [("category=cooking", "category"), ("audience=martians", "audience"),
                                          ("area=999", "area"), ("q=" + "x" * 201, "q")])
def test_events_feed_refuses_unknown_filters_with_a_reason(client, world, query, field):
    response = client.get(f"/feeds/events.ics?{query}")

    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True).startswith(f"{field}: ")


def test_one_activity_feed(client, world):
    response = get_feed(client, f"/events/{world.festival.id}.ics")
    cal = icalendar.Calendar.from_ical(response.data)

    assert uids(response.data) == {uid(world.festival)}
    assert cal["X-WR-CALNAME"] == "Ngày hội bảo tàng"
    assert response.headers["Content-Disposition"] == f'attachment; filename="activity-{world.festival.id}.ics"'
    # when the activity was last written (its commit, a moment after the operation stamped updated_at)
    modified = parse_date(response.headers["Last-Modified"])
    updated = world.festival.updated_at.replace(tzinfo=UTC, microsecond=0)
    assert updated <= modified <= updated + timedelta(seconds=30)
    assert b"STATUS:CANCELLED" in get_feed(client, f"/events/{world.cancelled.id}.ics").data
    # an activity long past is still there to add, outside any feed's window
    assert uids(get_feed(client, f"/events/{world.old.id}.ics").data) == {uid(world.old)}
    assert client.get(f"/events/{world.draft.id}.ics").status_code == 404
    assert client.get("/events/987654.ics").status_code == 404


def test_conditional_requests_answer_304_until_something_changes(client, db, world):
    first = get_feed(client, "/feeds/all.ics")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]

    again = client.get("/feeds/all.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    # werkzeug leaves Last-Modified out of a 304 that has an ETag, as RFC 9110 allows
    assert again.headers["ETag"] == etag and again.headers["Cache-Control"]
    assert client.get("/feeds/all.ics", headers={"If-None-Match": f'"x", W/{etag}'}).status_code == 304
    assert client.get("/feeds/all.ics", headers={"If-Modified-Since": modified}).status_code == 304
    earlier = http_date(datetime(2020, 1, 1, tzinfo=UTC))
    assert client.get("/feeds/all.ics", headers={"If-Modified-Since": earlier}).status_code == 200
    # If-None-Match wins over If-Modified-Since
    assert client.get("/feeds/all.ics", headers={"If-None-Match": '"other"', "If-Modified-Since": modified}
                      ).status_code == 200
    single = get_feed(client, f"/events/{world.talk.id}.ics")
    assert client.get(f"/events/{world.talk.id}.ics", headers={"If-None-Match": single.headers["ETag"]}
                      ).status_code == 304

    ops.change_occurrence(world.admin, world.club, _occurrence(world.club, "2025-04-26T08:00"), {"status": "cancelled"})
    db.session.commit()
    changed = get_feed(client, "/feeds/all.ics", **{"If-None-Match": etag})
    assert changed.headers["ETag"] != etag
    assert parse_date(changed.headers["Last-Modified"]) >= parse_date(modified)
    assert len([u for u, *_ in client_events(changed.data, WINDOW_START, FAR) if u == uid(world.club)]) == 4
    # a feed that does not show the club keeps its ETag
    museum = get_feed(client, "/feeds/institutions/bao-tang-phu-ninh.ics")
    assert museum.headers["ETag"] == get_feed(client, "/feeds/institutions/bao-tang-phu-ninh.ics").headers["ETag"]


def fragments(db) -> dict[int, tuple[int, bytes | None]]:
    """{activity id: (revision, its current stored body or None)} of the feed store."""
    bodies = dict(db.session.execute(select(FeedFragmentBody.activity_id, FeedFragmentBody.revision)).all())
    return {row.activity_id: (row.revision, row.body if bodies.get(row.activity_id) == row.revision else None)
            for row in db.session.execute(
                select(FeedFragment.activity_id, FeedFragment.revision, FeedFragmentBody.body)
                .outerjoin(FeedFragmentBody, FeedFragmentBody.activity_id == FeedFragment.activity_id))}


def test_a_change_reserialises_only_that_activitys_fragment(app, client, db, world, monkeypatch):
    get_feed(client, "/feeds/all.ics")
    before = fragments(db)
    serialised = []
    real = ical.activity_events
    monkeypatch.setattr(ical, "activity_events", lambda activity, context: serialised.append(activity.id)
                        or real(activity, context))

    ops.update_activity(world.admin, world.talk, {"title": "Đọc sách mùa hè"})
    db.session.commit()
    assert fragments(db)[world.talk.id] == (before[world.talk.id][0] + 1, None)  # marked by the write itself
    body = get_feed(client, "/feeds/all.ics").data
    after = fragments(db)

    assert serialised == [world.talk.id]
    shown = {a.id for a in (world.talk, world.club, world.festival, world.evening, world.cancelled)}
    assert {i for i, (_revision, fragment) in before.items() if fragment is not None} == shown
    assert all(after[i] == before[i] for i in shown - {world.talk.id})
    assert "Đọc sách mùa hè".encode() in after[world.talk.id][1] and "Đọc sách mùa hè".encode() in body


def test_a_fragment_read_before_a_write_is_not_stored_over_it(app, client, db, world):
    """A worker serialising an activity while another commits a change to it must not store the old text."""
    get_feed(client, "/feeds/all.ics")
    revision = fragments(db)[world.talk.id][0]
    ops.update_activity(world.admin, world.talk, {"title": "Tiêu đề mới"})
    db.session.commit()
    # the slow worker read the row at `revision` and stores what it serialised from the old title
    stale = [SimpleNamespace(activity_id=world.talk.id, revision=revision)]
    with app.test_request_context("/"):
        context = feed_context("http://localhost")
    db.session.execute(update(Activity).where(Activity.id == world.talk.id).values(title="Tiêu đề cũ"))
    store._serialise(stale, context, store.context_key(context))
    db.session.rollback()  # (the old title was never committed)

    assert fragments(db)[world.talk.id] == (revision + 1, None)
    assert "Tiêu đề mới".encode() in get_feed(client, "/feeds/all.ics").data


def test_feed_window_follows_feed_past_and_future_days(app, client, db, world, monkeypatch):
    assert uid(world.old) not in uids(get_feed(client, "/feeds/all.ics").data)

    monkeypatch.setitem(app.config, "FEED_PAST_DAYS", 150)
    store.new_generation(db.session)  # (settings change with a restart, after `flask feeds rebuild`)
    db.session.commit()
    assert uid(world.old) in uids(get_feed(client, "/feeds/all.ics").data)

    monkeypatch.setitem(app.config, "FEED_FUTURE_DAYS", 30)  # to 1 May 2025: the festival of 18 May is out
    store.new_generation(db.session)
    db.session.commit()
    body = get_feed(client, "/feeds/all.ics").data
    assert uid(world.festival) not in uids(body) and uid(world.talk) in uids(body)
    assert "Hoạt động từ 150 ngày trước đến 30 ngày tới.".encode() in body.replace(b"\r\n ", b"")


def test_memory_per_worker_stays_within_its_budget_and_feeds_stay_right(client, db, world, fixed_today,
                                                                       monkeypatch):
    monkeypatch.setattr(fixed_today.items, "max_bytes", 12000)
    for url in ("/feeds/all.ics", "/feeds/areas/227.ics", "/feeds/areas/228.ics", "/feeds/areas/25.ics",
                "/feeds/institutions/bao-tang-phu-ninh.ics", "/feeds/all.ics"):
        get_feed(client, url)

    assert fixed_today.items.size <= 12000 and len(fixed_today.items) < 12
    assert client_events(get_feed(client, "/feeds/all.ics").data, WINDOW_START, FAR) == database_events(db)


def test_bounded_cache_evicts_least_recently_used():
    cache = BoundedCache(1000)
    cache.put("a", b"a", 300)
    cache.put("b", b"b", 300)
    cache.get("a")
    cache.put("c", b"c", 300)

    assert cache.get("b") is None and cache.get("a") == b"a" and cache.get("c") == b"c"
    assert cache.size == 2 * 500
    cache.put("huge", b"h", 5000)
    assert cache.get("huge") is None and len(cache) == 2


def test_feed_links_give_https_and_webcal_addresses(app, monkeypatch):
    template = "{% set l = feed_links('feeds.institution_feed', slug='thu-vien') %}{{ l.https }} {{ l.webcal }}"
    with app.test_request_context("/", base_url="http://localhost"):
        assert render_template_string(template) == (
            "http://localhost/feeds/institutions/thu-vien.ics webcal://localhost/feeds/institutions/thu-vien.ics")
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://lich.phutho.gov.vn/")
    with app.test_request_context("/"):
        links = render_template_string("{% set l = feed_links('feeds.events_feed', area='227', q='đọc sách') %}"
                                       "{{ l.https }} {{ l.webcal }}")
    query = "area=227&amp;q=%C4%91%E1%BB%8Dc+s%C3%A1ch"
    assert links == f"https://lich.phutho.gov.vn/feeds/events.ics?{query} webcal://lich.phutho.gov.vn/feeds/events.ics?{query}"


def test_help_page_shows_the_feeds_addresses(client, db):
    page = client.get("/feeds/help?feed=/feeds/areas/25.ics")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "webcal://localhost/feeds/areas/25.ics" in html and "http://localhost/feeds/areas/25.ics" in html
    assert "Google" in html and "Outlook" in html and "Apple" in html
    filtered = client.get("/feeds/help", query_string={"feed": "/feeds/events.ics?area=227&q=doc"}).get_data(
        as_text=True)
    assert "webcal://localhost/feeds/events.ics?area=227&amp;q=doc" in filtered
    elsewhere = client.get("/feeds/help?feed=https://evil.example/x.ics").get_data(as_text=True)
    assert "webcal://evil" not in elsewhere and "webcal://localhost/feeds/all.ics" in elsewhere


def test_help_page_in_english(client, db):
    # (a test's requests share one app context, where Flask-Babel keeps the first locale: ask in English first)
    english = client.get("/feeds/help?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english and "How to subscribe to a calendar" in english
    assert "webcal://localhost/feeds/all.ics" in english


def test_cached_answers_are_replayed_without_flask_until_something_changes(app, client, db, world):
    """The fast path answers exactly as the app did for the same URL and feed version, and steps aside for
    anything else."""
    fast_path = app.wsgi_app
    first = get_feed(client, "/feeds/areas/227.ics")
    etag = first.headers["ETag"]
    first_304 = client.get("/feeds/areas/227.ics", headers={"If-None-Match": etag})

    def flask_must_not_run(environ, start_response):
        raise AssertionError(f"Flask ran for {environ['PATH_INFO']}")

    fast_path.wsgi_app, flask = flask_must_not_run, fast_path.wsgi_app
    try:
        replayed = client.get("/feeds/areas/227.ics")
        replayed_304 = client.get("/feeds/areas/227.ics", headers={"If-None-Match": etag})
        head = client.head("/feeds/areas/227.ics")
    finally:
        fast_path.wsgi_app = flask
    assert replayed.data == first.data
    assert sorted(replayed.headers.items()) == sorted(first.headers.items())
    assert replayed_304.status_code == 304 and replayed_304.data == b""
    assert sorted(replayed_304.headers.items()) == sorted(first_304.headers.items())
    assert head.status_code == 200 and head.data == b"" and head.headers["ETag"] == etag

    ops.update_activity(world.admin, world.talk, {"title": "Đọc sách mùa thu"})
    db.session.commit()
    fast_path.wsgi_app = flask_must_not_run
    try:
        with pytest.raises(AssertionError, match="Flask ran"):
            client.get("/feeds/areas/227.ics")  # this process changed an activity: Flask revalidates
    finally:
        fast_path.wsgi_app = flask
    assert "Đọc sách mùa thu".encode() in get_feed(client, "/feeds/areas/227.ics").data


# --- the store every worker shares (issue 17) ---------------------------------------------------------------


@pytest.fixture()
def other_app(app):
    """A second app on the same database: another worker, another server, or this one after a restart."""
    other = create_app(for_tests(app.config["SQLALCHEMY_DATABASE_URI"]))
    other.test_client_class = app.test_client_class
    yield other
    other.extensions["feed_cache"].dispose()
    with other.app_context():
        db_.session.remove()
        db_.engine.dispose()


@pytest.fixture()
def assembled(monkeypatch) -> list:
    """The feeds assembled from fragments, in order (a feed answered from memory or the store is not)."""
    calls = []
    real = store.assemble

    def counting(conditions, window, ceiling, context, head):
        calls.append(head(None).split(b"X-WR-CALNAME:", 1)[1].split(b"\r\n", 1)[0].decode())
        return real(conditions, window, ceiling, context, head)

    monkeypatch.setattr(store, "assemble", counting)
    return calls


def test_a_feed_built_by_one_worker_is_served_by_another_without_building(app, other_app, client, db, world,
                                                                          assembled):
    first = get_feed(client, "/feeds/areas/227.ics")
    other = other_app.test_client()
    second = get_feed(other, "/feeds/areas/227.ics")

    assert len(assembled) == 1
    assert second.data == first.data and second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["Last-Modified"] == first.headers["Last-Modified"]
    assert other.get("/feeds/areas/227.ics", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304

    # a change made through the first worker is on the second one's next request, built once for both
    ops.update_activity(world.admin, world.talk, {"title": "Đọc sách mùa thu"})
    db.session.commit()
    changed = get_feed(other, "/feeds/areas/227.ics", **{"If-None-Match": first.headers["ETag"]})
    assert "Đọc sách mùa thu".encode() in changed.data
    assert get_feed(client, "/feeds/areas/227.ics").data == changed.data
    assert len(assembled) == 2


def test_a_restarted_worker_and_a_change_made_elsewhere(app, other_app, client, db, world, fixed_today):
    get_feed(client, "/feeds/all.ics")
    fixed_today.items.clear()  # this worker restarted: it holds nothing, the store still has everything
    assert uid(world.talk) in uids(get_feed(client, "/feeds/all.ics").data)

    # another process (the other app's CLI, a worker) cancels the talk: this worker sees it on its next request
    with other_app.app_context():
        activity = db_.session.get(Activity, world.talk.id)
        ops.update_activity(db_.session.get(type(world.admin), world.admin.id), activity, {"status": "cancelled"})
        db_.session.commit()
    db.session.expire_all()
    (event,) = [e for e in icalendar.Calendar.from_ical(get_feed(client, "/feeds/all.ics").data).walk("VEVENT")
                if str(e["UID"]) == uid(world.talk)]
    assert str(event["STATUS"]) == "CANCELLED"


def test_feeds_rebuild_fills_the_store_after_a_bulk_load(app, client, db, world, runner, monkeypatch):
    # rows written without the app (COPY, SQL by hand): the store knows nothing of them
    db.session.execute(update(Activity).where(Activity.id == world.festival.id).values(title="Lễ hội mới"))
    db.session.execute(delete(FeedFragmentBody).where(FeedFragmentBody.activity_id == world.talk.id))
    db.session.execute(delete(FeedFragment).where(FeedFragment.activity_id == world.talk.id))
    db.session.commit()
    assert uid(world.talk) not in uids(get_feed(client, "/feeds/all.ics").data)

    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "http://localhost")
    monkeypatch.setattr(feeds_cli, "local_today", lambda: TODAY)
    monkeypatch.setattr(feeds_cli, "utcnow", lambda: NOW)
    result = runner.invoke(args=["feeds", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "7 activities marked, 5 serialised for http://localhost" in result.output
    body = get_feed(client, "/feeds/all.ics").data
    assert uid(world.talk) in uids(body) and "Lễ hội mới".encode() in body
    assert client_events(body, WINDOW_START, FAR) == database_events(db)


# --- window and ceiling -------------------------------------------------------------------------------------


def _order(body: bytes) -> list[str]:
    """UIDs in the order the feed lists them (each once)."""
    seen = []
    for event in icalendar.Calendar.from_ical(body).walk("VEVENT"):
        if str(event["UID"]) not in seen:
            seen.append(str(event["UID"]))
    return seen


def test_a_feed_over_the_ceiling_keeps_the_nearest_dates_and_says_so(app, client, db, world, monkeypatch):
    march = _activity(world.library, "Buổi đọc tháng ba", start="2025-03-10T09:00")
    db.session.commit()
    full = get_feed(client, "/feeds/all.ics")
    # upcoming (and ongoing) activities by their first date, then the most recent past ones
    assert _order(full.data) == [uid(a) for a in (world.club, world.talk, world.evening, world.cancelled,
                                                   world.festival, march)]
    assert "X-WR-CALDESC" in icalendar.Calendar.from_ical(full.data)

    monkeypatch.setitem(app.config, "FEED_MAX_EVENTS", 5)  # the club is two VEVENTs (a meeting was moved)
    store.new_generation(db.session)
    db.session.commit()
    cut = get_feed(client, "/feeds/all.ics")
    cal = icalendar.Calendar.from_ical(cut.data)
    assert _order(cut.data) == [uid(a) for a in (world.club, world.talk, world.evening, world.cancelled)]
    assert len(cal.walk("VEVENT")) == 5
    assert "4 hoạt động gần hôm nay nhất" in str(cal["DESCRIPTION"]) and "/events" in str(cal["DESCRIPTION"])
    unfolded = dict(line.split(":", 1) for line in cut.data.decode().replace("\r\n ", "").split("\r\n")[:12]
                    if ":" in line)
    assert unfolded["X-WR-CALDESC"] == unfolded["DESCRIPTION"]

    # the pages that offer it suggest narrower feeds
    home = client.get("/").get_data(as_text=True)
    assert "4 hoạt động gần hôm nay nhất" in home and 'href="/events"' in home

    monkeypatch.setitem(app.config, "FEED_MAX_EVENTS", 1000)
    monkeypatch.setitem(app.config, "FEED_MAX_BYTES", len(full.data) - 600)
    store.new_generation(db.session)
    db.session.commit()
    by_size = get_feed(client, "/feeds/all.ics").data
    assert len(by_size) <= len(full.data) - 600 and 1 <= len(_order(by_size)) < 6
    assert _order(by_size) == _order(full.data)[:len(_order(by_size))]


def test_after_the_dates_the_most_recent_past_activities_come_first(app, client, db, world, monkeypatch):
    monkeypatch.setattr(feed_cache_module, "utcnow", lambda: datetime(2025, 5, 25, 3))
    monkeypatch.setitem(app.config, "FEED_MAX_EVENTS", 3)
    body = get_feed(client, "/feeds/all.ics").data

    assert _order(body) == [uid(world.festival), uid(world.club)]


def test_an_area_page_suggests_the_areas_inside_when_its_feed_is_cut(app, client, db, world, monkeypatch):
    monkeypatch.setitem(app.config, "FEED_MAX_EVENTS", 2)
    get_feed(client, "/feeds/areas/227.ics")

    page = client.get("/areas/227").get_data(as_text=True)
    assert 'href="/areas/7888"' in page and 'href="/events?area=227"' in page
    assert client.get("/areas/228").get_data(as_text=True).count('href="/areas/') < page.count('href="/areas/')


# --- short aliases ------------------------------------------------------------------------------------------

LONG_QUERY = {"area": "227", "category": "club", "audience": "children", "q": " ".join(["đọc sách"] * 8)}


def test_a_long_filtered_feed_gets_a_short_stable_alias(app, client, db, world, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://lichhoctap.phutho.gov.vn")
    with app.test_request_context("/"):
        long = url_for("feeds.events_feed", **LONG_QUERY)
    assert len("https://lichhoctap.phutho.gov.vn" + long) > 256

    page = client.get("/events", query_string=LONG_QUERY).get_data(as_text=True)
    links = set(re.findall(r'href="((?:https|webcal)://[^"]*\.ics[^"]*)"', page))
    assert {link.split("://", 1)[0] for link in links} == {"https", "webcal"}
    (path,) = {link.split("lichhoctap.phutho.gov.vn", 1)[1] for link in links}
    assert re.fullmatch(r"/feeds/f/[a-z2-7]{12}\.ics", path)
    assert all(len(link) <= 256 for link in links)
    # the same filters, in any order and however they were written, always give the same code
    again = client.get("/events", query_string=dict(reversed(list(LONG_QUERY.items())))).get_data(as_text=True)
    assert path in again and aliases.code_for(aliases.normalised(LONG_QUERY)) in path

    short = get_feed(client, path)
    full = get_feed(client, long)  # the long form keeps working, and is the same feed
    assert short.data == full.data and short.headers["ETag"] == full.headers["ETag"]
    assert uids(short.data) == {uid(world.club)}
    assert client.get("/feeds/f/aaaaaaaaaaaa.ics").status_code == 404
    help_page = client.get("/feeds/help", query_string={"feed": long}).get_data(as_text=True)
    assert f"webcal://lichhoctap.phutho.gov.vn{path}" in help_page


def test_short_filtered_feeds_keep_their_readable_address(client, db, world):
    page = client.get("/events?category=club").get_data(as_text=True)
    assert "webcal://localhost/feeds/events.ics?category=club" in page and "/feeds/f/" not in page


# --- for browsers and shared caches (issue 11, item 8) -------------------------------------------------------


def test_public_feeds_and_api_reads_answer_cross_site_and_nothing_private_does(client, db, world):
    feed = get_feed(client, "/feeds/areas/227.ics")
    assert feed.headers["Access-Control-Allow-Origin"] == "*"
    assert feed.headers["Access-Control-Expose-Headers"] == "ETag, Last-Modified"
    assert "Vary" not in feed.headers
    unchanged = client.get("/feeds/areas/227.ics", headers={"If-None-Match": feed.headers["ETag"],
                                                            "Origin": "https://thuvien.example"})
    assert unchanged.status_code == 304 and unchanged.headers["Access-Control-Allow-Origin"] == "*"
    client.set_cookie("session", "visitor")  # through Flask, not the fast path
    assert "Vary" not in get_feed(client, "/feeds/all.ics").headers
    assert client.get("/feeds/areas/999.ics").headers["Access-Control-Allow-Origin"] == "*"

    assert client.get("/api/v1/events").headers["Access-Control-Allow-Origin"] == "*"
    assert client.get(f"/api/v1/events/{world.talk.id}").headers["Access-Control-Allow-Origin"] == "*"
    token = {"Authorization": "Bearer not-a-token"}
    assert "Access-Control-Allow-Origin" not in client.get("/api/v1/events", headers=token).headers
    assert "Access-Control-Allow-Origin" not in client.post("/api/v1/events", json={}).headers
    staff = client.get(f"/api/v1/events/{world.talk.id}/occurrences/2025-04-21T09:00/attendance")
    assert staff.status_code == 401 and "Access-Control-Allow-Origin" not in staff.headers
    for page in ("/manage/", "/feeds/help", "/"):
        assert "Access-Control-Allow-Origin" not in client.get(page).headers


def test_each_feed_is_last_modified_when_its_own_activities_changed(client, db, world):
    museum = get_feed(client, "/feeds/institutions/bao-tang-phu-ninh.ics")
    modified = museum.headers["Last-Modified"]
    whole = get_feed(client, "/feeds/all.ics").headers["Last-Modified"]

    ops.update_activity(world.admin, world.talk, {"title": "Đọc sách mùa hè"})  # the library's, not the museum's
    db.session.commit()
    assert client.get("/feeds/institutions/bao-tang-phu-ninh.ics",
                      headers={"If-Modified-Since": modified}).status_code == 304
    assert get_feed(client, "/feeds/institutions/bao-tang-phu-ninh.ics").headers["Last-Modified"] == modified
    assert client.get("/feeds/all.ics", headers={"If-Modified-Since": whole}).status_code == 200

    # an activity that leaves a feed changes it too, though no activity left in it is newer
    db.session.execute(update(Activity).where(Activity.id == world.festival.id).values(status="draft"))
    store.mark(db.session, [world.festival.id])
    store.new_generation(db.session)
    db.session.commit()
    left = client.get("/feeds/institutions/bao-tang-phu-ninh.ics", headers={"If-Modified-Since": modified})
    assert left.status_code == 200 and parse_date(left.headers["Last-Modified"]) > parse_date(modified)
    assert uid(world.festival) not in uids(left.data)


def test_the_vtimezone_has_no_comment(client, db, world):
    cal = icalendar.Calendar.from_ical(get_feed(client, "/feeds/all.ics").data)
    (zone,) = cal.walk("VTIMEZONE")
    assert "COMMENT" not in zone and zone.walk("STANDARD")


# --- the database out of reach (issue 11, item 6) -------------------------------------------------------------


def _lost(*_args, **_kwargs):
    class Lost(Exception):
        sqlstate = "08006"

    raise OperationalError("SELECT generation FROM feed_state", {}, Lost())


def test_during_an_outage_the_feeds_a_worker_holds_are_still_served(app, client, db, world, fixed_today,
                                                                   monkeypatch):
    held = get_feed(client, "/feeds/areas/227.ics")
    monkeypatch.setattr(store, "current_generation", _lost)
    monkeypatch.setattr(fixed_today, "peek_generation", _lost)

    replayed = get_feed(client, "/feeds/areas/227.ics")  # the fast path
    assert replayed.data == held.data
    client.set_cookie("session", "visitor")  # Flask itself
    assert get_feed(client, "/feeds/areas/227.ics").data == held.data
    assert client.get("/feeds/areas/227.ics", headers={"If-None-Match": held.headers["ETag"]}).status_code == 304
    never_built = client.get("/feeds/areas/228.ics")
    assert never_built.status_code == 503 and never_built.headers["Retry-After"] == "30"
