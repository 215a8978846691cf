"""The JSON API for activities and occurrences: scope, bad input, per-occurrence changes, tagging, lists."""
# ruff: noqa: F811  (pytest fixtures imported from tests.api_helpers are redefined as arguments)
from datetime import date

import pytest
from sqlalchemy import select

from calendar_app.api import events as events_api
from calendar_app.models import Activity, AuditEntry, Occurrence
from tests import factories as f
from tests.api_helpers import api, counts, snapshot, world  # noqa: F401  (fixtures)

CLUB = {
    "title": "Câu lạc bộ đọc sách", "description": "Mỗi tuần một cuốn sách", "starts_at": "2025-10-01T18:00",
    "ends_at": "2025-10-01T20:00", "rrule": "FREQ=WEEKLY;BYDAY=WE;COUNT=4", "categories": ["club", "reading"],
    "audiences": ["youth"], "status": "published", "institution": "thu-vien-viet-tri",
}
OCTOBER = "?from=2025-10-01&to=2025-10-31"


def _club(api, **changes):
    response = api.post("/events", {**CLUB, **changes}, as_="editor")
    assert response.status_code == 201, response.json
    return response.json


# --- authorisation -------------------------------------------------------------------------------------

WRITERS = {"admin": True, "officer": True, "editor": True, "officer_out": False, "editor_out": False}


@pytest.mark.parametrize("who, allowed", [*WRITERS.items(), (None, False), ("revoked", False)])
def test_create_obeys_scope(db, api, who, allowed):
    before = snapshot(db)
    response = api.post("/events", CLUB, as_=who)
    if allowed:
        assert response.status_code == 201
        assert response.headers["Location"].endswith(f"/api/v1/events/{response.json['id']}")
        assert db.session.get(Activity, response.json["id"]).institution.slug == "thu-vien-viet-tri"
        return
    expected = {None: 401, "revoked": 401}.get(who, 403)
    assert response.status_code == expected
    assert set(response.json["error"]) == {"code", "message", "fields"}
    assert snapshot(db) == before


@pytest.mark.parametrize("who, allowed", [*WRITERS.items(), (None, False), ("revoked", False)])
def test_patch_obeys_scope(db, api, who, allowed):
    club = _club(api)
    before = snapshot(db)
    response = api.patch(f"/events/{club['id']}", {"title": "Đổi tên"}, as_=who)
    if allowed:
        assert response.status_code == 200 and response.json["title"] == "Đổi tên"
        return
    assert response.status_code in ({None: (401,), "revoked": (401,)}.get(who, (403, 404)))
    assert response.json["error"]["code"]
    assert snapshot(db) == before


@pytest.mark.parametrize("who, allowed", [*WRITERS.items(), (None, False), ("revoked", False)])
def test_occurrence_change_obeys_scope(db, api, who, allowed):
    club = _club(api)
    before = snapshot(db)
    response = api.put(f"/events/{club['id']}/occurrences/2025-10-08T18:00", {"status": "cancelled"}, as_=who)
    if allowed:
        assert response.status_code == 200 and response.json["status"] == "cancelled"
        return
    assert response.status_code in ({None: (401,), "revoked": (401,)}.get(who, (403, 404)))
    assert snapshot(db) == before


def test_editor_cannot_reach_another_institutions_draft(db, api, world):
    draft = _club(api, status="draft")
    for who in ("editor_out", "officer_out", None):
        assert api.get(f"/events/{draft['id']}", as_=who).status_code == 404
    before = snapshot(db)
    assert api.patch(f"/events/{draft['id']}", {"status": "published"}, as_="editor_out").status_code == 404
    assert snapshot(db) == before


def test_editor_creates_for_own_institution_when_none_given(db, api):
    data = {k: v for k, v in CLUB.items() if k != "institution"}
    assert api.post("/events", data, as_="editor").json["institution"] == "thu-vien-viet-tri"
    refused = api.post("/events", data, as_="admin")
    assert refused.status_code == 422 and "institution" in refused.json["error"]["fields"]


# --- bad input -----------------------------------------------------------------------------------------

