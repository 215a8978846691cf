"""Benchmark of issue 16: every public page and API list, and the staff pages, at province scale.

    .venv/bin/python bench/pages.py [--scale 1] [--seconds 5] [--connections 4] [--only REGEX]
                                    [--keep-db [NAME] [--regenerate] | --db URL] [--json FILE]

Data: bench/generate.py with --future (per unit of --scale 10,000 institutions, 200,000 activities,
1,000,000 occurrences, half moved a year forward so upcoming lists are full). Without a database option it
is generated into a scratch database (about 2 minutes at 1×) and dropped at the end; --keep-db keeps it
(default name calendar_bench_<scale>x_future) and later runs reuse it, --db URL uses one made earlier.

Serving: the app under gunicorn with 2 sync workers on loopback, and as the floor a bare Flask app
(bench/bare_app.py) under the same gunicorn answering the very bytes and headers the app answered.

Measuring: each URL is fetched once first (status, size and the time of that first request are printed; a
page that does not answer 200 is not timed), then loaded with wrk (-t1, --connections, for --seconds or,
for a slow page, ten times its first request, at most --max-seconds) — and the floor for --seconds right
after it. wrk's latencies include the wait for a free worker (4 connections, 2 workers), as a visitor's do.
Printed: p50 / p95 / p99 and requests/s, p95 as a multiple of the floor's p95, and the goal of issue 16:
public pages and API lists p95 ≤ 50 ms (100 ms from --scale 10 on), staff pages ≤ 300 ms, the province
dashboard and its printable report ≤ 500 ms. Staff pages are signed in as the generated admin (through
/login, CSRF token and all; the session cookie is passed to wrk). GET /api/v1/indicators is rate-limited
(20 a minute), so it is timed by single requests: the first after the servers start, then the median of 5.
Nothing is asserted; the exit status is 0 whatever the figures.
"""
import argparse
import json
import os
import re
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import generate  # noqa: E402
from harness import (  # noqa: E402
    Load,
    Recording,
    app_environment,
    get,
    load_average,
    ms,
    require_wrk,
    say,
    serving,
    sign_in,
    stop_on_sigterm,
    wrk,
)

PUBLIC, STAFF, REPORT = "public", "staff", "report"
GOALS = {STAFF: 0.300, REPORT: 0.500}
#: (path with {placeholders}, kind, note); "+" marks pages beyond issue 16's table
PAGES = [
    ("/", PUBLIC, ""),
    ("/events", PUBLIC, ""),
    ("/events?page=50", PUBLIC, ""),
    ("/events?q=doc+sach", PUBLIC, ""),
    ("/events?area={district}", PUBLIC, "a district"),
    ("/events?audience=youth&category=club", PUBLIC, ""),
    ("/calendar/{year}/{month}", PUBLIC, "this month"),
    ("/calendar/week/{year}/{month}/{day}", PUBLIC, "+ this week"),
    ("/calendar/day/{year}/{month}/{day}", PUBLIC, "+ today"),
    ("/institutions/{institution}", PUBLIC, "median institution"),
    ("/areas/{district}", PUBLIC, "a district"),
    ("/areas/{province}", PUBLIC, "+ the province: lists every institution"),
    ("/events/{activity}", PUBLIC, "+ one upcoming activity"),
    ("/observances/{observance}/{year}", PUBLIC, "+ an observance's list"),
    ("/api/v1/events?limit=50", PUBLIC, ""),
    ("/api/v1/events?q=doc+sach", PUBLIC, ""),
    ("/api/v1/institutions", PUBLIC, ""),
    ("/api/v1/areas", PUBLIC, ""),
    ("/institutions.json?q=thu+vien", PUBLIC, "+ the institution field's suggestions"),
    ("/dashboard/", REPORT, "province dashboard"),
    ("/dashboard/report", REPORT, "printable report"),
    ("/manage/", STAFF, ""),
    ("/participation/", STAFF, ""),
]
INDICATORS_API = "/api/v1/indicators"


