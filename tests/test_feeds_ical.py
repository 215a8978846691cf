"""The iCalendar serialiser on its own: activities in, bytes out, no database and no request."""
import unicodedata
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from calendar_app.events.models import Activity, ActivityCategory, Occurrence
from calendar_app.events.recurrence import MAX_OCCURRENCES, expand
from calendar_app.feeds import ical
from calendar_app.places.models import Institution
from tests.factories import client_events

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
CONTEXT = ical.FeedContext(domain="lich.example", timezone="Asia/Ho_Chi_Minh", base_url="https://lich.example",
                           category_labels={"reading": "Đọc sách", "club": "Câu lạc bộ"})
MESSY = "Đọc sách, thơ; truyện \\ ngắn\ncho thiếu nhi — “Hội sách” 2025"
LONG = ("Chương trình giới thiệu sách mới, trò chuyện cùng tác giả; thiếu nhi được đọc truyện tranh, "
        "vẽ tranh minh hoạ\\ và tham gia trò chơi ô chữ.\nĐịa điểm: tầng 2, phòng đọc thiếu nhi, "
        "Thư viện tỉnh Phú Thọ, đường Trần Phú, phường Tân Dân, thành phố Việt Trì. ") * 3


def utc(text: str) -> datetime:
    """Local wall-clock text -> naive UTC, as the database stores it."""
    return datetime.fromisoformat(text).replace(tzinfo=ZONE).astimezone(UTC).replace(tzinfo=None)


def make(activity_id=7, title="Đọc sách cùng em", start="2025-04-21T09:00", end="2025-04-21T11:00",
         rrule=None, all_day=False, status="published", sequence=0, **fields) -> Activity:
    """An unsaved activity with its occurrences materialised the way sync_occurrences does."""
    institution = Institution(id=1, slug="thu-vien-tinh", name="Thư viện tỉnh Phú Thọ", address="Trần Phú, Việt Trì",
                              latitude=21.32, longitude=105.40, updated_at=datetime(2025, 3, 1))
    activity = Activity(id=activity_id, institution=institution, title=title, description=fields.pop("description", ""),
                        starts_at=utc(start), ends_at=utc(end), rrule=rrule, all_day=all_day, status=status,
                        sequence=sequence, created_at=datetime(2025, 3, 1, 1, 2, 3),
                        updated_at=datetime(2025, 3, 10, 4, 5, 6, 789), **fields)
    activity.category_links = [ActivityCategory(key="reading")]
    activity.occurrences = [Occurrence(original_start=s, starts_at=s, ends_at=e, status="scheduled")
                            for s, e in expand(activity.starts_at, activity.ends_at, rrule)]
    return activity


def occurrence(activity: Activity, local_start: str) -> Occurrence:
    return next(o for o in activity.occurrences if o.original_start == utc(local_start))