BAD_ACTIVITIES = [
    ({"ends_at": "2025-10-01T17:00"}, "ends_at"),
    ({"starts_at": "2025-02-30T10:00", "ends_at": "2025-03-01T10:00"}, "starts_at"),
    ({"starts_at": "yesterday"}, "starts_at"),
    ({"all_day": True, "starts_at": "2025-10-05", "ends_at": "2025-10-03"}, "ends_at"),
    ({"all_day": True, "starts_at": "2025-13-01", "ends_at": "2025-13-02"}, "starts_at"),
    ({"rrule": "FREQ=WEEKLY"}, "rrule"),
    ({"rrule": "FREQ=DAILY;COUNT=100000"}, "rrule"),
    ({"rrule": "FREQ=SOMETIMES;COUNT=3"}, "rrule"),
    ({"rrule": "not a rule"}, "rrule"),
    ({"categories": ["cooking"]}, "categories"),
    ({"categories": "club"}, "categories"),
    ({"audiences": ["martians"]}, "audiences"),
    ({"institution": "no-such-place"}, "institution"),
    ({"observances": ["no-such-day"]}, "observances"),
    ({"title": ""}, "title"),
    ({"title": "   "}, "title"),
    ({"title": "x" * 301}, "title"),
    ({"description": "x" * 20_001}, "description"),
    ({"capacity": -1}, "capacity"),
    ({"capacity": "many"}, "capacity"),
    ({"online_url": "javascript:alert(1)"}, "online_url"),
    ({"status": "maybe"}, "status"),
    ({"colour": "red"}, "colour"),
]


@pytest.mark.parametrize("change, field", BAD_ACTIVITIES)
def test_bad_activity_is_refused_with_field_reason(db, api, change, field):
    before = snapshot(db)
    response = api.post("/events", {**CLUB, **change}, as_="editor")
    assert response.status_code == 422, response.json
    error = response.json["error"]
    assert error["code"] == "validation_failed"
    assert field in error["fields"] and error["fields"][field]
    assert snapshot(db) == before


def test_every_refused_field_is_named_in_one_answer(db, api):
    response = api.post("/events", {**CLUB, "title": "", "capacity": -1, "starts_at": "2025-02-30T10:00",
                                    "ends_at": "2025-03-01T10:00"}, as_="editor")
    assert set(response.json["error"]["fields"]) == {"title", "capacity", "starts_at"}


def test_text_is_sent_as_utf8(db, api):
    response = api.post("/events", CLUB, as_="editor")
    assert "Câu lạc bộ đọc sách".encode() in response.data
    assert response.content_type == "application/json"


@pytest.mark.parametrize("change, field", [c for c in BAD_ACTIVITIES if c[1] != "institution"])
def test_bad_patch_is_refused_and_changes_nothing(db, api, change, field):
    club = _club(api)
    before = snapshot(db)
    response = api.patch(f"/events/{club['id']}", change, as_="editor")
    assert response.status_code == 422, response.json
    assert field in response.json["error"]["fields"]
    assert snapshot(db) == before


def test_patch_cannot_move_an_activity_to_another_institution(db, api):
    club = _club(api)
    before = snapshot(db)
    response = api.patch(f"/events/{club['id']}", {"institution": "bao-tang-doan-hung"}, as_="admin")
    assert response.status_code == 422 and "institution" in response.json["error"]["fields"]
    assert snapshot(db) == before


@pytest.mark.parametrize("raw", ['{"title": "x",', "[1, 2]", '"text"', "", "null"])
def test_malformed_json_is_400(db, api, raw):
    club = _club(api)
    before = snapshot(db)
    for method, path in (("POST", "/events"), ("PATCH", f"/events/{club['id']}"),
                         ("PUT", f"/events/{club['id']}/occurrences/2025-10-08T18:00")):
        response = api.request(method, path, as_="editor", raw=raw)
        assert response.status_code == 400, (method, raw)
        assert response.json["error"]["code"] == "malformed_json"
    assert snapshot(db) == before


