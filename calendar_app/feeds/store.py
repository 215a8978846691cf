"""The feed store in the database, shared by every worker and every restart.

Writes (`mark`, run inside the writing transaction through the `calendar_written` signal): the fragment rows of
the activities a transaction wrote get a new revision (their stored bodies are stale from then on) and their
span of dates recomputed, and the generation of feed_state gets a new random value. Reads (`assemble`,
`single`): a feed is assembled from the stored bodies of its activities in its window, nearest dates first,
up to the size ceiling; an activity without a current body is serialised again (ical.py) and its body stored
for the revision it was read at, so a write that lands meanwhile wins. An assembled feed is stored with the
generation it was built at (`save_body`), and any worker serves it as long as the generation and the day have
not changed (`load_body`).

Writes that bypass the ORM (COPY, SQL by hand) need `flask feeds rebuild` (`rebuild`).
"""
import hashlib
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, case, delete, func, insert, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..clock import local_midnight_utc, utcnow
from ..events.filters import is_public
from ..events.models import Activity, Occurrence
from ..extensions import db
from . import ical
from .models import FeedBody, FeedFragment, FeedFragmentBody, FeedState
from .queries import load_activities

#: bump when ical.py writes fragments differently: every stored fragment is then serialised again
FORMAT = 1
#: ids per statement when marking, and candidate rows per round trip when assembling
CHUNK = 500
FRAGMENTS = FeedFragment.__table__
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


def _mark_statement(session: Session, condition, now: datetime, spans_only: bool = False):
    """Upsert the fragment rows of the activities matching `condition`: a new revision and the span of their
    dates; with `spans_only` (rebuild, whose bodies are all dropped anyway) only the rows whose span is not
    what it should be are rewritten."""
    spans = (select(Activity.id, literal(0), literal(now), func.min(Occurrence.starts_at), func.max(Occurrence.ends_at))
             .select_from(Activity).outerjoin(Occurrence, Occurrence.activity_id == Activity.id)
             .where(condition).group_by(Activity.id).order_by(Activity.id))
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(FRAGMENTS).from_select(
        ["activity_id", "revision", "changed_at", "first_start", "last_end"], spans)
    if spans_only:
        return stmt.on_conflict_do_update(
            index_elements=["activity_id"],
            where=or_(FRAGMENTS.c.first_start.is_distinct_from(stmt.excluded.first_start),
                      FRAGMENTS.c.last_end.is_distinct_from(stmt.excluded.last_end)),
            set_={"first_start": stmt.excluded.first_start, "last_end": stmt.excluded.last_end,
                  "changed_at": stmt.excluded.changed_at})
    return stmt.on_conflict_do_update(index_elements=["activity_id"], set_={
        "revision": FRAGMENTS.c.revision + 1, "changed_at": stmt.excluded.changed_at,
        "first_start": stmt.excluded.first_start, "last_end": stmt.excluded.last_end})


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
    the new generation covers."""
    mark(session, activity_ids, institution_ids)
    new_generation(session)


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
    db.session.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=values))
    return FeedBody(id=feed_id, **values)


def assemble(conditions: list, window: Window, ceiling: Ceiling, context: ical.FeedContext,
             head: Callable[[Assembled | None], bytes]) -> Assembled:
    """The feed of the public activities matching `conditions` in `window`: nearest dates first (upcoming and
    ongoing activities by their first date, then past ones, latest first), as many as fit under the ceiling.

    `head(None)` is the calendar head without a word about the ceiling (to measure what is left for the
    events); `head(assembled)` the one the feed gets, which may say that it was cut."""
    key = context_key(context)
    # room for the head of a feed that was cut (it says so), with counts of as many digits as they may have
    budget = ceiling.max_bytes - len(head(Assembled(b"", 0, 999_999, 9_999_999, None))) - len(ical.CALENDAR_TAIL)
    chosen: list[bytes] = []
    size = events = in_window = 0
    changed: datetime | None = None
    full = False
    for page in _candidates(conditions, window):
        in_window = page[0].in_window
        stored = _bodies(page, key)
        fresh = _serialise([row for row in page if row.activity_id not in stored], context, key)
        for row in page:
            body, count = fresh.get(row.activity_id) or stored.get(row.activity_id) or (None, 0)
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
    partial = Assembled(b"", events, len(chosen), in_window, changed)
    return Assembled(ical.assemble(head(partial), chosen), events, len(chosen), in_window, changed)


def _candidates(conditions: list, window: Window) -> Iterator[list]:
    """Pages of the feed's fragment rows in the order the feed keeps them (without their bodies, so that the
    database sorts narrow rows)."""
    upcoming = FeedFragment.last_end > window.now
    stmt = (select(FeedFragment.activity_id, FeedFragment.revision, FeedFragment.changed_at,
                   func.count().over().label("in_window"))
            .join(Activity, Activity.id == FeedFragment.activity_id)
            .where(*conditions, FeedFragment.last_end > window.start, FeedFragment.first_start < window.end)
            .order_by(case((upcoming, 0), else_=1), case((upcoming, FeedFragment.first_start)),
                      FeedFragment.last_end.desc(), FeedFragment.activity_id))
    # one sort, read a page at a time (a server-side cursor on PostgreSQL) until the feed is full
    result = db.session.execute(stmt.execution_options(yield_per=CHUNK))
    try:
        yield from result.partitions()
    finally:
        result.close()


def _bodies(rows: list, key: str) -> dict[int, tuple[bytes, int]]:
    """{activity id: (body, VEVENTs)} of the rows whose stored body is current: their revision, this context."""
    revisions = {row.activity_id: row.revision for row in rows}
    found = db.session.execute(
        select(FeedFragmentBody.activity_id, FeedFragmentBody.revision, FeedFragmentBody.body,
               FeedFragmentBody.events)
        .where(FeedFragmentBody.activity_id.in_(list(revisions)), FeedFragmentBody.context == key))
    return {row.activity_id: (row.body, row.events) for row in found if row.revision == revisions[row.activity_id]}


def _serialise(rows: list, context: ical.FeedContext, key: str) -> dict[int, tuple[bytes, int]]:
    """Serialise the activities of these fragment rows and store each body for the revision it was read at
    (a write that lands meanwhile has moved the revision on: the body stored here is then stale at once)."""
    if not rows:
        return {}
    revisions = {row.activity_id: row.revision for row in rows}
    fresh = {}
    for chunk in load_activities(sorted(revisions)):
        for activity in chunk:
            body = ical.activity_events(activity, context)
            fresh[activity.id] = (body, body.count(b"BEGIN:VEVENT"))
    if not fresh:
        return fresh
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(BODIES)
    # in id order, so that two workers storing bodies wait for each other rather than deadlock; a slower
    # worker never puts back a body older than the one stored
    db.session.connection().execute(
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
        session.execute(_mark_statement(session, Activity.id.in_(ids), now, spans_only=True))
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
            .join(Activity, Activity.id == FeedFragment.activity_id)
            .where(is_public(), FeedFragment.last_end > window.start, FeedFragment.first_start < window.end,
                   FeedFragment.activity_id > bindparam("after"))
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
