"""Single staff requests in process (Flask's test client), signed in as the benchmark's admin: what one
request costs without the wait for a worker.

    .venv/bin/python bench/single_requests.py --db postgresql+psycopg://…/calendar_bench_1x_future_staff \
        [--runs 5] [--statements] [--profile DIR] [/dashboard/ /dashboard/report …]

Prints, per path, the first request and the median of the following ones (and the median CPU time of this
process: Python's share, the database runs elsewhere), with the load average.
`--statements` adds, for the last request, how many statements it sent and how long the database took to
answer them (time spent in the driver's execute and fetch), and lists the slowest ones with `--slowest N`.
`--profile DIR` writes a pyinstrument profile of the last request of each path into DIR (pyinstrument must
be installed in the environment: it is not one of the project's dependencies).
"""
import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402  (bench/generate.py)


class StatementCounter:
    """Counts the statements the engine sends and the time from execute to the end of the fetch."""

    def __init__(self, engine) -> None:
        from sqlalchemy import event

        self.statements: list[tuple[float, str]] = []
        self._started: float | None = None
        self._statement = ""
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self._started = time.perf_counter()
        self._statement = statement

    def _after(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if self._started is not None:
            self.statements.append((time.perf_counter() - self._started, statement))
        self._started = None

    def reset(self) -> None:
        self.statements.clear()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="SQLAlchemy URL of a generated database")
    parser.add_argument("--runs", type=int, default=5, help="requests after the first (default 5)")
    parser.add_argument("--statements", action="store_true", help="count the last request's statements")
    parser.add_argument("--slowest", type=int, default=0, help="with --statements: list the N slowest")
    parser.add_argument("--profile", metavar="DIR", help="write a pyinstrument profile of each path's last request")
    parser.add_argument("--save", metavar="DIR", help="write each path's last answer into DIR (to compare two trees)")
    parser.add_argument("paths", nargs="*", default=["/dashboard/", "/dashboard/report"])
    args = parser.parse_args()
    app = generate.app_for(args.db)
    counter = None
    if args.statements:
        from calendar_app.extensions import db

        with app.app_context():
            counter = StatementCounter(db.engine)
    client = app.test_client()
    form = client.get("/login").get_data()
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', form) or \
        re.search(rb'value="([^"]+)"[^>]*name="csrf_token"', form)
    credentials = {"email": generate.ADMIN_EMAIL, "password": generate.ADMIN_PASSWORD}
    if token is not None:  # the test configuration may turn CSRF off
        credentials["csrf_token"] = token.group(1).decode()
    signed = client.post("/login", data=credentials)
    assert signed.status_code == 302, signed.status_code
    for path in args.paths:
        timings, cpus = [], []
        for run in range(args.runs + 1):
            last = run == args.runs
            if counter is not None:
                counter.reset()
            profiler = None
            if last and args.profile:
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.0005)
                profiler.start()
            started, cpu = time.perf_counter(), time.process_time()
            answer = client.get(path)
            timings.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
            if profiler is not None:
                profiler.stop()
                Path(args.profile).mkdir(parents=True, exist_ok=True)
                name = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_") or "root"
                Path(args.profile, f"{name}.txt").write_text(profiler.output_text(unicode=True, show_all=False))
                Path(args.profile, f"{name}.html").write_text(profiler.output_html())
            assert answer.status_code == 200, (path, answer.status_code)
        if args.save:
            Path(args.save).mkdir(parents=True, exist_ok=True)
            Path(args.save, re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_") or "root").write_bytes(answer.get_data())
        line = (f"{path}: first {timings[0]:.3f} s, median of {args.runs} {statistics.median(timings[1:]):.3f} s, "
                f"{len(answer.get_data()) // 1024} KB, Python CPU {statistics.median(cpus[1:]):.3f} s")
        if counter is not None:
            spent = sum(seconds for seconds, _ in counter.statements)
            line += f", {len(counter.statements)} statements ({spent:.3f} s in the database)"
        print(f"{line} (load average {os.getloadavg()[0]:.1f})", flush=True)
        if counter is not None and args.slowest:
            for seconds, statement in sorted(counter.statements, reverse=True)[:args.slowest]:
                print(f"    {seconds * 1000:7.1f} ms  {' '.join(statement.split())[:300]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
