"""What citizens meet (issue 12): places left, one-click calendars and sharing, where it is, week and day views with
the list's filters, the embeddable calendar, observance tagging, and the look (styles, favicon, descriptions,
lang, dates, error summaries)."""
import re
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from calendar_app.extensions import db as _db
from calendar_app.models import Observance, Registration
from calendar_app.observances.tagging import match_observances
from calendar_app.public.locator import locator
from calendar_app.registration import operations as reg
from tests import factories as f
from tests.public_data import build_town, freeze
from tests.test_public_pages import get


@pytest.fixture()
def town(db, monkeypatch):
    freeze(monkeypatch)
    built = build_town(db)
    # a talk that takes registrations: 5 places a date, 3 taken on the first
    built.reading.capacity, built.reading.registration_required = 5, True
    _db.session.commit()
    reg.register(built.reading, {"occurrence": "2025-04-21T09:00", "name": "An", "email": "an@example.org",
                                 "people": 3, "consent": True})
    _db.session.commit()
    return built


# --- 2. places left --------------------------------------------------------------------------------------


def test_places_left_on_the_page_the_form_and_in_the_api(client, town):
    page = get(client, f"/events/{town.reading.id}")
    assert "5 places per date." in page and "2 places left" in page
    form = get(client, f"/events/{town.reading.id}/register")
    assert "2 places left" in form
    item = client.get(f"/api/v1/events/{town.reading.id}").json
    assert [o["places_left"] for o in item["occurrences"]] == [2]
    listed = client.get("/api/v1/events?from=2025-04-18&to=2025-05-31").json["items"]
    by_id = {a["id"]: a for a in listed}
    assert by_id[town.reading.id]["occurrences"][0]["places_left"] == 2
    # no capacity: no key at all
    assert all("places_left" not in o for o in by_id[town.poetry_club.id]["occurrences"])
    schema = client.get("/api/v1/openapi.json").json["components"]["schemas"]["OccurrenceOut"]
    assert "places_left" in schema["properties"] and "places_left" not in schema.get("required", [])


def test_a_full_date_says_so(client, town):
    reg.register(town.reading, {"occurrence": "2025-04-21T09:00", "name": "Bình", "phone": "0912345678",
                                "people": 2, "consent": True})
    _db.session.commit()
    assert "Full: waitlist only" in get(client, f"/events/{town.reading.id}")
    assert client.get(f"/api/v1/events/{town.reading.id}").json["occurrences"][0]["places_left"] == 0


# --- 3. one-click calendars and sharing --------------------------------------------------------------------


def test_google_and_outlook_links_for_a_one_off_and_for_each_date(client, town):
    page = get(client, f"/events/{town.reading.id}")
    google = re.search(r'href="(https://calendar\.google\.com/calendar/render\?action=TEMPLATE[^"]+)"', page).group(1)
    query = parse_qs(urlsplit(google.replace("&amp;", "&")).query)
    assert query["text"] == ["Đọc sách cùng thiếu nhi"] and query["dates"] == ["20250421T020000Z/20250421T040000Z"]
    assert query["location"] == ["Phòng đọc thiếu nhi"] and f"/events/{town.reading.id}" in query["details"][0]
    outlook = re.search(r'href="(https://outlook\.live\.com/calendar/0/deeplink/compose\?[^"]+)"', page).group(1)
    query = parse_qs(urlsplit(outlook.replace("&amp;", "&")).query)
    assert query["startdt"] == ["2025-04-21T02:00:00Z"] and query["enddt"] == ["2025-04-21T04:00:00Z"]
    assert query["subject"] == ["Đọc sách cùng thiếu nhi"]


def test_a_series_subscribes_and_each_date_adds_one(client, town):
    page = get(client, f"/events/{town.poetry_club.id}")
    assert f"cid=webcal%3A%2F%2Flocalhost%2Fevents%2F{town.poetry_club.id}.ics" in page
    assert "https://outlook.live.com/calendar/0/addfromweb?url=" in page
    dates = page.split('id="dates-heading"')[1]
    # 19/4, 3/5 (moved to 4/5), 10/5, 17/5 and 24/5; not 26/4, which is cancelled
    assert dates.count("action=TEMPLATE") == 5
    assert "dates=20250504T010000Z%2F20250504T030000Z" in dates  # the moved date, where it is now


def test_all_day_dates_go_as_local_dates_with_the_end_exclusive(client, town):
    page = get(client, f"/events/{town.fair.id}")  # 23-25/4, all day
    assert "dates=20250423%2F20250426" in page and "startdt=2025-04-23&amp;enddt=2025-04-26&amp;allday=true" in page


