"""Feed speed. Two modes:

Small (issue of round 1): the cached feed (200 and 304) against a bare Flask app serving the same bytes, the
rebuild of the 10,000-activity feed after one change against icalendar serialising the whole calendar, and
peak memory.

    .venv/bin/python bench/feeds.py [--sizes 1000 10000] [--seconds 3] [--rounds 5] [--connections 4]
                                    [--postgresql [postgresql+psycopg://postgres@127.0.0.1:5432/postgres]]

Each size gets its own SQLite database in a temporary directory, or with --postgresql a throw-away database
created beside the given one; both are deleted afterwards. One activity in ten recurs weekly, with one
meeting cancelled and one moved. The app and the bare app (bench/bare_app.py) run
under gunicorn with 2 sync workers on loopback ports; `wrk` (apt-get install wrk) loads each for --seconds,
alternating app and bare app for --rounds rounds, and the median requests/s are compared.

Province scale (issue 17), on PostgreSQL:

    .venv/bin/python bench/feeds.py --scale 1 [--postgresql [SERVER_URL]] [--seconds 3] [--rounds 3]
                                    [--keep-db [NAME] [--regenerate] | --db URL]

The data of bench/generate.py --future (as bench/pages.py; --keep-db shares its database) and three feeds:
/feeds/all.ics, a district's /feeds/areas/<code>.ics and /feeds/events.ics?category=club. First the feed
store is filled as after any bulk load (`flask feeds rebuild`, timed: every fragment of the window serialised,
no feed assembled). For each feed, on workers that have built nothing yet (gunicorn's workers are restarted
with HUP before each feed): the first request on one worker (assembled from the stored fragments), then on
the other (the feed the first one stored) — a request is sent to a chosen worker by pausing the other with
SIGSTOP meanwhile; size and number of VEVENTs; warm single requests on each worker (median of 5); wrk 200
and 304 (If-None-Match) requests/s against the bare floor serving the same bytes (median of --rounds
alternating runs). Then one activity shown in all three feeds is changed through the app's ORM, and the next
request of each feed is timed on each worker at once (the first assembles the feed again, the second reads
it). Then the workers are restarted (HUP) and /feeds/all.ics is timed again on each. Peak RSS (VmHWM) of
each worker once all three feeds were served, and after the restart. --baseline runs the same measures
without the store step, for code from before it (a checkout of an older commit).
Goals (issue 17): cold <= 1 s, once for all workers and restarts; warm and 304 >= 0.9x the floor; after
one change <= 100 ms.
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta
from datetime import time as dt_time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent

import generate  # noqa: E402
from harness import (  # noqa: E402
    Recording,
    app_environment,
    get,
    load_average,
    median_rate,
    peak_rss_mb,
    say,
    serving,
    stop_on_sigterm,
)

TARGET_THROUGHPUT = 0.9
TARGET_REBUILD = 1 / 20
TITLES = ["Đọc sách cùng con", "Câu lạc bộ thơ; văn", "Triển lãm ảnh “Đất Tổ”", "Lớp kỹ năng số cho người cao tuổi",
          "Nói chuyện chuyên đề: di sản, văn hoá", "Ngày hội đọc sách\\thiếu nhi", "Hát Xoan Phú Thọ"]
DESCRIPTION = ("Hoạt động học tập suốt đời tại thư viện, bảo tàng và trung tâm văn hoá: giới thiệu sách mới, "
               "trò chuyện với tác giả; hướng dẫn tra cứu tài liệu số.\nMời bạn đọc mọi lứa tuổi tham gia, "
               "vào cửa tự do. ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], help="small mode: activities")
    parser.add_argument("--scale", type=int, help="province mode: multiples of 10,000 institutions (PostgreSQL)")
    parser.add_argument("--seconds", type=float, default=3, help="length of each wrk run")
    parser.add_argument("--rounds", type=int, help="alternating app / bare app runs per measure (default 5, "
                                                   "3 at province scale)")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--rebuilds", type=int, default=5, help="small mode: one-activity changes timed per size")
    parser.add_argument("--baseline", action="store_true", help="province mode: code from before the feed store "
                                                                    "(no `flask feeds rebuild`)")
    parser.add_argument("--store-kept", action="store_true", help="province mode, kept database: reuse the "
                                                                      "fragments an earlier run serialised")
    parser.add_argument("--postgresql", metavar="URL", nargs="?", const=generate.SERVER,
                        help="use throw-away databases on this PostgreSQL server (default " + generate.SERVER + ")")
    generate.add_database_options(parser)
    options = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("bench/feeds.py needs wrk: apt-get install wrk")
    stop_on_sigterm()
    if options.scale is not None:
        options.rounds = options.rounds or 3
        if options.postgresql:
            generate.SERVER = options.postgresql
        bench_province(options)
        return
    options.rounds = options.rounds or 5
    workdir = Path(tempfile.mkdtemp(prefix="feeds-bench-"))
    database = "throw-away PostgreSQL databases" if options.postgresql else f"SQLite files under {workdir}"
    print(f"database: {database} (removed afterwards); gunicorn 2 sync workers on 127.0.0.1; "
          f"wrk -t1 -c{options.connections} -d{options.seconds:g}s, median of {options.rounds} alternating runs")
    results = {}
    try:
        for size in options.sizes:
            results[size] = bench_size(size, workdir, options)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    summary(results)


def bench_size(size: int, workdir: Path, options) -> dict:
    print(f"\n== {size} activities")
    with throwaway_database(options.postgresql, workdir / f"feeds-{size}.db") as url:
        return bench_database(size, url, workdir, options)


@contextmanager
def throwaway_database(postgresql: str | None, sqlite_file: Path):
    if not postgresql:
        yield f"sqlite:///{sqlite_file}"
        return
    with generate.scratch_database(postgresql, "feeds_bench") as url:
        yield url


def bench_database(size: int, url: str, workdir: Path, options) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench",
           "CALENDAR_INSTANCE_PATH": str(workdir / "instance"), "SCHEDULER_ENABLED": "0",
           "CALENDAR_DOMAIN": "bench.example", "PUBLIC_BASE_URL": "https://lich.example"}
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "SECRET_KEY", "CALENDAR_INSTANCE_PATH",
                                           "SCHEDULER_ENABLED", "CALENDAR_DOMAIN", "PUBLIC_BASE_URL")})
    started = time.perf_counter()
    load(size)
    print(f"loaded in {time.perf_counter() - started:.1f} s")
    result = measure_in_process(size, options.rebuilds)
    body_file = workdir / f"feed-{size}.ics"
    result.update(measure_http(env, body_file, options))
    return result


# --- data ------------------------------------------------------------------------------------------------


def load(size: int) -> None:
    """Areas, institutions and `size` published activities (one in ten weekly), inserted in bulk."""
    from sqlalchemy import insert

    from calendar_app import create_app
    from calendar_app.clock import local_today, to_utc, utcnow
    from calendar_app.events.keys import key_text
    from calendar_app.events.models import Activity, ActivityAudience, ActivityCategory, Occurrence
    from calendar_app.events.recurrence import expand
    from calendar_app.extensions import db
    from calendar_app.places.models import Area, Institution
    from calendar_app.search import fold
    from calendar_app.seed import seed_reference_data

    random.seed(size)
    app = create_app()
    with app.app_context():
        db.create_all()
        seed_reference_data()
        db.session.execute(insert(Area), [{"id": 1, "code": "25", "name": "Phú Thọ", "level": "province",
                                           "path": "/1/"}] + [
            {"id": i, "code": str(225 + i), "name": f"Huyện {i}", "level": "district", "parent_id": 1,
             "path": f"/1/{i}/"} for i in range(2, 12)])
        db.session.execute(insert(Institution), [
            {"id": i, "slug": f"thu-vien-{i}", "name": f"Thư viện số {i}", "category": "library_district",
             "area_id": 2 + i % 10, "address": f"{i} đường Hùng Vương, Việt Trì", "latitude": 21.3, "longitude": 105.4}
            for i in range(1, 51)])
        now, first_day = utcnow(), local_today() - timedelta(days=30)
        activities, occurrences, categories, audiences = [], [], [], []
        for i in range(1, size + 1):
            day = first_day + timedelta(days=random.randrange(360))
            start = to_utc(datetime.combine(day, dt_time(8 + i % 10)))
            end = start + timedelta(hours=2)
            rule = "FREQ=WEEKLY;COUNT=8" if i % 10 == 0 else None
            title = f"{TITLES[i % len(TITLES)]} #{i}"
            activities.append({
                "id": i, "institution_id": 1 + i % 50, "title": title, "description": DESCRIPTION * (1 + i % 3),
                "starts_at": start, "ends_at": end, "all_day": False, "rrule": rule, "status": "published",
                "location": f"Phòng {i % 5 + 1}, tầng {i % 3 + 1}", "sequence": 0, "search_text": fold(title),
                "created_at": now, "updated_at": now, "published_at": now, "registration_required": False,
                "key_text": key_text([("reading", "talk", "club", "workshop")[i % 4]],
                                     [("everyone", "children", "elderly")[i % 3]])})
            for n, (s, e) in enumerate(expand(start, end, rule)):
                row = {"activity_id": i, "institution_id": 1 + i % 50, "original_start": s, "starts_at": s,
                       "ends_at": e, "status": "scheduled", "overridden": False, "updated_at": now}
                if rule and n == 2:
                    row.update(status="cancelled", overridden=True)
                elif rule and n == 3:
                    row.update(starts_at=s + timedelta(days=1), ends_at=e + timedelta(days=1), overridden=True)
                occurrences.append(row)
            categories.append({"activity_id": i, "key": ("reading", "talk", "club", "workshop")[i % 4]})
            audiences.append({"activity_id": i, "key": ("everyone", "children", "elderly")[i % 3]})
        db.session.execute(insert(Activity), activities)
        db.session.execute(insert(Occurrence), occurrences)
        db.session.execute(insert(ActivityCategory), categories)
        db.session.execute(insert(ActivityAudience), audiences)
        db.session.commit()
        # bulk inserts bypass the unit of work: fill the feed store as after any bulk load
        result = app.test_cli_runner().invoke(args=["feeds", "rebuild"])
        assert result.exit_code == 0, result.output
        db.engine.dispose()


# --- in process: serialising and rebuilding ---------------------------------------------------------------


def measure_in_process(size: int, changes: int) -> dict:
    """icalendar serialising everything vs rebuilding the cached feed after one activity changed."""
    from sqlalchemy import select

    from calendar_app import create_app
    from calendar_app.clock import utcnow
    from calendar_app.events.models import Activity
    from calendar_app.extensions import db
    from calendar_app.feeds import ical
    from calendar_app.feeds.queries import load_activities

    app = create_app()
    client = app.test_client()
    with app.app_context():
        ids = list(db.session.scalars(select(Activity.id).order_by(Activity.starts_at, Activity.id)))
        activities = [a for chunk in load_activities(ids) for a in chunk]
        context = ical.FeedContext(domain="bench.example", timezone=app.config["CALENDAR_TIMEZONE"],
                                   base_url="https://lich.example")
        started = time.perf_counter()
        whole = ical.calendar("Bench", activities, context)
        serialise = time.perf_counter() - started
        del activities
    print(f"icalendar serialises the whole calendar ({len(whole) / 2**20:.1f} MB) in {serialise * 1000:.0f} ms")

    started = time.perf_counter()
    assert client.get("/feeds/all.ics").status_code == 200
    cold = time.perf_counter() - started
    started = time.perf_counter()
    assert client.get("/feeds/all.ics").status_code == 200
    warm = time.perf_counter() - started
    rebuilds = []
    for changed_id in random.sample(range(1, size + 1), changes):
        with app.app_context():
            activity = db.session.get(Activity, changed_id)
            activity.title += " (đổi giờ)"
            activity.sequence += 1
            activity.updated_at = utcnow()
            db.session.commit()
        started = time.perf_counter()
        response = client.get("/feeds/all.ics")
        rebuilds.append(time.perf_counter() - started)
        assert response.status_code == 200 and "(đổi giờ)".encode() in response.data
    rebuild = statistics.median(rebuilds)
    print(f"first request (cold cache, every fragment) {cold * 1000:.0f} ms; cached {warm * 1000:.2f} ms")
    print(f"rebuild after one activity changed: median {rebuild * 1000:.1f} ms of "
          f"{', '.join(f'{r * 1000:.1f}' for r in rebuilds)} ms"
          f" = 1/{serialise / rebuild:.0f} of the whole serialisation")
    with app.app_context():
        db.engine.dispose()
    return {"serialise": serialise, "rebuild": rebuild, "cold": cold, "bytes": len(whole)}


# --- over HTTP: gunicorn, wrk ------------------------------------------------------------------------------


def measure_http(env: dict, body_file: Path, options) -> dict:
    app_port, bare_port = free_port(), free_port()
    app_server = gunicorn("wsgi:app", app_port, env, ROOT)
    try:
        app_url = f"http://127.0.0.1:{app_port}/feeds/all.ics"
        wait_until_up(app_url)
        warm_up(app_url)
        body, headers = fetch(app_url)
        body_file.write_bytes(body)
        Path(f"{body_file}.headers.json").write_text(json.dumps(
            {k: headers[k] for k in ("Content-Type", "ETag", "Last-Modified", "Cache-Control")}))
        bare_server = gunicorn("bare_app:app", bare_port, {**env, "BARE_FEED": str(body_file)}, ROOT / "bench")
        try:
            bare_url = f"http://127.0.0.1:{bare_port}/feeds/all.ics"
            wait_until_up(bare_url)
            assert fetch(bare_url)[0] == body
            etag = headers["ETag"]
            for url in (app_url, bare_url):
                assert status(url, {"If-None-Match": etag}) == 304
            result = {}
            for label, extra in (("200", []), ("304", ["-H", f"If-None-Match: {etag}"])):
                app_rates, bare_rates = [], []
                for _ in range(options.rounds):
                    app_rates.append(wrk(app_url, extra, options))
                    bare_rates.append(wrk(bare_url, extra, options))
                app_rate, bare_rate = statistics.median(app_rates), statistics.median(bare_rates)
                result[label] = (app_rate, bare_rate)
                print(f"{label}: app {app_rate:,.0f} req/s, bare Flask {bare_rate:,.0f} req/s "
                      f"= {app_rate / bare_rate:.2f}x  (runs: app {fmt(app_rates)}; bare {fmt(bare_rates)})")
            result["rss"] = peak_rss(app_server.pid)
            result["bare_rss"] = peak_rss(bare_server.pid)
            print(f"peak RSS of the app's workers: {', '.join(f'{mb:.0f} MB' for mb in result['rss'])} "
                  f"(bare app's: {', '.join(f'{mb:.0f} MB' for mb in result['bare_rss'])})")
        finally:
            stop(bare_server)
    finally:
        stop(app_server)
    return result


def gunicorn(module: str, port: int, env: dict, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "2", "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
         "--timeout", "120", "--log-level", "warning", module],
        cwd=cwd, env=env, start_new_session=True)


def stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str, headers: dict | None = None) -> tuple[bytes, dict]:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=120) as response:
        return response.read(), dict(response.headers)


def status(url: str, headers: dict) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=120) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", int(url.split(":")[2].split("/")[0])), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def warm_up(url: str) -> None:
    """Until both workers have built the feed: concurrent requests until every one of a batch is fast."""
    with ThreadPoolExecutor(4) as pool:
        for _ in range(20):
            started = time.perf_counter()
            list(pool.map(lambda _: fetch(url), range(4)))
            if time.perf_counter() - started < 1.0:
                return


def wrk(url: str, extra: list[str], options) -> float:
    output = subprocess.run(
        ["wrk", "-t1", f"-c{options.connections}", f"-d{options.seconds:g}s", "--timeout", "30s", *extra, url],
        capture_output=True, text=True, check=True, timeout=options.seconds + 60).stdout
    errors = re.search(r"Socket errors: (.*)", output)
    non_ok = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_ok:
        raise RuntimeError(f"wrk saw errors: {output}")
    if errors:
        print(f"   (wrk socket errors: {errors.group(1)})")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def peak_rss(master_pid: int) -> list[float]:
    """VmHWM (peak resident set) of each worker of a gunicorn master, in MB."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    peaks = []
    for pid in children:
        status_text = Path(f"/proc/{pid}/status").read_text()
        peaks.append(int(re.search(r"VmHWM:\s+(\d+) kB", status_text).group(1)) / 1024)
    return peaks


