"""Single staff requests in process (Flask's test client), signed in as the benchmark's admin: what one
request costs without the wait for a worker.

    .venv/bin/python bench/single_requests.py --db postgresql+psycopg://…/calendar_bench_1x_future_staff \
        [--runs 5] [/dashboard/ /dashboard/report …]

Prints, per path, the first request and the median of the following ones, with the load average.
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="SQLAlchemy URL of a generated database")
    parser.add_argument("--runs", type=int, default=5, help="requests after the first (default 5)")
    parser.add_argument("paths", nargs="*", default=["/dashboard/", "/dashboard/report"])
    args = parser.parse_args()
    app = generate.app_for(args.db)
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
        timings = []
        for _ in range(args.runs + 1):
            started = time.perf_counter()
            answer = client.get(path)
            timings.append(time.perf_counter() - started)
            assert answer.status_code == 200, (path, answer.status_code)
        print(f"{path}: first {timings[0]:.3f} s, median of {args.runs} {statistics.median(timings[1:]):.3f} s, "
              f"{len(answer.get_data()) // 1024} KB (load average {os.getloadavg()[0]:.1f})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
