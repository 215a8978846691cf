"""The yardstick for bench/feeds.py: a bare Flask app that returns fixed feed bytes, with the same headers and
the same 304 answer to If-None-Match, and nothing else. Run by gunicorn with BARE_FEED=<file>."""
import json
import os

from flask import Flask, Response, request

app = Flask(__name__)
with open(os.environ["BARE_FEED"], "rb") as feed_file:
    BODY = feed_file.read()
with open(os.environ["BARE_FEED"] + ".headers.json") as headers_file:
    HEADERS = json.load(headers_file)
ETAG = HEADERS["ETag"]
NOT_MODIFIED_HEADERS = {k: v for k, v in HEADERS.items() if k != "Content-Type"}


@app.get("/feeds/all.ics")
def feed():
    if ETAG in request.headers.get("If-None-Match", ""):
        return Response(status=304, headers=NOT_MODIFIED_HEADERS)
    return Response(BODY, headers=HEADERS)