def test_body_must_be_json(db, api):
    response = api.post("/events", as_="editor", data="title=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and response.json["error"]["code"] == "malformed_json"


def test_oversized_body_is_413(db, api):
    before = counts(db)
    response = api.post("/events", {**CLUB, "description": "x" * (1024 * 1024)}, as_="editor")
    assert response.status_code == 413 and response.json["error"]["code"] == "too_large"
    assert counts(db) == before


def test_errors_come_in_the_requested_language(db, api):
    response = api.post("/events", {**CLUB, "ends_at": "2025-10-01T17:00"}, as_="editor",
                        headers={"Accept-Language": "vi"})
    english = api.post("/events", {**CLUB, "ends_at": "2025-10-01T17:00"}, as_="editor",
                       headers={"Accept-Language": "en"})
    assert english.json["error"]["fields"]["ends_at"] == "The end must be after the start."
    assert response.json["error"]["fields"]["ends_at"]


# --- occurrences ---------------------------------------------------------------------------------------


def test_cancel_one_occurrence_leaves_the_others(db, api):
    club = _club(api)
    before_seq = club["sequence"]
    response = api.put(f"/events/{club['id']}/occurrences/2025-10-08T18:00", {"status": "cancelled"}, as_="editor")
    assert response.status_code == 200
    assert response.json == {"start": "2025-10-08T18:00+07:00", "end": "2025-10-08T20:00+07:00",
                             "status": "cancelled", "original_start": "2025-10-08T18:00", "moved": False,
                             "reason": None}
    shown = api.get(f"/events/{club['id']}").json
    assert [(o["original_start"], o["status"]) for o in shown["occurrences"]] == [
        ("2025-10-01T18:00", "scheduled"), ("2025-10-08T18:00", "cancelled"),
        ("2025-10-15T18:00", "scheduled"), ("2025-10-22T18:00", "scheduled")]
    assert shown["status"] == "published" and shown["sequence"] == before_seq + 1
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "occurrence")).all()
    assert [(a.action, a.entity_id) for a in audit] == [("cancel", f"{club['id']}/2025-10-08T18:00")]


def test_move_and_restore_one_occurrence(db, api):
    club = _club(api)
    url = f"/events/{club['id']}/occurrences/2025-10-15T18:00"
    moved = api.put(url, {"starts_at": "2025-10-16T09:00", "ends_at": "2025-10-16T11:30"}, as_="editor")
    assert moved.status_code == 200
    assert moved.json == {"start": "2025-10-16T09:00+07:00", "end": "2025-10-16T11:30+07:00",
                          "status": "scheduled", "original_start": "2025-10-15T18:00", "moved": True,
                          "reason": None}
    others = [o for o in api.get(f"/events/{club['id']}").json["occurrences"] if not o["moved"]]
    assert [o["start"] for o in others] == ["2025-10-01T18:00+07:00", "2025-10-08T18:00+07:00",
                                            "2025-10-22T18:00+07:00"]
    # the moved occurrence is still addressed by its original start
    again = api.put(url, {"starts_at": "2025-10-15T18:00"}, as_="editor")
    assert again.json["moved"] is False and again.json["end"] == "2025-10-15T20:30+07:00"
    # a change of the whole activity keeps a moved occurrence where it was put
    api.put(url, {"starts_at": "2025-10-16T09:00", "ends_at": "2025-10-16T11:00"}, as_="editor")
    api.patch(f"/events/{club['id']}", {"location": "Phòng đọc thiếu nhi"}, as_="editor")
    kept = [o for o in api.get(f"/events/{club['id']}").json["occurrences"] if o["moved"]]
    assert kept == [{"start": "2025-10-16T09:00+07:00", "end": "2025-10-16T11:00+07:00", "status": "scheduled",
                     "original_start": "2025-10-15T18:00", "moved": True, "reason": None}]


@pytest.mark.parametrize("body, field", [
    ({"starts_at": "2025-10-16T09:00", "ends_at": "2025-10-16T08:00"}, "ends_at"),
    ({"starts_at": "2025-10-32T09:00"}, "starts_at"),
    ({"status": "postponed"}, "status"),
    ({}, "__all__"),
    ({"status": "cancelled", "reason": "x" * 501}, "reason"),  # a reason is a sentence or two for the public
    ({"status": "cancelled", "why": "rain"}, "why"),
])
def test_bad_occurrence_change_is_refused(db, api, body, field):
    club = _club(api)
    before = snapshot(db)
    response = api.put(f"/events/{club['id']}/occurrences/2025-10-08T18:00", body, as_="editor")
    assert response.status_code == 422, response.json
    assert field in response.json["error"]["fields"]
    assert snapshot(db) == before


