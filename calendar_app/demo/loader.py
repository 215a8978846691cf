"""Load the demo: the merged Phú Thọ of the 1 July 2025 reform, in the order things happened.

1. the official units of the whole country (places/importer.py), so the national view exists;
2. the institutions of the three old provinces, placed in their old communes and districts since always;
3. the activities before the reform, their attendance, the monthly tallies and self-assessments up to
   30 June 2025, and Việt Trì's officer approving the city's 2024 years;
4. the reform, by the operation `flask areas reform` runs (places/reform.py): institutions move into the
   new communes from 1 July 2025; those it cannot place stay listed for an admin;
5. the activities and figures after the reform, and the year reports decided by the new province's officer
   through the approval operations, so that every state of the approval flow has examples.

Every row is found by its natural key before it is created, so a second run adds nothing and says so.
"""
import random
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..accounts.scope import can_manage_institution
from ..approval.operations import approve_year, return_year, submit_year
from ..clock import ONE_DAY, local_day, local_midnight_utc, local_today, to_utc, utcnow
from ..events.models import Activity, ActivityAudience, ActivityCategory, ActivityObservance, Occurrence
from ..events.recurrence import expand
from ..events.tagging import retag
from ..extensions import db
from ..observances.dates import observance_span
from ..observances.models import Observance
from ..observances.tagging import match_observances
from ..participation.locks import unlock_year
from ..participation.models import Attendance, AttendanceAudience, MonthlyTally, SelfAssessment, YearReport
from ..places import official
from ..places.importer import all_provinces, import_units
from ..places.lookup import latest_unit
from ..places.models import Area, Institution, Placement
from ..places.reform import Unplaced, apply_reform, plan_reform
from ..search import fold
from ..seed import seed_reference_data
from ..vocabulary import MUSEUM_CATEGORIES
from . import province as data
from .build import SEED, ActivityRecord, InstitutionRecord, build, lower_type

Echo = Callable[[str], None]

REFORM = official.REFORM_DATE
#: attendance per held occurrence: (fewest, most) people in 2023, before the yearly growth
ATTENDANCE = {
    "library_provincial": (40, 220), "library_district": (25, 120), "library_commune": (12, 45),
    "library_community": (10, 35), "library_school": (30, 150), "library_university": (25, 120),
    "library_armed_forces": (20, 80), "library_specialized": (15, 60), "museum": (60, 400),
    "museum_memorial": (15, 90), "culture_centre_provincial": (100, 600), "culture_centre_district": (60, 350),
    "culture_centre_commune": (15, 80),
}
#: share of held occurrences whose attendance nobody recorded
UNRECORDED = 0.07
#: monthly tallies: metric → (lowest, highest) monthly value in 2023, per category
TALLIES = {
    "library_provincial": {"library_visits": (4000, 9000), "library_online_visits": (1500, 4000)},
    "library_district": {"library_visits": (500, 1800), "library_online_visits": (80, 500)},
    "library_commune": {"library_visits": (80, 300)},
    "library_community": {"library_visits": (40, 150)},
    "library_school": {"library_visits": (200, 900)},
    "library_university": {"library_visits": (1500, 4000), "library_online_visits": (1000, 3000)},
    "library_armed_forces": {"library_visits": (150, 500)},
    "library_specialized": {"library_visits": (100, 400), "library_online_visits": (50, 300)},
    "museum": {"museum_visitors": (2000, 8000), "museum_study_visitors": (300, 1600)},
    "museum_memorial": {"museum_visitors": (200, 800), "museum_study_visitors": (30, 160)},
    "culture_centre_commune": {"club_members": (20, 90)},
}
#: monthly visits relative to the year's average (Tết in January–February, summer holidays)
SEASON = (0.95, 0.7, 1.0, 1.05, 1.05, 1.15, 1.2, 1.15, 1.0, 1.0, 1.0, 0.9)
#: share of commune culture centres keeping a club-members tally in 2023 (more each year)
CLUB_TALLY_SHARE, CLUB_TALLY_GAIN = 0.4, 0.08
#: share of the libraries and museums of a category filling the digital checklist with at least one item in
#: 2023 (more each year: DIGITAL_GAIN), and of those filling it with none
DIGITAL_SHARE = {
    "library_provincial": 1.0, "library_district": 0.45, "library_commune": 0.1, "library_community": 0.1,
    "library_school": 0.45, "library_university": 0.85, "library_armed_forces": 0.5, "library_specialized": 0.6,
    "museum": 0.8, "museum_memorial": 0.2,
}
DIGITAL_GAIN, CHECKLIST_EMPTY = 0.08, 0.2
#: the institutions whose years the generic year-report scenarios cover (commune-level ones report later)
REPORTING_CATEGORIES = ("library_provincial", "library_district", "library_university", "library_armed_forces",
                        "library_specialized", "museum", "museum_memorial", "culture_centre_provincial",
                        "culture_centre_district")
