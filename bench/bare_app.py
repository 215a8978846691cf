"""The yardstick of the benchmarks: a bare Flask app that returns bytes the real app answered, with the same
status and headers and the same 304 answer to a matching If-None-Match, and does nothing else.

Run by gunicorn with one of:
- BARE_RESPONSES=<manifest.json>: {"/path?query": {"file", "status", "headers"}} written by
  harness.Recording (bench/pages.py, bench/feeds.py --scale); any recorded URL is answered;
- BARE_FEED=<file>: /feeds/all.ics only, headers from <file>.headers.json (bench/feeds.py's small mode).
"""
import json
import os
from pathlib import Path

from flask import Flask, Response, request

app = Flask(__name__)


def _load() -> dict[str, tuple[int, dict, bytes]]:
    if "BARE_RESPONSES" in os.environ:
        manifest = Path(os.environ["BARE_RESPONSES"])
        return {path: (entry["status"], entry["headers"], (manifest.parent / entry["file"]).read_bytes())
                for path, entry in json.loads(manifest.read_text()).items()}
    feed = Path(os.environ["BARE_FEED"])
    headers = json.loads(Path(f"{feed}.headers.json").read_text())
    return {"/feeds/all.ics": (200, headers, feed.read_bytes())}


ANSWERS = _load()


@app.route("/", defaults={"path": ""})
@app.route("/<path:path>")
def replay(path: str):
    query = request.query_string.decode()
    found = ANSWERS.get(request.path + (f"?{query}" if query else ""))
    if found is None:
        return Response(status=404)
    status, headers, body = found
    etag = headers.get("ETag")
    if etag and etag in request.headers.get("If-None-Match", ""):
        return Response(status=304, headers={k: v for k, v in headers.items() if k != "Content-Type"})
    return Response(body, status=status, headers=headers)
