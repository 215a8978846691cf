"""The demo: the merged Phú Thọ (25) of the 1 July 2025 reform among the country's official units, loaded
idempotently. One load serves most checks (the whole country takes a few seconds to import)."""
from collections import Counter
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from calendar_app.accounts.scope import can_read_area
from calendar_app.approval.operations import pending_reports
from calendar_app.audit.models import AuditEntry
from calendar_app.clock import local_today
from calendar_app.demo.build import build
from calendar_app.demo.loader import load_demo
from calendar_app.events.occurrences import sync_occurrences
from calendar_app.events.tagging import retag
from calendar_app.indicators.rollup import compute
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
from calendar_app.participation.models import YearReport
from calendar_app.places.lookup import unit_for_year, unit_on
from calendar_app.places.models import Placement
from calendar_app.vocabulary import INSTITUTION_CATEGORIES

COUNTED = (Area, Institution, Placement, User, Activity, Occurrence, ActivityObservance, Attendance, MonthlyTally,
           SelfAssessment, YearReport, AuditEntry)
ACCOUNTS = {"admin@demo.example", "officer@demo.example", "officer.viettri@demo.example", "editor@demo.example",
            "editor.museum@demo.example", "editor.hycuong@demo.example"}


def _counts(db):
    return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model)) for model in COUNTED}


def _occurrences(db):
    return sorted(db.session.execute(select(Occurrence.activity_id, Occurrence.original_start, Occurrence.starts_at,
                                            Occurrence.ends_at, Occurrence.status)).all())


def _tags(db):
    return sorted(db.session.execute(select(ActivityObservance.activity_id, ActivityObservance.observance_id,
                                            ActivityObservance.source)).all())


def _with_data(report) -> set[str]:
    """Codes of the child areas with at least one institution counted by some indicator."""
    return {part.area.code for result in report.indicators for part in result.areas
            if any(row.denominator for row in part.rows)}


def test_demo_loads_the_merged_province_once(db):
    """One load checked from every side, then a second run (nothing changes) and a third resetting passwords."""
    lines = []
    first_run = load_demo(echo=lines.append)
    assert first_run.changed and set(first_run.credentials) == ACCOUNTS
    assert any(line.startswith("demo loaded in ") for line in lines)  # the load time is printed
    first = _counts(db)
    occurrences, tags = _occurrences(db), _tags(db)

    _check_units_and_institutions(db, first_run)
    _check_reports_by_area(db)
    _check_activities_and_figures(db)
    _check_year_reports(db)
    _check_accounts(db)

    again = []
    second_run = load_demo(echo=again.append)
    assert not second_run.changed and second_run.credentials == {}
    assert "until 30 June 2025: nothing to add" in again and "from 1 July 2025: nothing to add" in again
    assert {i.institution.slug for i in second_run.unplaced} == {i.institution.slug for i in first_run.unplaced}
    assert _counts(db) == first
    assert _occurrences(db) == occurrences and _tags(db) == tags

    reset = load_demo(echo=lambda _line: None, reset_passwords=True)
    assert set(reset.credentials) == ACCOUNTS and _counts(db) == first
    admin = db.session.scalar(select(User).where(User.email == "admin@demo.example"))
    assert admin.check_password(reset.credentials["admin@demo.example"])


def _check_units_and_institutions(db, result):
    # the country's units on both sides of the reform, and Phú Thọ before and after
    assert db.session.scalar(select(func.count()).where(Area.level == "province")) == 63 + 34
    province = unit_on("25", local_today())
    communes = db.session.scalars(select(Area).where(Area.parent_id == province.id)).all()
    assert len(communes) == 148 and {a.level for a in communes} == {"commune"}
    old = [unit_for_year(code, 2024) for code in ("25", "26", "17")]
    assert all(a.valid_to == date(2025, 7, 1) for a in old)
    assert [sum(c.level == "district" for c in a.children) for a in old] == [13, 9, 10]

    # institutions of every category over the three old provinces, most with coordinates
    institutions = db.session.scalars(select(Institution).options(selectinload(Institution.placements))).all()
    assert 150 <= len(institutions) <= 300
    assert {i.category for i in institutions} == set(INSTITUTION_CATEGORIES)
    assert sum(i.latitude is not None for i in institutions) >= 0.8 * len(institutions)
    since_always = [i.placements[0].area for i in institutions if i.placements[0].valid_from is None]
    assert all(sum(area.path.startswith(p.path) for area in since_always) >= 40 for p in old)
    assert {area.level for area in since_always} == {"commune", "district"}

    # the reform moved everyone it could from 1 July 2025; the few others are listed for an admin
    unplaced = {item.institution.slug for item in result.unplaced}
    assert 1 <= len(unplaced) <= 5
    assert {i.slug for i in institutions if not i.area.valid_on(local_today())} == unplaced
    for institution in institutions:
        if institution.slug not in unplaced:
            assert institution.placements[-1].area.path.startswith(province.path)
            assert institution.placements[-1].valid_from in (None, date(2025, 7, 1))