DESCRIPTIONS = (
    "Hoạt động hưởng ứng phong trào học tập suốt đời, miễn phí cho mọi người dân. Xin vui lòng đến sớm 10 phút.",
    "Vào cửa tự do. Trẻ em dưới 10 tuổi đi cùng cha mẹ hoặc người thân.",
    "Thuộc Kế hoạch 2682/KH-UBND về xây dựng xã hội học tập. Mời người dân, học sinh và các gia đình tham gia.",
)


@dataclass
class DemoResult:
    """What a run did: the accounts it created or reset, the rows it added, who is left to place by hand."""

    credentials: dict[str, str] = field(default_factory=dict)
    added: Counter = field(default_factory=Counter)
    unplaced: list[Unplaced] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.credentials) or any(self.added.values())


def load_demo(echo: Echo = print, reset_passwords: bool = False) -> DemoResult:
    """Load (or complete) the demo in the caller's session and commit it."""
    started = time.perf_counter()
    result = DemoResult()
    result.added["reference rows"] += seed_reference_data()
    units = import_units(*all_provinces(), echo=echo)
    result.added["areas"] += units.added + units.changed + units.successions_added
    demo = build()
    institutions = _load_institutions(demo.institutions, result)
    users = _load_accounts(institutions, reset_passwords, result)
    # held for the whole run, with their dates: every activity's automatic tags are read from them
    observances = {o.key: o for o in db.session.scalars(select(Observance).options(selectinload(Observance.dates)))}
    before, after = _split_at_reform(demo.activities, observances)
    echo(f"institutions: {len(institutions)} ({result.added['institutions']} added), activities: {len(before)} "
         f"before the reform and {len(after)} after")

    mark = result.added.copy()
    _load_activities(before, institutions, observances, result)
    _change_occurrences(institutions)
    _load_figures(institutions, REFORM, result)
    _year_reports(data.YEAR_REPORTS_BEFORE_REFORM, users, institutions, result)
    echo(f"until 30 June 2025: {_added_since(mark, result)}")

    _reform(echo, result)

    mark = result.added.copy()
    _load_activities(after, institutions, observances, result)
    _change_occurrences(institutions)
    _load_figures(institutions, data.FIGURES_UNTIL, result)
    _year_reports(data.YEAR_REPORTS_AFTER_REFORM + _usual_year_reports(institutions, users), users,
                  institutions, result)
    echo(f"from 1 July 2025: {_added_since(mark, result)}")
    db.session.commit()
    result.seconds = time.perf_counter() - started
    echo(f"demo {'loaded' if any(result.added.values()) else 'checked'} in {result.seconds:.1f} s")
    return result


def _added_since(mark: Counter, result: DemoResult) -> str:
    return ", ".join(f"{n} {what}" for what, n in (result.added - mark).items()) + " added" \
        if result.added - mark else "nothing to add"


# --- institutions and accounts -----------------------------------------------------------------------------


def _units(records: Iterable[InstitutionRecord]) -> tuple[dict[str, Area], dict[str, Area]]:
    """(old units valid the day before the reform, new units valid on its day), by code, for the records."""
    old_codes = {r.area for r in records if r.since is None}
    new_codes = {r.area for r in records if r.since is not None}
    day_before = REFORM - timedelta(days=1)
    old = {a.code: a for a in db.session.scalars(
        select(Area).where(Area.code.in_(old_codes), Area.valid_on_filter(day_before)))}
    new = {a.code: a for a in db.session.scalars(
        select(Area).where(Area.code.in_(new_codes), Area.valid_on_filter(REFORM)))}
    return old, new


