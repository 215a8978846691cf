"""The feed store in the database, shared by every worker and every restart.

Writes (`mark`, run inside the writing transaction through the `calendar_written` signal): the fragment rows of
the activities a transaction wrote get a new revision (their stored bodies are stale from then on), their
span of dates and their copies of the activity's public flag and institution recomputed, and the generation
of feed_state gets a new random value; an edit of a few activities serialises them for the site at once.
Reads (`assemble`, `single`): a feed is assembled from the stored bodies of its activities in its window,
nearest dates first, up to the size ceiling, choosing them from the fragments' indexes (no join with the
activities unless a condition needs one, never the whole window sorted); an activity without a current body
is serialised again (ical.py) and its body stored for the revision it was read at, so a write that lands
meanwhile wins. An assembled feed is stored with the
generation it was built at (`save_body`), and any worker serves it as long as the generation and the day have
not changed (`load_body`).

Writes that bypass the ORM (COPY, SQL by hand) need `flask feeds rebuild` (`rebuild`).
"""
import hashlib
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Exists, ScalarSelect, and_, bindparam, case, delete, func, insert, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.visitors import iterate, replacement_traverse

from ..clock import local_midnight_utc, utcnow
from ..events.filters import is_public
from ..events.models import Activity, Occurrence
from ..extensions import db
from . import ical
from .context import known_context
from .models import FeedBody, FeedFragment, FeedFragmentBody, FeedState
from .queries import load_activities

#: bump when ical.py writes fragments differently: every stored fragment is then serialised again
FORMAT = 1
#: ids per statement when marking and rebuilding
CHUNK = 500
FRAGMENTS = FeedFragment.__table__
#: the condition "public" of a feed's activities as the fragments know it (events.filters.is_public when
#: their activity was last marked): give it to events.filters.activity_conditions as `visible`
PUBLIC = FeedFragment.public
#: the activity's columns a fragment has a copy of: conditions on them need no join (`_on_fragments`)
_COPIED = {"id": FRAGMENTS.c.activity_id, "institution_id": FRAGMENTS.c.institution_id}
#: a transaction that wrote at most this many activities serialises them before it commits (`calendar_written`)
SERIALISED_ON_WRITE = 20
#: a feed with at most this many activities in its window is sorted whole in one statement (`_sorted`); one
#: with more (the whole province) is read part by part in the order of an index (`_by_parts`)
SORTED_WHOLE = 5000
BODIES = FeedFragmentBody.__table__
#: PostgreSQL notification channel of new generations, and where a session keeps the one it wrote
CHANNEL = "feed_generation"
NEW_GENERATION = "calendar_app.feed_generation"


@dataclass(frozen=True)
class Window:
    """What a feed covers: activities with a date ending after `start` and beginning before `end`."""

    start: datetime
    end: datetime
    #: upcoming activities come first, then past ones
    now: datetime
    #: the local day it was computed for: stored feeds are current for that day only
    day: date

    @classmethod
    def around(cls, today: date, now: datetime, past_days: int, future_days: int) -> "Window":
        return cls(local_midnight_utc(today - timedelta(days=past_days)),
                   local_midnight_utc(today + timedelta(days=future_days + 1)), now, today)


@dataclass(frozen=True)
class Ceiling:
    max_bytes: int
    max_events: int


@dataclass(frozen=True)
class Assembled:
    body: bytes
    events: int
    #: activities in the feed, and in its window (more when the ceiling cut the feed)
    activities: int
    in_window: int
    #: the latest change among the feed's own activities (naive UTC), None when it has none
    changed_at: datetime | None

    @property
    def truncated(self) -> bool:
        return self.activities < self.in_window


def context_key(context: ical.FeedContext) -> str:
    """Digest of everything a fragment depends on besides the activity: the fragment's context."""
    labels = sorted(context.category_labels.items())
    data = repr((FORMAT, context.base_url, context.domain, context.timezone, labels)).encode()
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def body_id(key: str, context: str) -> str:
    return hashlib.blake2b(f"{key}\0{context}".encode(), digest_size=16).hexdigest()


# --- on write ----------------------------------------------------------------------------------------------


