"""Benchmark: the full province indicator report on a generated province, then on twice the data; and what
writes cost at that scale (an attendance import, one attendance saved).

    .venv/bin/python bench/indicators.py [--scale 1] [--year 2025] [--rounds 2] [--skip-writes]
    .venv/bin/python bench/indicators.py --scale 10 --rounds 1 [--keep-db [NAME] | --db URL]
    .venv/bin/python bench/indicators.py --scale 10 --rounds 1 --future --db URL   # bench/pages.py's data

Creates its own throw-away PostgreSQL database on 127.0.0.1:5432 (override the server with
BENCH_POSTGRES_URL, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres) and fills it with
bench/generate.py (fixed dates, no --future): 10,000 institutions, 200,000 activities, 1,000,000
occurrences and attendance rows per unit of --scale. Times the monthly facts the indicators read (as
`flask rebuild-facts` does: COPY bypasses the app, which otherwise keeps them up to date on every write),
rollup.compute(year, province) (the document of GET /api/v1/indicators, every child area included: first
run and median of seven) and what one write adds at commit (refreshing one institution's facts), then adds
the same amount again and times it all once more (--rounds 1: once), then drops the database.

Writes (after the first round, unless --skip-writes), through the JSON API with an admin token, in process
(Flask's test client: the whole app, without an HTTP server):
- a PUT of one attendance (median of 7) for a typical institution, the busiest generated one and a
  provincial library with ten years of history added for the purpose (~7,800 meetings), with the part
  spent in the commit (the facts refresh happens there);
- POST /api/v1/imports/attendance of 10,000 rows in one file (CSV, replacing figures of recent meetings),
  with the part spent in the commit; should the import refuse a file that large (before issue 16 it took at
  most 5,000 rows), the same rows are sent as two files of 5,000. Then a file one row over the cap, which
  must be refused (413) at once.

--keep-db / --db reuse a generated database (one round: the second needs fresh batches); the writes change
it a little (the imported figures, the added library, which is added once). With --future they measure a
database generated with --future (bench/pages.py's, to save a second generation): the report is then of the
last complete year before the data's "now", as of that moment.
Targets: report at most 1 s on a 2-core machine (at 10× too), twice the data at most twice the time
(issue 16: 1.5); an import of 10,000 rows under 10 s; an attendance commit independent of the history.
"""
import argparse
import csv
import io
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import event, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import generate  # noqa: E402
from generate import NOW, OCCURRENCES_PER_ACTIVITY, RRULE, Province, after_bulk_load  # noqa: E402
from harness import load_average, say, stop_on_sigterm  # noqa: E402

from calendar_app.clock import utcnow  # noqa: E402
from calendar_app.extensions import db  # noqa: E402
from calendar_app.indicators import facts  # noqa: E402

TARGET_SECONDS = 1.0
TARGET_IMPORT_SECONDS = 10.0
IMPORT_ROWS = 10_000
#: the provincial library added for the write timings: ten years of three new weekly series a week
HISTORY_SLUG = "thu-vien-tinh-lich-su-dai"
HISTORY_YEARS = 10
HISTORY_SERIES_PER_WEEK = 3
HISTORY_IDS = 9_000_000  # above batch 1's ids at 10×, below batch 2's


def time_report(year: int, runs: int = 7, now: datetime = NOW) -> tuple[float, float, dict]:
    """(first run, median of the following runs) in seconds, and the document of the last run."""
    from calendar_app.indicators.rollup import compute
    from calendar_app.places.models import Area

    timings, document = [], None
    for _ in range(runs + 1):
        db.session.expire_all()
        province = db.session.get(Area, 1)
        started = time.perf_counter()
        document = compute(year, province, now=now).as_document()
        timings.append(time.perf_counter() - started)
    db.session.remove()
    return timings[0], statistics.median(timings[1:]), document


