"""The monthly facts the indicators read (indicators/facts.py) say what the live tables say, after any write
the app makes; the current month is counted live; writes from outside need `flask rebuild-facts`."""
import random
import threading
from datetime import datetime

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from calendar_app import clock
from calendar_app.events import operations as events
from calendar_app.extensions import db
from calendar_app.indicators import facts, rollup
from calendar_app.indicators.models import InstitutionMonth, InstitutionMonthKey, InstitutionYear, InstitutionYearKey
from calendar_app.participation import operations as participation
from calendar_app.participation.models import Attendance
from calendar_app.places import operations as places
from calendar_app.places.models import Area
from tests import factories as f
from tests.participation_fixtures import frozen_fixture, world_fixture  # noqa: F401
from tests.test_indicators import attend, build
from tests.test_scheduler import private_postgres


def stored() -> tuple[set, set, set, set]:
    """The month rows, key rows, year rows (those with anything but zeros) and year keys the database holds."""
    return (set(db.session.execute(select(*InstitutionMonth.__table__.c)).all()),
            set(db.session.execute(select(*InstitutionMonthKey.__table__.c)).all()),
            {row for row in db.session.execute(select(*InstitutionYear.__table__.c)).all() if any(row[2:])},
            set(db.session.execute(select(*InstitutionYearKey.__table__.c)).all()))


