"""The partial rows of the years that are over (indexed: rollup.Partials), kept by this worker for as long as
what they were computed from stays the same (rollup.past_years: the dashboard's trend).

A past year's partial rows per category are computed from its year rows and the year before's, its
self-assessments, and the institutions, placements and areas; the generations renewed by every write to these
(``figure_generations``: one per year, PLACES for the places; facts.new_generations, called as the facts are
refreshed and, for the places, by tracking.py) say when they change. Rows are kept
under the generations read *before* they were computed: a write committed in between renews one of them, so
what was computed from the earlier state is never served again (the feed store's rule).

Writes that bypass the ORM (SQL by hand, COPY) renew nothing: `flask rebuild-facts` renews every generation,
as it recomputes the facts such writes leave behind (institutions, placements, areas and self-assessments
written by SQL need it now too, or the workers restarted).

Nothing is kept while the places have no generation (migration 0018 writes one; a database made from the
models gets one with its first institution or area, or `flask rebuild-facts`), nor within a transaction that
wrote through the ORM (its own writes renew the generations only as it commits).
"""
import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import select

from ..extensions import db
from ..written import KEY
from .facts import PLACES
from .models import FigureGeneration

if TYPE_CHECKING:
    from .rollup import Partials

#: (area, year) entries a worker keeps, least recently used dropped first (a few KB each)
MAX_ENTRIES = 2048

Key = tuple


class Kept:
    """A least-recently-used mapping of at most `max_entries` entries."""

    def __init__(self, max_entries: int = MAX_ENTRIES):
        self.max_entries = max_entries
        self._items: OrderedDict[Key, Partials] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Key | None) -> "Partials | None":
        if key is None:
            return None
        with self._lock:
            partials = self._items.get(key)
            if partials is not None:
                self._items.move_to_end(key)
            return partials

    def put(self, key: Key, partials: "Partials") -> None:
        with self._lock:
            self._items[key] = partials
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


KEPT = Kept()


def keys(area_id: int, years: Iterable[int]) -> dict[int, Key]:
    """The key of each year's partial rows for the area as things stand (read before computing them), or
    nothing when they cannot be kept."""
    session = db.session
    if session.info.get(KEY) is not None or session.new or session.dirty or session.deleted:
        return {}
    years = list(years)
    wanted = {PLACES, *years, *(year - 1 for year in years)}
    generations = dict(session.execute(select(FigureGeneration.year, FigureGeneration.generation)
                                       .where(FigureGeneration.year.in_(sorted(wanted)))).all())
    if PLACES not in generations:
        return {}
    database = db.engine.url.render_as_string(hide_password=True)
    return {year: (database, area_id, year, generations[PLACES], generations.get(year, 0),
                   generations.get(year - 1, 0)) for year in years}