def busiest_and_typical() -> tuple[int, int, int]:
    """(busiest institution, its number of occurrences, an institution of median size)."""
    busiest, occurrences = db.session.execute(text(
        "SELECT a.institution_id, count(*) FROM occurrences o JOIN activities a ON a.id = o.activity_id "
        "WHERE a.institution_id <> :history GROUP BY a.institution_id ORDER BY count(*) DESC LIMIT 1"),
        {"history": HISTORY_IDS}).one()
    typical = db.session.scalar(text(
        "SELECT institution_id FROM (SELECT institution_id, count(*) AS n FROM activities GROUP BY institution_id"
        " ORDER BY n, institution_id) AS counts OFFSET (SELECT count(DISTINCT institution_id) / 2 FROM activities)"
        " LIMIT 1"))
    return busiest, occurrences, typical


def time_refresh(runs: int = 7) -> tuple[float, float, int]:
    """Median seconds to refresh the facts of a typical institution and of the busiest, and the busiest's
    number of occurrences: what a write (attendance, a moved meeting…) adds to its commit."""
    busiest, occurrences, typical = busiest_and_typical()
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


def report_and_refresh(args, now: datetime = NOW) -> float:
    """Time and print the report and the refresh on the data as it is; returns the report's median."""
    counts = {table: db.session.scalar(text(f"SELECT count(*) FROM {table}"))
              for table in ("institutions", "activities", "occurrences", "attendances")}
    db.session.remove()
    first, median, document = time_report(args.year, now=now)
    say(f"report {args.year}, province with {len(document['indicators'][0]['areas'])} child areas: "
        f"first run {first:.3f} s, median of 7 {median:.3f} s (load average {os.getloadavg()[0]:.1f})  "
        + ", ".join(f"{table} {count:,}" for table, count in counts.items()))
    typical, busiest, occurrences = time_refresh()
    say(f"refreshing one institution's facts at commit: typical {typical * 1000:.1f} ms, "
        f"busiest ({occurrences:,} occurrences) {busiest * 1000:.1f} ms")
    return median


# --- writes --------------------------------------------------------------------------------------------


def add_long_history(connection) -> int:
    """A provincial library with ten years of activities (COPY, as the generator writes); returns its
    number of occurrences. Added once per database."""
    from calendar_app.search import fold

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM institutions WHERE id = %s", (HISTORY_IDS,))
        if cursor.fetchone() is None:
            rng = random.Random(HISTORY_IDS)
            stamp = NOW - timedelta(days=365 * HISTORY_YEARS)
            cursor.execute("INSERT INTO institutions (id, slug, name, category, area_id, active, created_at, "
                           "updated_at) VALUES (%s, %s, %s, 'library_provincial', 2, true, %s, %s)",
                           (HISTORY_IDS, HISTORY_SLUG, "Thư viện tỉnh (mười năm hoạt động)", stamp, stamp))
            activities, occurrences, attendances, categories = [], [], [], []
            weeks = HISTORY_YEARS * 52 - OCCURRENCES_PER_ACTIVITY - 1
            for week in range(weeks):
                for n in range(HISTORY_SERIES_PER_WEEK):
                    aid = HISTORY_IDS + len(activities) + 1
                    day = stamp + timedelta(weeks=week, days=2 * n, hours=1 + rng.randrange(10))
                    title = f"Giờ đọc sách thiếu nhi tuần {week + 1}" if n == 0 else f"Sinh hoạt chuyên đề {aid}"
                    activities.append((aid, HISTORY_IDS, title, "", day, day + timedelta(hours=2), False, RRULE,
                                       False, "published", 0, fold(title), stamp, stamp, stamp,
                                       f" c:{('reading', 'club', 'talk')[n]} "))
                    categories.append((aid, ("reading", "club", "talk")[n]))
                    for k in range(OCCURRENCES_PER_ACTIVITY):
                        oid = HISTORY_IDS * 10 + len(occurrences) + 1
                        start = day + timedelta(weeks=k)
                        occurrences.append((oid, aid, HISTORY_IDS, start, start, start + timedelta(hours=2),
                                            "scheduled", False, stamp))
                        attendances.append((oid, oid, rng.randrange(5, 120), None, None, 1, stamp))
            for table, columns, rows in (
                ("activities", "id, institution_id, title, description, starts_at, ends_at, all_day, rrule, "
                               "registration_required, status, sequence, search_text, created_at, updated_at, "
                               "published_at, key_text", activities),
                ("activity_categories", "activity_id, key", categories),
                ("occurrences", "id, activity_id, institution_id, original_start, starts_at, ends_at, status, "
                                "overridden, updated_at", occurrences),
                ("attendances", "id, occurrence_id, total, onsite, online, version, updated_at", attendances),
            ):
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        cursor.execute("SELECT count(*) FROM occurrences o JOIN activities a ON a.id = o.activity_id "
                       "WHERE a.institution_id = %s", (HISTORY_IDS,))
        return cursor.fetchone()[0]


