"""A small world for the participation tests: two institutions, their staff and API tokens, a held activity,
a coming activity that takes registrations, and a fixed "now" (10/10/2025 12:00 local time).

Import `frozen_fixture, world_fixture` into a test module to get the fixtures `frozen` and `world`.
"""
import json
from datetime import datetime

import pytest
from sqlalchemy import func, select

from calendar_app import clock
from calendar_app.accounts.models import ApiToken
from calendar_app.models import (
    Attendance,
    AttendanceAudience,
    AuditEntry,
    MonthlyTally,
    Registrant,
    Registration,
    SelfAssessment,
    YearReport,
)
from tests import factories as f

NOW = clock.to_utc(datetime(2025, 10, 10, 12, 0))
PASSWORD = "correct horse battery"
#: the rows a refused write must leave exactly as they were
WATCHED = (Attendance, AttendanceAudience, MonthlyTally, SelfAssessment, Registration, Registrant, YearReport,
           AuditEntry)


@pytest.fixture(name="frozen")
def frozen_fixture(monkeypatch):
    """Pages and the API see NOW as the current time."""
    monkeypatch.setattr(clock, "utcnow", lambda: NOW)
    return NOW


@pytest.fixture(name="world")
def world_fixture(db, frozen):
    province = f.area("25", "Phú Thọ", "province")
    district = f.area("227", "Việt Trì", parent=province)
    other = f.area("230", "Đoan Hùng", parent=province)
    lib = f.institution("thu-vien", district, name="Thư viện Việt Trì")
    museum = f.institution("bao-tang", other, "museum", name="Bảo tàng Đoan Hùng")
    users = {
        "editor": f.user("ed@example.org", "editor", institution=lib),
        "editor2": f.user("ed2@example.org", "editor", institution=lib),
        "outsider": f.user("out@example.org", "editor", institution=museum),
        "officer": f.user("of@example.org", "officer", area=district),
        "officer_out": f.user("of2@example.org", "officer", area=other),
        "admin": f.user("admin@example.org", "admin"),
    }
    # a weekly club: 24/9, 1/10, 8/10 held; 15/10 still to come
    club = f.activity(lib, "Câu lạc bộ đọc sách", start="2025-09-24T09:00", rrule="FREQ=WEEKLY;COUNT=4",
                      audiences=("pupils", "youth"))
    talk = f.activity(lib, "Tọa đàm sách hay", start="2025-10-20T09:00", registration_required=True, capacity=3)
    museum_visit = f.activity(museum, "Tham quan bảo tàng", start="2025-10-01T09:00")
    tokens = {}
    for name, user in users.items():
        token, tokens[name] = ApiToken.issue(user, "test")
    db.session.commit()
    return {"lib": lib, "museum": museum, "users": users, "tokens": tokens, "club": club, "talk": talk,
            "museum_visit": museum_visit}


def snapshot(db) -> str:
    """Every watched row's columns: equal snapshots mean nothing was written."""
    db.session.expire_all()
    rows = {}
    for model in WATCHED:
        rows[model.__name__] = sorted(json.dumps(dict(row._mapping), default=str, sort_keys=True)
                                      for row in db.session.execute(select(model.__table__)))
    return json.dumps(rows)


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def login(client, email: str) -> None:
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.text


def bearer(world, name: str) -> dict:
    return {"Authorization": f"Bearer {world['tokens'][name]}"}


def approve(db, institution, year: int) -> YearReport:
    """The year approved (its row may exist already: every figure written holds the year's row)."""
    report = db.session.scalar(select(YearReport).where(YearReport.institution_id == institution.id,
                                                        YearReport.year == year))
    if report is None:
        report = YearReport(institution=institution, year=year)
        db.session.add(report)
    report.status = "approved"
    db.session.commit()
    return report
