"""What the province-scale lists must keep exact: each activity once, at its date, drafts never; the bounded
count and its words; the institution search; a page's statements not growing with its rows."""
from datetime import date, datetime, timedelta

import pytest
from flask import g
from sqlalchemy import event, select

from calendar_app.clock import local_midnight_utc, to_utc
from calendar_app.events import filters as filters_module
from calendar_app.events.filters import PUBLIC_STATUSES, ActivityFilters
from calendar_app.events.models import Activity, ActivityAudience, ActivityCategory, Occurrence
from calendar_app.events.occurrences import sync_occurrences
from calendar_app.extensions import db as _db
from calendar_app.public import queries
from tests import factories as f
from tests.public_data import NOW_LOCAL, build_town, freeze

TODAY = NOW_LOCAL.date()


@pytest.fixture()
def town(db, monkeypatch):
    freeze(monkeypatch)
    return build_town(db)


@pytest.fixture()
def crowd(town):
    """Forty more activities around "now": one-offs, series, moved and cancelled dates, drafts, one going on
    since yesterday, several at the very same time (the order's tie-break), past ones."""
    made = []
    for n in range(12):
        made.append(f.activity(town.library, f"Buổi đọc {n}", f"2025-04-{19 + n % 9:02d}T{8 + n % 5:02d}:00"))
    for n in range(6):  # the same hour: ordered by id
        made.append(f.activity(town.centre, f"Cùng giờ {n}", "2025-04-24T09:00"))
    for n in range(6):
        made.append(f.activity(town.district_library, f"Chuỗi {n}", f"2025-04-{10 + n:02d}T18:00",
                               rrule="FREQ=WEEKLY;COUNT=4"))
    next_cancelled = f.activity(town.centre, "Buổi tới bị hủy", "2025-04-20T08:00", rrule="FREQ=WEEKLY;COUNT=3")
    next_cancelled.occurrences[0].status = "cancelled"
    all_cancelled = f.activity(town.centre, "Hủy hết", "2025-04-21T08:00", rrule="FREQ=DAILY;COUNT=2")
    for occurrence in all_cancelled.occurrences:
        occurrence.status = "cancelled"
    moved_earlier = f.activity(town.library, "Dời sớm", "2025-05-10T08:00")
    moved_earlier.occurrences[0].starts_at = to_utc(datetime(2025, 4, 19, 7, 0))
    moved_earlier.occurrences[0].ends_at = to_utc(datetime(2025, 4, 19, 9, 0))
    going_on = f.all_day_activity(town.library, "Triển lãm đang mở", "2025-04-16", "2025-04-20")
    made += [next_cancelled, all_cancelled, moved_earlier, going_on]
    for n in range(5):
        made.append(f.activity(town.library, f"Nháp {n}", f"2025-04-{20 + n}T10:00", status="draft"))
        made.append(f.activity(town.library, f"Đã qua {n}", f"2025-04-{1 + n:02d}T10:00"))
    _db.session.commit()
    return made


def expected_order(start: datetime, scheduled_first: bool, end: datetime | None = None,
                   wanted=lambda activity: True) -> list[int]:
    """The list worked out row by row in Python: every public activity (that is `wanted`) with an occurrence
    overlapping the window, at its first scheduled date there (or its first date when none is scheduled), or at
    its first date (the API); by (date, id)."""
    keyed = []
    for activity in _db.session.scalars(select(Activity).where(Activity.status.in_(PUBLIC_STATUSES))):
        if not wanted(activity):
            continue
        inside = [o for o in activity.occurrences if o.ends_at > start and (end is None or o.starts_at < end)]
        if not inside:
            continue
        held = [o.starts_at for o in inside if o.status == "scheduled"]
        key = min(held) if held and scheduled_first else min(o.starts_at for o in inside)
        keyed.append((key, activity.id))
    return [activity_id for _key, activity_id in sorted(keyed)]


def walk_pages(per_page: int, count_cap: int, filters: ActivityFilters | None = None) -> list[int]:
    shown, number = [], 1
    while True:
        page = queries.list_activities(filters or ActivityFilters(), TODAY, number, per_page, count_cap=count_cap)
        shown += [item.activity.id for item in page.items]
        if not page.has_next:
            return shown
        number += 1


