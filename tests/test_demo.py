from sqlalchemy import func, select

from calendar_app.demo.loader import load_demo
from calendar_app.models import (
    Activity,
    ActivityObservance,
    Area,
    Attendance,
    Institution,
    MonthlyTally,
    Observance,
    Occurrence,
    SelfAssessment,
    User,
)
from calendar_app.vocabulary import INSTITUTION_CATEGORIES

COUNTED = (Area, Institution, User, Activity, Occurrence, ActivityObservance, Attendance, MonthlyTally,
           SelfAssessment)


def _counts(db):
    return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model)) for model in COUNTED}


def test_demo_province_is_complete_and_idempotent(db):
    credentials = load_demo(echo=lambda _msg: None)
    assert {u.role for u in db.session.scalars(select(User))} == {"admin", "officer", "editor"}
    assert set(credentials) == set(db.session.scalars(select(User.email)))
    first = _counts(db)
    snapshot = sorted(db.session.execute(select(Occurrence.activity_id, Occurrence.starts_at)).all())

    assert load_demo(echo=lambda _msg: None) == {}
    assert _counts(db) == first
    assert sorted(db.session.execute(select(Occurrence.activity_id, Occurrence.starts_at)).all()) == snapshot

    province = db.session.scalar(select(Area).where(Area.code == "25"))
    districts = [a.code for a in province.children]
    assert districts == ["227", "228", "230", "231", "232", "233", "234", "235", "236", "237", "238", "239", "240"]
    assert first["institutions"] >= 30
    assert {i.category for i in db.session.scalars(select(Institution))} == set(INSTITUTION_CATEGORIES)
    assert first["activities"] >= 60
    assert db.session.scalar(select(func.count()).where(Activity.rrule.is_not(None))) >= 5
    tagged = set(db.session.scalars(
        select(Observance.key).join(ActivityObservance, ActivityObservance.observance_id == Observance.id)))
    assert tagged == set(db.session.scalars(select(Observance.key)))
    years = {a.starts_at.year for a in db.session.scalars(select(Activity))}
    assert {2024, 2025, 2026, 2027} <= years
    assert first["attendances"] > 100 and first["monthly_tallies"] > 100 and first["self_assessments"] > 0


def test_reset_passwords_gives_new_credentials(db):
    load_demo(echo=lambda _msg: None)
    again = load_demo(echo=lambda _msg: None, reset_passwords=True)
    user = db.session.scalar(select(User).where(User.email == "admin@demo.example"))
    assert user.check_password(again["admin@demo.example"])
