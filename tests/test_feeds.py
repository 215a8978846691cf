"""The feeds as calendar clients read them: over HTTP, parsed by icalendar, expanded by recurring-ical-events,
and compared with what the database says."""
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import icalendar
import pytest
from flask import render_template_string
from sqlalchemy import select, update
from werkzeug.http import http_date, parse_date

from calendar_app.clock import local_day, local_midnight_utc
from calendar_app.events import operations as ops
from calendar_app.events.models import Activity, ActivityObservance, Occurrence
from calendar_app.events.tagging import retag
from calendar_app.feeds import cache as feed_cache_module
from calendar_app.feeds.cache import BoundedCache
from calendar_app.observances.models import Observance
from calendar_app.search import fold
from tests import factories as f
from tests.factories import client_events

TODAY = date(2025, 4, 1)
#: FEED_PAST_DAYS (90) before TODAY
WINDOW_START = date(2025, 1, 1)
FAR = date(2027, 1, 1)
MESSY = "Đọc sách, thơ; truyện \\ ngắn\ncho thiếu nhi"
LONG = ("Giới thiệu sách mới, trò chuyện cùng tác giả; thiếu nhi đọc truyện tranh, vẽ tranh minh hoạ\\ và "
        "chơi ô chữ.\nĐịa điểm: tầng 2, phòng đọc thiếu nhi, đường Trần Phú, phường Tân Dân, Việt Trì. ") * 3


@pytest.fixture(autouse=True)
def fixed_today(app, monkeypatch):
    """Feeds start FEED_PAST_DAYS before today: pin today, and start every test with an empty cache."""
    monkeypatch.setattr(feed_cache_module, "local_today", lambda: TODAY)
    cache = app.extensions["feed_cache"]
    cache.items.clear()
    cache.dirty = True
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
    assert response.headers["Last-Modified"] == http_date(world.festival.updated_at.replace(tzinfo=UTC))
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


def test_a_change_reserialises_only_that_activitys_fragment(app, client, db, world, fixed_today):
    get_feed(client, "/feeds/all.ics")
    before = {key[2]: value for key, (value, _size) in fixed_today.items._items.items() if key[0] == "event"}

    ops.update_activity(world.admin, world.talk, {"title": "Đọc sách mùa hè"})
    db.session.commit()
    body = get_feed(client, "/feeds/all.ics").data
    after = {key[2]: value for key, (value, _size) in fixed_today.items._items.items() if key[0] == "event"}

    assert before.keys() == after.keys() == {a.id for a in (world.talk, world.club, world.festival, world.evening,
                                                            world.cancelled)}
    assert after[world.talk.id] is not before[world.talk.id]
    assert all(after[i] is before[i] for i in after if i != world.talk.id)
    assert "Đọc sách mùa hè".encode() in body


def test_changes_from_other_processes_show_after_the_revalidation_interval(client, db, world, fixed_today):
    get_feed(client, "/feeds/all.ics")
    # another process (the other web worker, the CLI) changes the activity: no event reaches this process
    db.session.execute(update(Activity).where(Activity.id == world.talk.id).values(
        title="Tiêu đề mới", updated_at=datetime(2030, 1, 1)))
    db.session.commit()
    assert "Tiêu đề mới".encode() not in get_feed(client, "/feeds/all.ics").data

    fixed_today.checked_at -= fixed_today.revalidate_seconds
    assert "Tiêu đề mới".encode() in get_feed(client, "/feeds/all.ics").data


def test_feed_window_follows_feed_past_days(app, client, world, fixed_today, monkeypatch):
    assert uid(world.old) not in uids(get_feed(client, "/feeds/all.ics").data)

    monkeypatch.setitem(app.config, "FEED_PAST_DAYS", 150)
    fixed_today.dirty = True
    assert uid(world.old) in uids(get_feed(client, "/feeds/all.ics").data)


def test_cache_stays_within_its_budget_and_feeds_stay_right(client, db, world, fixed_today, monkeypatch):
    monkeypatch.setattr(fixed_today.items, "max_bytes", 6000)
    body = get_feed(client, "/feeds/all.ics").data

    assert client_events(body, WINDOW_START, FAR) == database_events(db)
    assert fixed_today.items.size <= 6000
    assert len(fixed_today.items) < 5


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
