"""Benchmark: the full province indicator report on a generated province, then on twice the data.

    .venv/bin/python bench/indicators.py [--scale 1] [--year 2025]

Creates its own throw-away PostgreSQL database on 127.0.0.1:5432 (override the server with
BENCH_POSTGRES_URL, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres), fills it with COPY —
10,000 institutions, 200,000 activities, 1,000,000 attendance rows per unit of --scale — times
recomputes the monthly facts the indicators read (as `flask rebuild-facts` does: COPY bypasses the app,
which otherwise keeps them up to date on every write), times rollup.compute(year, province) (the document
of GET /api/v1/indicators, every child area included) and what one write adds at commit (refreshing one
institution's facts), adds the same amount again and times it all once more, then drops the database.
Target: at most 1 s on a 2-core machine, and twice the data at most twice the time.
"""
import argparse
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.engine import make_url

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from calendar_app import create_app  # noqa: E402
from calendar_app.config import for_tests  # noqa: E402
from calendar_app.extensions import db  # noqa: E402
from calendar_app.indicators import facts  # noqa: E402
from calendar_app.seed import seed_reference_data  # noqa: E402
from tests.scratch_db import scratch_postgres  # noqa: E402

SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
TARGET_SECONDS = 1.0

INSTITUTIONS = 10_000
ACTIVITIES = 200_000
OCCURRENCES_PER_ACTIVITY = 5
DISTRICTS = 30
COMMUNES_PER_DISTRICT = 20

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
#: the report is computed as of this moment; every generated occurrence has started by then, so every
#: occurrence has its attendance row (1,000,000 per unit of --scale)
NOW = datetime(2026, 11, 1)
FIRST_DAY, LAST_DAY = datetime(2023, 1, 1), NOW - timedelta(days=7 * OCCURRENCES_PER_ACTIVITY + 1)


def say(message: str, started: float | None = None) -> None:
    suffix = f" ({time.perf_counter() - started:.1f} s)" if started is not None else ""
    print(message + suffix, flush=True)


