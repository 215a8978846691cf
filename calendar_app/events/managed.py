"""The staff list of activities (/manage/): upcoming first, by their next meeting, then the others, the most
recent first; a page at a time, without working out every activity's next meeting.

An activity is *upcoming* when it has a scheduled meeting still to start. The upcoming page is read by
walking the meetings to come in time order (ix_occurrences_starts_at) and keeping each activity's first:
the walk stops once the page is full. The others are read from the activities, most recent start first,
leaving out those with a meeting to come. The list's count stops past COUNTED activities (or past the page
asked for, deeper): a province has hundreds of thousands, which nobody pages through; beyond, the page says
"more than" and offers the next page.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased, contains_eager

from ..accounts.scope import institution_filter
from ..clock import utcnow
from ..extensions import db
from ..pagination import Page
from ..places.models import Institution
from ..search import matches
from .models import Activity, Occurrence

#: the list counts the activities that match up to this many
COUNTED = 1000


@dataclass
class ManagedPage(Page):
    #: the count stopped here: `total` is then counted_up_to + 1, "more than counted_up_to"
    counted_up_to: int = COUNTED

    @property
    def more(self) -> bool:
        return self.total > self.counted_up_to

    @property
    def pages(self) -> int:
        # past the count, the pager says "page n" and offers the next one (there are more than this page holds)
        return self.number + 1 if self.more else super().pages


def _matching(user, status: str | None, institution: str | None, q: str | None) -> list:
    conditions = [institution_filter(user), matches(Activity.search_text, q)]
    if status:
        conditions.append(Activity.status == status)
    if institution:
        conditions.append(Institution.slug == institution)
    return conditions


def _to_come(now: datetime):
    return and_(Occurrence.status == "scheduled", Occurrence.starts_at >= now)


def managed_page(user, number: int, per_page: int, status: str | None = None, institution: str | None = None,
                 q: str | None = None, now: datetime | None = None) -> Page:
    """Page `number` of (Activity, next meeting or None, number of meetings) the user may manage; its total
    counted up to `counted_up_to` (+ 1 when there are more)."""
    now = now or utcnow()
    conditions = _matching(user, status, institution, q)
    offset = (number - 1) * per_page
    counted_up_to = max(COUNTED, offset + per_page)
    total = db.session.scalar(select(func.count()).select_from(
        select(Activity.id).join(Activity.institution).where(*conditions).limit(counted_up_to + 1).subquery())) or 0
    earlier = aliased(Occurrence)
    first_to_come = ~exists().where(
        earlier.activity_id == Occurrence.activity_id, earlier.status == "scheduled", earlier.starts_at >= now,
        or_(earlier.starts_at < Occurrence.starts_at,
            and_(earlier.starts_at == Occurrence.starts_at, earlier.id < Occurrence.id)))
    upcoming = (select(Occurrence.activity_id, Occurrence.starts_at)
                .join(Activity, Activity.id == Occurrence.activity_id).join(Activity.institution)
                .where(_to_come(now), first_to_come, *conditions)
                .order_by(Occurrence.starts_at, Occurrence.id))
    rows = db.session.execute(upcoming.limit(per_page).offset(offset)).all()
    next_start = dict(rows)
    ids = [activity_id for activity_id, _start in rows]
    if len(ids) < per_page:
        # the page reaches past the upcoming activities: the others follow, the most recent first
        upcoming_count = offset + len(ids) if ids else db.session.scalar(
            select(func.count(func.distinct(Occurrence.activity_id)))
            .join(Activity, Activity.id == Occurrence.activity_id).join(Activity.institution)
            .where(_to_come(now), *conditions)) or 0
        to_come = exists().where(Occurrence.activity_id == Activity.id, _to_come(now))
        ids += db.session.scalars(
            select(Activity.id).join(Activity.institution).where(~to_come, *conditions)
            .order_by(Activity.starts_at.desc(), Activity.id.desc())
            .limit(per_page - len(ids)).offset(max(0, offset + len(ids) - upcoming_count))).all()
    activities = {activity.id: activity for activity in db.session.scalars(
        select(Activity).join(Activity.institution).options(contains_eager(Activity.institution))
        .where(Activity.id.in_(ids)))}
    counts = dict(db.session.execute(select(Occurrence.activity_id, func.count())
                                     .where(Occurrence.activity_id.in_(ids)).group_by(Occurrence.activity_id)).all())
    items = [(activities[i], next_start.get(i), counts.get(i, 0)) for i in ids]
    return ManagedPage(items=items, number=number, per_page=per_page, total=total, counted_up_to=counted_up_to)
