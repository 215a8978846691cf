"""The province the benchmarks measure, written with COPY into a migrated PostgreSQL database.

    .venv/bin/python bench/generate.py [--scale 1] [--future] [--keep-db [NAME] [--regenerate] | --db URL]

Per unit of --scale: 10,000 institutions in one province (30 districts, 600 communes), 200,000 activities
(95 % published, 3 % drafts, 2 % cancelled; each a weekly series of five meetings, RRULE
FREQ=WEEKLY;COUNT=5, one meeting in fifty cancelled), so 1,000,000 occurrences, one attendance row per
occurrence, four years of monthly tallies (~800,000) and of self-assessments. Titles and descriptions are
Vietnamese, by activity category (one activity in about twenty matches `q=doc sach`), with the folded
`search_text` the app keeps; one or two categories and audiences each; observance tags where a meeting
falls in an observance's tagging window; the admin account ADMIN_EMAIL / ADMIN_PASSWORD.

Without --future the dates are fixed (2023-01 to 2026-09, the report's "now" is NOW): bench/indicators.py's
data, the same rows as before this module existed. With --future (bench/pages.py, bench/feeds.py --scale)
the dates are moved to end about a month before today and half of the activities are moved a year forward,
so upcoming lists are full; attendance then exists only for meetings that have started and were held
(the last six weeks' meetings are half without figures, as at any real moment), tallies cover the last
four years.

After COPY, `after_bulk_load` does what the app would have done row by row: observance tags, id sequences,
the monthly facts (`flask rebuild-facts`), VACUUM ANALYZE. Change it there if the app comes to keep other
derived data.

Databases (the same options in every benchmark): without options a benchmark generates into a scratch
database and drops it at the end. --keep-db NAME keeps it (default name calendar_bench_<scale>x[_future])
and reuses it on the next run when it holds the same scale and mode (written in the database's COMMENT),
after `flask db upgrade` so that new migrations (an index…) apply to it; --regenerate drops it first.
--db URL uses a database made by this module elsewhere. Run on its own, this script generates a kept
database for later runs. Server: BENCH_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/
postgres).
"""
import argparse
import json
import os
import random
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import say  # noqa: E402

SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
#: written into the database's comment; a kept database made by another version is regenerated, not reused
FORMAT = 2
ADMIN_EMAIL = "admin@bench.example"
ADMIN_PASSWORD = "bench-admin-password"

INSTITUTIONS = 10_000
ACTIVITIES = 200_000
OCCURRENCES_PER_ACTIVITY = 5
RRULE = f"FREQ=WEEKLY;COUNT={OCCURRENCES_PER_ACTIVITY}"
DISTRICTS = 30
COMMUNES_PER_DISTRICT = 20
#: activities whose occurrences and attendance rows are built and copied at a time (bounded memory at 10×)
CHUNK = 50_000

# (category, weight): most institutions are school libraries and commune centres, as in a real province
CATEGORIES = [
    ("library_school", 34), ("culture_centre_commune", 25), ("library_commune", 15), ("library_community", 5),
    ("library_specialized", 4), ("library_university", 2), ("library_armed_forces", 2), ("museum_memorial", 4),
    ("museum", 1), ("library_district", 4), ("culture_centre_district", 4),
]
ACTIVITY_KEYS = ["reading", "talk", "exhibition", "workshop", "course", "club", "performance", "sport",
                 "festival", "heritage", "digital_skills", "other"]
AUDIENCE_KEYS = ["children", "pupils", "students", "youth", "adults", "elderly", "families",
                 "ethnic_minorities", "people_with_disabilities", "everyone"]
YEARS = (2023, 2024, 2025, 2026)
#: the indicator report is computed as of this moment; without --future every generated occurrence has
#: started by then, so every occurrence has its attendance row (1,000,000 per unit of --scale)
NOW = datetime(2026, 11, 1)
FIRST_DAY, LAST_DAY = datetime(2023, 1, 1), NOW - timedelta(days=7 * OCCURRENCES_PER_ACTIVITY + 1)
#: --future: the half moved forward, in whole weeks so that weekdays stay
A_YEAR = timedelta(weeks=52)
#: --future: meetings this recent are half without attendance figures (the "attendance due" lists)
RECENT = timedelta(weeks=6)

