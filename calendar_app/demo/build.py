"""The demo's institutions and activities as plain records: the hand-written ones of province.py and the
generated ones, spread over the official units of the three old provinces with seeded randomness.

Pure: reads the official units (places/official.py) and province.py, touches no database, and gives the same
records on every run, so loading them twice finds every row already there.
"""
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache

from ..places import official
from ..search import fold
from . import province as data

SEED = 2682  # the plan's number

#: institution category → the kind of activities it holds (province.OBSERVANCE_TEMPLATES)
KIND = {
    "library_provincial": "library", "library_district": "library", "library_commune": "library",
    "library_community": "library", "library_armed_forces": "library", "library_specialized": "library",
    "library_school": "school", "library_university": "school",
    "museum": "museum", "museum_memorial": "museum",
    "culture_centre_provincial": "centre", "culture_centre_district": "centre", "culture_centre_commune": "centre",
}
#: share of a category's institutions holding activities in 2023; each later year adds YEARLY_GAIN (an
#: institution once active stays active), so the indicators improve towards the 2025 targets
ACTIVE_SHARE = {
    "library_provincial": 1.0, "library_district": 0.55, "library_commune": 0.3, "library_community": 0.3,
    "library_armed_forces": 0.6, "library_specialized": 0.6, "library_school": 0.5, "library_university": 0.85,
    "museum": 1.0, "museum_memorial": 0.5, "culture_centre_provincial": 1.0, "culture_centre_district": 0.6,
    "culture_centre_commune": 0.25,
}
YEARLY_GAIN = 0.07
#: activities a year for an active institution of the category: (fewest, most)
ACTIVITIES_PER_YEAR = {
    "library_provincial": (4, 6), "museum": (3, 4), "culture_centre_provincial": (3, 4),
    "library_district": (2, 3), "culture_centre_district": (2, 3), "library_university": (2, 3),
    "library_armed_forces": (1, 2), "library_specialized": (1, 2), "museum_memorial": (1, 2),
}
#: the categories whose 2027 activities are already planned (communes and schools plan later)
PLANNING_AHEAD = ("library_provincial", "library_district", "library_university", "museum",
                  "culture_centre_provincial", "culture_centre_district")
#: share of commune culture centres running a club season each year (2023 first, YEARLY_GAIN more a year)
CLUB_SHARE = 0.3
#: the last observances of 2027 planned so far (the calendar looks a few months ahead)
PLANNED_2027 = ("book-reading-day", "world-book-day", "museum-day", "hung-kings")
#: share of the planned 2027 activities still in draft
DRAFT_2027 = 0.15
#: the observances of the second half of the year, the only ones an institution founded on the reform's day
#: held in its first year
SECOND_HALF = ("heritage-day", "lifelong-learning-week", "digital-transformation-day")


@dataclass(frozen=True)
class InstitutionRecord:
    slug: str
    name: str
    category: str
    #: official code of the unit it stands in: an old commune or district, or (founded after the reform)
    #: a new commune
    area: str
    address: str
    latitude: float | None
    longitude: float | None
    contact_name: str
    contact_email: str
    contact_phone: str
    #: founded in a unit of the new tree on the reform's day (None: stood in the old unit since always)
    since: date | None = None
    #: code of the old province it belongs to (of the new one for institutions founded after the reform)
    province: str = data.PROVINCE


@dataclass(frozen=True)
class ActivityRecord:
    institution: str
    title: str
    categories: tuple[str, ...]
    audiences: tuple[str, ...]
    hours: float
    #: local start (a date for all-day activities), or None when set by an observance's day in `year`
    start: datetime | date | None = None
    #: local end (all-day: the last day, inclusive); None: start + hours
    end: datetime | date | None = None
    observance: str | None = None
    year: int | None = None
    #: day within the observance (0: its first day; negative: before it)
    day: int = 0
    hour: int = 8
    all_day: bool = False
    rrule: str | None = None
    online: bool = False
    programme: str | None = None
    registration: bool = False
    capacity: int | None = None
    status: str = "published"


@dataclass
class Demo:
    institutions: list[InstitutionRecord]
    activities: list[ActivityRecord] = field(default_factory=list)


