"""What the editor's pages read: an occurrence in the user's scope, an activity's occurrences, the observances
to choose from (the paged list of activities is events/managed.py)."""
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from ..accounts.scope import require_institution
from ..extensions import db
from ..observances.models import Observance
from ..search import fold
from .models import Activity, Occurrence
from .operations import find_occurrence


def managed_occurrence(user, activity_id: int, key: str) -> Occurrence:
    """The occurrence of an activity the user may manage, by its key; 404 when either is missing or out of
    scope (a staff page's address names both)."""
    activity = db.session.get(Activity, activity_id)
    if activity is None:
        raise NotFound()
    require_institution(user, activity.institution)
    occurrence = find_occurrence(activity, key)
    if occurrence is None:
        raise NotFound()
    return occurrence


def activity_occurrences(activity: Activity):
    return select(Occurrence).where(Occurrence.activity_id == activity.id).order_by(Occurrence.original_start)


def observance_choices(locale: str) -> list[tuple[str, str]]:
    observances = select(Observance).order_by(Observance.key)
    return sorted(((o.key, o.name(locale)) for o in db.session.scalars(observances)),
                  key=lambda pair: fold(pair[1]))