@pytest.mark.parametrize("key", ["2025-10-09T18:00", "2025-10-08", "2025-10-08T25:00", "tomorrow"])
def test_unknown_occurrence_is_404(db, api, key):
    club = _club(api)
    response = api.put(f"/events/{club['id']}/occurrences/{key}", {"status": "cancelled"}, as_="editor")
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_all_day_activity_and_its_occurrence_key(db, api):
    fair = _club(api, title="Hội sách", all_day=True, starts_at="2025-04-19", ends_at="2025-04-23",
                 rrule=None, categories=["festival"])
    assert (fair["starts_at"], fair["ends_at"], fair["all_day"]) == ("2025-04-19", "2025-04-23", True)
    assert fair["occurrences"] == [{"start": "2025-04-19", "end": "2025-04-23", "status": "scheduled",
                                    "original_start": "2025-04-19", "moved": False, "reason": None}]
    assert {"book-reading-day", "world-book-day"} <= set(fair["observances"])
    moved = api.put(f"/events/{fair['id']}/occurrences/2025-04-19", {"starts_at": "2025-04-20",
                                                                     "ends_at": "2025-04-24"}, as_="editor")
    assert moved.status_code == 200
    assert (moved.json["start"], moved.json["end"], moved.json["moved"]) == ("2025-04-20", "2025-04-24", True)


def test_a_cancelled_activity_shows_every_occurrence_cancelled(db, api):
    club = _club(api)
    response = api.patch(f"/events/{club['id']}", {"status": "cancelled"}, as_="editor")
    assert response.json["status"] == "cancelled"
    assert {o["status"] for o in response.json["occurrences"]} == {"cancelled"}
    assert api.get(f"/events/{club['id']}").status_code == 200  # cancelled activities stay public


# --- tagging -------------------------------------------------------------------------------------------


def test_suggested_tags_appear_and_a_removed_one_stays_removed(db, api):
    assert _club(api, title="Câu lạc bộ cả mùa")["observances"] == []  # only touches the windows
    # an evening on 7/10: inside both the week (1-7/10) and 10/10's window (7-13/10)
    club = _club(api, starts_at="2025-10-07T18:00", ends_at="2025-10-07T20:00", rrule=None)
    assert club["observances"] == ["digital-transformation-day", "lifelong-learning-week"]
    edited = api.patch(f"/events/{club['id']}", {"observances": ["lifelong-learning-week"]}, as_="editor")
    assert edited.json["observances"] == ["lifelong-learning-week"]
    # new dates still inside 10/10's window: the removed tag is not brought back
    moved = api.patch(f"/events/{club['id']}", {"starts_at": "2025-10-07T19:00", "ends_at": "2025-10-07T21:00"},
                      as_="editor")
    assert moved.status_code == 200
    assert moved.json["observances"] == ["lifelong-learning-week"]
    assert [o["original_start"] for o in moved.json["occurrences"]] == ["2025-10-07T19:00"]
    listed = api.get(f"/events{OCTOBER}&observance=digital-transformation-day").json["items"]
    assert listed == []


def test_tags_follow_the_dates_and_manual_tags_are_kept(db, api):
    talk = _club(api, title="Nói chuyện", starts_at="2025-05-18T09:00", ends_at="2025-05-18T11:00", rrule=None,
                 categories=["talk"])
    assert talk["observances"] == ["museum-day"]
    added = api.patch(f"/events/{talk['id']}", {"observances": ["museum-day", "heritage-day"]}, as_="editor")
    assert added.json["observances"] == ["heritage-day", "museum-day"]
    moved = api.patch(f"/events/{talk['id']}", {"starts_at": "2025-07-01T09:00", "ends_at": "2025-07-01T11:00"},
                      as_="editor")
    assert moved.json["observances"] == ["heritage-day"]  # the suggestion went with the dates, the choice stayed


# --- reading: lists, filters, windows, drafts ----------------------------------------------------------