def mark(session: Session, activity_ids: Iterable[int] = (), institution_ids: Iterable[int] = (),
         now: datetime | None = None) -> None:
    """Mark the fragments of these activities, and of every activity of these institutions, to be serialised
    again, with their span of dates recomputed; inside the caller's transaction."""
    now = (now or utcnow()).replace(microsecond=0)
    for column, ids in ((Activity.id, sorted(set(activity_ids))), (Activity.institution_id,
                                                                   sorted(set(institution_ids)))):
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            session.execute(_mark_statement(session, column.in_(chunk), now))
            if column is Activity.id:
                # deleted activities (PostgreSQL drops their rows by the foreign key; SQLite may not enforce it)
                alive = select(Activity.id).where(Activity.id.in_(chunk))
                session.execute(delete(FeedFragmentBody).where(FeedFragmentBody.activity_id.in_(chunk),
                                                               FeedFragmentBody.activity_id.not_in(alive)))
                session.execute(delete(FeedFragment).where(FeedFragment.activity_id.in_(chunk),
                                                           FeedFragment.activity_id.not_in(alive)))


def _mark_statement(session: Session, condition, now: datetime, changed_only: bool = False):
    """Upsert the fragment rows of the activities matching `condition`: a new revision, the span of their
    dates and the copies of what places them in feeds (public, institution); with `changed_only` (rebuild,
    whose bodies are all dropped anyway) only the rows where one of those is not what it should be are
    rewritten."""
    spans = (select(Activity.id, literal(0), literal(now), func.min(Occurrence.starts_at), func.max(Occurrence.ends_at),
                    is_public(), Activity.institution_id)
             .select_from(Activity).outerjoin(Occurrence, Occurrence.activity_id == Activity.id)
             .where(condition).group_by(Activity.id).order_by(Activity.id))
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(FRAGMENTS).from_select(
        ["activity_id", "revision", "changed_at", "first_start", "last_end", "public", "institution_id"], spans)
    placed = {name: getattr(stmt.excluded, name) for name in ("first_start", "last_end", "public", "institution_id")}
    if changed_only:
        return stmt.on_conflict_do_update(
            index_elements=["activity_id"],
            where=or_(*(FRAGMENTS.c[name].is_distinct_from(value) for name, value in placed.items())),
            set_={**placed, "changed_at": stmt.excluded.changed_at})
    return stmt.on_conflict_do_update(index_elements=["activity_id"], set_={
        "revision": FRAGMENTS.c.revision + 1, "changed_at": stmt.excluded.changed_at, **placed})


def new_generation(session: Session) -> int:
    """Every stored feed stops being current once the caller's transaction commits; on PostgreSQL every
    worker listening on CHANNEL hears it then (cache.GenerationListener)."""
    generation = secrets.randbits(62)
    if session.execute(update(FeedState).where(FeedState.id == 1).values(generation=generation)).rowcount == 0:
        session.execute(insert(FeedState).values(id=1, generation=generation))
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_notify(CHANNEL, str(generation))))  # delivered when the commit is done
    session.info[NEW_GENERATION] = generation
    return generation


def calendar_written(session: Session, activity_ids: set[int], institution_ids: set[int], **_ids) -> None:
    """Receiver of `calendar_written`: the fragments concerned are stale and every feed may have changed.

    Areas and observances are in no fragment; they change which activities a feed holds and its name, which
    the new generation covers. An edit of a few activities serialises them for this site at once (the
    feeds' next build then has nothing to serialise); larger writes leave it to the feeds."""
    mark(session, activity_ids, institution_ids)
    new_generation(session)
    if 0 < len(activity_ids) <= SERIALISED_ON_WRITE and (context := known_context()) is not None:
        rows = session.execute(select(FeedFragment.activity_id, FeedFragment.revision)
                               .where(FeedFragment.activity_id.in_(sorted(activity_ids)), PUBLIC)).all()
        _serialise(rows, context, context_key(context), session)


# --- on read -----------------------------------------------------------------------------------------------


def current_generation(session: Session | None = None) -> int:
    return (session or db.session).scalar(select(FeedState.generation).where(FeedState.id == 1)) or 0


def load_body(feed_id: str, generation: int, day: date) -> FeedBody | None:
    """The stored feed if it is still current."""
    return db.session.scalar(select(FeedBody).where(FeedBody.id == feed_id, FeedBody.generation == generation,
                                                    FeedBody.day == day))


def stored_counts(feed_id: str) -> tuple[int, int] | None:
    """(activities shown, activities in the window) of the stored feed, current or not (what the pages say
    about a feed cut by the ceiling), without its body."""
    row = db.session.execute(select(FeedBody.activities, FeedBody.in_window).where(FeedBody.id == feed_id)).first()
    return None if row is None else (row.activities, row.in_window)


