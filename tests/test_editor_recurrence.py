"""The recurrence builder: a librarian's choices -> RRULE, and a stored RRULE -> the choices, both ways."""
from datetime import date, datetime

import pytest

from calendar_app.clock import to_utc
from calendar_app.events.recurrence import expand, validate
from calendar_app.events.rrule_builder import Repeat, defaults_for, from_rrule, starts_on_rule, to_rrule


@pytest.mark.parametrize("repeat, all_day, rule", [
    (Repeat(), False, None),
    (Repeat(kind="weekly", weekdays=["WE"], end="count", count=6), False, "FREQ=WEEKLY;BYDAY=WE;COUNT=6"),
    # days come out in week order whatever order they were ticked in
    (Repeat(kind="weekly", weekdays=["TH", "TU"], interval=2, end="count", count=10), False,
     "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;COUNT=10"),
    # the end of the last local day (23:59:59 in Hanoi) in UTC, as RFC 5545 wants beside a TZID
    (Repeat(kind="weekly", weekdays=["SA"], end="until", until=date(2025, 12, 20)), False,
     "FREQ=WEEKLY;BYDAY=SA;UNTIL=20251220T165959Z"),
    (Repeat(kind="weekly", weekdays=["SA"], end="until", until=date(2025, 12, 20)), True,
     "FREQ=WEEKLY;BYDAY=SA;UNTIL=20251220"),
    (Repeat(kind="monthly_weekday", ordinal=3, weekday="SA", end="count", count=12), False,
     "FREQ=MONTHLY;BYDAY=3SA;COUNT=12"),
    (Repeat(kind="monthly_weekday", ordinal=-1, weekday="FR", end="count", count=3), False,
     "FREQ=MONTHLY;BYDAY=-1FR;COUNT=3"),
    (Repeat(kind="monthly_date", month_day=15, end="until", until=date(2026, 6, 15)), True,
     "FREQ=MONTHLY;BYMONTHDAY=15;UNTIL=20260615"),
    (Repeat(kind="custom", custom=" freq=daily;count=3 "), False, "FREQ=DAILY;COUNT=3"),
])
def test_choices_to_rrule(repeat, all_day, rule):
    assert to_rrule(repeat, all_day) == rule
    if rule:
        validate(rule)  # always a rule the activity schema accepts


@pytest.mark.parametrize("rule, expected", [
    (None, Repeat()),
    ("FREQ=WEEKLY;BYDAY=WE;COUNT=6", Repeat(kind="weekly", weekdays=["WE"], end="count", count=6)),
    ("RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TH,TU;COUNT=10",
     Repeat(kind="weekly", interval=2, weekdays=["TU", "TH"], end="count", count=10)),
    ("FREQ=WEEKLY;BYDAY=SA;UNTIL=20251220T165959Z",
     Repeat(kind="weekly", weekdays=["SA"], end="until", until=date(2025, 12, 20))),
    ("FREQ=WEEKLY;BYDAY=SA;UNTIL=20251220", Repeat(kind="weekly", weekdays=["SA"], end="until",
                                                   until=date(2025, 12, 20))),
    ("FREQ=WEEKLY;COUNT=4", Repeat(kind="weekly", weekdays=[], end="count", count=4)),
    ("FREQ=MONTHLY;BYDAY=3SA;COUNT=12", Repeat(kind="monthly_weekday", ordinal=3, weekday="SA", end="count",
                                               count=12)),
    ("FREQ=MONTHLY;BYDAY=SA;BYSETPOS=-1;COUNT=5", Repeat(kind="monthly_weekday", ordinal=-1, weekday="SA",
                                                         end="count", count=5)),
    ("FREQ=MONTHLY;BYMONTHDAY=15;UNTIL=20260615", Repeat(kind="monthly_date", month_day=15, end="until",
                                                         until=date(2026, 6, 15))),
])
def test_rrule_to_choices(rule, expected):
    assert from_rrule(rule) == expected