class Generator:
    """Writes one batch of the province with COPY; batches share the area tree and never reuse an id."""

    def __init__(self, connection, seed: int = 2682):
        self.connection = connection
        self.rng = random.Random(seed)
        self.batch = 0

    def areas(self) -> list[int]:
        """The province (id 1), its districts and communes; returns the commune and district ids."""
        rows, places = [(1, "25", "Tỉnh Thử nghiệm", "province", None, "/1/")], []
        next_id = 2
        for d in range(DISTRICTS):
            district = next_id
            rows.append((district, f"{200 + d}", f"Huyện {d}", "district", 1, f"/1/{district}/"))
            places.append(district)
            next_id += 1
            for c in range(COMMUNES_PER_DISTRICT):
                rows.append((next_id, f"{10000 + d * 100 + c}", f"Xã {d}-{c}", "commune", district,
                             f"/1/{district}/{next_id}/"))
                places.append(next_id)
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

    def batch_of(self, places: list[int], scale: int) -> None:
        rng, base = self.rng, self.batch * 10_000_000
        self.batch += 1
        stamp = datetime(2023, 1, 1)
        names, weights = zip(*CATEGORIES, strict=True)

        started = time.perf_counter()
        count = INSTITUTIONS * scale
        categories = rng.choices(names, weights, k=count)
        institution_ids = [base + i + 1 for i in range(count)]
        self._copy("institutions", ("id", "slug", "name", "category", "area_id", "active", "created_at",
                                    "updated_at", "contact_name", "contact_phone"),
                   ((iid, f"inst-{iid}", f"Thiết chế {iid}", cat, rng.choice(places), True, stamp, stamp,
                     "Cán bộ phụ trách", "0912 000 000") for iid, cat in zip(institution_ids, categories,
                                                                              strict=True)))
        say(f"  institutions: {count:,}", started)

        started = time.perf_counter()
        activities = []
        for n in range(ACTIVITIES * scale):
            index = rng.randrange(count)
            day = FIRST_DAY + timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days), hours=rng.randrange(1, 12))
            status = rng.choices(("published", "draft", "cancelled"), (95, 3, 2))[0]
            museum = categories[index].startswith("museum")
            programme = f"programme-{rng.randrange(8)}" if museum and rng.random() < 0.4 else None
            activities.append((base + n + 1, institution_ids[index], day, status, programme))
        self._copy("activities", ("id", "institution_id", "title", "description", "starts_at", "ends_at",
                                  "all_day", "programme", "registration_required", "status", "sequence",
                                  "search_text", "created_at", "updated_at"),
                   ((aid, iid, f"Hoạt động {aid}", "", day, day + timedelta(hours=2), False, programme, False,
                     status, 0, "", stamp, stamp) for aid, iid, day, status, programme in activities))
        self._copy("activity_categories", ("activity_id", "key"),
                   ((a[0], key) for a in activities for key in rng.sample(ACTIVITY_KEYS, rng.choice((1, 1, 2)))))
        self._copy("activity_audiences", ("activity_id", "key"),
                   ((a[0], key) for a in activities for key in rng.sample(AUDIENCE_KEYS, rng.choice((1, 1, 2)))))
        say(f"  activities: {len(activities):,} (with categories and audiences)", started)

        started = time.perf_counter()
        occurrences, attendances = [], []
        for aid, _iid, day, _status, _programme in activities:
            for k in range(OCCURRENCES_PER_ACTIVITY):
                oid = (aid - base - 1) * OCCURRENCES_PER_ACTIVITY + k + 1 + base * 10
                start = day + timedelta(days=7 * k)
                cancelled = rng.random() < 0.02
                occurrences.append((oid, aid, start, start, start + timedelta(hours=2),
                                    "cancelled" if cancelled else "scheduled", cancelled, stamp))
                total = rng.randrange(0, 200)
                online = rng.choice((None, 0, 0, total // 4))
                attendances.append((oid, oid, total, None if online is None else total - online, online, 1, stamp))
        self._copy("occurrences", ("id", "activity_id", "original_start", "starts_at", "ends_at", "status",
                                   "overridden", "updated_at"), occurrences)
        say(f"  occurrences: {len(occurrences):,}", started)
        started = time.perf_counter()
        self._copy("attendances", ("id", "occurrence_id", "total", "onsite", "online", "version", "updated_at"),
                   attendances)
        say(f"  attendance rows: {len(attendances):,}", started)

        started = time.perf_counter()
        metrics = {"library": ("library_visits", "library_online_visits"),
                   "museum": ("museum_visitors", "museum_study_visitors"), "culture_centre_commune": ("club_members",)}
        tallies = []
        for iid, category in zip(institution_ids, categories, strict=True):
            kind = "library" if category.startswith("library") else "museum" if category.startswith("museum") \
                else category
            for metric in metrics.get(kind, ()):
                for year in YEARS:
                    for month in range(1, 13):
                        tallies.append((base * 10 + len(tallies) + 1, iid, year, month, metric,
                                        rng.randrange(0, 900), stamp))
        self._copy("monthly_tallies", ("id", "institution_id", "year", "month", "metric", "value", "updated_at"),
                   tallies)
        assessments = [(base + n + 1, iid, year, rng.random() < 0.4, rng.random() < 0.3, False, False,
                        rng.random() < 0.2, stamp)
                       for n, (iid, year) in enumerate((iid, year) for iid, cat in zip(institution_ids, categories,
                                                                                       strict=True)
                                                       if cat.startswith("library") for year in YEARS)]
        self._copy("self_assessments", ("id", "institution_id", "year", "digital_catalogue", "digital_resources",
                                        "online_services", "digitised_heritage", "online_activities",
                                        "updated_at"), assessments)
        say(f"  monthly tallies: {len(tallies):,}, self-assessments: {len(assessments):,}", started)


def time_report(app, year: int, runs: int = 7) -> tuple[float, float, dict]:
    """(first run, median of the following runs) in seconds, and the document of the last run."""
    from calendar_app.indicators.rollup import compute
    from calendar_app.places.models import Area

    timings, document = [], None
    for _ in range(runs + 1):
        db.session.expire_all()
        province = db.session.get(Area, 1)
        started = time.perf_counter()
        document = compute(year, province, now=NOW).as_document()
        timings.append(time.perf_counter() - started)
    db.session.remove()
    return timings[0], statistics.median(timings[1:]), document


def time_refresh(runs: int = 7) -> tuple[float, float, int]:
    """Median seconds to refresh the facts of a typical institution and of the busiest, and the busiest's
    number of occurrences: what a write (attendance, a moved meeting…) adds to its commit."""
    busiest, occurrences = db.session.execute(text(
        "SELECT a.institution_id, count(*) FROM occurrences o JOIN activities a ON a.id = o.activity_id "
        "GROUP BY a.institution_id ORDER BY count(*) DESC LIMIT 1")).one()
    typical = db.session.scalar(text(
        "SELECT institution_id FROM (SELECT institution_id, count(*) AS n FROM activities GROUP BY institution_id"
        " ORDER BY n, institution_id) AS counts OFFSET (SELECT count(DISTINCT institution_id) / 2 FROM activities)"
        " LIMIT 1"))
    medians = []
    for institution in (typical, busiest):
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            facts.refresh(db.session, [institution])
            timings.append(time.perf_counter() - started)
            db.session.rollback()
        medians.append(statistics.median(timings))
    db.session.remove()
    return medians[0], medians[1], occurrences


def run(app, args) -> list[tuple[dict, float, float]]:
    """Load the schema and two batches; after each, time the report. Returns (counts, first, median) twice."""
    db.create_all()
    seed_reference_data()
    db.session.commit()
    raw = db.engine.raw_connection()
    generator = Generator(raw.driver_connection)
    places = generator.areas()
    raw.commit()
    figures = []
    for round_ in (1, 2):
        started = time.perf_counter()
        say(f"generating batch {round_} (scale {args.scale})")
        generator.batch_of(places, args.scale)
        raw.commit()
        rebuilt = time.perf_counter()
        with db.engine.begin() as connection:
            months, keys = facts.rebuild(connection)
        say(f"  monthly facts recomputed: {months:,} institution-months, {keys:,} keys", rebuilt)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
            connection.execute(text("CHECKPOINT"))  # flush the load now, not during the timing
        say(f"batch {round_} loaded and analysed", started)
        counts = {table: db.session.scalar(text(f"SELECT count(*) FROM {table}"))
                  for table in ("institutions", "activities", "occurrences", "attendances")}
        db.session.remove()
        first, median, document = time_report(app, args.year)
        figures.append((counts, first, median))
        say(f"report {args.year}, province with {len(document['indicators'][0]['areas'])} child areas: "
            f"first run {first:.3f} s, median of 7 {median:.3f} s (load average {os.getloadavg()[0]:.1f})  "
            + ", ".join(f"{table} {count:,}" for table, count in counts.items()))
        typical, busiest, occurrences = time_refresh()
        say(f"refreshing one institution's facts at commit: typical {typical * 1000:.1f} ms, "
            f"busiest ({occurrences:,} occurrences) {busiest * 1000:.1f} ms")
    raw.close()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=1, help="multiples of 10,000 institutions (default 1)")
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()

    figures = []
    with scratch_postgres(SERVER, "calendar_bench") as url:
        say(f"database {make_url(url).database}")
        app = create_app({**for_tests(url), "TESTING": False})
        with app.app_context():
            try:
                figures = run(app, args)
            finally:
                db.session.remove()
                db.engine.dispose()
    say("database dropped")

    (_c1, _f1, single), (_c2, _f2, double) = figures
    print()
    print(f"full province report, {args.scale}× data: {single:.3f} s (target ≤ {TARGET_SECONDS:.1f} s)")
    print(f"full province report, {2 * args.scale}× data: {double:.3f} s (ratio {double / single:.2f}, "
          "target ≤ 2)")
    ok = single <= TARGET_SECONDS and double <= 2 * single
    print("OK" if ok else "SLOWER THAN THE TARGET")
    if os.getloadavg()[0] > (os.cpu_count() or 1):
        print(f"note: the machine was busy (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores); "
              "timings are wall-clock")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
