from datetime import datetime

import pytest

from calendar_app.clock import to_local
from calendar_app.events.recurrence import (
    RecurrenceError,
    expand,
    occurrence_key,
    parse_occurrence_key,
    validate,
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
