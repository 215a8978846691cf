"""gunicorn configuration of the benchmarks' servers (`-c bench/gunicorn_hooks.py`): only a hook that tells
the benchmark when a worker has loaded the app, so that a first request is never timed with the boot in it."""
import os
from pathlib import Path


def post_worker_init(worker):
    Path(os.environ["BENCH_READY_DIR"], str(worker.pid)).touch()
