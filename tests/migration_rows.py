"""The rows a database holds at each revision, for tests/test_migrations.py (how to add a revision: see there).

Rows name tables and columns as that revision's schema has them, never through the ORM models (which follow
head). Ids are explicit so later revisions' rows can refer to them; tables are listed parents first.
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection

Rows = dict[str, list[dict]]


@dataclass(frozen=True)
class Step:
    """What the migration test does when the chain reaches one revision."""

    #: written right after upgrading to this revision; every one must still be there at head
    rows: Rows = field(default_factory=dict)
    #: asserts what this revision's upgrade did to the rows written before it (runs before `rows` are written)
    check: Callable[[Connection], None] | None = None
    #: for a revision that rewrites earlier rows on purpose: turns the expected rows into what they become
    rewrites: Callable[[Rows], None] | None = None


STAMP = datetime(2025, 1, 2, 3, 4, 5)


def _activity(id, institution_id, title, starts_at, status="published", **extra):
    return {"id": id, "institution_id": institution_id, "title": title, "description": "", "starts_at": starts_at,
            "ends_at": starts_at.replace(hour=starts_at.hour + 2), "all_day": False, "registration_required": False,
            "status": status, "sequence": 0, "search_text": title.lower(), "created_at": STAMP,
            "updated_at": STAMP, "created_by_id": 3, **extra}


def _occurrence(id, activity_id, starts_at, status="scheduled"):
    return {"id": id, "activity_id": activity_id, "original_start": starts_at, "starts_at": starts_at,
            "ends_at": starts_at.replace(hour=starts_at.hour + 2), "status": status, "overridden": False,
            "updated_at": STAMP}


AT_0001: Rows = {
    "areas": [
        {"id": 1, "code": "25", "name": "Phú Thọ", "level": "province", "parent_id": None, "path": "/1/"},
        {"id": 2, "code": "227", "name": "Thanh Sơn", "level": "district", "parent_id": 1, "path": "/1/2/",
         "valid_from": date(2020, 1, 1)},
        {"id": 3, "code": "7891", "name": "Tất Thắng", "level": "commune", "parent_id": 2, "path": "/1/2/3/"},
    ],
    "institutions": [
        {"id": 1, "slug": "tv-thanh-son", "name": "Thư viện huyện Thanh Sơn", "category": "library_district",
         "area_id": 2, "latitude": 21.2, "longitude": 105.18, "active": True, "created_at": STAMP,
         "updated_at": STAMP},
        {"id": 2, "slug": "ttvh-thanh-son", "name": "Trung tâm Văn hóa huyện Thanh Sơn",
         "category": "culture_centre_district", "area_id": 2, "active": True, "created_at": STAMP,
         "updated_at": STAMP},
        {"id": 3, "slug": "bao-tang-hung-vuong", "name": "Bảo tàng Hùng Vương", "category": "museum", "area_id": 1,
         "active": True, "created_at": STAMP, "updated_at": STAMP},
        {"id": 4, "slug": "tv-tat-thang", "name": "Thư viện xã Tất Thắng", "category": "library_commune",
         "area_id": 3, "active": False, "created_at": STAMP, "updated_at": STAMP},
    ],
    "users": [
        {"id": 1, "email": "admin@example.vn", "name": "Quản trị", "password_hash": "x", "role": "admin",
         "active": True, "locale": "vi", "created_at": STAMP},
        {"id": 2, "email": "officer@example.vn", "name": "Cán bộ tỉnh", "password_hash": "x", "role": "officer",
         "area_id": 1, "active": True, "created_at": STAMP, "last_login_at": STAMP},
        {"id": 3, "email": "editor@example.vn", "name": "Biên tập", "password_hash": "x", "role": "editor",
         "institution_id": 2, "active": True, "created_at": STAMP},
    ],
    "api_tokens": [{"id": 1, "user_id": 1, "name": "export", "token_hash": "a" * 64, "hint": "abcd",
                    "created_at": STAMP}],
    "activities": [
        _activity(1, 1, "Đọc sách cùng em", datetime(2025, 3, 1, 2), rrule="FREQ=WEEKLY;COUNT=3"),
        _activity(2, 2, "Câu lạc bộ dân ca", datetime(2025, 3, 10, 1), programme="clb-2025", capacity=30,
                  registration_required=True),
        _activity(3, 3, "Giờ học di sản", datetime(2025, 5, 18, 2), programme="di-san-2025",
                  online_url="https://example.vn/live"),
        _activity(4, 1, "Bản nháp", datetime(2025, 3, 15, 2), status="draft"),
        _activity(5, 2, "Buổi đã huỷ", datetime(2025, 3, 20, 2), status="cancelled"),
    ],
    "activity_categories": [{"activity_id": 1, "key": "reading"}, {"activity_id": 2, "key": "club"},
                            {"activity_id": 2, "key": "talk"}, {"activity_id": 3, "key": "exhibition"},
                            {"activity_id": 5, "key": "festival"}],
    "activity_audiences": [{"activity_id": 2, "key": "children"}, {"activity_id": 2, "key": "elderly"},
                           {"activity_id": 5, "key": "youth"}],
    "occurrences": [
        _occurrence(1, 1, datetime(2025, 3, 1, 2)),
        _occurrence(2, 1, datetime(2025, 3, 31, 18)),  # 1 April, 01:00 in Vietnam: an April fact
        _occurrence(3, 1, datetime(2025, 3, 8, 2), status="cancelled"),
        _occurrence(4, 2, datetime(2025, 3, 10, 1)),
        _occurrence(5, 2, datetime(2025, 4, 10, 1)),
        _occurrence(6, 3, datetime(2025, 5, 18, 2)),
        _occurrence(7, 4, datetime(2025, 3, 15, 2)),
        _occurrence(8, 5, datetime(2025, 3, 20, 2)),
    ],
    "attendances": [
        {"id": 1, "occurrence_id": 1, "total": 42, "onsite": 32, "online": 10, "version": 2, "updated_at": STAMP,
         "updated_by_id": 3},
        {"id": 2, "occurrence_id": 2, "total": 0, "version": 1, "updated_at": STAMP},
        {"id": 3, "occurrence_id": 4, "total": 30, "onsite": 30, "online": 0, "version": 1, "updated_at": STAMP},
        {"id": 4, "occurrence_id": 6, "total": 100, "onsite": 80, "online": 20, "version": 1, "updated_at": STAMP},
        {"id": 5, "occurrence_id": 8, "total": 7, "version": 1, "updated_at": STAMP},
    ],
    "attendance_audiences": [{"attendance_id": 3, "audience": "children", "count": 20},
                             {"attendance_id": 3, "audience": "elderly", "count": 10}],
    "registrants": [{"id": 1, "contact_key": "an@example.vn", "feed_token_hash": "b" * 64, "created_at": STAMP}],
    "registrations": [{"id": 1, "activity_id": 2, "occurrence_id": 5, "registrant_id": 1, "name": "Nguyễn An",
                       "email": "an@example.vn", "people": 2, "status": "confirmed", "position": 0,
                       "cancel_token_hash": "c" * 64, "walk_in": False, "consent": True, "created_at": STAMP}],
    "monthly_tallies": [{"id": 1, "institution_id": 1, "year": 2025, "month": 3, "metric": "library_visits",
                         "value": 1200, "updated_at": STAMP, "updated_by_id": 3}],
    "self_assessments": [{"id": 1, "institution_id": 1, "year": 2025, "digital_catalogue": True,
                          "digital_resources": False, "online_services": True, "digitised_heritage": False,
                          "online_activities": True, "updated_at": STAMP}],
    "year_reports": [{"id": 1, "institution_id": 1, "year": 2025, "status": "submitted", "comment": "Đủ số liệu",
                      "submitted_at": STAMP, "submitted_by_id": 3}],
    "reminders": [{"id": 1, "user_id": 3, "kind": "attendance_missing", "dedupe_key": "attendance:2",
                   "message": "Chưa nhập số người tham dự", "created_at": STAMP}],
    "job_runs": [{"id": 1, "job": "reminders", "period": "2025-03-01", "started_at": STAMP, "finished_at": STAMP,
                  "host": "app-1"}],
    "audit_entries": [{"id": 1, "at": STAMP, "user_id": 3, "action": "update", "entity_type": "activity",
                       "entity_id": "1", "institution_id": 1, "area_path": "/1/2/",
                       "changes": {"title": ["Đọc sách", "Đọc sách cùng em"]}, "reason": None}],
}

# after 0002 the shipped observances exist (ids 1-7, in the order 0002 inserts them; 1 is book-reading-day)
AT_0002: Rows = {
    "observances": [{"id": 100, "key": "den-hung-festival", "name_vi": "Lễ hội Đền Hùng",
                     "name_en": "Hùng Temple Festival", "rule": "per_year", "duration_days": 3, "window_before": 0,
                     "window_after": 0, "provincial": True, "created_at": STAMP}],
    "observance_dates": [
        {"id": 1, "observance_id": 1, "year": 2025, "starts_on": date(2025, 4, 21), "ends_on": date(2025, 4, 21)},
        {"id": 2, "observance_id": 100, "year": 2025, "starts_on": date(2025, 4, 5), "ends_on": date(2025, 4, 7)},
    ],
    "activity_observances": [{"activity_id": 1, "observance_id": 1, "source": "auto", "removed": False},
                             {"activity_id": 2, "observance_id": 100, "source": "manual", "removed": False}],
}

# figures that do not change the monthly facts (new occurrences would need their facts written beside them)
AT_0003: Rows = {
    "institutions": [{"id": 5, "slug": "tv-tinh", "name": "Thư viện tỉnh Phú Thọ", "category": "library_provincial",
                      "area_id": 1, "active": True, "created_at": STAMP, "updated_at": STAMP}],
    "monthly_tallies": [{"id": 2, "institution_id": 5, "year": 2024, "month": 12, "metric": "library_visits",
                         "value": 900, "updated_at": STAMP}],
}

#: institution_months and institution_month_keys of AT_0001 (UTC+7), as 0003 must compute them
FACTS_OF_0001 = {
    "institution_months": [
        # institution, month, held, attended, online, club, attendance
        (1, 202503, 1, 1, 1, 0, 42),  # the cancelled occurrence and the draft activity are not held
        (1, 202504, 1, 0, 0, 0, 0),
        (2, 202503, 1, 1, 0, 1, 30),  # the cancelled activity is not held
        (2, 202504, 1, 0, 0, 1, 0),
        (3, 202505, 1, 1, 1, 0, 100),
    ],
    "institution_month_keys": [
        (2, 202503, "audience", "children"), (2, 202503, "audience", "elderly"),
        (2, 202503, "category", "club"), (2, 202503, "category", "talk"),
        (2, 202504, "audience", "children"), (2, 202504, "audience", "elderly"),
        (2, 202504, "category", "club"), (2, 202504, "category", "talk"),
        (3, 202505, "programme", "di-san-2025"),  # a museum's programme; the culture centre's is not kept
    ],
}


YEAR_COLUMNS = ("institution_id, year, attended, online, club, attendance, library_visits, study_visitors, "
                "club_members, audiences, categories")


def facts(connection: Connection, years: bool = False, keys: bool = False) -> dict[str, list[tuple]]:
    """The monthly facts a database holds (with `years`, the yearly ones too: from 0013 on; with `keys`, the
    first meeting of each month key and the year keys: from 0014 on), sorted."""
    tables = [("institution_months", "institution_id, month, held, attended, online, club, attendance"),
              ("institution_month_keys", "institution_id, month, kind, key" + (", first_start" if keys else ""))]
    if years:
        tables.append(("institution_years", YEAR_COLUMNS))
    if keys:
        tables.append(("institution_year_keys", "institution_id, year, kind, key, first_start"))
    return {name: sorted(tuple(_moment(value) if column == "first_start" else value
                               for column, value in row._mapping.items())
                         for row in connection.execute(text(f"SELECT {columns} FROM {name}")))
            for name, columns in tables}


def _facts_of_0001_filled(connection: Connection) -> None:
    filled = facts(connection)
    assert filled == FACTS_OF_0001, f"0003 filled {filled}, expected {FACTS_OF_0001}"


#: institution_years as 0013 must compute them from the facts of AT_0001 and the tallies of AT_0001, AT_0003
YEARS_AT_0013 = [
    # institution, year, attended, online, club, attendance, library visits, study visitors, club members,
    # audiences, categories
    (1, 2025, 1, 1, 0, 42, 1200, 0, 0, 0, 0),
    (2, 2025, 1, 0, 2, 30, 0, 0, 0, 2, 2),  # the district culture centre's two audiences and categories
    (3, 2025, 1, 1, 0, 100, 0, 0, 0, 0, 0),
    (5, 2024, 0, 0, 0, 0, 900, 0, 0, 0, 0),  # a tally and nothing held
]


def _years_filled(connection: Connection) -> None:
    filled = facts(connection, years=True)["institution_years"]
    assert filled == YEARS_AT_0013, f"0013 filled {filled}, expected {YEARS_AT_0013}"


#: the keys of AT_0001 as 0014 must compute them: each month key with its first meeting, and the year's keys
FIRST_CLUB, FIRST_CLUB_APRIL = datetime(2025, 3, 10, 1), datetime(2025, 4, 10, 1)
FIRST_LESSON = datetime(2025, 5, 18, 2)
KEYS_AT_0014 = {
    "institution_month_keys": sorted(
        [(2, month, kind, key, first) for month, first in ((202503, FIRST_CLUB), (202504, FIRST_CLUB_APRIL))
         for kind, key in (("audience", "children"), ("audience", "elderly"), ("category", "club"),
                           ("category", "talk"))]
        + [(3, 202505, "programme", "di-san-2025", FIRST_LESSON)]),
    # the club's keys were held in March and April: the year's first meeting is March's
    "institution_year_keys": sorted(
        [(2, 2025, kind, key, FIRST_CLUB) for kind, key in (("audience", "children"), ("audience", "elderly"),
                                                            ("category", "club"), ("category", "talk"))]
        + [(3, 2025, "programme", "di-san-2025", FIRST_LESSON)]),
}


def _keys_filled(connection: Connection) -> None:
    filled = facts(connection, years=True, keys=True)
    filled = {name: filled[name] for name in KEYS_AT_0014}
    assert filled == KEYS_AT_0014, f"0014 filled {filled}, expected {KEYS_AT_0014}"


def _sessions_start_at_version_zero(connection: Connection) -> None:
    versions = {row[0] for row in connection.execute(text("SELECT session_version FROM users"))}
    assert versions == {0}, versions


def _every_institution_placed(connection: Connection) -> None:
    placed = sorted(tuple(row) for row in connection.execute(text(
        "SELECT institution_id, area_id, valid_from, valid_to FROM placements")))
    institutions = sorted(tuple(row) for row in connection.execute(text("SELECT id, area_id FROM institutions")))
    assert placed == [(id_, area_id, None, None) for id_, area_id in institutions], placed


#: 0005: the country above the province, a unit reusing a code after the old one closed, a move, a succession
AT_0005: Rows = {
    "areas": [
        {"id": 10, "code": "VN", "name": "Việt Nam", "level": "country", "parent_id": None, "path": "/10/"},
        {"id": 11, "code": "7891", "name": "Xã Tất Thắng (mới)", "level": "commune", "parent_id": 1,
         "path": "/1/11/", "valid_from": date(2025, 7, 1), "latitude": 21.2, "longitude": 105.1},
    ],
    "placements": [
        {"id": 10, "institution_id": 4, "area_id": 11, "valid_from": date(2025, 7, 1), "valid_to": None},
    ],
    "area_successions": [{"predecessor_id": 3, "successor_id": 11, "default": True}],
}


def _targets_belong_to_plans(connection: Connection) -> None:
    plans = {number: id_ for id_, number in connection.execute(text("SELECT id, number FROM plans"))}
    assert set(plans) == {"2682/KH-UBND", "1520/QĐ-TTg"}, plans
    orphans = connection.execute(text("SELECT COUNT(*) FROM indicator_targets WHERE plan_id IS NULL")).scalar()
    assert orphans == 0


def _tags(connection: Connection) -> set[tuple]:
    return {tuple(row) for row in connection.execute(text(
        "SELECT activity_id, observance_id, source, removed FROM activity_observances"))}


def _retagged_by_the_new_rule(connection: Connection) -> None:
    """0011: the weekly series (activity 1) that never fell in Book Day's window loses its automatic tag; the
    one-off heritage class on 18/5 (activity 3) gains Museum Day (id 3); the manual tag stays."""
    assert _tags(connection) == {(2, 100, "manual", False), (3, 3, "auto", False)}, _tags(connection)
    locales = {row[0] for row in connection.execute(text("SELECT locale FROM registrations"))}
    assert locales == {"vi"}, locales


def _without_the_series_tag(expected: Rows) -> None:
    expected["activity_observances"] = [row for row in expected["activity_observances"]
                                        if (row["activity_id"], row["observance_id"]) != (1, 1)]


#: 0011: a registrant who registered in English, and the e-mails waiting for them
AT_0011: Rows = {
    "registrations": [{"id": 2, "activity_id": 2, "occurrence_id": 5, "registrant_id": 1, "name": "Jane Doe",
                       "email": "jane@example.org", "people": 1, "status": "waitlisted", "position": 1,
                       "cancel_token_hash": "d" * 64, "walk_in": False, "consent": True, "created_at": STAMP,
                       "locale": "en"}],
    "registrant_mails": [
        {"id": 1, "registration_id": 2, "kind": "confirmation", "link": "https://lich.example/registrations/x",
         "created_at": STAMP, "due_at": STAMP, "attempts": 0, "done_at": None, "gave_up": False},
        {"id": 2, "registration_id": 1, "kind": "reminder", "link": None, "created_at": STAMP, "due_at": STAMP,
         "attempts": 2, "done_at": STAMP, "gave_up": False},
    ],
}


def _moment(value) -> datetime:
    """A DateTime read with raw SQL: SQLite gives its text."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _every_activity_has_a_fragment_row(connection: Connection) -> None:
    rows = sorted((id_, _moment(first), _moment(last)) for id_, first, last in connection.execute(text(
        "SELECT activity_id, first_start, last_end FROM feed_fragments")))
    assert rows == [
        (1, datetime(2025, 3, 1, 2), datetime(2025, 3, 31, 20)),
        (2, datetime(2025, 3, 10, 1), datetime(2025, 4, 10, 3)),
        (3, datetime(2025, 5, 18, 2), datetime(2025, 5, 18, 4)),
        (4, datetime(2025, 3, 15, 2), datetime(2025, 3, 15, 4)),
        (5, datetime(2025, 3, 20, 2), datetime(2025, 3, 20, 4)),
    ], rows


