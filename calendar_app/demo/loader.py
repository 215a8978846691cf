"""Load the demo province idempotently: every row is found by its natural key before it is created."""
import random
import secrets
from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import select

from ..accounts.models import User
from ..clock import local_midnight_utc, to_utc
from ..events.models import Activity, ActivityAudience, ActivityCategory, Occurrence
from ..events.occurrences import sync_occurrences
from ..events.tagging import retag
from ..extensions import db
from ..observances.dates import observance_span
from ..observances.models import Observance
from ..participation.models import Attendance, AttendanceAudience, MonthlyTally, SelfAssessment
from ..places.models import Area, Institution
from ..places.tree import assign_path
from ..search import fold
from ..seed import seed_reference_data
from ..vocabulary import LIBRARY_CATEGORIES, MUSEUM_CATEGORIES
from . import province as data

Echo = Callable[[str], None]


def load_demo(echo: Echo = print, reset_passwords: bool = False) -> dict[str, str]:
    """Load everything (the caller commits); returns {email: password} for accounts created (or reset) by this run."""
    seed_reference_data()
    areas = _load_areas()
    echo(f"areas: {len(areas)}")
    institutions = _load_institutions(areas)
    echo(f"institutions: {len(institutions)}")
    credentials = _load_accounts(areas, institutions, reset_passwords)
    activities = _load_activities(institutions)
    echo(f"activities: {len(activities)}")
    figures = _load_figures(institutions)
    echo(f"attendance records added: {figures}")
    return credentials


def _load_areas() -> dict[str, Area]:
    existing = {a.code: a for a in db.session.scalars(select(Area))}

    def ensure(code, name, level, parent):
        area = existing.get(code)
        if area is None:
            area = Area(code=code, name=name, level=level, parent=parent, valid_from=data.PROVINCE_VALID_FROM)
            assign_path(area)
            existing[code] = area
        return area

    province = ensure(*data.PROVINCE, "province", None)
    for code, name in data.DISTRICTS:
        ensure(code, name, "district", province)
    for code, name, district in data.COMMUNES:
        ensure(code, name, "commune", existing[district])
    return existing


def _load_institutions(areas: dict[str, Area]) -> dict[str, Institution]:
    existing = {i.slug: i for i in db.session.scalars(select(Institution))}
    for slug, name, category, area, address, lat, lon, contact, email, phone in data.INSTITUTIONS:
        if slug not in existing:
            existing[slug] = Institution(
                slug=slug, name=name, category=category, area=areas[area], address=address,
                latitude=lat, longitude=lon, contact_name=contact, contact_email=email, contact_phone=phone,
            )
            db.session.add(existing[slug])
    db.session.flush()
    return existing


def _load_accounts(areas, institutions, reset_passwords: bool) -> dict[str, str]:
    credentials = {}
    for email, role, scope, name in data.ACCOUNTS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None and not reset_passwords:
            continue
        password = secrets.token_urlsafe(12)
        if user is None:
            user = User(email=email, role=role, name=name,
                        area=areas[scope] if role == "officer" else None,
                        institution=institutions[scope] if role == "editor" else None)
            db.session.add(user)
        user.set_password(password)
        credentials[email] = password
    db.session.flush()
    return credentials


def _local(text: str) -> datetime:
    return to_utc(datetime.fromisoformat(text))


def _ensure_activity(institution: Institution, title: str, **fields) -> Activity:
    activity = db.session.scalar(
        select(Activity).where(Activity.institution_id == institution.id, Activity.title == title)
    )
    if activity is not None:
        return activity
    categories = fields.pop("categories")
    audiences = fields.pop("audiences")
    activity = Activity(institution=institution, title=title, **fields)
    activity.search_text = fold(f"{title} {activity.description or ''}")
    activity.category_links = [ActivityCategory(key=k) for k in categories]
    activity.audience_links = [ActivityAudience(key=k) for k in audiences]
    if activity.status == "published":
        activity.published_at = activity.created_at
    db.session.add(activity)
    db.session.flush()
    sync_occurrences(activity)
    retag(activity)
    return activity


def _description(title: str, institution: Institution) -> str:
    return (f"**{title}** do {institution.name} tổ chức.\n\n"
            "Hoạt động hưởng ứng phong trào học tập suốt đời, miễn phí cho mọi người dân. "
            "Xin vui lòng đến sớm 10 phút.")


