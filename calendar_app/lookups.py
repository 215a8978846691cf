"""What a public address names, or 404: an activity citizens may see (a draft looks as if it did not exist), an
institution, an area unit, an observance. Read by the public pages, the embeds and the feeds."""
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from .events.filters import is_public
from .events.models import Activity, ActivityObservance
from .extensions import db
from .observances.models import Observance
from .places.lookup import latest_unit, unit_on
from .places.models import Area, Institution


def public_activity(activity_id: int) -> Activity:
    """The activity if citizens may see it, else 404 (drafts look like they do not exist)."""
    activity = db.session.scalar(
        select(Activity).where(Activity.id == activity_id, is_public())
        .options(selectinload(Activity.institution).selectinload(Institution.area),
                 selectinload(Activity.category_links), selectinload(Activity.audience_links),
                 selectinload(Activity.observance_links).selectinload(ActivityObservance.observance))
    )
    if activity is None:
        raise NotFound()
    return activity


def observance_by_key(key: str) -> Observance:
    observance = db.session.scalar(select(Observance).where(Observance.key == key)
                                   .options(selectinload(Observance.dates)))
    if observance is None:
        raise NotFound()
    return observance


def institution_by_slug(slug: str) -> Institution:
    institution = db.session.scalar(select(Institution).where(Institution.slug == slug)
                                    .options(selectinload(Institution.area)))
    if institution is None:
        raise NotFound()
    return institution


def area_by_code(code: str, on: date | None = None) -> Area:
    """The unit with this code valid on `on`; without a day, the one valid today, else the last one."""
    area = unit_on(code, on) if on is not None else latest_unit(code)
    if area is None:
        raise NotFound()
    return area