def _occurrences_carry_their_institution(connection: Connection) -> None:
    rows = sorted(connection.execute(text(
        "SELECT occurrences.id, occurrences.institution_id, activities.institution_id FROM occurrences "
        "JOIN activities ON activities.id = occurrences.activity_id")))
    assert [row[0] for row in rows] == list(range(1, 10)), rows
    assert all(copied == own for _id, copied, own in rows), rows


def _fragments_placed(connection: Connection) -> None:
    """0017: each fragment has its activity's public flag (published or cancelled) and institution."""
    rows = sorted((id_, bool(public), institution) for id_, public, institution in connection.execute(text(
        "SELECT activity_id, public, institution_id FROM feed_fragments")))
    assert rows == [(1, True, 1), (2, True, 2), (3, True, 3), (4, False, 1), (5, True, 2)], rows


def _places_have_a_generation(connection: Connection) -> None:
    """0018: the places' generation (year 0) is there, so the dashboard may keep past years from the start."""
    rows = connection.execute(text("SELECT year, generation FROM figure_generations")).all()
    assert [year for year, _generation in rows] == [0] and rows[0][1] > 0, rows


def _key_text_filled(connection) -> None:
    """0019: each activity's keys copied, categories then audiences, each sorted; none: a single space."""
    rows = dict(connection.execute(text("SELECT id, key_text FROM activities")).all())
    assert rows == {1: " c:reading ", 2: " c:club c:talk a:children a:elderly ", 3: " c:exhibition ", 4: " ",
                    5: " c:festival a:youth ", 6: " "}, rows