DISTRICT_NAMES = [
    "Đông Sơn", "Tây Hòa", "Nam Đàn", "Bắc Bình", "Thanh Hà", "Yên Lạc", "Hòa Bình", "Tân Lập", "Phú Lộc",
    "An Khê", "Lạc Sơn", "Cẩm Thủy", "Kim Bôi", "Vĩnh Tường", "Hưng Nguyên", "Quế Phong", "Mỹ Đức",
    "Ba Vì", "Tam Dương", "Lập Thạch", "Sông Lô", "Đoan Hùng", "Hạ Hòa", "Thanh Ba", "Phù Ninh", "Yên Lập",
    "Cẩm Khê", "Tam Nông", "Lâm Thao", "Thanh Thủy",
]
COMMUNE_NAMES = [
    "Tân Phú", "Hợp Hải", "Xuân Huy", "Chân Mộng", "Hy Cương", "Tất Thắng", "Minh Khai", "Quang Trung",
    "Hùng Lô", "Kim Đức", "Phượng Lâu", "Sơn Vi", "Thạch Sơn", "Vân Phú", "Trưng Vương", "Cao Xá",
    "Tiên Kiên", "Bản Nguyên", "Đồng Lương", "Văn Lung",
]
#: per first activity category: titles (one in three or so of the "reading" ones says "đọc sách")
TITLES = {
    "reading": ["Đọc sách cùng con", "Ngày hội đọc sách", "Giờ kể chuyện cuối tuần", "Giới thiệu sách mới",
                "Câu lạc bộ đọc sách thiếu nhi", "Tủ sách lưu động về thôn", "Thi kể chuyện theo sách",
                "Đại sứ văn hóa đọc", "Trưng bày sách theo chủ đề"],
    "talk": ["Tọa đàm: Văn hóa đọc trong gia đình", "Nói chuyện chuyên đề: Lịch sử địa phương",
             "Giao lưu với tác giả", "Chuyên đề: Học tập suốt đời ở cộng đồng", "Tọa đàm: Sách và người trẻ"],
    "exhibition": ["Triển lãm ảnh: Di sản quê hương", "Trưng bày tư liệu truyền thống", "Triển lãm sách quý",
                   "Triển lãm tranh thiếu nhi"],
    "workshop": ["Hội thảo kỹ năng làm cha mẹ", "Lớp làm đồ thủ công", "Tập huấn kỹ năng thuyết trình",
                 "Trải nghiệm làm tranh Đông Hồ"],
    "course": ["Lớp tiếng Anh cho thiếu nhi", "Lớp năng khiếu hội họa", "Lớp tin học văn phòng",
               "Lớp xóa mù chữ cho người lớn", "Lớp học bơi an toàn"],
    "club": ["Câu lạc bộ Thơ", "Câu lạc bộ Dân vũ", "Câu lạc bộ Hát Xoan", "Câu lạc bộ Tiếng Anh",
             "Câu lạc bộ Cờ tướng người cao tuổi", "Câu lạc bộ đọc sách phụ nữ"],
    "performance": ["Đêm văn nghệ quần chúng", "Biểu diễn Hát Xoan", "Liên hoan tiếng hát thiếu nhi",
                    "Đêm nhạc dân gian"],
    "sport": ["Giải bóng chuyền hơi", "Giải cờ tướng", "Ngày chạy Olympic vì sức khỏe", "Thi đấu kéo co"],
    "festival": ["Ngày hội văn hóa các dân tộc", "Lễ hội trăng rằm", "Ngày hội gia đình", "Hội sách cuối năm"],
    "heritage": ["Thuyết minh chuyên đề về hiện vật", "Kể chuyện truyền thống quê hương",
                 "Tìm hiểu tín ngưỡng thờ cúng Hùng Vương", "Về nguồn: tham quan di tích"],
    "digital_skills": ["Lớp kỹ năng số cho người cao tuổi", "Hướng dẫn tra cứu thư viện số",
                       "Tập huấn dịch vụ công trực tuyến", "An toàn trên mạng cho học sinh"],
    "other": ["Sinh hoạt cộng đồng", "Gặp mặt tình nguyện viên", "Chương trình học tập cộng đồng"],
}
DESCRIPTIONS = {
    "reading": "Giới thiệu những cuốn sách hay, thi kể chuyện và trao đổi về văn hóa đọc.",
    "talk": "Diễn giả chia sẻ kinh nghiệm, trả lời câu hỏi của người tham dự.",
    "exhibition": "Trưng bày ảnh, hiện vật và tư liệu; có thuyết minh theo yêu cầu.",
    "workshop": "Thực hành theo nhóm nhỏ, có hướng dẫn viên đi kèm.",
    "course": "Khóa học miễn phí, học viên được cấp giấy chứng nhận khi hoàn thành.",
    "club": "Sinh hoạt định kỳ, chào đón thành viên mới.",
    "performance": "Chương trình văn nghệ do các đội văn nghệ quần chúng biểu diễn.",
    "sport": "Thi đấu giao hữu, đăng ký theo đội tại bộ phận văn hóa.",
    "festival": "Nhiều hoạt động vui chơi, ẩm thực và trình diễn nghệ thuật dân gian.",
    "heritage": "Tìm hiểu giá trị di sản văn hóa của địa phương.",
    "digital_skills": "Hướng dẫn sử dụng điện thoại thông minh, tra cứu thông tin và dịch vụ trực tuyến.",
    "other": "Hoạt động học tập suốt đời tại cộng đồng.",
}
CLOSING = ["Vào cửa tự do.", "Mời bạn đọc mọi lứa tuổi tham gia.", "Vui lòng đến trước 15 phút.",
           "Liên hệ bộ phận phụ trách để biết thêm chi tiết."]
