"""What the editor's pages list: activities in the user's scope with their next occurrence."""
from sqlalchemy import case, func, select
from sqlalchemy.orm import contains_eager
from werkzeug.exceptions import NotFound

from ..accounts.scope import institution_filter, require_institution
from ..clock import utcnow
from ..extensions import db
from ..observances.models import Observance
from ..places.models import Institution
from ..search import fold, matches
from .models import Activity, Occurrence
from .operations import find_occurrence


def managed_activities(user, status: str | None = None, institution: str | None = None, q: str | None = None):
    """select() of (Activity, next_start, occurrence_count) in scope: upcoming first, then the most recent."""
    next_start = (
        select(func.min(Occurrence.starts_at))
        .where(Occurrence.activity_id == Activity.id, Occurrence.starts_at >= utcnow(),
               Occurrence.status == "scheduled")
        .correlate(Activity).scalar_subquery()
    )
    count = (select(func.count(Occurrence.id)).where(Occurrence.activity_id == Activity.id)
             .correlate(Activity).scalar_subquery())
    query = (
        select(Activity, next_start.label("next_start"), count.label("occurrence_count"))
        .join(Activity.institution)
        .options(contains_eager(Activity.institution))
        .where(institution_filter(user))
    )
    if status:
        query = query.where(Activity.status == status)
    if institution:
        query = query.where(Institution.slug == institution)
    return query.where(matches(Activity.search_text, q)).order_by(
        case((next_start.is_(None), 1), else_=0), next_start, Activity.starts_at.desc(), Activity.id.desc())


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