def _load_institutions(records: list[InstitutionRecord], result: DemoResult) -> dict[str, Institution]:
    existing = {i.slug: i for i in db.session.scalars(select(Institution).options(selectinload(Institution.area)))}
    missing = [r for r in records if r.slug not in existing]
    old, new = _units(missing)
    for r in missing:
        area = new[r.area] if r.since is not None else old[r.area]
        institution = Institution(
            slug=r.slug, name=r.name, category=r.category, area=area, address=r.address, latitude=r.latitude,
            longitude=r.longitude, contact_name=r.contact_name, contact_email=r.contact_email,
            contact_phone=r.contact_phone)
        if r.since is not None:
            # founded by a new commune: placed from its first day (others are placed "since always")
            institution.placements = [Placement(area=area, valid_from=r.since)]
        db.session.add(institution)
        existing[r.slug] = institution
    db.session.flush()
    result.added["institutions"] += len(missing)
    return existing


def _load_accounts(institutions, reset_passwords: bool, result: DemoResult) -> dict[str, User]:
    """The demo accounts by the e-mail's local part; new (or reset) passwords go into result.credentials."""
    users = {}
    for email, role, scope, name in data.ACCOUNTS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None or reset_passwords:
            password = secrets.token_urlsafe(12)
            if user is None:
                # an officer's area: the unit valid today, or (Việt Trì) the one the reform closed
                user = User(email=email, role=role, name=name,
                            area=latest_unit(scope) if role == "officer" else None,
                            institution=institutions[scope] if role == "editor" else None)
                db.session.add(user)
                result.added["accounts"] += 1
            user.set_password(password)
            result.credentials[email] = password
        users[email.split("@")[0]] = user
    db.session.flush()
    return users


# --- activities --------------------------------------------------------------------------------------------


def _when(record: ActivityRecord, observances: dict[str, Observance]) -> tuple[datetime, datetime]:
    """(start, end) in naive UTC."""
    if record.observance is not None:
        span = observance_span(observances[record.observance], record.year)
        starts = local_midnight_utc(span.starts_on + timedelta(days=record.day)) + timedelta(hours=record.hour)
        return starts, starts + timedelta(hours=record.hours)
    if record.all_day:
        return local_midnight_utc(record.start), local_midnight_utc(record.end + timedelta(days=1))
    starts = to_utc(record.start)
    return starts, to_utc(record.end) if record.end else starts + timedelta(hours=record.hours)


def _split_at_reform(records: list[ActivityRecord], observances: dict[str, Observance]):
    """The activities (with their UTC times) starting before the reform's day, and the others."""
    reform = local_midnight_utc(REFORM)
    timed = [(record, *_when(record, observances)) for record in records]
    return [t for t in timed if t[1] < reform], [t for t in timed if t[1] >= reform]


def _description(title: str, institution: Institution) -> str:
    blurb = DESCRIPTIONS[random.Random(f"{SEED}:{title}").randrange(len(DESCRIPTIONS))]
    return f"**{title}** do {institution.name} tổ chức.\n\n{blurb}"


def _location(institution: Institution, starts: datetime) -> str:
    """The institution's address; after the reform, its new commune's name (addresses lost their district)."""
    area = institution.area
    if starts >= local_midnight_utc(REFORM) and area.level == "commune" and area.valid_on(REFORM):
        return f"{institution.name}, {lower_type(area.name)}, tỉnh Phú Thọ"
    return institution.address