@pytest.mark.parametrize("count_cap", [1000, 5])
def test_paging_lists_every_public_activity_once_at_its_date(crowd, count_cap):
    expected = expected_order(local_midnight_utc(TODAY), scheduled_first=True)
    assert len(expected) > 30
    assert walk_pages(per_page=7, count_cap=count_cap) == expected


@pytest.fixture()
def keyed_crowd(crowd, town):
    """The crowd with varied categories and audiences (each key on some activities, "everyone" on others)."""
    for n, activity in enumerate(crowd):
        activity.category_links = [ActivityCategory(key=key) for key in (("club",), ("reading", "club"),
                                                                          ("talk",))[n % 3]]
        activity.audience_links = [ActivityAudience(key=key) for key in (("youth",), ("everyone",), ("elderly",),
                                                                          ("youth", "elderly"))[n % 4]]
    _db.session.commit()
    return crowd


FILTERED = {
    "district": (lambda town: ActivityFilters(area=town.viet_tri),
                 lambda town, a: a.institution_id in (town.library.id, town.centre.id)),
    "commune": (lambda town: ActivityFilters(area=town.gia_cam), lambda town, a: a.institution_id == town.centre.id),
    "province": (lambda town: ActivityFilters(area=town.province), lambda town, a: True),
    "institution": (lambda town: ActivityFilters(institution=town.district_library),
                    lambda town, a: a.institution_id == town.district_library.id),
    "category": (lambda town: ActivityFilters(category="club"), lambda town, a: "club" in a.categories),
    "audience and category": (lambda town: ActivityFilters(audience="youth", category="club"),
                              lambda town, a: "club" in a.categories and {"youth", "everyone"} & set(a.audiences)),
    "district and audience": (lambda town: ActivityFilters(area=town.viet_tri, audience="elderly"),
                              lambda town, a: a.institution_id in (town.library.id, town.centre.id)
                              and {"elderly", "everyone"} & set(a.audiences)),
}


@pytest.mark.parametrize("ids_listed", [5000, 0])  # an area's institutions written in, or a subquery
@pytest.mark.parametrize("name", list(FILTERED))
def test_filtered_lists_are_exact(keyed_crowd, town, name, ids_listed, monkeypatch):
    monkeypatch.setattr(filters_module, "IDS_LISTED", ids_listed)
    make_filters, wanted = FILTERED[name]
    expected = expected_order(local_midnight_utc(TODAY), scheduled_first=True,
                              wanted=lambda activity: wanted(town, activity))
    assert expected
    for count_cap in (1000, 3):
        assert walk_pages(per_page=4, count_cap=count_cap, filters=make_filters(town)) == expected
    page = queries.list_activities(make_filters(town), TODAY, 1, 4)
    assert page.total == len(expected) and not page.more
    # a window with an end counts by walking its dates
    first, last = TODAY, TODAY + timedelta(days=6)
    ending = expected_order(local_midnight_utc(first), scheduled_first=True,
                            end=local_midnight_utc(last + timedelta(days=1)), wanted=lambda a: wanted(town, a))
    dated = make_filters(town)
    dated.date_from, dated.date_to = first, last
    page = queries.list_activities(dated, TODAY, 1, 100)
    assert [item.activity.id for item in page.items] == ending and page.total == len(ending)


def test_occurrences_carry_their_activitys_institution(client, town, crowd):
    """Every path that writes occurrences (the rule's expansion, a change of the rule, the demo factories)
    copies the activity's institution: the lists filter areas on that copy."""
    club = crowd[-1]
    club.rrule = "FREQ=DAILY;COUNT=4"
    sync_occurrences(club)
    _db.session.add(Occurrence(activity_id=town.talk.id, original_start=datetime(2025, 6, 1, 2),
                               starts_at=datetime(2025, 6, 1, 2), ends_at=datetime(2025, 6, 1, 4)))
    _db.session.commit()
    rows = _db.session.execute(select(Occurrence.institution_id, Activity.institution_id)
                               .join(Activity, Activity.id == Occurrence.activity_id)).all()
    assert len(rows) > 50 and all(copied == own for copied, own in rows)