def _check_reports_by_area(db):
    """The 2024 dashboard of 25 breaks down by the 13 old districts, the 2026 one by the 148 communes."""
    report_2024 = compute(2024, unit_for_year("25", 2024))
    assert len(report_2024.indicators[0].areas) == 13 and len(_with_data(report_2024)) == 13
    report_2026 = compute(2026, unit_for_year("25", 2026))
    assert len(report_2026.indicators[0].areas) == 148 and len(_with_data(report_2026)) >= 100
    for report in (report_2024, report_2026):
        assert all(row.status != "no_data" for result in report.indicators for row in result.rows
                   if row.denominator and result.indicator.kind != "programmes")
    growth = compute(2025, unit_for_year("25", 2025)).result("library_users_growth").rows[0]
    assert growth.value is not None  # like for like across the reform


def _check_activities_and_figures(db):
    activities = db.session.scalars(select(Activity).options(
        selectinload(Activity.occurrences), selectinload(Activity.observance_links))).all()
    assert 500 <= len(activities) <= 1500
    assert {a.starts_at.year for a in activities} >= {2023, 2024, 2025, 2026, 2027}
    tagged = set(db.session.scalars(
        select(Observance.key).join(ActivityObservance, ActivityObservance.observance_id == Observance.id)))
    assert tagged == set(db.session.scalars(select(Observance.key)))
    assert sum(a.rrule is not None for a in activities) >= 50
    assert {a.status for a in activities} == {"draft", "published", "cancelled"}
    assert any(a.registration_required and a.capacity for a in activities)
    assert len({a.programme for a in activities if a.programme}) >= 5
    changed = [o for a in activities for o in a.occurrences if o.overridden]
    assert {o.status for o in changed} == {"cancelled", "scheduled"}

    # the occurrences and automatic tags are the ones sync_occurrences() and retag() give
    before = _occurrences(db), _tags(db)
    for activity in activities:
        sync_occurrences(activity)
        retag(activity)
    assert (_occurrences(db), _tags(db)) == before

    attendance = db.session.scalars(select(Attendance).options(selectinload(Attendance.audience_counts))).all()
    assert len(attendance) > 1000
    assert any(a.online for a in attendance) and any(a.audience_counts for a in attendance)
    assert set(db.session.scalars(select(MonthlyTally.year).distinct())) == {2023, 2024, 2025, 2026}
    assert set(db.session.scalars(select(SelfAssessment.year).distinct())) == {2023, 2024, 2025, 2026}


def _check_year_reports(db):
    """Every state of the approval flow, made by the approval operations (so the audit trail holds it)."""
    reports = db.session.scalars(select(YearReport)).all()
    assert {r.status for r in reports} == {"open", "submitted", "returned", "approved"}
    assert {r.status for r in reports if r.year in (2024, 2025)} == {"open", "submitted", "returned", "approved"}
    assert all(r.comment for r in reports if r.status in ("returned", "open"))
    actions = Counter(db.session.scalars(select(AuditEntry.action).where(AuditEntry.entity_type == "year_report")))
    assert set(actions) == {"submit", "approve", "return", "unlock"}
    assert actions["approve"] == sum(r.status == "approved" for r in reports) + actions["unlock"]
    assert actions["submit"] == sum(r.status != "open" for r in reports) + actions["return"] - sum(
        r.status == "returned" for r in reports) + actions["unlock"]
    unlocked = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "unlock"))
    assert unlocked.reason and unlocked.entity_id == "thu-vien-viet-tri/2024"
    officer = db.session.scalar(select(User).where(User.email == "officer@demo.example"))
    assert pending_reports(officer, 2025) and pending_reports(officer, 2026)


def _check_accounts(db):
    users = {u.email: u for u in db.session.scalars(select(User))}
    assert set(users) == ACCOUNTS
    officer = users["officer@demo.example"]
    assert officer.role == "officer" and officer.area.code == "25" and officer.area.valid_from == date(2025, 7, 1)
    viet_tri = users["officer.viettri@demo.example"]
    assert viet_tri.role == "officer" and viet_tri.area.code == "227" and viet_tri.area.closed
    assert can_read_area(viet_tri, viet_tri.area)  # the closed district's years stay readable
    assert can_read_area(officer, unit_for_year("25", 2024))  # and the merged province reads the old ones
    commune_editor = users["editor.hycuong@demo.example"]
    assert commune_editor.role == "editor" and commune_editor.institution.area.level == "commune"
    assert commune_editor.institution.area.valid_on(local_today())
    assert commune_editor.institution.area.path.startswith(officer.area.path)
    assert users["editor@demo.example"].institution.slug == "thu-vien-tinh-phu-tho"
    assert users["editor.museum@demo.example"].institution.slug == "bao-tang-hung-vuong"
    assert users["admin@demo.example"].role == "admin"


def test_demo_records_are_the_same_on_every_build():
    demo = build()
    assert len({r.slug for r in demo.institutions}) == len(demo.institutions)
    assert len({(a.institution, a.title) for a in demo.activities}) == len(demo.activities)
    build.cache_clear()
    assert build() == demo