def _load_activities(institutions) -> list[Activity]:
    observances = {o.key: o for o in db.session.scalars(select(Observance))}
    activities = []
    for index, year in enumerate(data.YEARS):
        for key, options in data.OBSERVANCE_ACTIVITIES.items():
            span = observance_span(observances[key], year)
            picks = 3 if key == "lifelong-learning-week" else 2
            for n in range(picks):
                slug, title, categories, audiences, hour, hours, online = options[(index + n) % len(options)]
                day = span.starts_on + timedelta(days=n % max(1, (span.ends_on - span.starts_on).days + 1))
                starts = local_midnight_utc(day) + timedelta(hours=hour)
                institution = institutions[slug]
                activities.append(_ensure_activity(
                    institution, f"{title} {year}",
                    description=_description(title, institution), starts_at=starts,
                    ends_at=starts + timedelta(hours=hours), location=institution.address,
                    latitude=institution.latitude, longitude=institution.longitude,
                    online_url=f"https://meet.example/{slug}-{year}" if online else None,
                    categories=categories, audiences=audiences, status="published",
                ))
    for slug, title, categories, audiences, first, hours, rule, programme, registration, capacity \
            in data.RECURRING_ACTIVITIES:
        institution = institutions[slug]
        starts = _local(first)
        activities.append(_ensure_activity(
            institution, title, description=_description(title, institution), starts_at=starts,
            ends_at=starts + timedelta(hours=hours), rrule=rule, location=institution.address,
            programme=programme, registration_required=registration, capacity=capacity,
            categories=categories, audiences=audiences, status="published",
        ))
    for slug, title, categories, audiences, first, last, all_day, status, registration, capacity \
            in data.OTHER_ACTIVITIES:
        institution = institutions[slug]
        if all_day:
            starts = local_midnight_utc(date.fromisoformat(first))
            ends = local_midnight_utc(date.fromisoformat(last) + timedelta(days=1))
        else:
            starts, ends = _local(first), _local(last)
        activities.append(_ensure_activity(
            institution, title, description=_description(title, institution), starts_at=starts,
            ends_at=ends, all_day=all_day, location=institution.address, status=status,
            registration_required=registration, capacity=capacity,
            categories=categories, audiences=audiences,
        ))
    _override_club_meetings(institutions["thu-vien-tinh-phu-tho"])
    return activities


def _override_club_meetings(library: Institution) -> None:
    """One cancelled and one moved meeting, so feeds show EXDATE and RECURRENCE-ID."""
    club = db.session.scalar(select(Activity).where(
        Activity.institution_id == library.id,
        Activity.title == "Câu lạc bộ Đọc sách thiếu nhi (năm học 2025–2026)"))
    by_start = {o.original_start: o for o in club.occurrences}
    cancelled = by_start.get(_local("2025-10-04T08:00"))
    if cancelled is not None and not cancelled.overridden:
        cancelled.status, cancelled.overridden = "cancelled", True
    moved = by_start.get(_local("2025-11-15T08:00"))
    if moved is not None and not moved.overridden:
        moved.starts_at = _local("2025-11-16T08:00")
        moved.ends_at = moved.starts_at + timedelta(hours=2)
        moved.overridden = True
        club.sequence += 1
    db.session.flush()


def _load_figures(institutions) -> int:
    """Attendance for held occurrences, monthly tallies and self-assessments, from a fixed seed."""
    rng = random.Random(2682)
    cutoff = local_midnight_utc(data.FIGURES_UNTIL)
    held = db.session.scalars(
        select(Occurrence).join(Occurrence.activity)
        .where(Activity.status == "published", Occurrence.status == "scheduled", Occurrence.starts_at < cutoff)
        .order_by(Occurrence.id)
    ).all()
    recorded = set(db.session.scalars(select(Attendance.occurrence_id)))
    added = 0
    for occ in held:
        total = rng.randint(12, 180)
        if occ.id in recorded:
            continue
        online = total // 3 if occ.activity.online_url else 0
        attendance = Attendance(occurrence=occ, total=total, onsite=total - online, online=online)
        audiences = [a for a in occ.activity.audiences if a != "everyone"]
        if audiences:
            attendance.audience_counts = [AttendanceAudience(audience=audiences[0], count=total // 2)]
        db.session.add(attendance)
        added += 1
    _load_tallies(institutions)
    _load_assessments(institutions)
    db.session.flush()
    return added


def _load_tallies(institutions) -> None:
    existing = {(t.institution_id, t.year, t.month, t.metric) for t in db.session.scalars(select(MonthlyTally))}
    for slug in sorted(institutions):
        institution = institutions[slug]
        rng = random.Random(slug)
        if institution.category in LIBRARY_CATEGORIES:
            metrics = {"library_visits": rng.randint(300, 3000), "library_online_visits": rng.randint(50, 800)}
        elif institution.category in MUSEUM_CATEGORIES:
            metrics = {"museum_visitors": rng.randint(800, 6000), "museum_study_visitors": rng.randint(100, 900)}
        elif institution.category == "culture_centre_commune" and slug != "nvh-tat-thang":
            metrics = {"club_members": rng.randint(20, 80)}
        else:
            continue
        if slug in data.SILENT_INSTITUTIONS:
            continue
        for year in (2023, 2024, 2025, 2026):
            growth = 1.12 ** (year - 2023)
            last_month = 10 if year == 2026 else 12
            for month in range(1, last_month + 1):
                for metric, base in metrics.items():
                    if (institution.id, year, month, metric) in existing:
                        continue
                    value = int(base * growth * rng.uniform(0.9, 1.1))
                    db.session.add(MonthlyTally(institution=institution, year=year, month=month,
                                                metric=metric, value=value))


def _load_assessments(institutions) -> None:
    existing = {(a.institution_id, a.year) for a in db.session.scalars(select(SelfAssessment))}
    digital = ("thu-vien-tinh-phu-tho", "thu-vien-viet-tri", "thu-vien-dai-hoc-hung-vuong",
               "thu-vien-thpt-chuyen-hung-vuong", "thu-vien-thi-xa-phu-tho", "bao-tang-hung-vuong")
    for year in (2024, 2025, 2026):
        for slug in digital:
            institution = institutions[slug]
            if (institution.id, year) in existing:
                continue
            db.session.add(SelfAssessment(
                institution=institution, year=year, digital_catalogue=True,
                digital_resources=slug != "thu-vien-thi-xa-phu-tho" or year >= 2025,
                online_services=slug in digital[:3], online_activities=year >= 2025,
                digitised_heritage=slug == "bao-tang-hung-vuong",
            ))