ROOMS = ["Hội trường", "Phòng đọc thiếu nhi", "Sân văn hóa", "Phòng đa năng", "Phòng trưng bày", "Phòng học số 2"]
#: institution category -> its name before the place name
NAME_PREFIX = {
    "library_school": "Thư viện Trường", "culture_centre_commune": "Trung tâm Văn hóa – Học tập cộng đồng",
    "library_commune": "Thư viện", "library_community": "Thư viện cộng đồng",
    "library_specialized": "Thư viện chuyên ngành", "library_university": "Thư viện Trường Cao đẳng",
    "library_armed_forces": "Thư viện Ban Chỉ huy Quân sự", "museum_memorial": "Nhà truyền thống",
    "museum": "Bảo tàng", "library_district": "Thư viện",
    "culture_centre_district": "Trung tâm Văn hóa, Thể thao, Du lịch và Truyền thông",
}
SCHOOLS = ("Tiểu học", "THCS", "THPT")


def slugify(text_: str) -> str:
    from calendar_app.search import fold

    return re.sub(r"[^a-z0-9]+", "-", fold(text_)).strip("-")


@dataclass
class Place:
    id: int
    code: str
    name: str
    level: str


class Province:
    """Writes the province with COPY; batches share the area tree and never reuse an id.

    The random stream `rng` draws exactly what the indicator benchmark always drew, in the same order, so
    the same seed gives the same figures; everything added since (titles, tags, the move forward…) draws
    from `extra`.
    """

    def __init__(self, connection, seed: int = 2682, future: bool = False, now: datetime | None = None):
        self.connection = connection
        self.rng = random.Random(seed)
        self.extra = random.Random(seed + 1)
        self.batch = 0
        self.future = future
        #: the moment the data is generated for: attendance exists for meetings started before it
        self.now = (now or datetime.now(UTC).replace(tzinfo=None)) if future else NOW
        # --future: the fixed dates move (by whole weeks) so that they end where they end before NOW
        self.shift = timedelta(weeks=(self.now - NOW).days // 7) if future else timedelta(0)
        self.years = tuple(year + (self.now.year - NOW.year) for year in YEARS)

    def areas(self) -> list[Place]:
        """The province (id 1), its districts and communes; returns the districts and communes."""
        rows, places = [(1, "25", "Tỉnh Thử nghiệm", "province", None, "/1/")], []
        next_id = 2
        for d in range(DISTRICTS):
            district = Place(next_id, f"{200 + d}", f"Huyện {DISTRICT_NAMES[d % len(DISTRICT_NAMES)]}", "district")
            rows.append((district.id, district.code, district.name, "district", 1, f"/1/{district.id}/"))
            places.append(district)
            next_id += 1
            for c in range(COMMUNES_PER_DISTRICT):
                commune = Place(next_id, f"{10000 + d * 100 + c}", f"Xã {COMMUNE_NAMES[c]}", "commune")
                rows.append((commune.id, commune.code, commune.name, "commune", district.id,
                             f"/1/{district.id}/{commune.id}/"))
                places.append(commune)
                next_id += 1
        self._copy("areas", ("id", "code", "name", "level", "parent_id", "path"), rows)
        return places

    def _copy(self, table: str, columns: tuple[str, ...], rows) -> int:
        count = 0
        with self.connection.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        return count

    def batch_of(self, places: list[Place], scale: int) -> dict[str, int]:
        """One batch of `scale` units; returns the rows written per table."""
        rng, base = self.rng, self.batch * 10_000_000
        self.batch += 1
        stamp = datetime(2023, 1, 1) + self.shift
        names, weights = zip(*CATEGORIES, strict=True)
        written = {}

        started = time.perf_counter()
        count = INSTITUTIONS * scale
        categories = rng.choices(names, weights, k=count)
        institution_ids = [base + i + 1 for i in range(count)]
        areas = [rng.choice(places) for _ in institution_ids]
        institution_names = [self._institution_name(iid, cat, area)
                             for iid, cat, area in zip(institution_ids, categories, areas, strict=True)]
        written["institutions"] = self._copy(
            "institutions", ("id", "slug", "name", "category", "area_id", "active", "created_at", "updated_at",
                             "contact_name", "contact_phone", "contact_email", "address", "latitude", "longitude"),
            ((iid, f"{slugify(name)}-{iid}", name, cat, area.id, True, stamp, stamp, "Cán bộ phụ trách",
              "0912 000 000", f"lienhe.{iid}@bench.example", f"Thôn {iid % 12 + 1}, {area.name}",
              *self._coordinates())
             for iid, cat, area, name in zip(institution_ids, categories, areas, institution_names, strict=True)))
        # each institution placed in its area "since always", as the app does for a new one (COPY skips it)
        self._copy("placements", ("id", "institution_id", "area_id", "valid_from", "valid_to"),
                   ((iid, iid, area.id, None, None) for iid, area in zip(institution_ids, areas, strict=True)))
        say(f"  institutions: {count:,}", started)

        started = time.perf_counter()
        activities = []
        for n in range(ACTIVITIES * scale):
            index = rng.randrange(count)
            day = FIRST_DAY + timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days), hours=rng.randrange(1, 12))
            status = rng.choices(("published", "draft", "cancelled"), (95, 3, 2))[0]
            museum = categories[index].startswith("museum")
            programme = f"programme-{rng.randrange(8)}" if museum and rng.random() < 0.4 else None
            day += self.shift
            if self.future and self.extra.random() < 0.5:
                day += A_YEAR
            activities.append((base + n + 1, institution_ids[index], day, status, programme))
        activity_categories = []
        for _activity in activities:
            activity_categories.append(rng.sample(ACTIVITY_KEYS, rng.choice((1, 1, 2))))
        activity_audiences = []
        for _activity in activities:
            activity_audiences.append(rng.sample(AUDIENCE_KEYS, rng.choice((1, 1, 2))))
        written["activities"] = self._copy(
            "activities", ("id", "institution_id", "title", "description", "starts_at", "ends_at", "all_day",
                           "rrule", "location", "online_url", "programme", "registration_required", "status",
                           "sequence", "search_text", "created_at", "updated_at", "published_at", "key_text"),
            self._activity_rows(activities, activity_categories, activity_audiences, institution_names, base))
        written["activity_categories"] = self._copy(
            "activity_categories", ("activity_id", "key"),
            ((a[0], key) for a, keys in zip(activities, activity_categories, strict=True) for key in keys))
        written["activity_audiences"] = self._copy(
            "activity_audiences", ("activity_id", "key"),
            ((a[0], key) for a, keys in zip(activities, activity_audiences, strict=True) for key in keys))
        say(f"  activities: {len(activities):,} (with categories and audiences)", started)

        started = time.perf_counter()
        written["occurrences"] = written["attendances"] = 0
        for offset in range(0, len(activities), CHUNK):
            occurrences, attendances = self._meetings(activities[offset:offset + CHUNK], base, stamp)
            written["occurrences"] += self._copy(
                "occurrences", ("id", "activity_id", "institution_id", "original_start", "starts_at", "ends_at",
                                "status", "overridden", "updated_at"), occurrences)
            written["attendances"] += self._copy(
                "attendances", ("id", "occurrence_id", "total", "onsite", "online", "version", "updated_at"),
                attendances)
        say(f"  occurrences: {written['occurrences']:,}, attendance rows: {written['attendances']:,}", started)

        started = time.perf_counter()
        metrics = {"library": ("library_visits", "library_online_visits"),
                   "museum": ("museum_visitors", "museum_study_visitors"), "culture_centre_commune": ("club_members",)}
        tallies = []
        for iid, category in zip(institution_ids, categories, strict=True):
            kind = "library" if category.startswith("library") else "museum" if category.startswith("museum") \
                else category
            for metric in metrics.get(kind, ()):
                for year in self.years:
                    for month in range(1, 13):
                        tallies.append((base * 10 + len(tallies) + 1, iid, year, month, metric,
                                        rng.randrange(0, 900), stamp))
        written["monthly_tallies"] = self._copy(
            "monthly_tallies", ("id", "institution_id", "year", "month", "metric", "value", "updated_at"), tallies)
        assessments = [(base + n + 1, iid, year, rng.random() < 0.4, rng.random() < 0.3, False, False,
                        rng.random() < 0.2, stamp)
                       for n, (iid, year) in enumerate((iid, year) for iid, cat in zip(institution_ids, categories,
                                                                                       strict=True)
                                                       if cat.startswith("library") for year in self.years)]
        written["self_assessments"] = self._copy(
            "self_assessments", ("id", "institution_id", "year", "digital_catalogue", "digital_resources",
                                 "online_services", "digitised_heritage", "online_activities", "updated_at"),
            assessments)
        say(f"  monthly tallies: {len(tallies):,}, self-assessments: {len(assessments):,}", started)
        return written

    def _institution_name(self, iid: int, category: str, area: Place) -> str:
        place = area.name.removeprefix("Xã ").removeprefix("Huyện ")
        prefix = NAME_PREFIX[category]
        if category == "library_school":
            return f"{prefix} {SCHOOLS[iid % 3]} {place} số {iid % 9 + 1}"
        if category in ("library_district", "culture_centre_district"):
            return f"{prefix} {'huyện ' if area.level == 'district' else ''}{place}"
        return f"{prefix} {place}" + (f" {iid % 7 + 1}" if category in ("culture_centre_commune", "library_commune",
                                                                         "library_community") else "")

    def _coordinates(self) -> tuple[float | None, float | None]:
        if self.extra.random() < 0.3:
            return round(21.0 + self.extra.random(), 5), round(105.0 + self.extra.random(), 5)
        return None, None

    def _activity_rows(self, activities, activity_categories, activity_audiences, institution_names,
                       base: int) -> Iterator[tuple]:
        from calendar_app.events.keys import key_text
        from calendar_app.search import fold

        extra = self.extra
        for (aid, iid, day, status, programme), keys, audiences in zip(activities, activity_categories,
                                                                       activity_audiences, strict=True):
            title = extra.choice(TITLES[keys[0]])
            if extra.random() < 0.3:
                title += f" – {institution_names[iid - base - 1]}"
            description = " ".join((DESCRIPTIONS[keys[0]], *(DESCRIPTIONS[k] for k in keys[1:]),
                                    extra.choice(CLOSING)))
            online = f"https://meet.bench.example/{aid}" if "digital_skills" in keys and extra.random() < 0.3 else None
            # entered three weeks ahead, and never after the moment of generation: a later edit must be the
            # latest change (the feeds' stamp is the largest updated_at)
            created = min(day - timedelta(days=21), self.now - timedelta(hours=1))
            yield (aid, iid, title, description, day, day + timedelta(hours=2), False, RRULE,
                   f"{extra.choice(ROOMS)}, {institution_names[iid - base - 1]}", online, programme, False, status, 0,
                   fold(f"{title} {description}"), created, created, None if status == "draft" else created,
                   key_text(keys, audiences))

    def _meetings(self, activities, base: int, stamp: datetime) -> tuple[list, list]:
        """The occurrences and attendance rows of some activities (the random draws of the original order)."""
        rng, extra = self.rng, self.extra
        occurrences, attendances = [], []
        for aid, iid, day, status, _programme in activities:
            for k in range(OCCURRENCES_PER_ACTIVITY):
                oid = (aid - base - 1) * OCCURRENCES_PER_ACTIVITY + k + 1 + base * 10
                start = day + timedelta(days=7 * k)
                cancelled = rng.random() < 0.02
                occurrences.append((oid, aid, iid, start, start, start + timedelta(hours=2),
                                    "cancelled" if cancelled else "scheduled", cancelled, stamp))
                total = rng.randrange(0, 200)
                online = rng.choice((None, 0, 0, total // 4))
                if self.future and (start > self.now or cancelled or status != "published"
                                    or (start > self.now - RECENT and extra.random() < 0.5)):
                    continue  # the app records attendance only for meetings held; recent ones wait for theirs
                attendances.append((oid, oid, total, None if online is None else total - online, online, 1, stamp))
        return occurrences, attendances


# --- what the app would have done row by row -------------------------------------------------------------


def after_bulk_load(engine) -> None:
    """Observance tags, id sequences, monthly facts and planner statistics after rows were COPYed."""
    from calendar_app.indicators import facts

    # statistics first: without them the planner takes the fresh tables for empty, and the facts' queries
    # for nested loops that run for an hour at 10× (production runs rebuild-facts on analysed tables)
    vacuum_analyze(engine, "  vacuumed and analysed the loaded tables")
    started = time.perf_counter()
    tags = tag_observances(engine)
    say(f"  observance tags: {tags:,}", started)
    with engine.begin() as connection:
        reset_sequences(connection)
    started = time.perf_counter()
    with engine.begin() as connection:
        months, keys = facts.rebuild(connection)
    say(f"  monthly facts recomputed: {months:,} institution-months, {keys:,} keys", started)
    vacuum_analyze(engine, "  vacuumed and analysed again")


def vacuum_analyze(engine, message: str) -> None:
    started = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
        connection.execute(text("CHECKPOINT"))  # flush the load now, not during the timing
    say(message, started)


def tag_observances(engine) -> int:
    """The automatic tags observances/tagging.py would give: a held meeting inside a tagging window."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session, selectinload

    from calendar_app.clock import local_midnight_utc
    from calendar_app.observances.dates import tagging_window
    from calendar_app.observances.models import Observance

    with Session(engine) as session, session.begin():
        first, last = session.execute(text("SELECT min(starts_at), max(ends_at) FROM occurrences")).one()
        if first is None:
            return 0
        for observance in session.scalars(select(Observance).options(selectinload(Observance.dates))):
            for year in range(first.year, last.year + 1):
                window = tagging_window(observance, year)
                if window is None:
                    continue
                session.execute(text(
                    "INSERT INTO activity_observances (activity_id, observance_id, source, removed) "
                    "SELECT DISTINCT activity_id, :observance, 'auto', false FROM occurrences "
                    "WHERE status <> 'cancelled' AND starts_at < :end AND ends_at >= :start "
                    "ON CONFLICT DO NOTHING"),
                    {"observance": observance.id, "start": local_midnight_utc(window.starts_on),
                     "end": local_midnight_utc(window.ends_on + timedelta(days=1))})
        return session.execute(text("SELECT count(*) FROM activity_observances")).scalar_one()


def reset_sequences(connection) -> None:
    """Every serial id continues after the largest id COPY wrote, so that the app can insert."""
    tables = connection.execute(text(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'id'"
    )).scalars().all()
    for table in tables:
        sequence = connection.execute(text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table}).scalar()
        if sequence is not None:
            connection.execute(text(f"SELECT setval('{sequence}', (SELECT coalesce(max(id), 0) + 1 FROM {table}), "
                                    "false)"))


def create_admin() -> None:
    """The admin account the staff pages are measured with (inside an app context)."""
    from calendar_app.accounts.models import User
    from calendar_app.extensions import db

    user = User(email=ADMIN_EMAIL, role="admin", name="Quản trị (benchmark)")
    user.set_password(ADMIN_PASSWORD)  # werkzeug's generate_password_hash, as the app does
    db.session.add(user)
    db.session.commit()


# --- databases -------------------------------------------------------------------------------------------


def scratch_database(server_url: str, label: str):
    """The one place the benchmarks reach the throw-away database helper (it may move out of the package)."""
    from tests.scratch_db import scratch_postgres

    return scratch_postgres(server_url, label)


def app_for(url: str):
    """The app bound to `url`, for work done in the benchmark's own process."""
    from calendar_app import create_app
    from calendar_app.config import for_tests

    return create_app({**for_tests(url), "TESTING": False, "PASSWORD_HASH_METHOD": "scrypt"})


@dataclass
class Dataset:
    url: str
    #: what the database's comment says: scale, future, generated_at, seconds, rows…
    meta: dict = field(default_factory=dict)
    #: generated by this run (False: reused)
    fresh: bool = True

    @property
    def name(self) -> str:
        return make_url(self.url).database

    def describe(self) -> str:
        meta = self.meta
        how = "generated now" if self.fresh else f"reused, generated {meta.get('generated_at', '?')}"
        return (f"database {self.name} ({how}; scale {meta.get('scale')}, "
                f"{'future' if meta.get('future') else 'fixed dates'}; generation took "
                f"{meta.get('seconds', 0):,.0f} s)")


def generate(url: str, scale: int, future: bool) -> dict:
    """Migrate the empty database at `url`, fill it, mark it; returns the mark."""
    from flask_migrate import upgrade

    from calendar_app.extensions import db
    from calendar_app.seed import seed_reference_data

    started = time.perf_counter()
    app = app_for(url)
    with app.app_context():
        try:
            upgrade()  # the schema as production has it, migrations' indexes included
            seed_reference_data()
            db.session.commit()
            raw = db.engine.raw_connection()
            try:
                province = Province(raw.driver_connection, future=future)
                places = province.areas()
                say(f"generating scale {scale}{' with future activities' if future else ''}")
                rows = province.batch_of(places, scale)
                raw.commit()
            finally:
                raw.close()
            after_bulk_load(db.engine)
            create_admin()
            meta = {"format": FORMAT, "scale": scale, "future": future,
                    "generated_at": datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="minutes"),
                    #: the moment the dates are relative to (NOW without --future)
                    "data_now": province.now.isoformat(timespec="minutes"),
                    "seconds": round(time.perf_counter() - started, 1), "rows": rows, "admin": ADMIN_EMAIL}
            mark(db.engine, meta)
        finally:
            db.session.remove()
            db.engine.dispose()
    say(f"generated in {meta['seconds']:.0f} s: " + ", ".join(f"{table} {n:,}" for table, n in rows.items()))
    return meta


def mark(engine, meta: dict) -> None:
    name = engine.url.database
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"COMMENT ON DATABASE \"{name}\" IS " + "'" + json.dumps(meta).replace("'", "''")
                                + "'"))