@dataclass
class Row:
    path: str
    kind: str
    note: str
    goal: float
    status: int = 0
    size: int = 0
    first: float = 0.0
    app: Load | None = None
    floor: Load | None = None
    extra: dict = field(default_factory=dict)

    @property
    def met(self) -> str:
        if self.app is None:
            return "—"
        return "yes" if self.app.p95 <= self.goal else "no"

    def as_dict(self) -> dict:
        return {"path": self.path, "kind": self.kind, "note": self.note, "goal": self.goal, "status": self.status,
                "bytes": self.size, "first": self.first, "app": self.app.as_dict() if self.app else None,
                "floor": self.floor.as_dict() if self.floor else None, **self.extra}


def samples(url: str) -> dict[str, str]:
    """Values for the placeholders, chosen from the data: typical rather than extreme."""
    engine = create_engine(url)
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    try:
        with engine.connect() as connection:
            def one(sql: str):
                return connection.execute(text(sql)).scalar()

            upcoming = ("SELECT a.id, a.institution_id FROM activities a WHERE a.status IN ('published', 'cancelled') "
                        "AND EXISTS (SELECT 1 FROM occurrences o WHERE o.activity_id = a.id "
                        "AND o.ends_at > now() AT TIME ZONE 'UTC')")
            return {
                "province": one("SELECT code FROM areas WHERE level = 'province' ORDER BY id LIMIT 1"),
                "district": one("SELECT code FROM areas WHERE level = 'district' ORDER BY code LIMIT 1"),
                # the institution with the median number of upcoming activities among those that have any
                "institution": one(
                    f"WITH up AS (SELECT institution_id, count(*) AS n FROM ({upcoming}) u GROUP BY institution_id) "
                    "SELECT i.slug FROM up JOIN institutions i ON i.id = up.institution_id ORDER BY n, i.id "
                    "OFFSET (SELECT count(*) / 2 FROM up) LIMIT 1"),
                "activity": str(one(f"SELECT id FROM ({upcoming}) u ORDER BY id LIMIT 1")),
                "observance": one("SELECT key FROM observances ORDER BY key LIMIT 1"),
                "year": str(today.year), "month": str(today.month), "day": str(today.day),
            }
    finally:
        engine.dispose()


def measure(options, dataset, work: Path) -> tuple[list[Row], dict]:
    values = samples(dataset.url)
    public_goal = 0.100 if options.scale >= 10 else 0.050
    rows = [Row(path.format(**values), kind, note, GOALS.get(kind, public_goal)) for path, kind, note in PAGES]
    rows = [row for row in rows if not options.only or re.search(options.only, row.path)]
    indicators = not options.only or re.search(options.only, INDICATORS_API)
    env = app_environment(dataset.url, work / "instance")
    recording = Recording(work / "floor")
    api = {}
    with serving("wsgi:app", env) as app:
        say(f"app on {app.base} (workers {', '.join(map(str, app.workers()))})")
        if indicators:
            first = get(app.base, INDICATORS_API)
            api["first"] = first.seconds
            say(f"GET {INDICATORS_API}: {first.status}, {len(first.body):,} bytes, first call after start "
                f"{ms(first.seconds)} ms")
        cookie = sign_in(app.base, generate.ADMIN_EMAIL, generate.ADMIN_PASSWORD) \
            if any(row.kind != PUBLIC for row in rows) else ""
        for row in rows:
            answer = get(app.base, row.path, _headers(row, cookie))
            row.status, row.size, row.first = answer.status, len(answer.body), answer.seconds
            say(f"check {row.path}: {answer.status}, {len(answer.body):,} bytes, first request {ms(answer.seconds)} ms")
            if answer.status == 200:
                recording.add(row.path, answer)
        if indicators:
            warm = []
            for _ in range(5):
                answer = get(app.base, INDICATORS_API)
                if answer.status != 200:
                    raise RuntimeError(f"{INDICATORS_API} answered {answer.status}")
                warm.append(answer.seconds)
            api["warm"] = statistics.median(warm)
            api["bytes"] = len(answer.body)
            say(f"GET {INDICATORS_API}: warm, median of 5: {ms(api['warm'])} ms")
        with serving("bare_app:app", recording.environment(), cwd=Path(__file__).resolve().parent) as floor:
            for row in rows:
                if row.status != 200:
                    continue
                seconds = round(min(max(options.seconds, 10 * row.first), options.max_seconds))
                row.app = wrk(app.base + row.path, seconds, options.connections, _headers(row, cookie))
                row.floor = wrk(floor.base + row.path, options.seconds, options.connections)
                row.extra["load"] = os.getloadavg()[0]
                errors = f", {row.app.errors} errors" if row.app.errors else ""
                say(f"  {row.path}: p95 {ms(row.app.p95)} ms, {row.app.rate:,.1f} req/s ({row.app.requests} requests"
                    f" in {seconds:g} s{errors}); floor p95 {ms(row.floor.p95)} ms; load {row.extra['load']:.2f}")
    return rows, api