def test_copy_link_and_share_links_without_third_party_script(client, town):
    page = get(client, f"/events/{town.reading.id}")
    assert f'data-copy="http://localhost/events/{town.reading.id}"' in page
    assert f"https://zalo.me/share?url=http%3A%2F%2Flocalhost%2Fevents%2F{town.reading.id}" in page
    assert f"https://www.facebook.com/sharer/sharer.php?u=http%3A%2F%2Flocalhost%2Fevents%2F{town.reading.id}" in page
    scripts = re.findall(r"<script[^>]*src=\"([^\"]+)\"", page)
    assert scripts == ["/static/js/public.js"]
    script = client.get("/static/js/public.js")
    assert script.status_code == 200 and "navigator.clipboard" in script.text
    script.close()


# --- 4. where --------------------------------------------------------------------------------------------


def test_the_place_an_osm_link_and_an_offline_locator(client, town):
    for n, (lat, lon) in enumerate([(21.2, 105.1), (21.5, 105.3), (21.4, 104.9), (21.1, 105.5)]):
        commune = f.area(f"0{n}", f"Xã {n}", level="commune", parent=town.viet_tri)
        commune.latitude, commune.longitude = lat, lon
    _db.session.commit()
    page = get(client, f"/events/{town.reading.id}")
    where = page.split(">Where</dt>")[1].split("</dd>")[0]
    assert "Phòng đọc thiếu nhi" in where and "openstreetmap.org/?mlat=21.32270" in where
    assert '<svg viewBox="0 0 240' in where and "Where it is in Tỉnh Phú Thọ" in where
    assert "tile" not in where.lower()
    # the activity's own coordinates win over its institution's
    town.reading.latitude, town.reading.longitude = 21.2, 105.2
    _db.session.commit()
    assert "mlat=21.20000&amp;mlon=105.20000" in get(client, f"/events/{town.reading.id}")


def test_the_locator_refuses_what_it_cannot_draw_honestly():
    outline = [(21.0, 105.0), (21.5, 105.5), (21.2, 105.1)]
    drawing = locator((21.3, 105.2), outline)
    assert drawing.width == 240 and len(drawing.dots) == 3
    x, y = drawing.marker
    assert 0 < x < drawing.width and 0 < y < drawing.height
    assert locator((21.3, 105.2), outline[:2]) is None  # too few units to show a shape
    assert locator((10.0, 106.0), outline) is None  # far outside the province: wrong coordinates


# --- 5. week and day views -------------------------------------------------------------------------------


def test_week_and_day_views_share_the_filters(client, town):
    week = get(client, "/calendar/week/2025/4/23")
    assert "<h1>Week: Monday, 21 April 2025 – Sunday, 27 April 2025</h1>" in week
    assert "Đọc sách cùng thiếu nhi" in week and "Tọa đàm về di sản" in week and "Bản nháp bí mật" not in week
    assert "data-print" in week and "@media print" not in week  # the print styles live in main.css
    filtered = get(client, "/calendar/week/2025/4/23?category=heritage")
    assert "Tọa đàm về di sản" in filtered and "Đọc sách cùng thiếu nhi" not in filtered
    # the switch keeps the filters: month, day and list
    assert "/calendar/2025/4?category=heritage" in filtered
    assert "/calendar/day/2025/4/23?category=heritage" in filtered
    assert 'name="category"' in filtered and '<option value="heritage" selected>' in filtered
    day = get(client, "/calendar/day/2025/4/22?category=heritage")
    assert "Tuesday, 22 April 2025" in day and "Tọa đàm về di sản" in day and "1 activity" in day
    assert "/calendar/week/2025/4/22?category=heritage" in day
    month = get(client, "/calendar/2025/4?category=heritage")
    assert '<option value="heritage" selected>' in month and "/calendar/week/2025/4/18?category=heritage" in month
    get(client, "/calendar/day/2025/2/30", status=404)
    assert client.get("/calendar/week/2025/4/23?category=nope").status_code == 302


# --- 6. embeds -------------------------------------------------------------------------------------------