def save_body(feed_id: str, key: str, generation: int, day: date, assembled: Assembled, etag: str) -> FeedBody:
    """Store the feed for every worker, with its Last-Modified: unchanged while its bytes are, else the latest
    change among its activities, or now when that is not later (an activity left the feed)."""
    previous = db.session.execute(select(FeedBody.etag, FeedBody.last_modified).where(FeedBody.id == feed_id)
                                  ).one_or_none()
    changed = (assembled.changed_at or datetime(1970, 1, 1)).replace(microsecond=0)
    if previous is None:
        modified = changed
    elif previous.etag == etag:
        modified = previous.last_modified
    elif changed > previous.last_modified:
        modified = changed
    else:
        modified = max(utcnow().replace(microsecond=0), previous.last_modified + timedelta(seconds=1))
    values = {"key": key, "generation": generation, "day": day, "body": assembled.body, "etag": etag,
              "last_modified": modified, "events": assembled.events, "activities": assembled.activities,
              "in_window": assembled.in_window, "built_at": utcnow()}
    # feeds built for an earlier day are stale wherever they are: the table holds today's feeds only
    db.session.execute(delete(FeedBody).where(FeedBody.day < day))
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(FeedBody).values(id=feed_id, **values)
    # the new row's own values (excluded), or the body would be sent to the database twice
    db.session.execute(stmt.on_conflict_do_update(index_elements=["id"],
                                                  set_={name: stmt.excluded[name] for name in values}))
    return FeedBody(id=feed_id, **values)


def assemble(conditions: list, window: Window, ceiling: Ceiling, context: ical.FeedContext,
             head: Callable[[Assembled | None], bytes]) -> Assembled:
    """The feed of the activities matching `conditions` (on Activity or FeedFragment, PUBLIC among them) in
    `window`: nearest dates first (upcoming and ongoing activities by their first date, then past ones, latest
    first), as many as fit under the ceiling.

    `head(None)` is the calendar head without a word about the ceiling (to measure what is left for the
    events); `head(assembled)` the one the feed gets, which may say that it was cut."""
    key = context_key(context)
    # room for the head of a feed that was cut (it says so), with counts of as many digits as they may have
    budget = ceiling.max_bytes - len(head(Assembled(b"", 0, 999_999, 9_999_999, None))) - len(ical.CALENDAR_TAIL)
    where, joined, narrow = _on_fragments(conditions)
    # every activity in the window has at least one VEVENT: max_events + 1 rows fill the feed
    limit = ceiling.max_events + 1
    # conditions on the fragment alone are counted from an index; others with the rows, in one join
    in_window = _count(where, window) if narrow else None
    if in_window is not None and in_window > SORTED_WHOLE:
        pages = _by_parts(where, window, key, limit)
    else:
        pages = _sorted(where, joined, window, key, limit, counted=in_window is None)
    chosen: list[bytes] = []
    size = events = 0
    changed: datetime | None = None
    full = False
    for page in pages:
        if in_window is None:
            in_window = page[0].in_window
        fresh = _serialise([row for row in page if row.body is None], context, key)
        for row in page:
            body, count = fresh.get(row.activity_id) or ((row.body, row.events) if row.body is not None else (None, 0))
            if body is None:
                continue  # deleted since the page was read
            if size + len(body) > budget or events + count > ceiling.max_events:
                full = True
                break
            chosen.append(body)
            size, events = size + len(body), events + count
            changed = row.changed_at if changed is None else max(changed, row.changed_at)
        if full:
            break
    in_window = in_window or 0
    partial = Assembled(b"", events, len(chosen), in_window, changed)
    return Assembled(ical.assemble(head(partial), chosen), events, len(chosen), in_window, changed)


def _on_fragments(conditions: list) -> tuple[list, bool, bool]:
    """(the conditions, reading from the fragment the activity's columns it has copies of; whether the
    activity must still be joined (a free-text query, a condition on its status…); whether they are narrow:
    nothing joined and no subquery per row, so that an index of the fragments answers them alone).

    The conditions' columns of Activity are the feed's activity's, subqueries included (events.filters'
    EXISTS on its categories, audiences, observance tags are correlated on Activity.id)."""
    activities = Activity.__table__
    joined = False

    def replace(element):
        nonlocal joined
        if getattr(element, "table", None) is activities:
            if element.key in _COPIED:
                return _COPIED[element.key]
            joined = True
        return None

    adapted = [replacement_traverse(condition, {}, replace) for condition in conditions]
    per_row = any(isinstance(element, (Exists, ScalarSelect))
                  for condition in adapted for element in iterate(condition))
    return adapted, joined, not (joined or per_row)


def _window(window: Window) -> list:
    return [FRAGMENTS.c.last_end > window.start, FRAGMENTS.c.first_start < window.end]