def read_mark(url: str) -> tuple[dict | None, int]:
    """(the database's mark or None, its number of tables)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            comment = connection.execute(text(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"
            )).scalar()
            tables = connection.execute(text(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")).scalar_one()
    finally:
        engine.dispose()
    try:
        meta = json.loads(comment) if comment else None
    except ValueError:
        meta = None
    return (meta if isinstance(meta, dict) and "scale" in meta else None), tables


def default_name(scale: int, future: bool) -> str:
    return f"calendar_bench_{scale}x" + ("_future" if future else "")


@contextmanager
def dataset(scale: int, future: bool, db_url: str | None = None, keep: str | None = None,
            regenerate: bool = False, label: str = "calendar_bench") -> Iterator[Dataset]:
    """A database holding the generated province: a scratch one (dropped afterwards), a kept one, or `db_url`."""
    if db_url is None and keep is None:
        with scratch_database(SERVER, label) as url:
            yield Dataset(url, generate(url, scale, future))
        say("scratch database dropped")
        return
    if db_url is None:
        url = make_url(SERVER).set(database=keep).render_as_string(hide_password=False)
        _create_database(keep, drop_first=regenerate)
    else:
        url = db_url
    meta, tables = read_mark(url)
    if meta is None and tables == 0:
        yield Dataset(url, generate(url, scale, future))
        return
    if meta is None:
        sys.exit(f"{make_url(url).database} holds tables but no benchmark mark (an interrupted generation, or not a "
                 "benchmark database): use --regenerate with --keep-db, or another name")
    wanted = {"format": FORMAT, "scale": scale, "future": future}
    if any(meta.get(key) != value for key, value in wanted.items()):
        sys.exit(f"{make_url(url).database} holds {json.dumps({k: meta.get(k) for k in wanted})}, not "
                 f"{json.dumps(wanted)}: use --regenerate with --keep-db, or another name")
    _migrate(url)
    found = Dataset(url, meta, fresh=False)
    if future:
        age = (datetime.now(UTC).replace(tzinfo=None) - datetime.fromisoformat(meta["generated_at"])).days
        if age > 30:
            say(f"note: the data was generated {age} days ago; upcoming lists thin out as the dates pass "
                "(--regenerate)")
    yield found


def _create_database(name: str, drop_first: bool) -> None:
    admin = create_engine(SERVER, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            if drop_first:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                        {"name": name}).scalar()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()


def _migrate(url: str) -> None:
    """`flask db upgrade` on a kept database: what was added to the schema since it was generated applies."""
    from flask_migrate import upgrade

    from calendar_app.extensions import db

    app = app_for(url)
    with app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()


def add_database_options(parser: argparse.ArgumentParser) -> None:
    """--db, --keep-db, --regenerate: the same in every benchmark."""
    group = parser.add_argument_group("database (default: a scratch database, generated and dropped)")
    group.add_argument("--keep-db", nargs="?", const="", metavar="NAME",
                       help="keep the generated database under NAME (default calendar_bench_<scale>x[_future]) "
                            "and reuse it when it exists")
    group.add_argument("--regenerate", action="store_true", help="with --keep-db: drop and generate again")
    group.add_argument("--db", metavar="URL", help="use this database (generated earlier by the benchmarks)")


def dataset_from(options, future: bool, label: str = "calendar_bench"):
    keep = options.keep_db or (default_name(options.scale, future) if options.keep_db == "" else None)
    return dataset(options.scale, future, db_url=options.db, keep=keep, regenerate=options.regenerate, label=label)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=1, help="multiples of 10,000 institutions (default 1)")
    parser.add_argument("--future", action="store_true", help="dates around today, half a year ahead")
    add_database_options(parser)
    options = parser.parse_args()
    if options.keep_db is None and options.db is None:
        options.keep_db = ""
    with dataset_from(options, options.future) as found:
        say(found.describe())
        say(f"rerun a benchmark on it with --db {found.url}")


if __name__ == "__main__":
    main()