class CommitClock:
    """Seconds spent in each commit of the ORM (flush, the facts refresh, COMMIT), while installed."""

    def __init__(self):
        from sqlalchemy.orm import Session

        self.target, self.started, self.seconds = Session, None, []

    def __enter__(self):
        event.listen(self.target, "before_commit", self._before, insert=True)
        event.listen(self.target, "after_commit", self._after)
        return self

    def __exit__(self, *_exc):
        event.remove(self.target, "before_commit", self._before)
        event.remove(self.target, "after_commit", self._after)

    def _before(self, _session):
        self.started = time.perf_counter()

    def _after(self, _session):
        if self.started is not None:
            self.seconds.append(time.perf_counter() - self.started)
            self.started = None


def api_token() -> str:
    """A token of the benchmark's admin (created when the database has none)."""
    from sqlalchemy import select

    from calendar_app.accounts.models import ApiToken, User

    user = db.session.scalar(select(User).where(User.email == generate.ADMIN_EMAIL))
    if user is None:
        generate.create_admin()
        user = db.session.scalar(select(User).where(User.email == generate.ADMIN_EMAIL))
    _token, secret = ApiToken.issue(user, "bench")
    db.session.commit()
    return secret


def recent_held(institution_id: int | None, limit: int) -> list[tuple[int, datetime]]:
    """(activity id, original start) of the most recent held meetings, of one institution or of any."""
    where = "AND a.institution_id = :institution" if institution_id is not None else ""
    return [tuple(row) for row in db.session.execute(text(
        "SELECT o.activity_id, o.original_start FROM occurrences o JOIN activities a ON a.id = o.activity_id "
        f"WHERE a.status = 'published' AND o.status = 'scheduled' AND o.starts_at <= :now {where} "
        "ORDER BY o.starts_at DESC, o.id LIMIT :limit"),
        {"now": utcnow(), "institution": institution_id, "limit": limit})]


def time_attendance_put(client, headers: dict, institution_id: int, runs: int = 7) -> tuple[float, float]:
    """Median (request, commit) seconds of PUT …/attendance on the institution's latest held meeting."""
    from calendar_app.events.recurrence import occurrence_key

    (activity_id, start), = recent_held(institution_id, 1)
    db.session.remove()
    url = f"/api/v1/events/{activity_id}/occurrences/{occurrence_key(start, False)}/attendance"
    version = client.get(url, headers=headers).get_json()["version"]
    requests_, commits = [], []
    for n in range(runs + 1):  # the first one warms up
        with CommitClock() as clock:
            started = time.perf_counter()
            response = client.put(url, json={"total": 40 + n % 2, "onsite": 40 + n % 2, "online": 0,
                                             **({"version": version} if version else {})}, headers=headers)
            elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"PUT {url}: {response.status_code} {response.get_data(as_text=True)[:300]}")
        version = response.get_json()["version"]
        if n:
            requests_.append(elapsed)
            commits.append(sum(clock.seconds))
        db.session.remove()
    return statistics.median(requests_), statistics.median(commits)


