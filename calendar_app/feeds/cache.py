"""Serving a feed: from this worker's small memory, else from the store every worker shares, else built once.

Each request asks the database for the store's generation (one indexed row); a feed this worker holds for
that generation and day is answered from memory, one another worker stored is read from the database
(store.load_body), and otherwise it is assembled from the stored fragments (store.assemble) and stored for
every worker. A change committed by any worker or command gives a new generation, so the next request
anywhere sees it. Memory per worker is FEED_CACHE_MB of assembled feeds, whatever the number of feeds and
activities; each feed is at most FEED_MAX_BYTES.

When the database cannot be reached, the feed this worker holds is answered as it is (outage.py answers 503
for anything else).
"""
import hashlib
import os
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from werkzeug.exceptions import NotFound
from werkzeug.http import http_date, parse_date

from ..clock import utcnow
from ..signals import calendar_written
from . import ical, store
from .models import FeedState

CONTENT_TYPE = "text/calendar; charset=utf-8"
#: shared caches may keep a feed this long; calendar clients poll far less often anyway
CACHE_CONTROL = "public, max-age=300"
#: public feeds are for any site's widget: readable cross-site, validators included
CORS_HEADERS = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "ETag, Last-Modified"}
#: an entry's bookkeeping beyond its bytes, so that many tiny feeds still count
ENTRY_OVERHEAD = 200


