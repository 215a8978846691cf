from datetime import datetime

import pytest
from dateutil.rrule import rrulestr

from calendar_app.clock import to_local
from calendar_app.events.recurrence import (
    RecurrenceError,
    _local_naive_until,
    expand,
    horizon,
    local_times,
    occurrence_key,
    parse_occurrence_key,
    validate,
    validate_series,
)
from tests import factories as f


def test_weekly_rule_expands_in_local_time(db):
    act = f.activity(f.institution("l", f.area("25", level="province")), start="2025-10-01T18:00",
                     rrule="FREQ=WEEKLY;BYDAY=WE,SA;COUNT=4")
    starts = [to_local(o.starts_at).strftime("%a %d %H:%M") for o in act.occurrences]
    assert starts == ["Wed 01 18:00", "Sat 04 18:00", "Wed 08 18:00", "Sat 11 18:00"]


def test_until_as_date_includes_that_day(app):
    with app.app_context():
        times = expand(datetime(2025, 1, 6, 1), datetime(2025, 1, 6, 3), "FREQ=WEEKLY;UNTIL=20250120")
    assert len(times) == 3


@pytest.mark.parametrize("rule", ["FREQ=WEEKLY", "FREQ=SECONDLY;COUNT=3", "FREQ=WEEKLY;COUNT=0",
                                  "FREQ=WEEKLY;COUNT=100000", "FREQ=WEEKLY;BYDAY=XX;COUNT=3", "nonsense",
                                  "FREQ=WEEKLY;FOO=1;COUNT=2"])
def test_bad_or_unbounded_rules_are_refused(rule):
    with pytest.raises(RecurrenceError):
        validate(rule)


def test_occurrence_keys_round_trip(app):
    with app.app_context():
        start = datetime(2025, 4, 21, 2, 0)  # 09:00 in Hà Nội
        assert occurrence_key(start, False) == "2025-04-21T09:00"
        assert parse_occurrence_key("2025-04-21T09:00", False) == start
        assert occurrence_key(datetime(2025, 4, 20, 17), True) == "2025-04-21"
        assert parse_occurrence_key("2025-13-01", True) is None


def test_moved_override_survives_resync_and_removed_dates_go(db):
    from calendar_app.events.occurrences import sync_occurrences

    act = f.activity(f.institution("l", f.area("25", level="province")), start="2025-10-01T18:00",
                     rrule="FREQ=WEEKLY;COUNT=3")
    second = act.occurrences[1]
    second.starts_at = second.starts_at.replace(hour=second.starts_at.hour + 1)
    second.overridden = True
    act.rrule = "FREQ=WEEKLY;COUNT=2"
    sync_occurrences(act)
    assert len(act.occurrences) == 2
    assert act.occurrences[1].moved


# --- a budget for every expansion (issue 11, item 3) -----------------------------------------------------

NEVER = "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;UNTIL=20301231"


@pytest.mark.parametrize("rule, message", [
    ("FREQ=WEEKLY;INTERVAL=0;COUNT=3", "INTERVAL"),
    ("FREQ=WEEKLY;INTERVAL=367;COUNT=3", "INTERVAL"),
    ("FREQ=WEEKLY;INTERVAL=-1;COUNT=3", "INTERVAL"),
    ("FREQ=WEEKLY;UNTIL=20250230", "not a real date"),
    ("FREQ=WEEKLY;UNTIL=99991231T165959Z", "2100-12-31"),
])
def test_interval_and_until_are_checked_with_a_message(app, rule, message):
    with app.test_request_context("/?lang=en"), pytest.raises(RecurrenceError) as refused:
        validate(rule)
    assert message in refused.value.message