def fmt(rates: list[float]) -> str:
    return ", ".join(f"{rate:,.0f}" for rate in rates)


def summary(results: dict) -> None:
    print("\n== summary")
    ok = True
    for size, result in results.items():
        for label in ("200", "304"):
            app_rate, bare_rate = result[label]
            ratio = app_rate / bare_rate
            ok &= ratio >= TARGET_THROUGHPUT
            print(f"{size:>6} activities, cached {label}: {ratio:.2f}x the bare app (target >= {TARGET_THROUGHPUT})")
        ratio = result["rebuild"] / result["serialise"]
        print(f"{size:>6} activities, rebuild after one change: {result['rebuild'] * 1000:.1f} ms vs "
              f"{result['serialise'] * 1000:.0f} ms to serialise all = 1/{1 / ratio:.0f} (target <= 1/20)")
        if size >= 10000:
            ok &= ratio <= TARGET_REBUILD
        print(f"{size:>6} activities, peak worker RSS: {max(result['rss']):.0f} MB "
              f"(bare app {max(result['bare_rss']):.0f} MB); feed {result['bytes'] / 2**20:.1f} MB")
    print("all targets met" if ok else "SOME TARGETS MISSED")


# --- province scale (issue 17) -------------------------------------------------------------------------------

GOAL_COLD = 1.0
GOAL_RATIO = 0.9
GOAL_CHANGE = 0.100
#: sent to measure Flask's own feed view: the fast path steps aside for any request with a cookie
BENCH_COOKIE = "bench=1"
#: appended to (or removed from) the changed activity's title, so that a kept database does not grow it
CHANGED = " (đổi giờ)"


