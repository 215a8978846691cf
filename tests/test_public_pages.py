"""The citizen's pages, rendered on a small province at a fixed date (Friday 18 April 2025)."""
import json
import re
from html.parser import HTMLParser

import pytest
from flask import g

from calendar_app.extensions import db as _db
from tests import factories as f
from tests.public_data import build_town, freeze, titles_in


@pytest.fixture()
def town(db, monkeypatch):
    freeze(monkeypatch)
    return build_town(db)


def get(client, url, status=200, lang="en"):
    # the db fixture keeps one app context open, so Flask-Babel's per-`g` locale cache would outlive a request
    g.pop("_flask_babel", None)
    separator = "&" if "?" in url else "?"
    response = client.get(f"{url}{separator}lang={lang}" if lang else url)
    assert response.status_code == status, response.text[:500]
    return response.text


class Structure(HTMLParser):
    """Collects what the sanitising and accessibility checks look at."""

    def __init__(self):
        super().__init__()
        self.scripts, self.handlers, self.landmarks, self.json_ld = [], [], set(), []
        self.ids, self.label_for, self.controls = set(), set(), []
        self._in_json = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.handlers += [name for name in attrs if name.startswith("on")]
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "script" and not attrs.get("src"):  # a file of our own (static/js) is not inline script
            self.scripts.append(attrs.get("type"))
            self._in_json = attrs.get("type") == "application/ld+json"
        if tag in ("main", "nav", "header", "footer"):
            self.landmarks.add(tag)
        if tag == "label" and attrs.get("for"):
            self.label_for.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            self.controls.append(attrs.get("id"))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json = False

    def handle_data(self, data):
        if self._in_json:
            self.json_ld.append(json.loads(data))


def structure(html: str) -> Structure:
    parser = Structure()
    parser.feed(html)
    return parser


def test_home_shows_this_week_and_the_coming_observance(client, town):
    page = get(client, "/", lang="vi")
    week = page.split('id="week-heading"')[1].split("</section>")[0]
    assert {"Đọc sách cùng thiếu nhi", "Tọa đàm về di sản", "Câu lạc bộ Thơ", "Đêm nhạc dân gian",
            "Hội sách mùa xuân"} <= titles_in(week, town)
    assert "Kỹ năng số trực tuyến" not in week  # 6 May is after this week
    assert "Bản nháp bí mật" not in page
    featured = page.split('class="featured"')[1].split("</section>")[0]
    assert "Ngày Sách và Văn hóa đọc Việt Nam" in featured  # 21/4 is the next observance on 18/4
    assert "/observances/book-reading-day/2025" in featured
    assert "Đọc sách cùng thiếu nhi" in featured
    assert "Thứ Hai, 21 tháng 4 năm 2025" in page


def test_every_public_page_offers_its_feed_and_the_subscribe_help(client, town, app):
    pages = {
        "/": "/feeds/all.ics",
        "/events": "/feeds/all.ics",
        "/events?category=reading&audience=children": "/feeds/events.ics?",
        "/calendar/2025/4": "/feeds/all.ics",
        f"/events/{town.reading.id}": f"/events/{town.reading.id}.ics",
        "/institutions/thu-vien-tinh": "/feeds/institutions/thu-vien-tinh.ics",
        "/areas/227": "/feeds/areas/227.ics",
        "/observances/book-reading-day/2025": "/feeds/observances/book-reading-day.ics",
    }
    for url, feed in pages.items():
        html = get(client, url)
        assert f"https://localhost{feed}" in html or f"http://localhost{feed}" in html, url
        assert f"webcal://localhost{feed}" in html, url
        with app.test_request_context():
            from flask import url_for
            assert url_for("feeds.help") in html, url
    events_feed = get(client, "/events?category=reading&audience=children")
    assert re.search(r"webcal://localhost/feeds/events\.ics\?[^\"]*category=reading", events_feed)
    assert re.search(r"webcal://localhost/feeds/events\.ics\?[^\"]*audience=children", events_feed)


