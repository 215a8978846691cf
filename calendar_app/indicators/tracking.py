"""Keeps the monthly facts (facts.py) in step with every ORM write, in the same transaction, and the
generations of what rollup.past_years keeps.

changes.py sends `figures_changed` just before a transaction that wrote institutions, activities,
occurrences, attendance, tallies or self-assessments commits; the institutions it names are refreshed then,
inside that transaction, and the generations of the years that changed renewed. It sends
`calendar_written` right after, when institutions (or their placements) or areas were written: which
institutions every year counts, and where, may have changed.
Writes that bypass the ORM (raw SQL, COPY) need `flask rebuild-facts`.
"""
from sqlalchemy.orm import Session

from .. import signals
from . import facts


def refresh_facts(session: Session, institution_ids: set[int], months: dict[int, set[int] | None] | None = None,
                  years: set[int] | None = None, **_kw) -> None:
    """Recompute the facts of the months touched (every month of an institution when any may have changed)."""
    facts.refresh_months(session, months if months is not None else dict.fromkeys(institution_ids), years or ())


def places_written(session: Session, institution_ids: set[int], area_ids: set[int], **_kw) -> None:
    """Institutions, placements or areas were written: nothing rollup.past_years keeps is current any more."""
    if institution_ids or area_ids:
        facts.new_generations(session, [facts.PLACES])


def subscribe() -> None:
    signals.figures_changed.connect(refresh_facts)
    signals.calendar_written.connect(places_written)