def province_feeds(url: str) -> tuple[list[tuple[str, str]], int]:
    """[(label, path)] of the three feeds, and a published upcoming club of the district: in all three."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            district_id, code = connection.execute(text(
                "SELECT id, code FROM areas WHERE level = 'district' ORDER BY code LIMIT 1")).one()
            # the one that started first among those still to come: the nearest dates, kept under any ceiling
            activity = connection.execute(text(
                "SELECT a.id FROM activities a JOIN institutions i ON i.id = a.institution_id "
                "JOIN areas ar ON ar.id = i.area_id JOIN occurrences o ON o.activity_id = a.id "
                "WHERE a.status = 'published' "
                "AND ar.path LIKE (SELECT path FROM areas WHERE id = :district) || '%' "
                "AND EXISTS (SELECT 1 FROM activity_categories c WHERE c.activity_id = a.id AND c.key = 'club') "
                "GROUP BY a.id HAVING max(o.ends_at) > now() AT TIME ZONE 'UTC' "
                "ORDER BY min(o.starts_at), a.id LIMIT 1"),
                {"district": district_id}).scalar()
    finally:
        engine.dispose()
    return [("all", "/feeds/all.ics"), ("district", f"/feeds/areas/{code}.ics"),
            ("club", "/feeds/events.ics?category=club")], activity


def change_activity(url: str, activity_id: int, environment: dict | None = None) -> None:
    """One change a feed shows, committed through the app's ORM (as an edit would: title, SEQUENCE, time),
    with the served app's address and domain (`environment`), as an edit made on the site is: the activity is
    serialised for the feeds before the edit commits."""
    from calendar_app import create_app
    from calendar_app.clock import utcnow
    from calendar_app.config import for_tests
    from calendar_app.events.models import Activity
    from calendar_app.extensions import db

    site = {name: environment[name] for name in ("PUBLIC_BASE_URL", "CALENDAR_DOMAIN")} if environment else {}
    app = create_app({**for_tests(url), "TESTING": False, **site}) if site else generate.app_for(url)
    with app.app_context():
        activity = db.session.get(Activity, activity_id)
        activity.title = activity.title.removesuffix(CHANGED) if activity.title.endswith(CHANGED) \
            else activity.title + CHANGED
        activity.sequence += 1
        activity.updated_at = utcnow()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def bench_province(options) -> None:
    say(f"bench/feeds.py --scale {options.scale}: {datetime.now():%Y-%m-%d %H:%M}, load average {load_average()}")
    say(f"gunicorn 2 sync workers on 127.0.0.1; wrk -t1 -c{options.connections} -d{options.seconds:g}s, median of "
        f"{options.rounds} alternating runs app / floor")
    with tempfile.TemporaryDirectory(prefix="feeds-bench-") as work, \
            generate.dataset_from(options, future=True, label="feeds_bench") as dataset:
        say(dataset.describe())
        feeds, changed = province_feeds(dataset.url)
        environment = app_environment(dataset.url, Path(work) / "instance")
        store_seconds = None if options.baseline else fill_store(environment, dataset.url, options.store_kept)
        results = {label: {"path": path, "cold": [], "warm": [], "change": []} for label, path in feeds}
        recording = Recording(Path(work) / "floor")
        with serving("wsgi:app", environment) as app:
            for n, (label, path) in enumerate(feeds):
                workers = app.workers() if n == 0 else app.restart_workers()
                for worker in workers:
                    with app.pinned(worker):
                        answer = get(app.base, path)
                    if answer.status != 200:
                        raise RuntimeError(f"{path} answered {answer.status}: {answer.body[:300]!r}")
                    results[label]["cold"].append(answer.seconds)
                    say(f"{path}: first request on worker {worker}: {answer.seconds:.2f} s, "
                        f"{len(answer.body) / 2**20:.2f} MB")
                results[label].update(bytes=len(answer.body), events=answer.body.count(b"BEGIN:VEVENT"),
                                      etag=answer.headers["ETag"])
                recording.add(path, answer)
            workers = app.workers()
            for label, path in feeds:
                for worker in workers:
                    with app.pinned(worker):
                        get(app.base, path)  # built here if this worker has not built it yet
                        results[label]["warm"].append(statistics.median(get(app.base, path).seconds
                                                                        for _ in range(5)))
            with serving("bare_app:app", recording.environment(), cwd=ROOT / "bench") as floor:
                for label, path in feeds:
                    etag = {"If-None-Match": results[label]["etag"]}
                    # with a cookie the fast path steps aside: the same answers through Flask's own view
                    kinds = [("200", {}), ("304", etag)] + ([] if options.baseline else [
                        ("200 view", {"Cookie": BENCH_COOKIE}), ("304 view", {**etag, "Cookie": BENCH_COOKIE})])
                    for kind, headers in kinds:
                        app_rates, floor_rates = [], []
                        for _ in range(options.rounds):
                            app_rates.append(median_rate(app.base + path, options.seconds, options.connections, 1,
                                                         headers))
                            floor_rates.append(median_rate(floor.base + path, options.seconds, options.connections,
                                                           1, headers))
                        results[label][kind] = (statistics.median(app_rates), statistics.median(floor_rates))
                        say(f"{path} {kind}: app {results[label][kind][0]:,.0f} req/s, floor "
                            f"{results[label][kind][1]:,.0f} req/s (runs: app {fmt(app_rates)}; floor "
                            f"{fmt(floor_rates)})")
            rss = [peak_rss_mb(worker) for worker in workers]
            say(f"peak RSS of the workers after serving the three feeds: {', '.join(f'{mb:.0f} MB' for mb in rss)}")

            change_activity(dataset.url, changed, environment)
            if options.baseline:  # the code before the store looked at the database every 10 s
                time.sleep(11)
            say(f"changed activity {changed}")
            for label, path in feeds:
                for worker in workers:
                    with app.pinned(worker):
                        answer = get(app.base, path)
                    results[label]["change"].append(answer.seconds)
                    if answer.headers.get("ETag") == results[label]["etag"]:
                        say(f"note: {path} on worker {worker} did not change after the edit")

            restarted = app.restart_workers()
            restart = []
            for worker in restarted:
                with app.pinned(worker):
                    restart.append(get(app.base, feeds[0][1]).seconds)
            rss_restart = [peak_rss_mb(worker) for worker in restarted]
        meta = dataset.meta
    province_summary(results, restart, rss, rss_restart, options, meta, store_seconds)


def fill_store(environment: dict, url: str, kept: bool) -> float | None:
    """`flask feeds rebuild` with the served app's settings (its base URL and domain), as after a bulk load;
    with --store-kept, only forget the assembled feeds (the fragments of an earlier run stay)."""
    if kept:
        from sqlalchemy import create_engine, text

        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM feed_bodies"))
            connection.execute(text("UPDATE feed_state SET generation = generation + 1"))
        engine.dispose()
        say("feed store kept from an earlier run; assembled feeds forgotten")
        return None
    started = time.perf_counter()
    subprocess.run([str(BIN / "flask"), "--app", "wsgi", "feeds", "rebuild"], cwd=ROOT, env=environment,
                   check=True)
    seconds = time.perf_counter() - started
    say(f"feed store filled (flask feeds rebuild) in {seconds:.1f} s")
    return seconds


def province_summary(results: dict, restart: list, rss: list, rss_restart: list, options, meta: dict,
                     store_seconds: float | None) -> None:
    seconds = ", ".join
    print()
    if store_seconds is not None:
        print(f"feed store filled after the bulk load (flask feeds rebuild): {store_seconds:.1f} s")
    print("| feed | events | MB | cold, worker 1 / 2 (s) | warm, w1 / w2 (ms) | 200 req/s app / floor | 304 req/s "
          "app / floor | after one change, w1 / w2 (ms) |")
    print("|" + " --- |" * 8)
    for result in results.values():
        ok200, ok304 = (result[kind][0] / result[kind][1] for kind in ("200", "304"))
        print(f"| `{result['path']}` | {result['events']:,} | {result['bytes'] / 2**20:.2f} | "
              f"{' / '.join(f'{s:.2f}' for s in result['cold'])} | "
              f"{' / '.join(f'{s * 1000:.1f}' for s in result['warm'])} | "
              f"{result['200'][0]:,.0f} / {result['200'][1]:,.0f} = {ok200:.2f}× | "
              f"{result['304'][0]:,.0f} / {result['304'][1]:,.0f} = {ok304:.2f}× | "
              f"{' / '.join(f'{s * 1000:,.0f}' for s in result['change'])} |")
    print()
    views = [(result["path"], kind, *result[kind]) for result in results.values() for kind in ("200 view", "304 view")
             if kind in result]
    if views:
        print("without the fast path (a cookie sends each request through Flask's view): " + "; ".join(
            f"{path} {kind[:3]} {app:,.0f} / {floor:,.0f} = {app / floor:.2f}×" for path, kind, app, floor in views))
    print(f"after a worker restart (HUP), /feeds/all.ics first request: {seconds(f'{s:.2f} s' for s in restart)}")
    print(f"peak RSS per worker: {seconds(f'{mb:.0f} MB' for mb in rss)} after serving the three feeds; "
          f"{seconds(f'{mb:.0f} MB' for mb in rss_restart)} after the restart's all.ics")
    cold = max(s for result in results.values() for s in result["cold"] + restart)
    ratio = min(result[kind][0] / result[kind][1] for result in results.values() for kind in ("200", "304"))
    change = max(s for result in results.values() for s in result["change"])
    print(f"goals (issue 17): cold <= {GOAL_COLD:g} s: worst {cold:.2f} s {'met' if cold <= GOAL_COLD else 'NOT met'}; "
          f"warm and 304 >= {GOAL_RATIO}x the floor: worst {ratio:.2f}x {'met' if ratio >= GOAL_RATIO else 'NOT met'}; "
          f"after one change <= {GOAL_CHANGE * 1000:.0f} ms: worst {change * 1000:,.0f} ms "
          f"{'met' if change <= GOAL_CHANGE else 'NOT met'}")
    say(f"load average at the end {load_average()}; data: scale {options.scale}, generated "
        f"{meta.get('generated_at')} in {meta.get('seconds', 0):,.0f} s")


if __name__ == "__main__":
    main()
