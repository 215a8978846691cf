"""Keeps the monthly facts (facts.py) in step with every ORM write, in the same transaction.

changes.py sends `figures_changed` just before a transaction that wrote institutions, activities,
occurrences or attendance commits; the institutions it names are refreshed then, inside that transaction.
Writes that bypass the ORM (raw SQL, COPY) need `flask rebuild-facts`.
"""
from sqlalchemy.orm import Session

from .. import signals
from . import facts


def refresh_facts(session: Session, institution_ids: set[int], **_months) -> None:
    """Recompute the facts of the institutions whose figures changed (every month of them, for now)."""
    facts.refresh(session, institution_ids)


def subscribe() -> None:
    signals.figures_changed.connect(refresh_facts)