def attendance_csv(rows: list[tuple[int, datetime, int]]) -> bytes:
    from calendar_app.events.recurrence import occurrence_key

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(("event", "occurrence", "total", "onsite", "online"))
    for activity_id, start, total in rows:
        writer.writerow((activity_id, occurrence_key(start, False), total, total, 0))
    return buffer.getvalue().encode()


def time_import(client, headers: dict, rows: list[tuple[int, datetime, int]]) -> tuple[int, float, dict]:
    with CommitClock() as clock:
        started = time.perf_counter()
        response = client.post("/api/v1/imports/attendance", headers=headers, content_type="multipart/form-data",
                               data={"file": (io.BytesIO(attendance_csv(rows)), "attendance.csv")})
        elapsed = time.perf_counter() - started
    db.session.remove()
    body = response.get_json(silent=True) or {}
    return response.status_code, elapsed, {**body, "commit_seconds": sum(clock.seconds)}


def time_writes(app) -> dict:
    """Attendance PUTs by history length and the 10,000-row import; prints and returns the figures."""
    started = time.perf_counter()
    raw = db.engine.raw_connection()
    try:
        history = add_long_history(raw.driver_connection)
        raw.commit()
    finally:
        raw.close()
    with db.engine.begin() as connection:
        generate.reset_sequences(connection)
        facts.refresh(connection, [HISTORY_IDS])
        connection.execute(text("ANALYZE"))
    say(f"writes: added {HISTORY_SLUG} with {history:,} occurrences over {HISTORY_YEARS} years", started)
    # answers in English, so that a refusal's reason reads the same in every log
    headers = {"Authorization": f"Bearer {api_token()}", "Accept-Language": "en"}
    client = app.test_client()
    busiest, busiest_occurrences, typical = busiest_and_typical()
    db.session.remove()
    figures = {}
    for label, institution, occurrences in (("typical", typical, None), ("busiest", busiest, busiest_occurrences),
                                            ("ten years", HISTORY_IDS, history)):
        request_s, commit_s = time_attendance_put(client, headers, institution)
        figures[f"put_{label}"] = (request_s, commit_s)
        say(f"PUT one attendance, {label} institution"
            + (f" ({occurrences:,} occurrences)" if occurrences else "")
            + f": {request_s * 1000:.1f} ms, of which commit {commit_s * 1000:.1f} ms (median of 7)")

    picked = recent_held(None, IMPORT_ROWS)
    # new figures, so that every row is a real change (an unchanged row writes nothing), on a rerun too
    shift = 1 + int(time.time()) % 148
    rows = [(activity_id, start, 7 + (n + shift) % 150) for n, (activity_id, start) in enumerate(picked)]
    db.session.remove()
    status, seconds, body = time_import(client, headers, rows)
    refused = status in (413, 422)
    say(f"import of {len(rows):,} attendance rows in one file: {status} in {seconds:.2f} s"
        + (f" (refused: {'; '.join(row['reason'] for row in body['error'].get('rows', []))})" if refused
           else f", {body.get('written', 0):,} written (commit {body['commit_seconds']:.2f} s; "
                f"target < {TARGET_IMPORT_SECONDS:.0f} s)"))
    figures["import_one_file"] = (status, seconds)
    over = rows + rows[:1] if len(rows) == IMPORT_ROWS else None
    if over is not None:
        status, seconds, body = time_import(client, headers, over)
        say(f"import of a file one row over the cap ({len(over):,} rows): {status} in {seconds:.2f} s")
        figures["import_over_cap"] = (status, seconds)
    if refused:
        total, commit = 0.0, 0.0
        half = len(rows) // 2
        for part, chunk in enumerate((rows[:half], rows[half:]), start=1):
            status, seconds, body = time_import(client, headers, chunk)
            if status != 201:
                raise RuntimeError(f"import part {part}: {status} {body}")
            total += seconds
            commit += body["commit_seconds"]
            say(f"  part {part}: {len(chunk):,} rows, {body['written']:,} written in {seconds:.2f} s "
                f"(commit {body['commit_seconds']:.2f} s)")
        figures["import_two_files"] = total
        say(f"import of {len(rows):,} attendance rows as two files of {half:,}: {total:.2f} s "
            f"(of which commits {commit:.2f} s; target < {TARGET_IMPORT_SECONDS:.0f} s)")
    return figures