@pytest.fixture()
def listed(db, world):
    """Published activities in April 2025 at three institutions, one draft and one cancelled."""
    acts = {
        "reading": f.activity(world["lib"], "Đọc sách cùng bé", "2025-04-21T09:00", audiences=("children",)),
        "talk": f.activity(world["nvh"], "Nói chuyện chuyên đề", "2025-04-10T19:00", categories=("talk",),
                           audiences=("adults",)),
        "everyone": f.activity(world["museum"], "Triển lãm ảnh", "2025-04-05T08:00", categories=("exhibition",),
                               audiences=("everyone",)),
        "club": f.activity(world["lib"], "Câu lạc bộ tiếng Anh", "2025-04-02T17:00", categories=("club",),
                           audiences=("youth",), rrule="FREQ=WEEKLY;COUNT=8"),
        "draft": f.activity(world["lib"], "Bản nháp", "2025-04-15T09:00", status="draft"),
        "cancelled": f.activity(world["museum"], "Hội thảo hủy", "2025-04-25T09:00", status="cancelled",
                                categories=("talk",)),
    }
    db.session.commit()
    return acts


APRIL = "?from=2025-04-01&to=2025-04-30"


def _ids(response):
    assert response.status_code == 200, response.json
    return [item["id"] for item in response.json["items"]]


def test_list_is_soonest_first_with_occurrences_in_the_window(db, api, listed):
    response = api.get(f"/events{APRIL}")
    order = ["club", "everyone", "talk", "reading", "cancelled"]
    assert _ids(response) == [listed[k].id for k in order]
    club = response.json["items"][0]
    assert [o["start"][:10] for o in club["occurrences"]] == ["2025-04-02", "2025-04-09", "2025-04-16",
                                                             "2025-04-23", "2025-04-30"]
    may = api.get("/events?from=2025-05-01&to=2025-05-31").json["items"]
    assert [i["id"] for i in may] == [listed["club"].id]
    assert [o["start"][:10] for o in may[0]["occurrences"]] == ["2025-05-07", "2025-05-14", "2025-05-21"]
    assert response.json["next"] is None


@pytest.mark.parametrize("query, expected", [
    ("&area=227", ["club", "talk", "reading"]),
    ("&area=07900", ["talk"]),
    ("&area=25", ["club", "everyone", "talk", "reading", "cancelled"]),
    ("&institution=bao-tang-doan-hung", ["everyone", "cancelled"]),
    ("&category=talk", ["talk", "cancelled"]),
    ("&audience=children", ["everyone", "reading", "cancelled"]),
    ("&audience=adults&category=talk", ["talk", "cancelled"]),
    ("&q=doc%20sach", ["reading"]),
    ("&q=TRIEN+LAM", ["everyone"]),
    ("&q=Câu lạc bộ", ["club"]),
    ("&q=100%25", []),
    ("&status=cancelled", ["cancelled"]),
])
def test_filters(db, api, listed, query, expected):
    assert _ids(api.get(f"/events{APRIL}{query}")) == [listed[k].id for k in expected]


def test_window_holds_activities_with_a_date_in_it(db, api, listed):
    assert _ids(api.get("/events?from=2025-04-20&to=2025-04-23")) == [listed["reading"].id, listed["club"].id]
    assert _ids(api.get("/events?from=2025-04-21&to=2025-04-21")) == [listed["reading"].id]


def test_observance_filter_uses_the_tags(db, api, listed):
    club = _club(api, rrule="FREQ=DAILY;COUNT=5")  # 1-5/10: inside the Lifelong Learning Week
    assert _ids(api.get(f"/events{OCTOBER}&observance=lifelong-learning-week")) == [club["id"]]
    assert _ids(api.get(f"/events{OCTOBER}&observance=museum-day")) == []


@pytest.mark.parametrize("query, field", [
    ("?area=999", "area"), ("?institution=nope", "institution"), ("?category=cooking", "category"),
    ("?audience=martians", "audience"), ("?observance=nope", "observance"), ("?from=2025-02-30", "from"),
    ("?to=soon", "to"), ("?from=2025-05-01&to=2025-04-01", "to"), ("?from=2020-01-01&to=2025-01-01", "to"),
    ("?q=" + "x" * 201, "q"), ("?status=hidden", "status"),
])
def test_bad_filters_are_400_with_the_field(db, api, listed, query, field):
    response = api.get(f"/events{query}")
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_query" and field in response.json["error"]["fields"]