def test_pages_have_landmarks_labels_and_no_inline_script(client, town):
    for url in ("/", "/events", "/calendar/2025/4", f"/events/{town.reading.id}", "/institutions/thu-vien-tinh",
                "/areas/25", "/observances/hung-kings/2025"):
        found = structure(get(client, url))
        assert {"main", "nav", "header", "footer"} <= found.landmarks, url
        assert set(found.scripts) <= {"application/ld+json"}, url
        assert not found.handlers, url
        assert all(control in found.label_for for control in found.controls), url


def test_list_filters_by_area_subtree_institution_category_and_observance(client, town):
    def listed(query):
        return titles_in(get(client, f"/events?{query}").split('id="results-heading"')[1], town)

    # Việt Trì includes the commune Gia Cẩm below it, not Đoan Hùng
    assert listed("area=227") == {"Đọc sách cùng thiếu nhi", "Tọa đàm về di sản", "Đêm nhạc dân gian",
                                  "Hội sách mùa xuân", "Kỹ năng số trực tuyến"}
    assert listed("area=230") == {"Câu lạc bộ Thơ"}
    everything = {"Đọc sách cùng thiếu nhi", "Tọa đàm về di sản", "Câu lạc bộ Thơ", "Đêm nhạc dân gian",
                  "Hội sách mùa xuân", "Kỹ năng số trực tuyến"}
    assert listed("area=25") == listed("") == everything
    assert listed("institution=nvh-gia-cam") == {"Tọa đàm về di sản", "Đêm nhạc dân gian"}
    assert listed("category=reading") == {"Đọc sách cùng thiếu nhi", "Câu lạc bộ Thơ", "Hội sách mùa xuân"}
    assert listed("category=reading&area=227") == {"Đọc sách cùng thiếu nhi", "Hội sách mùa xuân"}
    assert "Hội sách mùa xuân" in listed("observance=world-book-day")  # 23/4
    assert "Kỹ năng số trực tuyến" not in listed("observance=book-reading-day")


def test_audience_filter_also_matches_activities_for_everyone(client, town):
    listed = titles_in(get(client, "/events?audience=children").split('id="results-heading"')[1], town)
    # the talk and the fair are for everyone (the factory's default audience); the club is for the elderly
    assert listed == {"Đọc sách cùng thiếu nhi", "Tọa đàm về di sản", "Hội sách mùa xuân", "Đêm nhạc dân gian"}
    elderly = titles_in(get(client, "/events?audience=elderly").split('id="results-heading"')[1], town)
    assert "Câu lạc bộ Thơ" in elderly and "Đọc sách cùng thiếu nhi" not in elderly


def test_date_range_and_default_window_from_today(client, town):
    results = get(client, "/events?from=2025-04-23&to=2025-04-24").split('id="results-heading"')[1]
    assert titles_in(results, town) == {"Hội sách mùa xuân"}
    # the club still has dates in the range 1-5 May: the moved one (4 May), the list shows that date
    may = get(client, "/events?from=2025-05-01&to=2025-05-05").split('id="results-heading"')[1]
    assert titles_in(may, town) == {"Câu lạc bộ Thơ"}
    assert "Sunday, 4 May 2025" in may
    # before "today" (18 April) nothing is listed unless asked for
    f.activity(town.library, "Hoạt động tuần trước", "2025-04-10T09:00")
    _db.session.commit()
    assert "Hoạt động tuần trước" not in get(client, "/events")
    assert "Hoạt động tuần trước" in get(client, "/events?from=2025-04-01")


def test_recurring_activity_listed_once_with_its_next_date_and_count(client, town):
    results = get(client, "/events?institution=thu-vien-doan-hung").split('id="results-heading"')[1]
    assert results.count("Câu lạc bộ Thơ") == 1
    assert "Saturday, 19 April 2025, 08:00–10:00" in results
    assert "and 5 more dates" in results