def test_embeds_are_framable_by_any_site_and_set_no_cookie(client, town):
    for url in ("/embed/institutions/thu-vien-tinh?lang=en", "/embed/areas/25?lang=en"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
        assert "X-Frame-Options" not in response.headers
        assert "Set-Cookie" not in response.headers  # even with ?lang=, which pages remember in the session
        assert "embed.css" in response.text and "main.css" not in response.text
        assert '<base target="_blank">' in response.text
        assert 'href="http://localhost/events/' in response.text  # absolute links, to this site
    assert "Đọc sách cùng thiếu nhi" in client.get("/embed/institutions/thu-vien-tinh").text
    assert "Tọa đàm về di sản" in client.get("/embed/areas/25").text  # the whole subtree
    # other pages still refuse to be framed
    page = client.get("/events")
    assert page.headers["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in page.headers[
        "Content-Security-Policy"]
    assert client.get("/embed/institutions/khong-co").status_code == 404


def test_institution_and_area_pages_give_the_snippet(client, town):
    page = get(client, "/institutions/thu-vien-tinh")
    snippet = re.search(r'<textarea id="embed-code"[^>]*>([^<]+)</textarea>', page).group(1)
    assert snippet.startswith("&lt;iframe src=&#34;http://localhost/embed/institutions/thu-vien-tinh&#34;") or \
        "http://localhost/embed/institutions/thu-vien-tinh" in snippet
    assert "/embed/areas/25" in get(client, "/areas/25")


# --- 7. observance tagging -------------------------------------------------------------------------------


def test_only_what_falls_wholly_in_a_window_is_tagged(db):
    observances = list(db.session.scalars(select(Observance)))
    book_day = next(o for o in observances if o.key == "book-reading-day")  # 21/4, window 18-24/4

    def match(*spans):
        found = match_observances([(date.fromisoformat(a), date.fromisoformat(b)) for a, b in spans], observances)
        return book_day.id in found.tagged, book_day.id in found.suggested

    assert match(("2025-04-21", "2025-04-21")) == (True, False)  # a one-off
    assert match(("2025-04-01", "2025-04-30")) == (True, False)  # a one-off month-long exhibition touching it
    assert match(("2025-04-19", "2025-04-19"), ("2025-04-22", "2025-04-22")) == (True, False)  # a short series
    weekly = [(f"2025-{m:02d}-{d:02d}", f"2025-{m:02d}-{d:02d}") for m, d in ((4, 5), (4, 12), (4, 19), (4, 26))]
    assert match(*weekly) == (False, True)  # a season's club that meets in the window once
    assert match(("2025-06-01", "2025-06-01")) == (False, False)
    # a yearly event on the day: every date is in that year's window
    assert match(("2025-04-21", "2025-04-21"), ("2026-04-21", "2026-04-21")) == (True, False)


# --- 8. the look -----------------------------------------------------------------------------------------


def test_public_pages_do_not_load_staff_styles(client, town):
    for url in ("/", "/events", "/calendar/2025/4", f"/events/{town.reading.id}", "/institutions/thu-vien-tinh",
                f"/events/{town.reading.id}/register", "/calendar/week/2025/4/21"):
        page = get(client, url)
        assert "css/main.css" in page and "css/staff.css" not in page, url


def test_favicon_and_meta_descriptions(client, town):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.data[:4] == b"\x00\x00\x01\x00"
    icon.close()
    descriptions = set()
    for url in ("/", "/events", "/calendar/2025/4", f"/events/{town.reading.id}", "/institutions/thu-vien-tinh",
                "/areas/25", "/calendar/week/2025/4/21"):
        page = get(client, url)
        found = re.search(r'<meta name="description" content="([^"]+)">', page)
        assert found and len(found.group(1)) > 40, url
        descriptions.add(found.group(1))
    assert len(descriptions) >= 6  # each page says what it is


def test_vietnamese_content_is_marked_on_english_pages(client, town):
    english = get(client, f"/events/{town.reading.id}")
    assert '<h1 lang="vi">Đọc sách cùng thiếu nhi</h1>' in english
    assert 'lang="vi">Thư viện tỉnh Phú Thọ</a>' in english
    cards = get(client, "/events")
    assert '<h3 class="card-title" lang="vi">' in cards
    vietnamese = get(client, f"/events/{town.reading.id}", lang="vi")
    assert "<h1>Đọc sách cùng thiếu nhi</h1>" in vietnamese


def test_one_date_style_per_language(client, town):
    for lang, day, month in (("en", "Monday, 21 April 2025", "April 2025"),
                             ("vi", "Thứ Hai, 21 tháng 4 năm 2025", "Tháng 4 năm 2025")):
        assert day in get(client, "/events", lang=lang)  # lists
        assert day in get(client, f"/events/{town.reading.id}", lang=lang)  # pages
        assert day in get(client, "/calendar/week/2025/4/21", lang=lang)  # headings
        assert month in get(client, "/calendar/2025/4", lang=lang)
    assert "April, 2025" not in get(client, "/events") and "tháng 4, 2025" not in get(client, "/events", lang="vi")


def test_the_registration_form_summarises_errors_and_ties_hints(client, town):
    response = client.post(f"/events/{town.reading.id}/register?lang=en", data={
        "occurrence": "2025-04-21T09:00", "name": "", "email": "", "phone": "", "people": "1", "website": ""})
    assert response.status_code == 422
    page = response.text
    summary = page.split('class="error-summary"')[1].split("</div>")[0]
    assert 'tabindex="-1"' in page.split('class="error-summary"')[1][:200]
    assert 'href="#name"' in summary and 'href="#consent"' in summary
    assert re.search(r'<input[^>]*aria-describedby="people-hint"[^>]*id="people"', page) or \
        re.search(r'id="people"[^>]*aria-describedby="people-hint"', page) or 'aria-describedby="people-hint"' in page
    assert 'aria-describedby="occurrence-hint"' in page  # "places left is shown beside each date"
    assert _db.session.scalar(select(Registration).where(Registration.name == "")) is None