class BoundedCache:
    """Least-recently-used mapping whose values' sizes add up to at most max_bytes."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key):
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def put(self, key, value, size: int) -> None:
        size += ENTRY_OVERHEAD
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.size -= old[1]
            if size > self.max_bytes:
                return
            self._items[key] = (value, size)
            self.size += size
            while self.size > self.max_bytes:
                _key, (_value, evicted) = self._items.popitem(last=False)
                self.size -= evicted

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.size = 0


@dataclass
class FeedSource:
    """What one feed contains, resolved from its URL (only when the feed has to be built)."""

    name: str
    #: SQL conditions on Activity or FeedFragment, public activities only (store.PUBLIC)
    conditions: list
    #: a single activity's calendar: no date window and no ceiling, 404 when it is not public
    single: bool = False
    filename: str | None = None
    #: the calendar's description, given how many activities it shows of how many in its window
    describe: Callable[[store.Assembled], str | None] = lambda _assembled: None


@dataclass(frozen=True)
class CachedFeed:
    body: bytes
    #: quoted, as in the ETag header
    etag: str
    #: aware UTC, whole seconds
    last_modified: datetime
    #: store generation and local day it is current for
    generation: int
    day: date
    headers: dict[str, str] = field(default_factory=dict)


def not_modified(feed: CachedFeed, if_none_match: str | None, if_modified_since: str | None) -> bool:
    """RFC 9110: If-None-Match (weak comparison) wins; If-Modified-Since only without it."""
    if if_none_match is not None:
        return feed.etag in if_none_match or if_none_match.strip() == "*"
    since = parse_date(if_modified_since)
    return since is not None and feed.last_modified <= since


def etag_of(body: bytes) -> str:
    return f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'


class GenerationListener:
    """PostgreSQL: the store's generation as the database announces it (LISTEN feed_generation, sent by
    store.new_generation when a write commits), kept by a thread of this worker, so that the fast path
    knows of a change made anywhere within milliseconds without a query per request. It asks the database
    again every REFRESH_SECONDS, and `generation` is None (the fast path then asks itself) while it is not
    connected."""

    CHANNEL = store.CHANNEL
    REFRESH_SECONDS = 10.0

    def __init__(self, url: str):
        self.conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.generation: int | None = None
        self._pid: int | None = None
        self._stopped = False
        self._thread: threading.Thread | None = None

    def current(self) -> int | None:
        if self._pid != os.getpid():  # first use in this process (gunicorn forks its workers)
            self._pid, self.generation = os.getpid(), None
            self._thread = threading.Thread(target=self._run, name="feed-generation", daemon=True)
            self._thread.start()
        return self.generation

    def stop(self) -> None:
        self._stopped = True
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=3)  # it leaves within a second and closes its connection

    def _run(self) -> None:
        import psycopg  # only PostgreSQL deployments have it (the `postgres` extra)

        while not self._stopped:
            try:
                with psycopg.connect(self.conninfo, autocommit=True, connect_timeout=3) as connection:
                    connection.execute(f"LISTEN {self.CHANNEL}")
                    asked = float("-inf")
                    while not self._stopped:
                        if time.monotonic() - asked >= self.REFRESH_SECONDS:
                            row = connection.execute("SELECT generation FROM feed_state WHERE id = 1").fetchone()
                            self.generation, asked = (row[0] if row else 0), time.monotonic()
                        for note in connection.notifies(timeout=1.0):  # a second at a time, to hear stop()
                            self.generation = int(note.payload)
            except Exception:  # noqa: BLE001 - an outage, a restart: ask per request until connected again
                self.generation = None
                if not self._stopped:
                    time.sleep(1)


class FeedCache:
    """This worker's assembled feeds, and a cheap look at the store's generation for the fast path."""

    def __init__(self, app: Flask):
        self.items = BoundedCache(app.config["FEED_CACHE_MB"] * 2**20)
        self.zone = ZoneInfo(app.config["CALENDAR_TIMEZONE"])
        self._url = app.config["SQLALCHEMY_DATABASE_URI"]
        self._engine = None
        self._engine_lock = threading.Lock()
        self.listener = GenerationListener(self._url) if self._url.startswith("postgresql") else None
        _CACHES.add(self)

    def known_generation(self) -> int | None:
        """The generation without a query, when it is known (PostgreSQL's notifications); else None."""
        return self.listener.current() if self.listener is not None else None

    def today(self) -> date:
        """The local day (without an app context: the fast path)."""
        return utcnow().replace(tzinfo=UTC).astimezone(self.zone).date()

    def peek_generation(self) -> int:
        """The store's generation in one round trip, outside any request (the fast path): an autocommit
        connection of its own, without the pool's ping and reset."""
        if self._engine is None:
            with self._engine_lock:
                if self._engine is None:
                    self._engine = create_engine(self._url, isolation_level="AUTOCOMMIT", pool_size=2,
                                                 pool_pre_ping=False, pool_reset_on_return=None)
        with self._engine.connect() as connection:
            return connection.execute(select(FeedState.generation).where(FeedState.id == 1)).scalar() or 0

    def dispose(self) -> None:
        if self.listener is not None:
            self.listener.stop()
        if self._engine is not None:
            self._engine.dispose()

    def current(self, key: tuple, generation: int | None) -> CachedFeed | None:
        """The feed this worker holds for `key` if it is current for `generation` (any, when None) today."""
        feed = self.items.get(key)
        if feed is None or (generation is not None and (feed.generation, feed.day) != (generation, self.today())):
            return None
        return feed

    def keep(self, key: tuple, feed: CachedFeed) -> None:
        self.items.put(key, feed, len(feed.body))

    def feed(self, key: tuple, source: Callable[[], FeedSource], context: ical.FeedContext) -> CachedFeed:
        """The feed for `key` ("all",), ("area", code)…: from memory, the store, or built and stored."""
        config = current_app.config
        context_key = store.context_key(context)
        key = (*key, context_key)
        generation = store.current_generation()
        day = self.today()
        held = self.current(key, generation)
        if held is not None:
            return held
        if key[0] == "event":
            feed = self._single(key, source(), context, generation, day)
        else:
            feed_id = store.body_id(" ".join(map(str, key[:-1])), context_key)
            stored = store.load_body(feed_id, generation, day)
            if stored is None:
                resolved = source()
                window = store.Window.around(day, utcnow(), config["FEED_PAST_DAYS"], config["FEED_FUTURE_DAYS"])
                ceiling = store.Ceiling(config["FEED_MAX_BYTES"], config["FEED_MAX_EVENTS"])

                def head(assembled: store.Assembled | None) -> bytes:
                    return ical.calendar_head(resolved.name, context,
                                              resolved.describe(assembled) if assembled else None)

                assembled = store.assemble(resolved.conditions, window, ceiling, context, head)
                stored = store.save_body(feed_id, " ".join(map(str, key[:-1])), generation, day, assembled,
                                         etag_of(assembled.body))
            feed = _cached(stored.body, stored.etag, stored.last_modified, generation, day)
        self.keep(key, feed)
        return feed

    def _single(self, key: tuple, source: FeedSource, context: ical.FeedContext, generation: int,
                day: date) -> CachedFeed:
        found = store.single(key[1], context)
        if found is None:
            raise NotFound()
        fragment, changed = found
        body = ical.assemble(ical.calendar_head(source.name, context), [fragment])
        return _cached(body, etag_of(body), changed, generation, day, source.filename)


def _cached(body: bytes, etag: str, modified: datetime, generation: int, day: date,
            filename: str | None = None) -> CachedFeed:
    modified = modified.replace(tzinfo=UTC, microsecond=0)
    headers = {"Content-Type": CONTENT_TYPE, "ETag": etag, "Last-Modified": http_date(modified),
               "Cache-Control": CACHE_CONTROL, **CORS_HEADERS}
    if filename:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return CachedFeed(body, etag, modified, generation, day, headers)


def init_app(app: Flask) -> None:
    app.extensions["feed_cache"] = FeedCache(app)


def feed_cache() -> FeedCache:
    return current_app.extensions["feed_cache"]


#: every FeedCache of this process (an app per process in production; tests make several)
_CACHES: "weakref.WeakSet[FeedCache]" = weakref.WeakSet()


def _committed(session) -> None:
    """A transaction of this process gave the store a new generation: this process's workers know it now."""
    generation = session.info.pop(store.NEW_GENERATION, None)
    if generation is not None:
        for cache in list(_CACHES):
            if cache.listener is not None and cache.listener.generation is not None:
                cache.listener.generation = generation


def _rolled_back(session) -> None:
    session.info.pop(store.NEW_GENERATION, None)


def subscribe() -> None:
    """Every transaction that writes what feeds show marks the store before it commits (store.py); once it
    has committed, this process's fast path knows the new generation at once."""
    calendar_written.connect(store.calendar_written)
    for name, listener in (("after_commit", _committed), ("after_rollback", _rolled_back)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)