def _headers(row: Row, cookie: str) -> dict:
    return {"Cookie": cookie} if row.kind != PUBLIC else {}


def table(rows: list[Row], api: dict) -> str:
    lines = ["| page | status | KB | first ms | n | p50 ms | p95 ms | p99 ms | req/s | floor p95 ms | p95 ÷ floor "
             "| goal ms | met |", "|" + " --- |" * 13]
    for row in rows:
        app, floor = row.app, row.floor
        cells = [f"`{row.path}`" + (f" ({row.note})" if row.note else ""), str(row.status), f"{row.size / 1024:,.0f}",
                 ms(row.first)]
        if app is None:
            cells += ["—"] * 7
        else:
            cells += [str(app.requests), ms(app.p50), ms(app.p95), ms(app.p99), f"{app.rate:,.1f}", ms(floor.p95),
                      f"{app.p95 / floor.p95:,.0f}×" if floor.p95 else "—"]
        cells += [f"{row.goal * 1000:.0f}", row.met]
        lines.append("| " + " | ".join(cells) + " |")
    if api:
        # rate-limited, so single requests: the first after the start, then the median of 5 (under "p50")
        lines.append(f"| `{INDICATORS_API}` (single requests: first after start; p50 = median of 5 warm) | 200 | "
                     f"{api['bytes'] / 1024:,.0f} | {ms(api['first'])} | 5 | {ms(api['warm'])} | — | — | — | — | — | "
                     f"500 | {'yes' if api['warm'] <= 0.5 else 'no'} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=1, help="multiples of 10,000 institutions (default 1)")
    parser.add_argument("--seconds", type=float, default=5, help="wrk run per URL (default 5)")
    parser.add_argument("--max-seconds", type=float, default=60, help="longest wrk run for a slow page")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--only", metavar="REGEX", help="only the URLs matching (e.g. 'events|areas')")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    generate.add_database_options(parser)
    options = parser.parse_args()
    require_wrk()
    stop_on_sigterm()
    say(f"bench/pages.py --scale {options.scale}: {datetime.now():%Y-%m-%d %H:%M}, load average {load_average()}")
    say(f"wrk -t1 -c{options.connections}, {options.seconds:g} s per URL (slow pages up to {options.max_seconds:g} s);"
        " gunicorn 2 sync workers on 127.0.0.1")
    with tempfile.TemporaryDirectory(prefix="pages-bench-") as work, \
            generate.dataset_from(options, future=True, label="pages_bench") as dataset:
        say(dataset.describe())
        rows, api = measure(options, dataset, Path(work))
        meta = dataset.meta
    print()
    print(table(rows, api))
    print()
    say(f"load average at the end {load_average()}; data: scale {options.scale}, generated "
        f"{meta.get('generated_at')} in {meta.get('seconds', 0):,.0f} s")
    if options.json:
        figures = {"scale": options.scale, "date": datetime.now().isoformat(timespec="minutes"),
                   "load_average": load_average(), "data": meta, "indicators_api": api,
                   "pages": [row.as_dict() for row in rows]}
        options.json.write_text(json.dumps(figures, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
