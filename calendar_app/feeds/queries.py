"""The activities a fragment is serialised from: SQL in, ORM objects out (what goes into which feed is in
store.py, with the public list's filters of events/filters.py)."""
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..events.models import Activity
from ..extensions import db

#: activities loaded and serialised per round trip when fragments are missing
LOAD_CHUNK = 500


def load_activities(ids: list[int], session: Session | None = None) -> Iterator[list[Activity]]:
    """The activities with what the serialiser reads, in chunks.

    A private session per chunk, so that serialising ten thousand activities never holds them all in
    memory at once and never fills the request's session; it shares the request's connection and
    transaction, so it reads the same snapshot as the row query did (`session`'s, when given).
    """
    connection = (session or db.session).connection()
    for offset in range(0, len(ids), LOAD_CHUNK):
        with Session(bind=connection) as session:
            yield list(session.scalars(
                select(Activity).where(Activity.id.in_(ids[offset:offset + LOAD_CHUNK]))
                .options(selectinload(Activity.occurrences), joinedload(Activity.institution),
                         selectinload(Activity.category_links))
            ).unique())
