from datetime import date

import pytest
from sqlalchemy import select

from calendar_app.events.tagging import retag
from calendar_app.models import Observance, ObservanceDate
from calendar_app.observances.dates import lunar_to_solar, observance_span, tagging_window
from tests import factories as f


def _get(db, key):
    return db.session.scalar(select(Observance).where(Observance.key == key))


@pytest.mark.parametrize("year, expected", [(2024, date(2024, 4, 18)), (2025, date(2025, 4, 7)),
                                            (2026, date(2026, 4, 26))])
def test_hung_kings_day_from_the_vietnamese_lunar_calendar(db, year, expected):
    assert lunar_to_solar(year, 3, 10) == expected
    span = observance_span(_get(db, "hung-kings"), year)
    assert span.starts_on == span.ends_on == expected


def test_fixed_days(db):
    assert observance_span(_get(db, "book-reading-day"), 2025).starts_on == date(2025, 4, 21)
    assert observance_span(_get(db, "world-book-day"), 2025).starts_on == date(2025, 4, 23)
    assert observance_span(_get(db, "museum-day"), 2025).starts_on == date(2025, 5, 18)
    assert observance_span(_get(db, "heritage-day"), 2025).starts_on == date(2025, 11, 23)
    window = tagging_window(_get(db, "heritage-day"), 2025)
    assert (window.starts_on, window.ends_on) == (date(2025, 11, 20), date(2025, 11, 26))


def test_lifelong_learning_week_default_and_per_year_dates(db):
    week = _get(db, "lifelong-learning-week")
    span = observance_span(week, 2025)
    assert (span.starts_on, span.ends_on) == (date(2025, 10, 1), date(2025, 10, 7))
    week.dates.append(ObservanceDate(year=2026, starts_on=date(2026, 9, 28), ends_on=date(2026, 10, 4)))
    db.session.flush()
    span = observance_span(week, 2026)
    assert (span.starts_on, span.ends_on) == (date(2026, 9, 28), date(2026, 10, 4))
    window = tagging_window(week, 2026)
    assert (window.starts_on, window.ends_on) == (date(2026, 9, 28), date(2026, 10, 4))


def test_shipped_observances_are_data(db):
    keys = set(db.session.scalars(select(Observance.key)))
    assert keys == {"book-reading-day", "world-book-day", "museum-day", "heritage-day",
                    "lifelong-learning-week", "digital-transformation-day", "hung-kings"}


def test_activity_in_window_is_tagged_and_removed_tag_stays_removed(db):
    province = f.area("25", "P", "province")
    lib = f.institution("lib", province)
    act = f.activity(lib, start="2025-04-20T09:00")  # inside both 21/4 and 23/4 windows
    retag(act)
    assert [o.key for o in act.observances] == ["book-reading-day", "world-book-day"]
    link = next(link for link in act.observance_links if link.observance.key == "world-book-day")
    link.removed = True
    retag(act)
    assert [o.key for o in act.observances] == ["book-reading-day"]
    act.starts_at = act.starts_at.replace(month=10, day=2)
    act.ends_at = act.starts_at.replace(hour=act.starts_at.hour + 2)
    from calendar_app.events.occurrences import sync_occurrences
    sync_occurrences(act)
    retag(act)
    assert [o.key for o in act.observances] == ["lifelong-learning-week"]