def slugify(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", fold(text)))


def split_name(name: str) -> tuple[str, str]:
    """("Xã", "Hy Cương") from "Xã Hy Cương": the unit's type and its own name."""
    for prefix in ("Thị trấn", "Thị xã", "Thành phố", "Phường", "Huyện", "Xã", "Tỉnh", "Đặc khu"):
        if name.startswith(prefix + " "):
            return prefix, name[len(prefix) + 1:]
    return "", name


def lower_type(name: str) -> str:
    """"xã Hy Cương", "thành phố Việt Trì": a unit's name inside a sentence."""
    kind, own = split_name(name)
    return f"{kind.lower()} {own}" if kind else own


@cache
def build() -> Demo:
    """Every institution and activity of the demo (the same on every call)."""
    institutions = _institutions()
    return Demo(institutions, _activities(institutions))


# --- institutions ------------------------------------------------------------------------------------------


class _Namer:
    """Unique slugs and e-mail local parts."""

    def __init__(self, taken: set[str]):
        self.taken = set(taken)

    def slug(self, *candidates: str) -> str:
        for candidate in candidates:
            if candidate not in self.taken:
                self.taken.add(candidate)
                return candidate
        n = 2
        while f"{candidates[-1]}-{n}" in self.taken:
            n += 1
        self.taken.add(f"{candidates[-1]}-{n}")
        return f"{candidates[-1]}-{n}"


def _institutions() -> list[InstitutionRecord]:
    rng = random.Random(SEED)
    units = official.legacy_units(data.OLD_PROVINCES)
    by_code = {unit.code: unit for unit in units}
    province_of = {}
    for unit in units:
        province_of[unit.code] = unit.code if unit.level == "province" else province_of[unit.parent_code]
    communes_of: dict[str, list[official.OfficialUnit]] = defaultdict(list)
    for unit in units:
        if unit.level == "commune":
            communes_of[unit.parent_code].append(unit)
    records = [InstitutionRecord(*row, province=province_of[row[3]]) for row in data.INSTITUTIONS]
    records += [InstitutionRecord(*row, since=official.REFORM_DATE) for row in data.NEW_INSTITUTIONS]
    namer = _Namer({r.slug for r in records})
    #: (category, unit code) already holding an institution of that category
    present = {(r.category, r.area) for r in records}

    def phone(code: str, commune_level: bool) -> str:
        if commune_level:
            return f"09{rng.randint(10, 89)} {rng.randint(100, 999)} {rng.randint(100, 999)}"
        return f"{data.OLD_PROVINCE_CONTACT[province_of[code]][1]} {rng.randint(3800, 3899)} {rng.randint(100, 999)}"

    def email(local: str, code: str) -> str:
        return f"{local}@{data.OLD_PROVINCE_CONTACT[province_of[code]][0]}"

    def near(unit: official.OfficialUnit, spread: float = 0.004) -> tuple[float, float]:
        return (round(unit.latitude + rng.uniform(-spread, spread), 4),
                round(unit.longitude + rng.uniform(-spread, spread), 4))

    def add(slug, name, category, unit, address, contact, mail, located=True, seat=None):
        point = near(seat or unit) if located else (None, None)
        records.append(InstitutionRecord(
            slug, name, category, unit.code, address, *point, contact, email(mail, unit.code),
            phone(unit.code, unit.level == "commune"), province=province_of[unit.code]))
        present.add((category, unit.code))

    def address_of(commune: official.OfficialUnit) -> str:
        district = by_code[commune.parent_code]
        return f"{commune.name}, {lower_type(district.name)}"

    # one library, one culture centre and one upper-secondary school library per old district, at its seat
    for district in (u for u in units if u.level == "district"):
        kind, own = split_name(district.name)
        own_province = split_name(by_code[province_of[district.code]].name)[1]
        key = slugify(district.name) if own == own_province else slugify(own)
        compact = key.replace("-", "")
        seat = by_code[data.DISTRICT_SEATS.get(district.code) or next(
            c.code for c in communes_of[district.code] if c.name.startswith("Thị trấn"))]
        where = f"{address_of(seat)}"
        in_words = lower_type(district.name)
        if ("library_district", district.code) not in present:
            add(namer.slug(f"thu-vien-{key}"), f"Thư viện {in_words}", "library_district", district, where,
                "Bộ phận thư viện", f"tv.{compact}", seat=seat)
        if ("culture_centre_district", district.code) not in present:
            add(namer.slug(f"ttvh-{key}"), f"Trung tâm Văn hóa, Thể thao, Du lịch và Truyền thông {in_words}",
                "culture_centre_district", district, where, "Phòng Nghiệp vụ", f"ttvh.{compact}", seat=seat)
        add(namer.slug(f"thu-vien-thpt-{slugify(own)}", f"thu-vien-thpt-{key}"), f"Thư viện Trường THPT {own}",
            "library_school", seat, where, "Cán bộ thư viện", f"thuvien.thpt{compact}",
            located=rng.random() > 0.1)

    # commune-level institutions: walk the new communes and give one of the old communes each absorbed a
    # culture centre (most of them), a library or a school library, so that the new communes hold data
    for new in (u for u in official.current_units([data.PROVINCE]) if u.level == "commune"):
        olds = [by_code[p.code] for p in official.predecessors(new.code) if p.code in by_code]
        whole = [u for u in olds if len(official.successor_communes(u.code)) == 1] or olds
        if not whole:
            continue
        draws = [rng.random() for _ in range(4)]
        commune = rng.choice(whole)
        kind, own = split_name(commune.name)
        key, compact = slugify(own), slugify(own).replace("-", "")
        district_key = slugify(split_name(by_code[commune.parent_code].name)[1])
        located = rng.random() > 0.12
        if draws[0] < 0.62 and ("culture_centre_commune", commune.code) not in present:
            add(namer.slug(f"nvh-{key}", f"nvh-{key}-{district_key}"),
                f"Trung tâm Văn hóa – Học tập cộng đồng {lower_type(commune.name)}", "culture_centre_commune",
                commune, address_of(commune), "Ban chủ nhiệm", f"nvh.{compact}", located)
        other = rng.choice(whole)
        kind, own = split_name(other.name)
        key, compact = slugify(own), slugify(own).replace("-", "")
        if draws[1] < 0.15 and ("library_commune", other.code) not in present:
            add(namer.slug(f"thu-vien-{slugify(kind)}-{key}", f"thu-vien-{slugify(kind)}-{key}-{district_key}"),
                f"Thư viện {lower_type(other.name)}", "library_commune", other, address_of(other),
                f"Cán bộ văn hóa {kind.lower()}", f"tv.{compact}", located)
        elif draws[2] < 0.06 and ("library_community", other.code) not in present:
            add(namer.slug(f"thu-vien-cong-dong-{key}", f"thu-vien-cong-dong-{key}-{district_key}"),
                f"Thư viện cộng đồng {lower_type(other.name)}", "library_community", other, address_of(other),
                "Ban quản lý", f"tvcd.{compact}", located)
        if draws[3] < 0.09:
            level = rng.choice(("THCS", "Tiểu học"))
            add(namer.slug(f"thu-vien-{slugify(level)}-{key}", f"thu-vien-{slugify(level)}-{key}-{district_key}"),
                f"Thư viện Trường {level} {own}", "library_school", other, address_of(other), "Cán bộ thư viện",
                f"thuvien.{slugify(level).replace('-', '')}{compact}", located)
    return records


# --- activities --------------------------------------------------------------------------------------------


def _active(record: InstitutionRecord, year: int) -> bool:
    if record.slug in data.SILENT_INSTITUTIONS:
        return False
    if record.since is not None and year < record.since.year:
        return False
    propensity = random.Random(f"{SEED}:{record.slug}").random()
    return propensity < ACTIVE_SHARE[record.category] + YEARLY_GAIN * (year - data.YEARS[0])


def _activities(institutions: list[InstitutionRecord]) -> list[ActivityRecord]:
    by_slug = {r.slug: r for r in institutions}
    records = []
    for record in institutions:
        rng = random.Random(f"{SEED}:activities:{record.slug}")
        kind = KIND[record.category]
        for year in data.YEARS:
            if not _active(record, year):
                continue
            records += _observance_activities(record, kind, year, rng)
            if record.category == "culture_centre_commune":
                records += _club_season(record, year, rng)
    records += _hand_written(by_slug)
    return records


def _observance_activities(record, kind, year, rng) -> list[ActivityRecord]:
    founded_this_year = record.since is not None and record.since.year == year
    choices = [(key, template) for key, kinds in data.OBSERVANCE_TEMPLATES.items()
               for template in kinds.get(kind, [])
               if (year < 2027 or key in PLANNED_2027) and (not founded_this_year or key in SECOND_HALF)]
    choices = [(key, t) for key, t in choices if record.category == "library_armed_forces" or "Quân đội" not in t[0]]
    if record.category in ("library_armed_forces", "library_specialized"):  # their readers are adults
        choices = [(key, t) for key, t in choices if not {"children", "pupils", "families"} & set(t[2])]
    seasonal = [t for t in data.SEASONAL_TEMPLATES.get(kind, [])
                if year < 2027 and (not founded_this_year or date(year, t[3], t[4]) >= record.since)]
    if year == 2027 and record.category not in PLANNING_AHEAD:
        return []
    low, high = ACTIVITIES_PER_YEAR.get(record.category, (1, 1))
    if year == 2027:
        low, high = 1, max(1, high // 2)
    count = min(rng.randint(low, high), len(choices))
    picked = rng.sample(choices, count)
    found = []
    for key, (title, categories, audiences, hour, hours, online) in picked:
        single_day = key != "lifelong-learning-week"
        day = rng.choice((0, 0, 0, -1, 1, -2)) if single_day else rng.randint(0, 6)
        status = "draft" if year == 2027 and rng.random() < DRAFT_2027 else "published"
        registration = "workshop" in categories and rng.random() < 0.5
        found.append(ActivityRecord(
            record.slug, _titled(title, record, year), tuple(categories), tuple(audiences), hours, observance=key,
            year=year, day=day, hour=hour, online=online and rng.random() < 0.7, status=status,
            registration=registration, capacity=rng.choice((30, 40, 50)) if registration else None))
    if seasonal and record.category in PLANNING_AHEAD and rng.random() < 0.5:
        title, categories, audiences, month, day, hour, hours = rng.choice(seasonal)
        start = datetime(year, month, day, hour)
        found.append(ActivityRecord(record.slug, _titled(title, record, year), tuple(categories),
                                    tuple(audiences), hours, start=start))
    return found


def _titled(title: str, record: InstitutionRecord, year: int) -> str:
    """"Giờ đọc sách gia đình – huyện Đoan Hùng 2024": the place tells apart the many institutions holding
    the same kind of activity (provincial institutions and museums are few, and named in the listing)."""
    if record.category.startswith("library_") and record.category not in ("library_provincial", "library_district",
                                                                           "library_commune"):
        place = record.name.removeprefix("Thư viện ")
    elif record.category in ("library_district", "culture_centre_district", "library_commune",
                             "culture_centre_commune"):
        unit = (official.current_unit if record.since else official.legacy_unit)(record.area)
        place = lower_type(unit.name)
    else:
        return f"{title} {year}"
    return f"{title}{', ' if '–' in title else ' – '}{place} {year}"


def _club_season(record, year, rng) -> list[ActivityRecord]:
    if year == 2027 or random.Random(f"{SEED}:club:{record.slug}").random() >= CLUB_SHARE + YEARLY_GAIN * (
            year - data.YEARS[0]):
        return []
    clubs = data.COMMUNE_CLUBS if record.province == "17" else [c for c in data.COMMUNE_CLUBS if "Cồng" not in c[0]]
    name, categories, audiences, weekday, hour, hours = clubs[random.Random(f"{SEED}:{record.slug}").randrange(
        len(clubs))]
    place = record.name.rsplit(" cộng đồng ", 1)[-1]  # "xã Hy Cương"
    season_start = 9 if record.since is not None and record.since.year == year else rng.choice((2, 3, 9))
    first = datetime(year, season_start, 1, hour)
    count = rng.choice((10, 12, 16))
    return [ActivityRecord(record.slug, f"{name} {place} {year}", tuple(categories), tuple(audiences), hours,
                           start=first, rrule=f"FREQ=WEEKLY;BYDAY={weekday};COUNT={count}")]


def _hand_written(by_slug) -> list[ActivityRecord]:
    records = []
    for slug, title, categories, audiences, first, hours, rule, programme, registration, capacity \
            in data.RECURRING_ACTIVITIES:
        records.append(ActivityRecord(slug, title, tuple(categories), tuple(audiences), hours,
                                      start=datetime.fromisoformat(first), rrule=rule, programme=programme,
                                      registration=registration, capacity=capacity))
    for slug, title, categories, audiences, first, last, all_day, status, registration, capacity \
            in data.OTHER_ACTIVITIES:
        parse = date.fromisoformat if all_day else datetime.fromisoformat
        start, end = parse(first), parse(last)
        hours = 0 if all_day else (end - start).total_seconds() / 3600
        records.append(ActivityRecord(slug, title, tuple(categories), tuple(audiences), hours, start=start,
                                      end=end, all_day=all_day, status=status, registration=registration,
                                      capacity=capacity))
    assert all(r.institution in by_slug for r in records), "a hand-written activity names an unknown institution"
    return records