def test_pagination_keeps_the_filters(client, town, app, monkeypatch):
    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    first = get(client, "/events?category=reading")
    assert "3 activities" in first
    assert "Page 1 of 2" in first
    next_link = re.search(r'<a rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert "category=reading" in next_link and "page=2" in next_link
    second = get(client, next_link)
    assert "Page 2 of 2" in second
    assert titles_in(first.split('id="results-heading"')[1], town).isdisjoint(
        titles_in(second.split('id="results-heading"')[1], town))
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert "Page 2 of 2" in get(client, "/events?category=reading&page=99")  # beyond the end: the last page


def test_empty_states_say_what_to_try(client, town):
    page = get(client, "/events?q=khong+co+gi+ca&area=230")
    assert "No activity matches these filters." in page
    assert "Try fewer or shorter words" in page
    assert "Choose a larger area" in page
    assert "Clear all filters" in page
    month = get(client, "/calendar/2026/2")
    assert "No activity this month." in month and "Look at the next month" in month


def test_bad_filters_are_refused_with_reasons_and_input_kept(client, town):
    page = get(client, "/events?category=bogus&from=21-04-2025&q=doc", status=400)
    assert "Unknown value. Choose one from the list." in page
    assert "Enter a date as YYYY-MM-DD" in page
    assert 'value="21-04-2025"' in page and 'value="doc"' in page
    assert 'aria-invalid="true"' in page
    assert "Đọc sách cùng thiếu nhi" not in page
    assert "The end date is before the start date." in get(client, "/events?from=2025-05-01&to=2025-04-01",
                                                            status=400)
    assert "There is no area with this code" in get(client, "/events?area=99999", status=400)


def test_search_is_accent_insensitive_on_the_page(client, town):
    for query in ("doc sach", "ĐỌC SÁCH", "sach doc", "Doc"):
        assert "Đọc sách cùng thiếu nhi" in get(client, f"/events?q={query}"), query
    assert "Đọc sách cùng thiếu nhi" in get(client, "/events?q=vui+doc")  # a word of the description
    assert "Đọc sách cùng thiếu nhi" not in get(client, "/events?q=doc+nhac")  # every word must match


def test_drafts_are_never_public(client, town):
    get(client, f"/events/{town.draft.id}", status=404)
    for url in ("/", "/events", "/events?from=2025-01-01", "/calendar/2025/4", "/institutions/thu-vien-tinh",
                "/areas/25", "/observances/book-reading-day/2025", "/events?q=ban+nhap"):
        assert "Bản nháp bí mật" not in get(client, url), url


def test_cancelled_activity_and_occurrence_are_marked(client, town):
    listing = get(client, "/events?institution=nvh-gia-cam")
    card = listing.split("Đêm nhạc dân gian")[1].split("</li>")[0]
    assert "Cancelled" in card
    page = get(client, f"/events/{town.concert.id}")
    assert "This activity has been cancelled by the organiser." in page
    club = get(client, f"/events/{town.poetry_club.id}")
    dates = club.split('id="dates-heading"')[1].split("</section>")[0]
    cancelled = dates.split("Saturday, 26 April 2025")[1].split("</li>")[0]
    assert "Cancelled" in cancelled
    moved = dates.split("Sunday, 4 May 2025")[1].split("</li>")[0]
    assert "Moved" in moved and "instead of Saturday, 3 May 2025, 08:00" in moved
    assert 'class="is-cancelled"' in dates
    vietnamese = get(client, f"/events/{town.concert.id}", lang="vi")
    assert 'class="badge"' in vietnamese


def test_activity_page_shows_details_map_and_add_to_calendar(client, town):
    page = get(client, f"/events/{town.reading.id}")
    assert '<h1 lang="vi">Đọc sách cùng thiếu nhi</h1>' in page  # Vietnamese content on an English page
    assert "Monday, 21 April 2025, 09:00–11:00" in page
    assert "Phòng đọc thiếu nhi" in page
    assert "https://www.openstreetmap.org/?mlat=21.32270&amp;mlon=105.40190" in page
    assert "<strong>Vui đọc</strong>" in page and "<li>Kể chuyện</li>" in page
    assert "Thư viện tỉnh Phú Thọ" in page and "/institutions/thu-vien-tinh" in page
    assert "Reading" in page and "Children" in page
    assert f"/events/{town.reading.id}.ics" in page and "Add to my calendar" in page
    assert "/observances/book-reading-day/2025" in page
    # no coordinates anywhere: no map link
    assert "openstreetmap" not in get(client, f"/events/{town.poetry_club.id}")


def test_activity_page_in_vietnamese_and_english_formats_dates_by_locale(client, town):
    assert "Thứ Hai, 21 tháng 4 năm 2025, 09:00–11:00" in get(client, f"/events/{town.reading.id}", lang="vi")
    assert "Monday, 21 April 2025, 09:00–11:00" in get(client, f"/events/{town.reading.id}", lang="en")
    fair_vi = get(client, f"/events/{town.fair.id}", lang="vi")
    assert "Thứ Tư, 23 tháng 4 năm 2025" in fair_vi and "Thứ Sáu, 25 tháng 4 năm 2025" in fair_vi
    assert "Wednesday, 23 April 2025 – Friday, 25 April 2025" in get(client, f"/events/{town.fair.id}")


def test_numbers_are_formatted_for_the_locale(client, town, app, monkeypatch):
    town.reading.capacity = 1500
    _db.session.commit()
    assert "1.500" in get(client, f"/events/{town.reading.id}", lang="vi")
    assert "1,500" in get(client, f"/events/{town.reading.id}", lang="en")


def test_json_ld_describes_the_event(client, town):
    events = structure(get(client, f"/events/{town.reading.id}")).json_ld
    assert len(events) == 1
    event = events[0]
    assert event["@context"] == "https://schema.org" and event["@type"] == "Event"
    assert event["name"] == "Đọc sách cùng thiếu nhi"
    assert event["startDate"] == "2025-04-21T09:00:00+07:00" and event["endDate"] == "2025-04-21T11:00:00+07:00"
    assert event["eventStatus"] == "https://schema.org/EventScheduled"
    assert event["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert event["location"]["@type"] == "Place"
    assert event["location"]["address"]["streetAddress"] == "Phòng đọc thiếu nhi"
    assert event["location"]["geo"] == {"@type": "GeoCoordinates", "latitude": 21.3227, "longitude": 105.4019}
    assert event["organizer"]["name"] == "Thư viện tỉnh Phú Thọ"
    assert event["organizer"]["url"].endswith("/institutions/thu-vien-tinh")
    assert event["url"].endswith(f"/events/{town.reading.id}")
    assert event["description"].startswith("Vui đọc cùng các bạn nhỏ.")


def test_json_ld_status_and_attendance_modes(client, town):
    concert = structure(get(client, f"/events/{town.concert.id}")).json_ld[0]
    assert concert["eventStatus"] == "https://schema.org/EventCancelled"
    webinar = structure(get(client, f"/events/{town.webinar.id}")).json_ld[0]
    assert webinar["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert webinar["location"] == {"@type": "VirtualLocation", "url": "https://meet.example/ky-nang-so"}
    town.webinar.location = "Phòng máy tính"
    _db.session.commit()
    mixed = structure(get(client, f"/events/{town.webinar.id}")).json_ld[0]
    assert mixed["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    assert [place["@type"] for place in mixed["location"]] == ["Place", "VirtualLocation"]
    club = structure(get(client, f"/events/{town.poetry_club.id}")).json_ld[0]
    by_start = {event["startDate"]: event for event in club}
    assert by_start["2025-04-26T08:00:00+07:00"]["eventStatus"] == "https://schema.org/EventCancelled"
    moved = by_start["2025-05-04T08:00:00+07:00"]
    assert moved["eventStatus"] == "https://schema.org/EventRescheduled"
    assert moved["previousStartDate"] == "2025-05-03T08:00:00+07:00"
    assert by_start["2025-04-19T08:00:00+07:00"]["eventStatus"] == "https://schema.org/EventScheduled"
    fair = structure(get(client, f"/events/{town.fair.id}")).json_ld[0]
    assert (fair["startDate"], fair["endDate"]) == ("2025-04-23", "2025-04-25")


def test_json_ld_cannot_break_out_of_its_script(client, town):
    town.reading.title = "</script><script>alert(1)</script>"
    _db.session.commit()
    html = get(client, f"/events/{town.reading.id}")
    found = structure(html)
    assert found.scripts == ["application/ld+json"]
    assert found.json_ld[0]["name"] == "</script><script>alert(1)</script>"


def test_markdown_description_is_sanitised_on_the_page(client, town):
    town.reading.description = (
        'Hello <script>alert("x")</script> <img src=x onerror="alert(1)">\n\n'
        '<a href="https://evil.example" onclick="steal()">click</a> [ok](javascript:alert(1)) '
        '[site](https://thuvien.example)')
    _db.session.commit()
    html = get(client, f"/events/{town.reading.id}")
    found = structure(html)
    assert found.scripts == ["application/ld+json"] and not found.handlers
    assert "<script>alert" not in html and "<img" not in html
    assert 'href="javascript:' not in html
    assert '<a href="https://thuvien.example" rel="nofollow noopener noreferrer">site</a>' in html


def test_month_view(client, town):
    response = client.get("/calendar?category=reading")
    assert response.status_code == 302 and response.headers["Location"].startswith("/calendar/2025/4?")
    assert "category=reading" in response.headers["Location"]
    page = get(client, "/calendar/2025/4")
    assert "Calendar: April 2025" in page
    assert "/calendar/2025/3" in page and "/calendar/2025/5" in page
    # the all-day fair appears on each of its three days, and only those
    days = re.findall(r'<li class="day[^"]*">(.*?)</li>\s*(?=<li class="day|</ol>)', page, re.S)
    fair_days = [re.search(r'<span class="visually-hidden">([^<]+)</span>', d).group(1)
                 for d in days if "Hội sách mùa xuân" in d]
    assert fair_days == ["Wednesday, 23 April 2025", "Thursday, 24 April 2025", "Friday, 25 April 2025"]
    assert "today" in page
    cancelled = page.split("Đêm nhạc dân gian")[1].split("</li>")[0]
    assert "Cancelled" in cancelled
    vietnamese = get(client, "/calendar/2025/4", lang="vi")
    assert "Tháng 4 năm 2025" in vietnamese
    filtered = get(client, "/calendar/2025/4?institution=nvh-gia-cam")
    assert titles_in(filtered.split('class="month"')[1], town) == {"Tọa đàm về di sản", "Đêm nhạc dân gian"}
    get(client, "/calendar/2025/13", status=404)


def test_institution_page(client, town):
    page = get(client, "/institutions/thu-vien-tinh")
    assert '<h1 lang="vi">Thư viện tỉnh Phú Thọ</h1>' in page
    assert "Provincial library" in page and "Đường Trần Phú, Việt Trì" in page
    assert "openstreetmap.org" in page
    assert titles_in(page, town) == {"Đọc sách cùng thiếu nhi", "Hội sách mùa xuân", "Kỹ năng số trực tuyến"}
    get(client, "/institutions/nope", status=404)
    empty = get(client, "/institutions/thu-vien-doan-hung?x=1")
    assert "Câu lạc bộ Thơ" in empty


def test_area_page_lists_sub_areas_institutions_and_subtree_activities(client, town):
    page = get(client, "/areas/227")
    assert '<h1 lang="vi">Thành phố Việt Trì</h1>' in page
    assert "/areas/25" in page  # breadcrumb to the province
    assert "/areas/07900" in page and "Phường Gia Cẩm" in page
    assert "/institutions/thu-vien-tinh" in page and "/institutions/nvh-gia-cam" in page
    assert "/institutions/thu-vien-doan-hung" not in page
    assert "Tọa đàm về di sản" in page  # held in the commune below
    assert "Câu lạc bộ Thơ" not in page
    get(client, "/areas/00000", status=404)


def test_observance_page_per_year(client, town):
    response = client.get("/observances/book-reading-day")
    assert response.status_code == 302 and response.headers["Location"] == "/observances/book-reading-day/2025"
    page = get(client, "/observances/book-reading-day/2025")
    assert "<h1>Vietnam Book and Reading Culture Day 2025</h1>" in page
    assert "Monday, 21 April 2025" in page
    listed = titles_in(page.split('id="activities-heading"')[1], town)
    assert {"Đọc sách cùng thiếu nhi", "Tọa đàm về di sản"} <= listed
    assert "Kỹ năng số trực tuyến" not in listed
    # the weekly club meets on 19/4 but also long after the window: suggested to its editor, not tagged
    assert "Câu lạc bộ Thơ" not in listed
    assert "/observances/book-reading-day/2024" in page and "/observances/book-reading-day/2026" in page
    other_year = get(client, "/observances/book-reading-day/2026")
    assert "No activity has been announced for 2026 yet." in other_year
    vietnamese = get(client, "/observances/hung-kings/2025", lang="vi")
    assert "Giỗ Tổ Hùng Vương 2025" in vietnamese and "Thứ Hai, 7 tháng 4 năm 2025" in vietnamese
    get(client, "/observances/nope/2025", status=404)
    get(client, "/observances/book-reading-day/1800", status=404)


def test_language_switch_sticks_and_replaces_the_previous_choice(client, town):
    def html_lang(url):
        g.pop("_flask_babel", None)
        return re.search(r'<html lang="(\w+)">', client.get(url).text).group(1)

    response = client.get("/lang/en?next=/events%3Fq%3Ddoc%26lang%3Dvi")
    assert response.status_code == 302
    assert response.headers["Location"] == "/events?q=doc&lang=en"
    assert html_lang("/") == "vi"  # nothing chosen yet: Vietnamese
    assert html_lang(response.headers["Location"]) == "en"
    assert html_lang(f"/events/{town.reading.id}") == "en"  # the choice sticks
    assert "Monday, 21 April 2025" in client.get(f"/events/{town.reading.id}").text
    assert client.get("/lang/en?next=https://evil.example/").headers["Location"] == "/?lang=en"
    assert client.get("/lang/en?next=//evil.example/").headers["Location"] == "/?lang=en"
    assert html_lang(client.get("/lang/vi?next=/").headers["Location"]) == "vi"
    assert html_lang("/calendar/2025/4") == "vi"


def test_month_view_caps_a_busy_day_and_links_to_its_list(client, town):
    for hour in range(8, 16):
        f.activity(town.centre, f"Buổi học số {hour}", f"2025-04-29T{hour:02d}:00", hours=0.5)
    _db.session.commit()
    page = get(client, "/calendar/2025/4?institution=nvh-gia-cam")
    day = page.split("Tuesday, 29 April 2025")[1].split('<li class="day')[0]
    assert day.count("Buổi học số") == 6
    # a day says there are more, not how many (counting a province's busy day would cost more than the page)
    more = re.search(r'<a class="day-more" href="([^"]+)">More on this day', day)
    assert more, day
    link = more.group(1).replace("&amp;", "&")
    assert "from=2025-04-29" in link and "to=2025-04-29" in link and "institution=nvh-gia-cam" in link
    listed = get(client, link)
    assert listed.count("Buổi học số") == 8