def test_the_listed_date_is_the_next_held_one(crowd):
    page = queries.list_activities(ActivityFilters(), TODAY, 1, 100)
    by_title = {item.activity.title: item for item in page.items}
    next_cancelled = by_title["Buổi tới bị hủy"]
    assert next_cancelled.starts_at == to_utc(datetime(2025, 4, 27, 8, 0)) and not next_cancelled.cancelled
    assert next_cancelled.dates == 3  # 20 April (cancelled), 27 April, 4 May
    all_cancelled = by_title["Hủy hết"]
    assert all_cancelled.starts_at == to_utc(datetime(2025, 4, 21, 8, 0)) and all_cancelled.cancelled
    assert by_title["Dời sớm"].starts_at == to_utc(datetime(2025, 4, 19, 7, 0))
    assert "Triển lãm đang mở" in by_title  # began two days ago, still on
    assert not any(title.startswith(("Nháp", "Đã qua")) for title in by_title)


def test_a_window_with_an_end_lists_and_counts_exactly(crowd):
    first, last = date(2025, 4, 20), date(2025, 4, 24)
    start, end = local_midnight_utc(first), local_midnight_utc(last + timedelta(days=1))
    expected = expected_order(start, scheduled_first=True, end=end)
    page = queries.list_activities(ActivityFilters(date_from=first, date_to=last), TODAY, 1, 200)
    assert [item.activity.id for item in page.items] == expected
    assert page.total == len(expected) and not page.more
    capped = queries.list_activities(ActivityFilters(date_from=first, date_to=last), TODAY, 1, 5, count_cap=4)
    assert capped.more and capped.total == 4 and capped.has_next and capped.pages is None


def get(client, url, lang="en"):
    g.pop("_flask_babel", None)
    response = client.get(url + ("&" if "?" in url else "?") + f"lang={lang}")
    assert response.status_code == 200, response.text[:300]
    return response.text


def test_the_api_lists_every_activity_once_by_its_first_date(client, crowd):
    expected = expected_order(local_midnight_utc(TODAY), scheduled_first=False,
                              end=local_midnight_utc(TODAY + timedelta(days=366)))
    shown, url = [], "/api/v1/events?limit=6"
    while url:
        body = client.get(url).get_json()
        shown += [item["id"] for item in body["items"]]
        url = body["next"]
    assert shown == expected


def test_a_long_list_says_more_than_its_cap(client, crowd, monkeypatch):
    monkeypatch.setattr(queries, "COUNT_CAP", 10)
    english = get(client, "/events")
    assert "More than 10 activities" in english and "Page 1</span>" in english and 'rel="next"' in english
    assert "Hơn 10 hoạt động" in get(client, "/events", lang="vi")
    last = get(client, "/events?page=2")  # 34 activities, 20 a page: page 2 ends the list
    assert 'rel="next"' not in last and 'rel="prev"' in last
    monkeypatch.setattr(queries, "COUNT_CAP", 1000)
    exact = get(client, "/events")
    assert "More than" not in exact and "34 activities" in exact and "Page 1 of 2" in exact


def test_the_institution_and_area_fields_suggest_and_read_names(client, town):
    found = client.get("/institutions.json?q=thu vien").get_json()
    assert {"value": "thu-vien-tinh", "label": "Thư viện tỉnh Phú Thọ"} in found
    assert {item["value"] for item in client.get("/institutions.json?q=Đoan Hùng").get_json()} == {
        "thu-vien-doan-hung"}
    areas = client.get("/areas.json?q=viet tri&lang=en").get_json()
    assert areas == [{"value": "227", "label": "Thành phố Việt Trì · District"}]
    assert "Tọa đàm về di sản" in get(client, "/events?area=Phường Gia Cẩm")
    assert "Tọa đàm về di sản" not in get(client, "/events?area=doan hung")
    unknown = client.get("/events?area=Hà Nội&lang=en")
    assert unknown.status_code == 400 and "There is no area with this code" in unknown.text
    assert client.get("/institutions.json?q=").get_json() == []
    ambiguous = client.get("/events?institution=thu vien&lang=en")  # two libraries
    assert ambiguous.status_code == 400 and "There is no such institution" in ambiguous.text
    town.district_library.active = False
    _db.session.commit()
    assert client.get("/institutions.json?q=doan hung").get_json() == []
    # without script the field sends what was typed: a slug, a whole name, or words only one name holds
    by_name = get(client, "/events?institution=Nhà văn hóa Gia Cẩm")
    assert "Tọa đàm về di sản" in by_name and "Đọc sách cùng thiếu nhi" not in by_name
    assert "Tọa đàm về di sản" in get(client, "/events?institution=gia cam")
    ambiguous = client.get("/events?institution=thu vien&lang=en")  # one library left active: no longer
    assert ambiguous.status_code == 200
    form = get(client, "/events?institution=nvh-gia-cam")
    assert 'data-suggest="/institutions.json"' in form and 'data-suggest="/areas.json"' in form
    assert '<select id="f-institution"' not in form and '<select id="f-area"' not in form