def _load_activities(timed, institutions: dict[str, Institution], observances: dict[str, Observance],
                     result: DemoResult) -> None:
    """Add the activities not there yet, with their occurrences and automatic observance tags.

    The occurrences and tags come from the functions sync_occurrences() and retag() are made of (expand,
    match_observances), and the whole batch is written in one flush: those two flush once per activity,
    which took most of the load time. tests/test_demo.py runs both over the loaded activities and checks that
    they change nothing.
    """
    existing = set(db.session.execute(select(Activity.institution_id, Activity.title)).all())
    now = utcnow()
    for record, starts, ends in timed:
        institution = institutions[record.institution]
        if (institution.id, record.title) in existing:
            continue
        activity = Activity(
            institution=institution, title=record.title, description=_description(record.title, institution),
            starts_at=starts, ends_at=ends, all_day=record.all_day, rrule=record.rrule,
            location=_location(institution, starts), latitude=institution.latitude,
            longitude=institution.longitude, programme=record.programme, status=record.status,
            online_url=f"https://meet.example/{institution.slug}-{starts:%Y%m%d}" if record.online else None,
            registration_required=record.registration, capacity=record.capacity, created_at=now, updated_at=now,
            published_at=now if record.status == "published" else None)
        activity.search_text = fold(f"{activity.title} {activity.description}")
        activity.category_links = [ActivityCategory(key=k) for k in record.categories]
        activity.audience_links = [ActivityAudience(key=k) for k in record.audiences]
        activity.occurrences = [Occurrence(original_start=start, starts_at=start, ends_at=end, updated_at=now)
                                for start, end in expand(starts, ends, record.rrule)]
        last = (lambda end: end - ONE_DAY) if record.all_day else (lambda end: end)
        spans = [(local_day(o.starts_at), local_day(last(o.ends_at))) for o in activity.occurrences]
        tagged = match_observances(spans, list(observances.values())).tagged
        activity.observance_links = [ActivityObservance(observance_id=observance_id, source="auto")
                                     for observance_id in sorted(tagged)]
        db.session.add(activity)
        existing.add((institution.id, record.title))
        result.added["activities"] += 1
        result.added["occurrences"] += len(activity.occurrences)
    db.session.flush()


def _change_occurrences(institutions: dict[str, Institution]) -> None:
    """One meeting cancelled and one moved in a few clubs (feeds show EXDATE and RECURRENCE-ID)."""
    for slug, title, cancelled_at, moved_from, moved_to in data.OCCURRENCE_CHANGES:
        activity = db.session.scalar(select(Activity).where(Activity.institution_id == institutions[slug].id,
                                                            Activity.title == title))
        if activity is None:
            continue
        by_start = {o.original_start: o for o in activity.occurrences}
        cancelled = by_start.get(to_utc(datetime.fromisoformat(cancelled_at)))
        if cancelled is not None and not cancelled.overridden:
            cancelled.status, cancelled.overridden = "cancelled", True
            activity.sequence += 1
        moved = by_start.get(to_utc(datetime.fromisoformat(moved_from)))
        if moved is not None and not moved.overridden:
            moved.starts_at = to_utc(datetime.fromisoformat(moved_to))
            moved.ends_at = moved.starts_at + (activity.ends_at - activity.starts_at)
            moved.overridden = True
            activity.sequence += 1
        retag(activity)  # a cancelled meeting no longer ties the activity to its observance


# --- figures -----------------------------------------------------------------------------------------------


def _load_figures(institutions: dict[str, Institution], until: date, result: DemoResult) -> None:
    """Attendance of the occurrences held before `until`, monthly tallies of the months before it and the
    self-assessments of the years up to its year (all from fixed seeds, so the same on every run); before the
    reform, the years before the reform's year (the checklist of a year is filled in its second half)."""
    _load_attendance(until, result)
    _load_tallies(institutions.values(), until, result)
    last_year = until.year - 1 if until <= REFORM else until.year
    _load_assessments(institutions.values(), last_year, result)
    db.session.flush()


