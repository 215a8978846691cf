"""Reading and writing many rows by id in a few statements (an import of thousands of rows).

Ids go a chunk at a time, each chunk written into the statement as numbers: bound one by one, a list of
500 parameters costs the driver more to convert than the database takes to answer.
"""
from collections.abc import Iterable, Iterator

from sqlalchemy import bindparam

#: ids per statement (well inside every database's limits)
CHUNK = 500


def chunked(ids: Iterable[int | None], size: int = CHUNK) -> Iterator[list[int]]:
    """The ids, sorted, without None and duplicates, in lists of at most `size`."""
    ordered = sorted(set(ids) - {None})
    for start in range(0, len(ordered), size):
        yield ordered[start:start + size]


def among(column, ids: list[int]):
    """`column IN (ids)` with the ids (integers) written into the statement."""
    return column.in_(bindparam(f"{column.key}_ids", [int(i) for i in ids], expanding=True, literal_execute=True,
                                unique=True))
