"""Keeps the monthly facts (facts.py) in step with every ORM write, in the same transaction.

changes.py sends `figures_changed` just before a transaction that wrote institutions, activities,
occurrences or attendance commits; the institutions it names are refreshed then, inside that transaction.
Writes that bypass the ORM (raw SQL, COPY) need `flask rebuild-facts`.
"""
from sqlalchemy.orm import Session

from .. import signals
from . import facts


def refresh_facts(session: Session, institution_ids: set[int], months: dict[int, set[int] | None] | None = None,
                  **_kw) -> None:
    """Recompute the facts of the months touched (every month of an institution when any may have changed)."""
    facts.refresh_months(session, months if months is not None else dict.fromkeys(institution_ids))


def subscribe() -> None:
    signals.figures_changed.connect(refresh_facts)
