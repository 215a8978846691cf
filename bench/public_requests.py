"""Public pages one at a time in process (Flask's test client), as an anonymous visitor: statements per request
and service time, optionally a pyinstrument profile of each.

    .venv/bin/python bench/public_requests.py --db postgresql+psycopg://…/calendar_bench_1x_future_copy \
        [--runs 10] [--profile DIR] [--explain] [--only REGEX]

Paths are bench/pages.py's public ones, their placeholders filled the same way. Prints, per path, the
statements of one request, the median service time (wall and process CPU) after two warm-ups, and the load.
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
import pages  # noqa: E402  (bench/pages.py)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--only", default="")
    parser.add_argument("--profile", help="write a pyinstrument text profile per path into this folder")
    parser.add_argument("--explain", action="store_true",
                        help="print each statement's planning and execution time (EXPLAIN ANALYZE, PostgreSQL)")
    parser.add_argument("--freeze", action="store_true",
                        help="gc.freeze() after the app is built, as wsgi.py does under gunicorn")
    parser.add_argument("paths", nargs="*")
    args = parser.parse_args()
    values = pages.samples(args.db)
    paths = args.paths or [path.format(**values) for path, kind, _note in pages.PAGES if kind == pages.PUBLIC]
    paths = [path for path in paths if re.search(args.only, path)]
    app = generate.app_for(args.db)
    from sqlalchemy import event

    from calendar_app.extensions import db

    client = app.test_client()
    if args.freeze:
        import gc

        gc.collect()
        gc.freeze()
    with app.app_context():
        engine = db.engine
    statements: list[str] = []
    executed: list[tuple] = []
    event.listen(engine, "before_cursor_execute", lambda *a: (statements.append(a[2]), executed.append(a[2:4])))
    for path in paths:
        for _ in range(2):
            client.get(path)
        statements.clear()
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.status_code)
        count = len(statements)
        walls, cpus = [], []
        for _ in range(args.runs):
            started, cpu = time.perf_counter(), time.process_time()
            client.get(path)
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
        print(f"{path:45s} {count:3d} statements  {statistics.median(walls) * 1000:6.1f} ms wall "
              f"{statistics.median(cpus) * 1000:6.1f} ms cpu  {len(answer.get_data()) // 1024:4d} KB "
              f"(load {os.getloadavg()[0]:.1f})", flush=True)
        if args.explain:
            executed.clear()
            client.get(path)
            explain(engine, list(executed))
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            profiler.start()
            for _ in range(args.runs):
                client.get(path)
            profiler.stop()
            folder = Path(args.profile)
            folder.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_") or "home"
            (folder / f"{name}.txt").write_text(profiler.output_text(show_all=False))
            statements.clear()
            client.get(path)
            (folder / f"{name}.sql").write_text("\n\n".join(statements))
    return 0


def explain(engine, executed: list[tuple]) -> None:
    """Each statement of one request again under EXPLAIN ANALYZE: planning and execution ms, its first line."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for statement, parameters in executed:
            if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters)
            plan = cursor.fetchone()[0][0]
            head = " ".join(statement.split())[:110]
            print(f"    plan {plan['Planning Time']:6.2f} ms  run {plan['Execution Time']:6.2f} ms  {head}")
        raw.rollback()
    finally:
        raw.close()


if __name__ == "__main__":
    sys.exit(main())