@pytest.mark.parametrize("rule", [
    "FREQ=DAILY;COUNT=5",                          # daily is not offered by the builder
    "FREQ=YEARLY;BYMONTH=10;COUNT=3",
    "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;COUNT=3",       # parts the builder does not show
    "FREQ=MONTHLY;BYDAY=MO,TU;COUNT=3",
    "FREQ=MONTHLY;BYDAY=5SA;COUNT=3",              # fifth Saturday
    "FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=3",
    "FREQ=WEEKLY;BYDAY=MO;COUNT=3;UNTIL=20251231",  # both ends: not allowed by RFC 5545
    "FREQ=WEEKLY;BYDAY=MO",                        # no end: unbounded
    "FREQ=WEEKLY;INTERVAL=40;COUNT=3",
    "nonsense",
])
def test_rules_the_builder_cannot_show_are_kept_as_custom(rule):
    repeat = from_rrule(rule)
    assert repeat.kind == "custom" and repeat.custom == rule.upper()
    assert to_rrule(repeat, False) == rule.upper()


@pytest.mark.parametrize("repeat", [
    Repeat(kind="weekly", weekdays=["MO", "WE", "FR"], interval=1, end="count", count=9),
    Repeat(kind="monthly_weekday", ordinal=2, weekday="SU", interval=3, end="until", until=date(2027, 1, 1)),
    Repeat(kind="monthly_date", month_day=31, interval=1, end="count", count=4),
])
@pytest.mark.parametrize("all_day", [False, True])
def test_round_trip(repeat, all_day):
    assert from_rrule(to_rrule(repeat, all_day)) == repeat


def test_until_includes_the_last_day_and_expansion_matches_the_preview():
    rule = to_rrule(Repeat(kind="weekly", weekdays=["SA"], end="until", until=date(2025, 10, 25)), False)
    start = to_utc(datetime(2025, 10, 4, 18, 0))
    days = [s.date() for s, _e in expand(start, start.replace(hour=13), rule)]
    # 18:00 in Hanoi is 11:00 UTC: four Saturdays, the last one on the UNTIL day itself
    assert days == [date(2025, 10, 4), date(2025, 10, 11), date(2025, 10, 18), date(2025, 10, 25)]


def test_third_saturday_expands_to_third_saturdays():
    rule = to_rrule(Repeat(kind="monthly_weekday", ordinal=3, weekday="SA", end="count", count=3), False)
    start = to_utc(datetime(2025, 9, 20, 8, 0))
    assert [s.date() for s, _e in expand(start, start, rule)] == [date(2025, 9, 20), date(2025, 10, 18),
                                                                 date(2025, 11, 15)]


@pytest.mark.parametrize("repeat, first, ok", [
    (Repeat(kind="weekly", weekdays=["WE"]), date(2025, 10, 1), True),
    (Repeat(kind="weekly", weekdays=["TH"]), date(2025, 10, 1), False),
    (Repeat(kind="monthly_weekday", ordinal=3, weekday="SA"), date(2025, 9, 20), True),
    (Repeat(kind="monthly_weekday", ordinal=2, weekday="SA"), date(2025, 9, 20), False),
    (Repeat(kind="monthly_weekday", ordinal=-1, weekday="TU"), date(2025, 9, 30), True),
    (Repeat(kind="monthly_weekday", ordinal=-1, weekday="TU"), date(2025, 9, 23), False),
    (Repeat(kind="monthly_date", month_day=15), date(2025, 9, 15), True),
    (Repeat(kind="monthly_date", month_day=15), date(2025, 9, 16), False),
])
def test_first_date_must_be_one_the_rule_gives(repeat, first, ok):
    assert starts_on_rule(repeat, first) is ok


def test_defaults_follow_the_first_date():
    assert defaults_for(date(2025, 9, 20)) == Repeat(weekdays=["SA"], ordinal=3, weekday="SA", month_day=20)
    assert defaults_for(date(2025, 8, 30)).ordinal == -1  # a fifth Saturday is offered as "last"