@pytest.mark.parametrize("rule, message", [
    (NEVER, "gives no date between the first day and 2035-05-01"),
    ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=3", "gives no date"),
    ("FREQ=WEEKLY;UNTIL=20250401", "gives no date"),           # ends before it starts
    ("FREQ=WEEKLY;UNTIL=20360101", "must end by 2035-05-01"),  # more than ten years
    ("FREQ=YEARLY;COUNT=20", "do not all fall by 2035-05-01"),
])
def test_a_series_must_give_its_dates_within_ten_years(app, rule, message):
    with app.test_request_context("/?lang=en"), pytest.raises(RecurrenceError) as refused:
        validate_series(rule, datetime(2025, 5, 1, 9))
    assert message in refused.value.message


def test_the_horizon_never_passes_2100(app):
    with app.app_context():
        assert horizon(datetime(2095, 2, 28, 9)) == datetime(2100, 12, 31, 23, 59, 59)
        assert horizon(datetime(2024, 2, 29, 9)) == datetime(2034, 2, 28, 23, 59, 59)
        validate_series("FREQ=YEARLY;UNTIL=21001231", datetime(2095, 1, 1, 9))
        with pytest.raises(RecurrenceError):
            validate_series("FREQ=YEARLY;COUNT=7", datetime(2095, 1, 1, 9))


def test_a_rule_that_never_matches_is_searched_over_a_bounded_span(app, monkeypatch):
    """dateutil searches until year 9999 for a date that never comes (8,000 years day by day for NEVER): the
    series is computed 400·k years later, so the search ends within 400 years of the horizon."""
    from calendar_app.events import recurrence

    starts = []

    def spy(text, dtstart):
        starts.append(dtstart)
        return rrulestr(text, dtstart=dtstart)

    monkeypatch.setattr(recurrence, "rrulestr", spy)
    with app.app_context():
        assert list(local_times(NEVER, datetime(2025, 5, 1, 9))) == []
    assert len(starts) == 1 and 9999 - 400 <= starts[0].year + (2035 - 2025) <= 9999
    assert (starts[0].year - 2025) % 400 == 0 and starts[0].replace(year=2025) == datetime(2025, 5, 1, 9)


@pytest.mark.parametrize("rule", ["FREQ=WEEKLY;BYDAY=MO,WE;COUNT=50", "FREQ=MONTHLY;BYDAY=-1FR;COUNT=30",
                                  "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=20", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=2",
                                  "FREQ=YEARLY;BYWEEKNO=1;BYDAY=MO;COUNT=5", "FREQ=DAILY;INTERVAL=3;COUNT=100",
                                  "FREQ=MONTHLY;BYDAY=SA;BYSETPOS=-1;COUNT=24",
                                  "FREQ=WEEKLY;INTERVAL=3;WKST=SU;BYDAY=SU,SA;UNTIL=20300101"])
@pytest.mark.parametrize("start", [datetime(2024, 2, 29, 9), datetime(2025, 12, 31, 18), datetime(2030, 1, 1)])
def test_the_shifted_series_is_the_series(app, rule, start):
    with app.app_context():
        expected = [moment for moment in rrulestr(_local_naive_until(rule), dtstart=start)
                    if moment <= horizon(start)]
        assert list(local_times(rule, start)) == expected


def test_the_api_refuses_a_rule_that_never_matches_on_the_rrule_field(db, client):
    from calendar_app.accounts.models import ApiToken

    lib = f.institution("l", f.area("25", level="province"))
    editor = f.user("ed@example.org", "editor", institution=lib)
    _token, secret = ApiToken.issue(editor, "t")
    db.session.commit()
    body = {"title": "x", "starts_at": "2025-05-01T09:00", "ends_at": "2025-05-01T10:00",
            "rrule": "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;UNTIL=21001231"}
    response = client.post("/api/v1/events?lang=en", json=body, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 422
    assert "must end by 2035-05-01" in response.json["error"]["fields"]["rrule"]
    response = client.post("/api/v1/events?lang=vi", json={**body, "rrule": NEVER},
                           headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 422 and "rrule" in response.json["error"]["fields"]
