"""What a transaction wrote, noted on its session: changes.py notes every write made through the ORM and tells
it as the named signals when the transaction commits; a bulk write made with plain statements (an import)
notes itself here, so that it is told with the rest. No model is imported: any package may note a write."""
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

KEY = "calendar_app.written"


@dataclass
class Written:
    """The ids a transaction wrote so far, by what the signals speak of."""

    activities: set[int] = field(default_factory=set)
    occurrences: set[int] = field(default_factory=set)
    occurrence_activities: set[int] = field(default_factory=set)
    institutions: set[int] = field(default_factory=set)
    areas: set[int] = field(default_factory=set)
    observances: set[int] = field(default_factory=set)
    #: for `figures_changed`: institutions and activities whose every month may count differently, the
    #: (activity, local month) of each occurrence written, the occurrences whose attendance was written
    figure_institutions: set[int] = field(default_factory=set)
    figure_activities: set[int] = field(default_factory=set)
    occurrence_months: set[tuple[int, int]] = field(default_factory=set)
    attended: set[int] = field(default_factory=set)
    #: (institution, yyyymm) of each monthly tally written
    tally_months: set[tuple[int, int]] = field(default_factory=set)
    #: the years of the self-assessments written
    assessed_years: set[int] = field(default_factory=set)


def written_by(session: Session) -> Written:
    return session.info.setdefault(KEY, Written())


def note_written_attendance(session: Session, occurrence_ids: Iterable[int]) -> None:
    """Attendance written with plain statements (an import): the figures of their months are refreshed."""
    written_by(session).attended.update(occurrence_ids)


def note_written_areas(session: Session, area_ids: Iterable[int]) -> None:
    """Areas written with plain statements (a bulk import): announced with the others after the commit."""
    written_by(session).areas.update(area_ids)