def _load_attendance(until: date, result: DemoResult) -> None:
    recorded = select(Attendance.occurrence_id)
    held = db.session.scalars(
        select(Occurrence).join(Occurrence.activity)
        .where(Activity.status == "published", Occurrence.status == "scheduled",
               Occurrence.starts_at < local_midnight_utc(until), Occurrence.id.not_in(recorded))
        .options(selectinload(Occurrence.activity).selectinload(Activity.institution),
                 selectinload(Occurrence.activity).selectinload(Activity.audience_links))
        .order_by(Occurrence.id))
    for occurrence in held:
        activity = occurrence.activity
        rng = random.Random(f"{SEED}:{activity.institution.slug}:{activity.title}:{occurrence.original_start}")
        if rng.random() < UNRECORDED:
            continue
        low, high = ATTENDANCE[activity.institution.category]
        if activity.rrule and activity.institution.category.startswith("culture_centre"):
            low, high = 12, 40  # a club's or a course's weekly meeting
        total = round(rng.randint(low, high) * 1.1 ** (occurrence.starts_at.year - data.YEARS[0]))
        if activity.capacity:
            total = min(total, activity.capacity)
        online = round(total * rng.uniform(0.15, 0.5)) if activity.online_url else 0
        attendance = Attendance(occurrence=occurrence, total=total, onsite=total - online, online=online)
        left = total
        for audience in [a for a in activity.audiences if a != "everyone"][:2]:
            count = round(left * rng.uniform(0.4, 0.7))
            attendance.audience_counts.append(AttendanceAudience(audience=audience, count=count))
            left -= count
        db.session.add(attendance)
        result.added["attendance"] += 1


def _months(first: date, until: date):
    month = date(first.year, first.month, 1)
    while month < until:
        yield month
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def _keeps_tally(institution: Institution, year: int) -> bool:
    if institution.slug in data.SILENT_INSTITUTIONS:
        return False
    if institution.category != "culture_centre_commune":
        return True
    share = CLUB_TALLY_SHARE + CLUB_TALLY_GAIN * (year - data.YEARS[0])
    return random.Random(f"{SEED}:club-tally:{institution.slug}").random() < share


def _load_tallies(institutions: Iterable[Institution], until: date, result: DemoResult) -> None:
    existing = set(db.session.execute(
        select(MonthlyTally.institution_id, MonthlyTally.year, MonthlyTally.month, MonthlyTally.metric)).all())
    founded = {r.slug: r.since for r in build().institutions}
    rows = []
    for institution in sorted(institutions, key=lambda i: i.slug):
        metrics = TALLIES.get(institution.category)
        if not metrics:
            continue
        rng = random.Random(f"{SEED}:tallies:{institution.slug}")
        bases = {metric: rng.randint(*span) for metric, span in metrics.items()}
        growth = rng.uniform(0.03, 0.18)
        first = founded.get(institution.slug) or date(data.YEARS[0], 1, 1)
        for month in _months(first, until):
            if not _keeps_tally(institution, month.year):
                continue
            for metric, base in bases.items():
                if (institution.id, month.year, month.month, metric) in existing:
                    continue
                noise = random.Random(f"{SEED}:{institution.slug}:{metric}:{month}").uniform(0.92, 1.08)
                season = 1 if metric == "club_members" else SEASON[month.month - 1]
                value = round(base * (1 + growth) ** (month.year - data.YEARS[0]) * season * noise)
                rows.append({"institution_id": institution.id, "year": month.year, "month": month.month,
                             "metric": metric, "value": value})
    if rows:
        # thousands of rows: one executemany (tallies feed the indicators directly, not the monthly facts)
        db.session.execute(insert(MonthlyTally), rows)
    result.added["monthly tallies"] += len(rows)


def _load_assessments(institutions: Iterable[Institution], last_year: int, result: DemoResult) -> None:
    existing = set(db.session.execute(select(SelfAssessment.institution_id, SelfAssessment.year)).all())
    founded = {r.slug: r.since for r in build().institutions if r.since is not None}
    for institution in sorted(institutions, key=lambda i: i.slug):
        share = DIGITAL_SHARE.get(institution.category)
        if share is None or institution.slug in data.SILENT_INSTITUTIONS:
            continue
        propensity = random.Random(f"{SEED}:digital:{institution.slug}").random()
        first_year = founded[institution.slug].year if institution.slug in founded else data.YEARS[0]
        for year in range(first_year, last_year + 1):
            if (institution.id, year) in existing:
                continue
            reached = share + DIGITAL_GAIN * (year - data.YEARS[0])
            if propensity >= reached + CHECKLIST_EMPTY:
                continue  # no checklist that year
            digital = propensity < reached
            rng = random.Random(f"{SEED}:checklist:{institution.slug}:{year}")
            museum = institution.category in MUSEUM_CATEGORIES
            db.session.add(SelfAssessment(
                institution=institution, year=year, digital_catalogue=digital and (not museum or rng.random() < 0.5),
                digital_resources=digital and rng.random() < 0.6,
                online_services=digital and rng.random() < 0.4 + 0.1 * (year - data.YEARS[0]),
                online_activities=digital and year >= 2024 and rng.random() < 0.5,
                digitised_heritage=digital and museum))
            result.added["self-assessments"] += 1


