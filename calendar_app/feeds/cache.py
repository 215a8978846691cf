"""The per-process feed cache: each activity's VEVENT fragment and each assembled feed, bounded in bytes.

A cached feed is served without touching the database until the stamp (queries.stamp, one aggregate
query) may have changed: at once after this process commits a change to anything a feed shows (the change
signals of signals.py), and at most FEED_REVALIDATE_SECONDS later for changes made by other processes (the
other web workers, the CLI). When the stamp changes, a feed is rebuilt from one cheap row query; only the
activities whose version (updated_at, sequence, status, institution's updated_at) changed are loaded and
serialised again.
"""
import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from threading import Lock

from flask import Flask, current_app, has_app_context
from werkzeug.exceptions import NotFound
from werkzeug.http import http_date, parse_date

from ..clock import local_today
from ..signals import activity_changed, observance_changed, occurrence_changed, place_changed
from . import ical
from .queries import FeedRow, Stamp, feed_rows, load_activities, stamp, window_start

CONTENT_TYPE = "text/calendar; charset=utf-8"
#: shared caches may keep a feed this long; calendar clients poll far less often anyway
CACHE_CONTROL = "public, max-age=300"
#: an entry's bookkeeping beyond its bytes, so that many tiny fragments still count
ENTRY_OVERHEAD = 200


class BoundedCache:
    """Least-recently-used mapping whose values' sizes add up to at most max_bytes."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self._items: OrderedDict = OrderedDict()
        self._lock = Lock()

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
    #: SQL conditions on Activity, public activities only
    conditions: list
    #: a single activity's calendar: no date window, 404 when it is not public
    single: bool = False
    filename: str | None = None


@dataclass(frozen=True)
class CachedFeed:
    body: bytes
    #: quoted, as in the ETag header
    etag: str
    #: aware UTC, whole seconds
    last_modified: datetime
    stamp: Stamp
    headers: dict[str, str] = field(default_factory=dict)


def not_modified(feed: CachedFeed, if_none_match: str | None, if_modified_since: str | None) -> bool:
    """RFC 9110: If-None-Match (weak comparison) wins; If-Modified-Since only without it."""
    if if_none_match is not None:
        return feed.etag in if_none_match or if_none_match.strip() == "*"
    since = parse_date(if_modified_since)
    return since is not None and feed.last_modified <= since


class FeedCache:
    def __init__(self, max_bytes: int, revalidate_seconds: float):
        self.items = BoundedCache(max_bytes)
        self.revalidate_seconds = revalidate_seconds
        self.stamp: Stamp | None = None
        self.checked_at = float("-inf")
        #: set when this process committed a change a feed may show
        self.dirty = True

    def current_stamp(self, past_days: int) -> Stamp:
        if not self.dirty and time.monotonic() - self.checked_at < self.revalidate_seconds:
            return self.stamp
        self.dirty = False
        fresh = stamp(window_start(local_today(), past_days))
        if fresh != self.stamp:
            self.stamp = fresh
        self.checked_at = time.monotonic()
        return self.stamp

    def current(self, key: tuple) -> CachedFeed | None:
        """The cached feed for `key` if it is known to be current without asking the database, else None."""
        if self.dirty or time.monotonic() - self.checked_at >= self.revalidate_seconds:
            return None
        feed = self.items.get(("feed", key))
        return feed if feed is not None and feed.stamp is self.stamp else None

    def feed(self, key: tuple, source: Callable[[], FeedSource], context: Callable[[], ical.FeedContext],
             past_days: int) -> CachedFeed:
        """The feed for `key`, built (from fragments) only when the stamp changed since it was cached."""
        current = self.current_stamp(past_days)
        cached = self.items.get(("feed", key))
        if cached is not None and cached.stamp is current:
            return cached
        feed = self.build(source(), current, context())
        self.items.put(("feed", key), feed, len(feed.body))
        return feed

    def build(self, source: FeedSource, current: Stamp, context: ical.FeedContext) -> CachedFeed:
        rows = feed_rows(source.conditions, None if source.single else current.cutoff)
        if source.single and not rows:
            raise NotFound()
        head = ical.calendar_head(source.name, context)
        fragments = self.fragments(rows, context)
        body = ical.assemble(head, (fragment for fragment, _digest in fragments))
        if source.single:
            moments = [m for m in (rows[0].updated_at, rows[0].institution_updated_at) if m is not None]
            modified = max(moments)
        else:
            modified = current.last_modified or datetime(1970, 1, 1)
        modified = modified.replace(tzinfo=UTC, microsecond=0)
        # the digest of the fragments' digests: as exact as hashing the body, for a fraction of the time
        etag = hashlib.blake2b(_digest(head), digest_size=16)
        for _fragment, digest in fragments:
            etag.update(digest)
        etag = f'"{etag.hexdigest()}"'
        headers = {"Content-Type": CONTENT_TYPE, "ETag": etag, "Last-Modified": http_date(modified),
                   "Cache-Control": CACHE_CONTROL}
        if source.filename:
            headers["Content-Disposition"] = f'attachment; filename="{source.filename}"'
        return CachedFeed(body, etag, modified, current, headers)

    def fragments(self, rows: list[FeedRow], context: ical.FeedContext) -> list[tuple[bytes, bytes]]:
        """(VEVENT fragment, its digest) of each row, serialising only those missing or out of date."""
        fragments: list[tuple[bytes, bytes] | None] = []
        missing: dict[int, int] = {}
        for row in rows:
            cached = self.items.get(("event", context.base_url, row.id))
            if cached is not None and cached[0] == row.version:
                fragments.append(cached[1])
            else:
                missing[row.id] = len(fragments)
                fragments.append(None)
        for chunk in load_activities(list(missing)):
            for activity in chunk:
                index = missing[activity.id]
                fragment = ical.activity_events(activity, context)
                fragments[index] = (fragment, _digest(fragment))
                self.items.put(("event", context.base_url, activity.id), (rows[index].version, fragments[index]),
                               len(fragment))
        # an activity deleted between the two queries has no fragment
        return [fragment for fragment in fragments if fragment is not None]


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def init_app(app: Flask) -> None:
    app.extensions["feed_cache"] = FeedCache(app.config["FEED_CACHE_MB"] * 2**20,
                                             app.config["FEED_REVALIDATE_SECONDS"])


def feed_cache() -> FeedCache:
    return current_app.extensions["feed_cache"]


def calendar_changed(_session, **_ids) -> None:
    """Something a feed may show was committed: the next feed asks the database for the stamp again."""
    cache = current_app.extensions.get("feed_cache") if has_app_context() else None
    if cache is not None:
        cache.dirty = True


def subscribe() -> None:
    for signal in (activity_changed, occurrence_changed, place_changed, observance_changed):
        signal.connect(calendar_changed)