def parse(body: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(body)


def events(body: bytes) -> list:
    return list(parse(body).walk("VEVENT"))


def test_timed_event_has_tzid_local_times_uid_and_utc_stamps():
    body = ical.calendar("Lịch", [make(sequence=3)], CONTEXT)
    text = body.decode()

    assert "DTSTART;TZID=Asia/Ho_Chi_Minh:20250421T090000\r\n" in text
    assert "DTEND;TZID=Asia/Ho_Chi_Minh:20250421T110000\r\n" in text
    assert "UID:activity-7@lich.example\r\n" in text
    assert "DTSTAMP:20250310T040506Z\r\n" in text
    assert "LAST-MODIFIED:20250310T040506Z\r\n" in text
    assert "SEQUENCE:3\r\n" in text
    assert "STATUS:CONFIRMED\r\n" in text
    assert "URL:https://lich.example/events/7\r\n" in text
    (event,) = events(body)
    assert event["LOCATION"] == "Thư viện tỉnh Phú Thọ, Trần Phú, Việt Trì"
    assert event["GEO"].latitude == 21.32
    assert event.categories == ["Đọc sách"]


def test_calendar_has_one_vtimezone_names_and_refresh_interval():
    body = ical.calendar("Lịch Phú Thọ", [make(), make(activity_id=8)], CONTEXT)
    text = body.decode()
    cal = parse(body)

    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert text.count("BEGIN:VTIMEZONE") == 1
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Ho_Chi_Minh"]
    assert "VERSION:2.0\r\n" in text and "PRODID:" in text
    assert "NAME:Lịch Phú Thọ\r\n" in text and "X-WR-CALNAME:Lịch Phú Thọ\r\n" in text
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT2H\r\n" in text
    assert "X-PUBLISHED-TTL:PT2H\r\n" in text
    assert "METHOD" not in text
    assert len(events(body)) == 2


def test_all_day_activity_uses_dates_with_exclusive_end():
    festival = make(start="2025-05-18T00:00", end="2025-05-21T00:00", all_day=True)
    body = ical.calendar("x", [festival], CONTEXT)

    assert "DTSTART;VALUE=DATE:20250518\r\n" in body.decode()
    assert "DTEND;VALUE=DATE:20250521\r\n" in body.decode()
    assert client_events(body, date(2025, 5, 1), date(2025, 6, 1)) == [
        ("activity-7@lich.example", date(2025, 5, 18), date(2025, 5, 21), "CONFIRMED")]


def test_text_with_commas_semicolons_backslashes_and_newlines_round_trips():
    body = ical.calendar("x", [make(title=MESSY, description=LONG, location="Phòng 2; tầng 3, nhà A\\B")], CONTEXT)
    text = body.decode()

    assert "SUMMARY:Đọc sách\\, thơ\\; truyện \\\\ ngắn\\ncho" in text
    (event,) = events(body)
    assert event["SUMMARY"] == MESSY
    assert event["LOCATION"] == "Phòng 2; tầng 3, nhà A\\B"
    assert event["DESCRIPTION"].startswith(LONG.strip())
    assert event["DESCRIPTION"].endswith("\n\nThư viện tỉnh Phú Thọ\n\nhttps://lich.example/events/7")


def test_lines_are_folded_at_75_octets_without_splitting_a_character():
    body = ical.calendar("Lịch " * 40, [make(title="Đọc sách " * 30, description=LONG)], CONTEXT)
    lines = body.split(b"\r\n")

    assert max(len(line) for line in lines) <= 75
    assert sum(1 for line in lines if line.startswith(b" ")) > 20
    for line in lines:
        line.decode("utf-8")  # each physical line is valid UTF-8 on its own
    assert b"\n" not in body.replace(b"\r\n", b"")


def test_decomposed_vietnamese_is_written_composed():
    decomposed = unicodedata.normalize("NFD", "Đọc sách thiếu nhi")
    (event,) = events(ical.calendar("x", [make(title=decomposed)], CONTEXT))

    assert event["SUMMARY"] == unicodedata.normalize("NFC", decomposed)


def test_weekly_rule_with_cancelled_and_moved_occurrences_expands_like_the_database():
    club = make(title="Câu lạc bộ đọc sách", start="2025-04-05T08:00", end="2025-04-05T10:00",
                rrule="FREQ=WEEKLY;COUNT=6")
    occurrence(club, "2025-04-12T08:00").status = "cancelled"
    moved = occurrence(club, "2025-04-19T08:00")
    moved.starts_at, moved.ends_at = utc("2025-04-20T14:00"), utc("2025-04-20T16:30")
    body = ical.calendar("x", [club], CONTEXT)
    text = body.decode()

    assert "RRULE:FREQ=WEEKLY;COUNT=6\r\n" in text
    assert "EXDATE;TZID=Asia/Ho_Chi_Minh:20250412T080000\r\n" in text
    assert "RECURRENCE-ID;TZID=Asia/Ho_Chi_Minh:20250419T080000\r\n" in text
    uid = "activity-7@lich.example"
    expected = sorted((uid, o.starts_at, o.ends_at, "CONFIRMED") for o in club.occurrences if o.status == "scheduled")
    assert client_events(body, date(2025, 4, 1), date(2025, 6, 1)) == expected
    assert (uid, utc("2025-04-20T14:00"), utc("2025-04-20T16:30"), "CONFIRMED") in expected
    assert len(expected) == 5


def test_until_is_written_in_utc_for_timed_rules_and_as_a_date_for_all_day_rules():
    evening = make(start="2025-04-22T18:00", end="2025-04-22T20:00", rrule="FREQ=DAILY;UNTIL=20250425")
    monthly = make(activity_id=8, start="2025-04-10T00:00", end="2025-04-11T00:00", all_day=True,
                   rrule="FREQ=MONTHLY;UNTIL=20250810T235959")
    body = ical.calendar("x", [evening, monthly], CONTEXT)
    text = body.decode()

    # the whole local day 25/4 is included: 23:59:59 at UTC+7 is 16:59:59Z
    assert "RRULE:FREQ=DAILY;UNTIL=20250425T165959Z\r\n" in text
    assert "RRULE:FREQ=MONTHLY;UNTIL=20250810\r\n" in text
    shown = client_events(body, date(2025, 1, 1), date(2026, 1, 1))
    assert [start for uid, start, _end, _s in shown if uid.startswith("activity-7@")] == [
        o.starts_at for o in evening.occurrences]
    assert [start for uid, start, _end, _s in shown if uid.startswith("activity-8@")] == [
        date(2025, month, 10) for month in range(4, 9)]
    assert len(evening.occurrences) == 4


def test_dtstart_is_the_first_date_the_rule_gives():
    # starts on a Monday, meets on Wednesdays: our expansion (and so the database) has no Monday
    club = make(start="2025-04-21T17:00", end="2025-04-21T18:00", rrule="FREQ=WEEKLY;BYDAY=WE;COUNT=3")
    body = ical.calendar("x", [club], CONTEXT)

    assert "DTSTART;TZID=Asia/Ho_Chi_Minh:20250423T170000\r\n" in body.decode()
    assert [start for _u, start, _e, _s in client_events(body, date(2025, 4, 1), date(2025, 6, 1))] == [
        o.starts_at for o in club.occurrences]


def test_a_rule_longer_than_what_we_materialise_is_capped_at_the_same_count():
    daily = make(start="2025-01-01T07:00", end="2025-01-01T08:00", rrule="FREQ=DAILY;UNTIL=20270101")
    body = ical.calendar("x", [daily], CONTEXT)

    assert len(daily.occurrences) == MAX_OCCURRENCES
    assert f"RRULE:FREQ=DAILY;COUNT={MAX_OCCURRENCES}\r\n" in body.decode()
    assert len(client_events(body, date(2024, 1, 1), date(2028, 1, 1))) == MAX_OCCURRENCES


def test_cancelled_activity_stays_with_status_cancelled():
    body = ical.calendar("x", [make(status="cancelled", rrule="FREQ=WEEKLY;COUNT=2")], CONTEXT)

    assert {status for *_rest, status in client_events(body, date(2025, 4, 1), date(2025, 6, 1))} == {"CANCELLED"}


def test_cancelled_one_off_occurrence_is_shown_cancelled():
    talk = make()
    talk.occurrences[0].status = "cancelled"

    assert "STATUS:CANCELLED" in ical.calendar("x", [talk], CONTEXT).decode()


def test_moved_one_off_activity_shows_its_new_time():
    talk = make()
    talk.occurrences[0].starts_at, talk.occurrences[0].ends_at = utc("2025-04-22T14:00"), utc("2025-04-22T16:00")

    assert client_events(ical.calendar("x", [talk], CONTEXT), date(2025, 4, 1), date(2025, 5, 1)) == [
        ("activity-7@lich.example", utc("2025-04-22T14:00"), utc("2025-04-22T16:00"), "CONFIRMED")]


def test_online_activity_location_and_description():
    (event,) = events(ical.calendar("x", [make(online_url="https://meet.example/abc")], CONTEXT))

    assert event["LOCATION"] == "https://meet.example/abc"
    assert "https://meet.example/abc" in event["DESCRIPTION"]
    assert "GEO" not in event or event["GEO"].latitude == 21.32


def test_a_rule_that_gives_no_date_gives_no_event():
    empty = make(rrule="FREQ=WEEKLY;UNTIL=20250101")

    assert ical.activity_events(empty, CONTEXT) == b""


@pytest.mark.parametrize("tz", ["Asia/Ho_Chi_Minh", "Europe/Paris"])
def test_fragments_are_byte_identical_between_builds(tz):
    context = ical.FeedContext(domain="d", timezone=tz, base_url="https://d", refresh=timedelta(hours=1))

    assert ical.activity_events(make(), context) == ical.activity_events(make(), context)
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in ical.calendar("x", [], context).decode()
