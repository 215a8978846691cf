"""The past years a worker keeps for the dashboard's trend (indicators/kept.py): served while nothing they
count changed, computed again after every write that changes it — and only then."""
from datetime import date, datetime

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from calendar_app.events.models import Activity
from calendar_app.extensions import db as database
from calendar_app.indicators import kept, rollup
from calendar_app.indicators.models import FigureGeneration
from calendar_app.participation.models import MonthlyTally, SelfAssessment
from calendar_app.places.models import Area
from calendar_app.places.placement import relocate
from tests import factories as f
from tests.test_indicators import attend, build, tally

NOW = datetime(2026, 2, 1)
YEARS = [2023, 2024, 2025]


@pytest.fixture()
def computed(monkeypatch):
    """The years whose partial rows past_years computed (not kept), call by call."""
    kept.KEPT.clear()
    calls: list[list[int]] = []
    real = rollup._past_partials

    def counting(scope, years):
        calls.append(list(years))
        return real(scope, years)

    monkeypatch.setattr(rollup, "_past_partials", counting)
    return calls


def trend(province: Area) -> list[dict]:
    return [report.as_document() for report in rollup.past_years(YEARS, province, now=NOW)]


def one_by_one(province: Area) -> list[dict]:
    return [rollup.compute(year, province, now=NOW, with_children=False).as_document() for year in YEARS]


def _moved_out(i: dict) -> None:
    other = f.area("02", "Tỉnh Khác", "province")
    relocate(i["lib-b"], other, date(2024, 6, 1))


def _renamed(i: dict) -> None:
    """lib-b's meeting of 2024: its title is no figure (every month of lib-b is recomputed all the same)."""
    activity = database.session.scalar(select(Activity).where(Activity.institution_id == i["lib-b"].id,
                                                              Activity.title == "Năm trước"))
    activity.title = "Tên mới"


def _placed_later(i: dict) -> None:
    """lib-b's placement corrected by itself (the institution row untouched): placed only from 2025 on."""
    i["lib-b"].placements[0].valid_from = date(2025, 1, 1)


def _area_closed(i: dict) -> None:
    i["b"].valid_to = date(2025, 6, 1)


#: a write, and the years it changes (a year's growth compares it with the year before)
WRITES = {
    "attendance in 2024": (lambda i: attend(f.activity(i["lib-a"], start="2024-06-01T09:00"), 7), [2024, 2025]),
    "a tally of 2023": (lambda i: tally(i["prov-lib"], 2023, 5, "library_visits", 70), [2023, 2024]),
    "a self-assessment of 2024": (lambda i: database.session.add(SelfAssessment(institution=i["lib-a"], year=2024,
                                                                            digital_catalogue=True)),
                                  [2024, 2025]),  # 2025 reads 2024's generation too (its growth)
    "a library closed": (lambda i: setattr(i["lib-b2"], "active", False), YEARS),
    "a category changed": (lambda i: setattr(i["lib-b"], "category", "library_commune"), YEARS),
    "a move out of the province in 2024": (_moved_out, YEARS),
    "a placement corrected": (_placed_later, YEARS),
    "an area closed in 2025": (_area_closed, YEARS),
    "attendance this year": (lambda i: attend(f.activity(i["lib-a"], start="2026-01-10T09:00"), 9), []),
    "a past activity renamed": (_renamed, []),
}


@pytest.mark.parametrize("write", WRITES, ids=list(WRITES))
def test_past_years_are_kept_until_a_write_changes_what_they_count(db, computed, write):
    i = build()
    province = i["province"]
    before = trend(province)
    assert before == one_by_one(province)
    assert trend(province) == before and computed == [YEARS]  # the second time, all kept

    change, changed_years = WRITES[write]
    change(i)
    db.session.commit()
    db.session.expire_all()
    after = trend(province)
    assert after == one_by_one(province)
    assert computed[1:] == ([changed_years] if changed_years else [])
    if changed_years:
        assert after != before


def test_nothing_is_kept_within_a_transaction_that_wrote(db, computed):
    """Its own writes renew the generations only as it commits: until then every year is computed."""
    i = build()
    province = i["province"]
    trend(province)
    attend(f.activity(i["lib-a"], start="2024-06-01T09:00"), 7)
    db.session.flush()
    assert trend(province) == one_by_one(province)
    assert computed == [YEARS, YEARS]
    db.session.rollback()


def test_nothing_is_kept_while_the_places_have_no_generation(db, computed):
    """A database written outside the app (no generation of the places yet) keeps nothing."""
    province = build()["province"]
    db.session.execute(delete(FigureGeneration))
    db.session.commit()
    assert trend(province) == trend(province) == one_by_one(province)
    assert computed == [YEARS, YEARS]


def test_a_write_renews_only_the_generations_of_what_it_changed(db):
    i = build()
    generations = dict(db.session.execute(select(FigureGeneration.year, FigureGeneration.generation)).all())
    assert {0, 2024, 2025}.issubset(generations)
    _renamed(i)  # no year row differs
    db.session.commit()
    assert dict(db.session.execute(select(FigureGeneration.year, FigureGeneration.generation)).all()) \
        == generations
    tally(i["prov-lib"], 2023, 5, "library_visits", 70)
    db.session.commit()
    now = dict(db.session.execute(select(FigureGeneration.year, FigureGeneration.generation)).all())
    assert {year for year in now if now[year] != generations.get(year)} == {2023}


def test_a_write_committed_while_a_year_is_computed_is_never_hidden(db, monkeypatch):
    """The generations are read before the figures: figures read just before another transaction commits are
    kept under the generations from before it, which that commit renewed, so they are never served."""
    kept.KEPT.clear()
    i = build()
    province, library_id = i["province"], i["prov-lib"].id
    real, calls = rollup._past_partials, []

    def with_a_write_meanwhile(scope, years):
        calls.append(list(years))
        rows = real(scope, years)
        if len(calls) == 1:  # committed once the figures are read, before they are kept
            with Session(database.engine) as other:
                other.add(MonthlyTally(institution_id=library_id, year=2024, month=6, metric="library_visits",
                                       value=70))
                other.commit()
        return rows

    monkeypatch.setattr(rollup, "_past_partials", with_a_write_meanwhile)
    trend(province)
    database.session.commit()  # the request ends
    assert trend(province) == one_by_one(province)
    assert calls == [YEARS, [2024, 2025]]