def _from(stmt, joined: bool):
    return stmt.join(Activity, Activity.id == FRAGMENTS.c.activity_id) if joined else stmt


def _count(where: list, window: Window) -> int:
    """How many activities of the feed are in its window (narrow conditions: from an index alone)."""
    return db.session.scalar(select(func.count()).select_from(FRAGMENTS).where(*where, *_window(window))) or 0


def _with_bodies(top, order: Callable[[Any], list], key: str, *extra: str) -> list:
    """The fragment rows of the subquery `top` in `order`, each with its stored body when it is current (its
    revision, this context), else None."""
    return db.session.execute(
        select(top.c.activity_id, top.c.revision, top.c.changed_at, *(top.c[name] for name in extra),
               BODIES.c.body, BODIES.c.events)
        .outerjoin(BODIES, and_(BODIES.c.activity_id == top.c.activity_id, BODIES.c.revision == top.c.revision,
                                BODIES.c.context == key))
        .order_by(*order(top.c))).all()


_ROW = (FRAGMENTS.c.activity_id, FRAGMENTS.c.revision, FRAGMENTS.c.changed_at, FRAGMENTS.c.first_start,
        FRAGMENTS.c.last_end)


def _sorted(where: list, joined: bool, window: Window, key: str, limit: int, counted: bool) -> Iterator[list]:
    """Pages of `limit` fragment rows of the feed in its order (with their bodies, and with `counted` how many
    rows the window has), sorted whole in one statement: for feeds with few activities in their window."""
    upcoming = FRAGMENTS.c.last_end > window.now
    # the sort keys as columns, so that the query around (the bodies) keeps their order without sorting again
    keys = (case((upcoming, 0), else_=1).label("past"), case((upcoming, FRAGMENTS.c.first_start)).label("begins"))
    counts = (func.count().over().label("in_window"),) if counted else ()
    rows = _from(select(*_ROW, *keys, *counts), joined).where(*where, *_window(window)).subquery()

    def order(columns) -> list:
        return [columns.past, columns.begins, columns.last_end.desc(), columns.activity_id]

    extra = ("past", "begins", *(("in_window",) if counted else ()))
    offset = 0
    while True:
        # the count over the rows in a subquery, so that the sort above it keeps only the first rows it needs
        top = select(rows).order_by(*order(rows.c)).limit(limit).offset(offset).subquery()
        page = _with_bodies(top, order, key, *extra)
        if page:
            yield page  # the caller stops here once the feed is full
        if len(page) < limit:
            return
        offset += limit


def _by_parts(where: list, window: Window, key: str, limit: int) -> Iterator[list]:
    """Pages of the feed's fragment rows in its order, with their bodies; `limit` rows in all unless more are
    asked for. For a feed with many activities in its window (the whole province), whose conditions are on the
    fragment alone.

    The window in three parts, each read in its own order from an index, never the whole window sorted: the
    activities under way (begun, not ended), those to come (both by first date), then the past ones (latest
    end first): the order of the whole window, upcoming activities by first date, then the past ones. Each
    part's bounds imply the window's (an activity's span never ends before it begins): none is repeated, so
    that the planner does not multiply their selectivities into a wrong estimate."""
    now = window.now
    by_start = [("first_start", False), ("last_end", True), ("activity_id", False)]
    parts = [([FRAGMENTS.c.first_start <= now, FRAGMENTS.c.last_end > now], by_start, True),
             ([FRAGMENTS.c.first_start > now, FRAGMENTS.c.first_start < window.end], by_start, False),
             ([FRAGMENTS.c.last_end > window.start, FRAGMENTS.c.last_end <= now],
              [("last_end", True), ("activity_id", False)], False)]
    wanted = limit
    for part, columns, fenced in parts:

        def order(table, columns=columns) -> list:
            return [table[name].desc() if descending else table[name] for name, descending in columns]

        rows = select(*_ROW).where(*where, *part)
        if fenced:
            # the activities under way are found by their end (the few that end after now), then sorted: read
            # by first date, the index would pass every activity that ever began. OFFSET 0 keeps the planner
            # from merging the subquery into the sorted query and choosing that walk for its order.
            rows = select(rows.offset(0).subquery())
        table = rows.selected_columns
        offset = 0
        while True:
            page = _with_bodies(rows.order_by(*order(table)).limit(wanted).offset(offset).subquery(), order, key)
            if page:
                yield page  # the caller stops here once the feed is full
            # asked for more (activities without a VEVENT): a page of `limit` at a time
            offset, short, wanted = offset + len(page), len(page) < wanted, wanted - len(page) or limit
            if short:
                break