def test_bad_paging_is_400(db, api):
    assert api.get("/events?limit=ten").status_code == 400


def test_default_window_is_today_for_a_year(db, api, world, monkeypatch):
    monkeypatch.setattr(events_api, "local_today", lambda: date(2025, 4, 20))
    past = f.activity(world["lib"], "Đã qua", "2025-04-19T09:00")
    soon = f.activity(world["lib"], "Sắp tới", "2025-04-20T09:00")
    later = f.activity(world["lib"], "Năm sau", "2026-04-20T09:00")
    too_late = f.activity(world["lib"], "Quá xa", "2026-04-21T09:00")
    db.session.commit()
    assert _ids(api.get("/events")) == [soon.id, later.id]
    assert past.id and too_late.id


def test_drafts_only_for_those_who_manage_them(db, api, listed):
    draft = listed["draft"].id
    assert draft not in _ids(api.get(f"/events{APRIL}"))
    assert api.get(f"/events/{draft}").status_code == 404
    for who in ("editor", "officer", "admin"):
        assert draft in _ids(api.get(f"/events{APRIL}", as_=who))
        assert api.get(f"/events/{draft}", as_=who).json["status"] == "draft"
    for who in ("editor_out", "officer_out"):
        assert draft not in _ids(api.get(f"/events{APRIL}", as_=who))
        assert api.get(f"/events/{draft}", as_=who).status_code == 404
    assert _ids(api.get(f"/events{APRIL}&status=draft", as_="editor")) == [draft]
    assert _ids(api.get(f"/events{APRIL}&status=draft")) == []
    assert api.get(f"/events{APRIL}", as_="revoked").status_code == 401


def test_pagination_follows_next_to_the_end(db, api, world):
    made = [f.activity(world["lib"], f"Buổi {n}", f"2025-06-{n + 1:02d}T09:00").id for n in range(7)]
    db.session.commit()
    seen, url, pages = [], "/events?from=2025-06-01&to=2025-06-30&limit=3&category=reading", 0
    while url:
        response = api.get(url)
        seen += _ids(response)
        url = response.json["next"]
        pages += 1
        if url:
            assert "category=reading" in url and "limit=3" in url
    assert seen == made and pages == 3


def test_one_activity_with_all_or_windowed_occurrences(db, api, listed):
    club = listed["club"].id
    assert len(api.get(f"/events/{club}").json["occurrences"]) == 8
    april = api.get(f"/events/{club}?from=2025-04-10&to=2025-04-20").json["occurrences"]
    assert [o["original_start"] for o in april] == ["2025-04-16T17:00"]
    assert api.get(f"/events/{club}?from=2025-04-10&to=2025-04-01").status_code == 400
    missing = api.get("/events/999999")
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"


def test_create_returns_the_whole_resource(db, api):
    club = _club(api, location="Thư viện tỉnh", capacity=30, registration_required=True,
                 online_url="https://meet.example.org/doc-sach", programme="doc-sach-2025")
    stored = db.session.get(Activity, club["id"])
    assert club["title"] == stored.title and club["institution"] == "thu-vien-viet-tri"
    assert (club["starts_at"], club["ends_at"]) == ("2025-10-01T18:00+07:00", "2025-10-01T20:00+07:00")
    assert (club["capacity"], club["registration_required"], club["programme"]) == (30, True, "doc-sach-2025")
    assert club["rrule"] == "FREQ=WEEKLY;BYDAY=WE;COUNT=4" and club["categories"] == ["club", "reading"]
    assert len(club["occurrences"]) == 4 == len(stored.occurrences)
    # what is read can be sent back: a PATCH of the read times changes nothing
    response = api.patch(f"/events/{club['id']}", {"starts_at": club["starts_at"], "ends_at": club["ends_at"]},
                         as_="editor")
    assert response.json["sequence"] == club["sequence"]
    assert db.session.scalar(select(Occurrence.id).where(Occurrence.activity_id == club["id"]).limit(1))