# --- the reform --------------------------------------------------------------------------------------------


def _reform(echo: Echo, result: DemoResult) -> None:
    """What `flask areas reform --province 25` does, printed the same way for what is left to do by hand."""
    plan = plan_reform(data.PROVINCE)
    olds = ", ".join(f"{a.code} {a.name}" for a in plan.old_provinces)
    if plan.moves:
        moved = apply_reform(None, plan)
        nearest = sum(1 for move in plan.moves if move.how == "nearest")
        echo(f"reform: {plan.province.name} ({plan.province.code}) from {REFORM}, formed from {olds}: "
             f"moved {moved} institutions ({nearest} by nearest successor)")
        result.added["institutions moved by the reform"] += moved
    else:
        echo(f"reform: {plan.province.name} ({plan.province.code}): nothing left to move")
    for item in plan.unplaced:
        options = ", ".join(f"{a.code} {a.name}" for a in item.candidates) or "—"
        echo(f"  PLACE BY HAND {item.institution.slug} (in {item.old.code} {item.old.name}): {item.reason}; "
             f"candidates: {options}")
    result.unplaced = plan.unplaced


# --- year reports ------------------------------------------------------------------------------------------


def _usual_year_reports(institutions: dict[str, Institution], users: dict[str, User]) -> list:
    """Scenarios for the other provincial and district institutions: most 2024 years approved, 2025 partly,
    2026 waiting for the officer; decided by the new province's officer (who submits on their behalf)."""
    officer = users["officer"]
    named = {(slug, year) for slug, year, _steps in data.YEAR_REPORTS_BEFORE_REFORM + data.YEAR_REPORTS_AFTER_REFORM}
    scenarios = []
    for slug in sorted(institutions):
        institution = institutions[slug]
        if (institution.category not in REPORTING_CATEGORIES or slug in data.SILENT_INSTITUTIONS
                or not can_manage_institution(officer, institution)):
            continue
        for year in (2024, 2025, 2026):
            if (slug, year) in named:
                continue
            draw = random.Random(f"{SEED}:report:{slug}:{year}").random()
            approved = data.APPROVED_SHARE.get(year, 0)
            if draw < approved:
                scenarios.append((slug, year, [("submit", "officer"), ("approve", "officer")]))
            elif draw < approved + data.SUBMITTED_SHARE.get(year, 0):
                scenarios.append((slug, year, [("submit", "officer")]))
    return scenarios


def _year_reports(scenarios, users: dict[str, User], institutions: dict[str, Institution],
                  result: DemoResult) -> None:
    """Carry out each scenario once: one starting with an unlock when the year is approved, any other when
    the institution has no report for the year yet."""
    status = {(i, y): s for i, y, s in db.session.execute(
        select(YearReport.institution_id, YearReport.year, YearReport.status)).all()}
    for slug, year, steps in scenarios:
        institution = institutions[slug]
        current = status.get((institution.id, year))
        if year > local_today().year or (current != "approved" if steps[0][0] == "unlock" else current is not None):
            continue
        for action, who, *text in steps:
            user = users[who]
            if action == "submit":
                report = submit_year(user, institution, year)
            elif action == "approve":
                report = approve_year(user, institution, year)
            elif action == "return":
                report = return_year(user, institution, year, text[0])
            else:
                report = unlock_year(user, institution, year, text[0])
        status[(institution.id, year)] = report.status
        result.added["year-report decisions"] += len(steps)