# --- the two ways to get data --------------------------------------------------------------------------


def run_rounds(args) -> list[float]:
    """A scratch database loaded batch after batch; the report timed after each. Returns the medians."""
    medians = []
    with generate.scratch_database(generate.SERVER, "calendar_bench") as url:
        from flask_migrate import upgrade
        from sqlalchemy.engine import make_url

        from calendar_app.seed import seed_reference_data

        say(f"database {make_url(url).database}")
        app = generate.app_for(url)
        with app.app_context():
            try:
                upgrade()
                seed_reference_data()
                db.session.commit()
                raw = db.engine.raw_connection()
                province = Province(raw.driver_connection)
                places = province.areas()
                raw.commit()
                for round_ in range(1, args.rounds + 1):
                    started = time.perf_counter()
                    say(f"generating batch {round_} (scale {args.scale})")
                    province.batch_of(places, args.scale)
                    raw.commit()
                    after_bulk_load(db.engine)
                    say(f"batch {round_} loaded and analysed", started)
                    medians.append(report_and_refresh(args))
                    if round_ == 1 and not args.skip_writes:
                        time_writes(app)
                raw.close()
            finally:
                db.session.remove()
                db.engine.dispose()
    say("database dropped")
    return medians


def run_kept(args) -> list[float]:
    with generate.dataset_from(args, future=args.future) as found:
        say(found.describe())
        # future data: its dates are relative to the moment it was generated; the report is of the last
        # complete year before it, as of that moment
        now = datetime.fromisoformat(found.meta["data_now"]) if args.future else NOW
        if args.future and args.year is None:
            args.year = now.year - 1
        say(f"report of {args.year} as of {now:%Y-%m-%d %H:%M}")
        app = generate.app_for(found.url)
        with app.app_context():
            try:
                medians = [report_and_refresh(args, now)]
                if not args.skip_writes:
                    time_writes(app)
            finally:
                db.session.remove()
                db.engine.dispose()
    return medians


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=1, help="multiples of 10,000 institutions (default 1)")
    parser.add_argument("--year", type=int, help="the report's year (default 2025; with --future the last "
                                                 "complete year of the data)")
    parser.add_argument("--future", action="store_true",
                        help="with --db/--keep-db: the database was generated with --future (bench/pages.py's)")
    parser.add_argument("--rounds", type=int, choices=(1, 2), default=2,
                        help="2: the data, then twice the data (default); 1: the data only")
    parser.add_argument("--skip-writes", action="store_true", help="no attendance PUT and import timings")
    generate.add_database_options(parser)
    args = parser.parse_args()
    stop_on_sigterm()
    if args.year is None and not args.future:
        args.year = 2025
    say(f"load average {load_average()}")
    started = time.perf_counter()
    kept = args.db is not None or args.keep_db is not None
    if args.future and not kept:
        parser.error("--future measures a database generated earlier: give --db or --keep-db")
    if kept and args.rounds == 2:
        say("a kept database is timed once (--rounds 1): twice the data needs a second, fresh batch")
    medians = run_kept(args) if kept else run_rounds(args)
    say(f"total {time.perf_counter() - started:.0f} s")

    print()
    single = medians[0]
    print(f"full province report, {args.scale}× data: {single:.3f} s (target ≤ {TARGET_SECONDS:.1f} s)")
    ok = single <= TARGET_SECONDS
    if len(medians) == 2:
        double = medians[1]
        print(f"full province report, {2 * args.scale}× data: {double:.3f} s (ratio {double / single:.2f}, "
              "target ≤ 2)")
        ok = ok and double <= 2 * single
    print("OK" if ok else "SLOWER THAN THE TARGET")
    if os.getloadavg()[0] > (os.cpu_count() or 1):
        print(f"note: the machine was busy (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores); "
              "timings are wall-clock")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