def recomputed() -> tuple[set, set, set, set]:
    """The same from the live tables (the year keys from the month keys recomputed so)."""
    years = facts.year_rows()
    keys = set(db.session.execute(facts.month_keys()).all())
    year_keys: dict[tuple, datetime] = {}
    for institution_id, month, kind, key, first_start in keys:
        at = (institution_id, month // 100, kind, key)
        year_keys[at] = min(first_start, year_keys.get(at, first_start))
    return (set(db.session.execute(facts.month_rows()).all()), keys,
            {tuple(row) for row in db.session.execute(years).all() if any(row[2:])},
            {(*at, first_start) for at, first_start in year_keys.items()})


def assert_in_step() -> None:
    db.session.expire_all()
    assert stored() == recomputed()


def test_the_hand_worked_province_is_in_step(db):
    build()
    months, keys, _years, year_keys = stored()
    assert stored() == recomputed()
    lib_a = places.institution_by_slug("lib-a").id
    # lib-a: 0 people on 1/5/2025, 30 on 20/11/2025 (counted in its month whatever the clock says)
    assert {(m, held, attended, attendance) for i, m, held, attended, _o, _c, attendance in months if i == lib_a} \
        == {(202505, 1, 0, 0), (202511, 1, 1, 30)}
    museum = places.institution_by_slug("museum-a").id
    assert {(m, key) for i, m, kind, key, _first in keys if i == museum and kind == "programme"} \
        == {(202303, "p1"), (202505, "p2"), (202506, "p1"), (202512, "p3"), (202212, "p4")}
    # p1, held in March 2023 and in June 2025: a year key for each year, from its first meeting of the year
    assert {(year, key) for i, year, kind, key, _first in year_keys if i == museum and kind == "programme"} \
        == {(2023, "p1"), (2025, "p2"), (2025, "p1"), (2025, "p3"), (2022, "p4")}
    cc_b = places.institution_by_slug("cc-b").id
    assert {(kind, key) for i, _m, kind, key, _first in keys if i == cc_b} == {("audience", "everyone"),
                                                                               ("category", "festival")}


def test_every_write_of_the_app_keeps_the_facts_in_step(db, world):
    users, lib = world["users"], world["lib"]
    editor, admin = users["editor"], users["admin"]
    club = world["club"]
    assert_in_step()
    first, second = club.occurrences[0], club.occurrences[1]

    participation.record_attendance(editor, first, {"total": 40, "onsite": 30, "online": 10})
    db.session.commit()
    assert_in_step()
    participation.record_attendance(editor, first, {"total": 12, "version": 1})
    db.session.commit()
    assert_in_step()

    events.change_occurrence(editor, club, second, {"starts_at": "2025-11-03T09:00"})  # into another month
    db.session.commit()
    assert_in_step()
    events.change_occurrence(editor, club, first, {"status": "cancelled"})
    db.session.commit()
    assert_in_step()

    events.update_activity(editor, club, {"categories": ["club"], "audiences": ["elderly"]})
    db.session.commit()
    assert_in_step()
    events.set_status(editor, club, "draft")
    db.session.commit()
    assert_in_step()
    events.set_status(editor, club, "published")
    db.session.commit()
    assert_in_step()

    places.update_institution(admin, lib, {"category": "culture_centre_district"})  # now its keys are kept
    db.session.commit()
    assert_in_step()
    assert any(kind == "audience" for i, _m, kind, _k, _first in stored()[1] if i == lib.id)

    db.session.delete(db.session.scalar(select(Attendance).where(Attendance.occurrence_id == first.id)))
    db.session.commit()
    assert_in_step()
    copy = events.duplicate_activity(editor, club)
    db.session.commit()
    events.set_status(editor, copy, "published")
    db.session.commit()
    assert_in_step()
    db.session.delete(club)
    db.session.commit()
    assert_in_step()


def test_a_rolled_back_write_leaves_the_facts_as_they_were(db, world):
    before = stored()
    attend(world["club"], 77)
    db.session.flush()
    db.session.rollback()
    assert stored() == before
    db.session.commit()  # nothing left over from the rolled-back write
    assert stored() == before


@pytest.fixture()
def library(db):
    province = f.area("25", "Phú Thọ", "province")
    library = f.institution("tv", f.area("227", "Việt Trì", parent=province))
    for start, total in [("2025-10-10T09:00", 5), ("2025-11-01T06:00", 7), ("2025-11-20T09:00", 9),
                         ("2025-12-05T09:00", 11)]:
        attend(f.activity(library, start=start), total)
    db.session.commit()
    return province


def users_total(year: int, area, now: datetime) -> int:
    document = rollup.compute(year, area, now=now).as_document()
    return next(i for i in document["indicators"] if i["key"] == "library_users_growth")["rows"][0]["numerator"]


def test_the_current_month_is_counted_live_up_to_now(library):
    # 1/11/2025 01:00 UTC is 08:00 local: the 06:00 meeting has started, the 20/11 one has not
    assert users_total(2025, library, datetime(2025, 11, 1, 1, 0)) == 5 + 7
    assert users_total(2025, library, datetime(2025, 10, 31, 22, 0)) == 5  # 05:00 local on 1/11
    assert users_total(2025, library, datetime(2025, 12, 5, 3, 0)) == 5 + 7 + 9 + 11
    assert users_total(2025, library, datetime(2026, 3, 1)) == 5 + 7 + 9 + 11
    assert users_total(2025, library, datetime(2025, 1, 1)) == 0
    assert users_total(2026, library, datetime(2026, 3, 1)) == 0


def test_writes_from_outside_the_app_need_rebuild_facts(library, runner):
    now = datetime(2026, 1, 1)
    db.session.execute(text("UPDATE attendances SET total = total + 100"))
    db.session.commit()
    assert users_total(2025, library, now) == 32  # the facts do not know yet
    result = runner.invoke(args=["rebuild-facts"])
    assert result.exit_code == 0, result.output
    assert "3 institution-months" in result.output  # October, November (two meetings), December
    assert users_total(2025, library, now) == 432
    assert stored() == recomputed()


def test_two_transactions_refreshing_one_institution_take_turns(monkeypatch):
    """Without the lock, the second transaction's insert would collide with the first one's rows."""
    from calendar_app import create_app
    from calendar_app.config import for_tests

    with private_postgres("facts") as url:
        app = create_app(for_tests(url))
        with app.app_context():
            db.create_all()
            province = f.area("25", "Phú Thọ", "province")
            library = f.institution("tv", province)
            activities = [f.activity(library, start=f"2025-0{month}-10T09:00") for month in (3, 4)]
            db.session.commit()
            library_id, occurrence_ids = library.id, [a.occurrences[0].id for a in activities]
            db.session.remove()

            engine = create_engine(url)
            both_inside = threading.Barrier(2, timeout=10)
            original, errors = facts.refresh_months, []

            def refresh_together(connection, touched, *rest):
                both_inside.wait()
                original(connection, touched, *rest)

            def record(occurrence_id, total):
                try:
                    with Session(engine) as session:
                        session.add(Attendance(occurrence_id=occurrence_id, total=total))
                        session.commit()
                except Exception as error:  # noqa: BLE001 — reported below
                    errors.append(error)

            monkeypatch.setattr(facts, "refresh_months", refresh_together)
            threads = [threading.Thread(target=record, args=(oid, total))
                       for oid, total in zip(occurrence_ids, (3, 4), strict=True)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
            monkeypatch.undo()
            engine.dispose()
            assert errors == []
            assert set(db.session.execute(select(InstitutionMonth.month, InstitutionMonth.attendance)
                                          .where(InstitutionMonth.institution_id == library_id))) \
                == {(202503, 3), (202504, 4)}
            assert stored() == recomputed()
            db.session.remove()
            db.engine.dispose()


def test_occurrences_fall_in_their_local_month_at_their_institution(db):
    province = f.area("25", "Phú Thọ", "province")
    one, other = f.institution("a", province), f.institution("b", province)
    f.activity(one, start="2025-03-10T09:00", rrule="FREQ=MONTHLY;COUNT=3")
    f.activity(other, start="2025-03-31T23:30")  # 23:30 local on 31/3 is 16:30 UTC: still March
    f.activity(other, start="2025-05-01T00:30")  # 00:30 local on 1/5 is 17:30 UTC on 30/4: May
    db.session.commit()
    rows = {(i, m, held) for i, m, held, *_ in stored()[0]}
    assert rows == {(one.id, 202503, 1), (one.id, 202504, 1), (one.id, 202505, 1), (other.id, 202503, 1),
                    (other.id, 202505, 1)}


def test_random_writes_leave_the_facts_equal_to_a_full_rebuild(db, world):
    """Each commit recomputes only the months it touched; whatever the writes, the result is what a full
    rebuild gives."""
    users, lib, museum = world["users"], world["lib"], world["museum"]
    admin = users["admin"]
    chosen = random.Random(16)
    activities = [world["club"], world["museum_visit"]]
    activities += [f.activity(lib if n % 2 else museum, f"Buổi {n}", start=f"2025-0{1 + n % 9}-1{n % 9}T09:00",
                              rrule="FREQ=WEEKLY;COUNT=6", categories=(("club",), ("reading",), ("talk",))[n % 3],
                              programme=f"p{n % 4}" if n % 2 == 0 else None)
                   for n in range(8)]
    db.session.commit()
    assert_in_step()
    for step in range(30):
        activity = chosen.choice(activities)
        occurrence = chosen.choice(activity.occurrences)
        action = chosen.choice(("attend", "attend", "move", "cancel", "restore", "categories", "status", "tally"))
        if action == "attend" and occurrence.status == "scheduled" and activity.status == "published" \
                and occurrence.starts_at <= clock.utcnow():
            current = participation.attendance_of(occurrence)
            total = chosen.randrange(0, 60)
            online = chosen.randrange(0, total + 1)
            participation.record_attendance(admin, occurrence, {
                "total": total, "onsite": total - online, "online": online,
                "version": current.version if current else None})
        elif action == "move":
            day = chosen.randrange(1, 28)
            month = chosen.randrange(1, 10)
            events.change_occurrence(admin, activity, occurrence, {"starts_at": f"2025-0{month}-{day:02}T09:00"})
        elif action == "cancel":
            events.change_occurrence(admin, activity, occurrence, {"status": "cancelled"})
        elif action == "restore":
            events.change_occurrence(admin, activity, occurrence, {"status": "scheduled"})
        elif action == "categories":
            events.update_activity(admin, activity, {"categories": [chosen.choice(("club", "course", "talk"))],
                                                     "audiences": [chosen.choice(("elderly", "youth"))]})
        elif action == "status":
            events.set_status(admin, activity, chosen.choice(("draft", "published")))
        elif action == "tally":
            participation.set_tallies(admin, chosen.choice((lib, museum)), chosen.choice((2024, 2025)),
                                      chosen.randrange(1, 13),
                                      {chosen.choice(("library_visits", "museum_study_visitors", "club_members")):
                                       chosen.randrange(0, 500)})
        db.session.commit()
        db.session.expire_all()
        assert stored() == recomputed(), f"step {step}: {action}"


def test_an_attendance_rewrites_only_the_facts_of_its_month(db, world):
    """A write recomputes the months it touched and leaves the institution's other months untouched: marked
    rows of other months keep their marks (a full recomputation would have erased them)."""
    club, lib = world["club"], world["lib"]
    f.activity(lib, "Lịch sử", start="2024-01-10T09:00", rrule="FREQ=MONTHLY;COUNT=12")
    db.session.commit()
    months = InstitutionMonth.__table__
    marked = db.session.execute(months.update().where(months.c.institution_id == lib.id, months.c.month < 202509)
                                .values(attendance=months.c.attendance + 1000)).rowcount
    db.session.commit()
    assert marked == 12  # the twelve months of 2024
    participation.record_attendance(world["users"]["editor"], club.occurrences[1], {"total": 25})  # 1/10/2025
    db.session.commit()
    rows = dict(db.session.execute(select(InstitutionMonth.month, InstitutionMonth.attendance)
                                   .where(InstitutionMonth.institution_id == lib.id)).all())
    assert rows[202510] == 25
    assert all(rows[month] == 1000 for month in rows if month < 202509)


def test_a_past_year_read_from_the_year_rows_is_the_report_its_months_gave(db):
    """Once a year is over the report reads one row per institution and year: the same document as the
    months gave on the year's last evening (everything of the hand-worked province had started by then)."""
    build()
    province = db.session.scalar(select(Area).where(Area.code == "01"))
    last_evening = clock.to_utc(datetime(2025, 12, 31, 23, 59))
    for year in (2024, 2025):
        by_months = rollup.compute(year, province, now=last_evening).as_document()
        by_years = rollup.compute(year, province, now=datetime(2026, 2, 1)).as_document()
        assert by_years == by_months


@pytest.mark.parametrize("now", [datetime(2025, 1, 1), datetime(2025, 5, 15, 3), datetime(2025, 11, 1, 1),
                                 datetime(2025, 11, 20, 3), datetime(2025, 12, 31, 16)])
def test_the_current_year_from_its_year_rows_less_the_months_ahead_is_what_its_months_say(db, monkeypatch, now):
    """This year's report reads its year rows, less the months from the current one on, plus the current
    month live: the same document as adding up its months before the current one."""
    build()
    province = db.session.scalar(select(Area).where(Area.code == "01"))
    from_year_rows = rollup.compute(2025, province, now=now).as_document()
    monkeypatch.setattr(rollup.Facts, "_this_year", lambda self: self._months(since=self.year))
    monkeypatch.setattr(rollup.Facts, "programmes", rollup.Facts.programmes_from_months)
    assert rollup.compute(2025, province, now=now).as_document() == from_year_rows


@pytest.mark.parametrize("now", [datetime(2026, 2, 1), datetime(2025, 11, 20, 3)])
def test_the_years_that_are_over_computed_together_are_the_reports_one_by_one(db, now):
    """The dashboard's trend computes its past years in two statements: the same documents as one by one
    (without the child breakdown), whatever year the placements and plan targets are of."""
    build()
    province = db.session.scalar(select(Area).where(Area.code == "01"))
    years = [year for year in (2022, 2023, 2024, 2025) if year < clock.local_day(now).year]
    together = [report.as_document() for report in rollup.past_years(years, province, now=now)]
    one_by_one = [rollup.compute(year, province, now=now, with_children=False).as_document() for year in years]
    assert together == one_by_one
    assert any(row["numerator"] for document in together for indicator in document["indicators"]
               for row in indicator["rows"])