def count_statements(client, url: str) -> int:
    statements = []

    def counted(*_args):
        statements.append(1)

    event.listen(_db.engine, "before_cursor_execute", counted)
    try:
        get(client, url)
    finally:
        event.remove(_db.engine, "before_cursor_execute", counted)
    return len(statements)


#: each page's statements on SQLite (one more on PostgreSQL where a date window is walked: the longest duration).
#: An upper bound: a page that needs more has brought back a lookup per row, a relationship loaded apart, or a
#: query the page had folded into another (bench/results-lean16.md has each page's list).
STATEMENTS = {"/": 7, "/events": 6, "/events?area=25": 9, "/events?q=doc": 6, "/calendar/2025/4": 3,
              "/calendar/week/2025/4/21": 3, "/calendar/day/2025/4/24": 3, "/institutions/thu-vien-tinh": 10,
              "/areas/25": 11, "/areas/227": 12, "/observances/book-reading-day/2025": 7, "/api/v1/events": 3,
              "/api/v1/institutions": 4, "/api/v1/areas": 3, "/institutions.json?q=thu": 1}
NO_WINDOW = {"/api/v1/institutions", "/api/v1/areas", "/institutions.json?q=thu"}
PAGES = list(STATEMENTS)


def test_a_pages_statements_do_not_grow_with_its_rows(client, town):
    before = {url: count_statements(client, url) for url in PAGES}
    for n in range(30):
        institution = f.institution(f"thu-vien-xa-{n}", town.gia_cam, "library_commune")
        f.activity(institution, f"Đọc sách {n}", f"2025-04-{19 + n % 10:02d}T09:00", rrule="FREQ=WEEKLY;COUNT=3",
                   categories=("reading", "club"), audiences=("children", "everyone"))
    _db.session.commit()
    after = {url: count_statements(client, url) for url in PAGES}
    assert after == before
    longest = int(_db.engine.dialect.name == "postgresql")
    budget = {url: limit + (longest if url not in NO_WINDOW else 0) for url, limit in STATEMENTS.items()}
    assert {url: count for url, count in after.items() if count > budget[url]} == {}, after


def test_calendar_days_keep_every_date_and_cap_each_day(client, town):
    for hour in range(8, 20):
        f.activity(town.centre, f"Giờ {hour}", f"2025-04-24T{hour:02d}:00", hours=0.5)
    _db.session.commit()
    days = queries.slots_by_day(date(2025, 4, 21), date(2025, 4, 27), None, 6)
    assert len(days[date(2025, 4, 24)]) == 7  # six shown, one to say there are more
    assert [slot.title for slot in days[date(2025, 4, 24)]][:3] == ["Hội sách mùa xuân", "Giờ 8", "Giờ 9"]
    # the fair covers three days and is on each of them; the draft on none
    assert all(any(slot.title == "Hội sách mùa xuân" for slot in days[day])
               for day in (date(2025, 4, 23), date(2025, 4, 24), date(2025, 4, 25)))
    assert not any(slot.title == "Bản nháp bí mật" for slots in days.values() for slot in slots)
    everything = queries.occurrences_between(local_midnight_utc(date(2025, 4, 21)),
                                             local_midnight_utc(date(2025, 4, 28)))
    starts = [slot.starts_at for slot in everything]
    assert starts == sorted(starts) and len(everything) == _db.session.query(Occurrence).join(Activity).filter(
        Activity.status.in_(PUBLIC_STATUSES), Occurrence.starts_at < local_midnight_utc(date(2025, 4, 28)),
        Occurrence.ends_at > local_midnight_utc(date(2025, 4, 21))).count()