def _bodies(rows: list, key: str) -> dict[int, tuple[bytes, int]]:
    """{activity id: (body, VEVENTs)} of the rows whose stored body is current: their revision, this context."""
    revisions = {row.activity_id: row.revision for row in rows}
    found = db.session.execute(
        select(FeedFragmentBody.activity_id, FeedFragmentBody.revision, FeedFragmentBody.body,
               FeedFragmentBody.events)
        .where(FeedFragmentBody.activity_id.in_(list(revisions)), FeedFragmentBody.context == key))
    return {row.activity_id: (row.body, row.events) for row in found if row.revision == revisions[row.activity_id]}


def _serialise(rows: list, context: ical.FeedContext, key: str,
               session: Session | None = None) -> dict[int, tuple[bytes, int]]:
    """Serialise the activities of these fragment rows and store each body for the revision it was read at
    (a write that lands meanwhile has moved the revision on: the body stored here is then stale at once)."""
    if not rows:
        return {}
    session = session or db.session
    revisions = {row.activity_id: row.revision for row in rows}
    fresh = {}
    for chunk in load_activities(sorted(revisions), session):
        for activity in chunk:
            body = ical.activity_events(activity, context)
            fresh[activity.id] = (body, body.count(b"BEGIN:VEVENT"))
    if not fresh:
        return fresh
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(BODIES)
    # in id order, so that two workers storing bodies wait for each other rather than deadlock; a slower
    # worker never puts back a body older than the one stored
    session.connection().execute(
        stmt.on_conflict_do_update(
            index_elements=["activity_id"], where=BODIES.c.revision <= stmt.excluded.revision,
            set_={"revision": stmt.excluded.revision, "context": stmt.excluded.context,
                  "body": stmt.excluded.body, "events": stmt.excluded.events}),
        [{"activity_id": activity_id, "revision": revisions[activity_id], "context": key, "body": body,
          "events": count} for activity_id, (body, count) in sorted(fresh.items())])
    return fresh


def single(activity_id: int, context: ical.FeedContext) -> tuple[bytes, datetime] | None:
    """(the fragment of one public activity, whatever its dates, the time of its latest change), or None."""
    key = context_key(context)
    query = (select(FeedFragment.activity_id, FeedFragment.revision, FeedFragment.changed_at)
             .join(Activity, Activity.id == FeedFragment.activity_id)
             .where(FeedFragment.activity_id == activity_id, is_public()))
    row = db.session.execute(query).one_or_none()
    if row is None:
        if db.session.scalar(select(Activity.id).where(Activity.id == activity_id, is_public())) is None:
            return None
        mark(db.session, [activity_id])  # written by other means than the app (a bulk load)
        row = db.session.execute(query).one()
    found = _bodies([row], key).get(activity_id) or _serialise([row], context, key)[activity_id]
    return found[0], row.changed_at


# --- after bulk loads ---------------------------------------------------------------------------------------


def rebuild(session: Session, context: ical.FeedContext | None, window: Window,
            progress: Callable[[int], None] = lambda _done: None) -> tuple[int, int]:
    """Give every activity its fragment row with the right span of dates, drop every stored body and feed,
    then serialise the public activities of the window for `context` (none without a context).
    Returns (activities marked, fragments built)."""
    marked = 0
    last = 0
    now = utcnow().replace(microsecond=0)
    while True:  # in chunks of ids, so that a province's 200,000 activities never make one huge statement
        ids = list(session.scalars(select(Activity.id).where(Activity.id > last).order_by(Activity.id)
                                   .limit(CHUNK * 20)))
        if not ids:
            break
        session.execute(_mark_statement(session, Activity.id.in_(ids), now, changed_only=True))
        marked, last = marked + len(ids), ids[-1]
    session.execute(delete(FeedFragment).where(FeedFragment.activity_id.not_in(select(Activity.id))))
    session.execute(delete(FeedFragmentBody))
    session.execute(delete(FeedBody))
    new_generation(session)
    built = 0
    if context is None:
        return marked, built
    key = context_key(context)
    stmt = (select(FeedFragment.activity_id, FeedFragment.revision)
            .where(PUBLIC, *_window(window), FeedFragment.activity_id > bindparam("after"))
            .order_by(FeedFragment.activity_id).limit(CHUNK))
    after = 0
    while True:
        rows = session.execute(stmt, {"after": after}).all()
        if not rows:
            break
        built += len(_serialise(rows, context, key))
        after = rows[-1].activity_id
        progress(built)
    return marked, built