#: revision -> what the test does there; every revision in migrations/versions has an entry
STEPS: dict[str, Step] = {
    "0001": Step(rows=AT_0001),
    "0002": Step(rows=AT_0002),
    "0003": Step(rows=AT_0003, check=_facts_of_0001_filled),
    "0004": Step(check=_sessions_start_at_version_zero),
    "0005": Step(rows=AT_0005, check=_every_institution_placed),
    "0006": Step(check=_targets_belong_to_plans),
    "0007": Step(rows={"imported_reports": [
        {"id": 1, "area_id": 10, "year": 2025, "document": {"year": 2025, "area": "VN", "indicators": []},
         "source": "test", "imported_at": STAMP}]}),
    "0008": Step(check=_every_activity_has_a_fragment_row, rows={
        "feed_aliases": [{"code": "abcdefghijkl", "args": "category=club", "created_at": STAMP}],
        "feed_fragment_bodies": [{"activity_id": 3, "revision": 0, "context": "c" * 32, "body": b"BEGIN:VEVENT",
                                  "events": 1}],
        "feed_bodies": [{"id": "0" * 32, "key": "all", "generation": 1, "day": date(2025, 3, 1), "body": b"x",
                         "etag": '"x"', "last_modified": STAMP, "events": 0, "activities": 0, "in_window": 0,
                         "built_at": STAMP}]}),
    # 0010: the reasons for a cancellation or a move
    "0010": Step(rows={
        "activities": [_activity(6, 1, "Buổi nói chuyện đã hủy", datetime(2025, 6, 1, 2), status="cancelled",
                                 cancel_reason="Diễn giả bị ốm")],
        "occurrences": [{**_occurrence(9, 6, datetime(2025, 6, 1, 2), status="cancelled"),
                         "change_reason": "Mưa bão"}],
    }),
    "0011": Step(rows=AT_0011, check=_retagged_by_the_new_rule, rewrites=_without_the_series_tag),
    # 0012: indexes only
    "0012": Step(),
    "0013": Step(check=_years_filled),
    "0014": Step(check=_keys_filled),
    # 0016: occurrences carry their activity's institution (filled from the activities)
    "0016": Step(check=_occurrences_carry_their_institution, rows={
        "occurrences": [{**_occurrence(10, 3, datetime(2025, 5, 25, 2), status="cancelled"), "institution_id": 3}]}),
    "0017": Step(check=_fragments_placed),
    "0018": Step(check=_places_have_a_generation),
    "0019": Step(check=_key_text_filled),
}
