"""API endpoints for activities (events) and their occurrences.

Reads are public for published and cancelled activities; a token whose user may manage an institution
also sees that institution's drafts. Writes go through events/operations.py, which checks scope,
validates, audits and retags; this module only maps HTTP to those calls (the request's unit of work commits).

A list covers a window of days (`from`, `to`: local dates, both inclusive; default from today for
DEFAULT_WINDOW_DAYS, at most MAX_RANGE_DAYS): it holds the activities with an occurrence in the window,
soonest first, each with those occurrences.
"""
from collections import defaultdict
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from flask import request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.selectable import ScalarSelect

from ..accounts.scope import can_manage_institution, institution_filter
from ..clock import local_midnight_utc, local_today
from ..events import listing, operations
from ..events.filters import (
    MAX_RANGE_DAYS,
    PUBLIC_STATUSES,
    ActivityFilters,
    ParsedFilters,
    activity_conditions,
    is_public,
    parse_filters,
    window_problems,
)
from ..events.models import Activity, ActivityAudience, ActivityCategory, ActivityObservance, Occurrence
from ..events.schema import ActivityIn, ActivityPatch, OccurrenceChange
from ..extensions import db
from ..observances.models import Observance
from ..places.models import Institution
from ..registration.operations import places_left
from ..vocabulary import ACTIVITY_STATUSES
from .core import ApiError, api_user, bp, documented, json_body, page, page_window
from .serializers import ActivityList, ActivityOut, OccurrenceOut, activity_json, occurrence_json

DEFAULT_WINDOW_DAYS = 365

LIST_QUERY = {
    "area": "Area code: activities of institutions anywhere in its subtree",
    "institution": "Institution slug",
    "category": "Activity category key",
    "audience": "Audience key (also matches activities for everyone)",
    "observance": "Observance key",
    "q": "Words to find in the title or description (accents optional)",
    "status": "draft | published | cancelled (drafts only with a token that may manage them)",
    "from": "First day, YYYY-MM-DD local (default today)",
    "to": f"Last day, YYYY-MM-DD local, inclusive (default from + {DEFAULT_WINDOW_DAYS} days; "
          f"at most {MAX_RANGE_DAYS} days after from)",
    "offset": "Skip this many items",
    "limit": "Items per page (default 50, at most 200)",
}
WINDOW_QUERY = {"from": "Only occurrences from this day, YYYY-MM-DD local",
                "to": "Only occurrences up to this day, YYYY-MM-DD local, inclusive"}


@dataclass
class Window:
    """[start, end) in naive UTC."""

    start: datetime
    end: datetime


# --- who sees what -------------------------------------------------------------------------------------


def _visible(user):
    """SQL condition on Activity: public ones, and every activity of an institution the user manages."""
    if user is None:
        return is_public()
    return or_(is_public(), Activity.institution_id.in_(select(Institution.id).where(institution_filter(user))))


def _activity_or_404(activity_id: int, user) -> Activity:
    activity = db.session.scalar(
        select(Activity).where(Activity.id == activity_id)
        .options(selectinload(Activity.institution), selectinload(Activity.category_links),
                 selectinload(Activity.audience_links),
                 selectinload(Activity.observance_links).selectinload(ActivityObservance.observance)))
    if activity is None or (activity.status not in PUBLIC_STATUSES
                            and not can_manage_institution(user, activity.institution)):
        raise ApiError(404, "not_found", _("There is no activity %(id)s.", id=activity_id))
    return activity


# --- query parameters: the public list's filters (events/filters.py), plus `status` ---------------------


def _parsed(names=None) -> ParsedFilters:
    """The filters of the query (only `names` when given); their refusals as translated text."""
    args = request.args if names is None else {name: request.args.get(name) for name in names}
    parsed = parse_filters(args)
    parsed.errors = {name: str(reason) for name, reason in parsed.errors.items()}
    return parsed


def _window(filters: ActivityFilters, errors: dict, default: bool) -> Window | None:
    """The days asked for; the default window (today onwards) when `default`, else None when none was asked."""
    first, last = filters.date_from, filters.date_to
    if first is None and last is None and not default:
        return None
    first = first or local_today()
    last = last or first + timedelta(days=DEFAULT_WINDOW_DAYS)
    for name, reason in window_problems(first, last).items():
        errors.setdefault(name, str(reason))
    return Window(local_midnight_utc(first), local_midnight_utc(last + timedelta(days=1)))


def _conditions(user, filters: ActivityFilters, errors: dict) -> list:
    """SQL conditions on Activity: what the user may see, narrowed by the filters (the very conditions the
    public list and the feeds use) and by `status`."""
    status = request.args.get("status", "").strip()
    if status and status not in ACTIVITY_STATUSES:
        errors["status"] = _("Status must be draft, published or cancelled.")
    conditions = activity_conditions(filters, visible=_visible(user))
    if status:
        conditions.append(Activity.status == status)
    return conditions


def _refuse(errors: dict) -> None:
    if errors:
        raise ApiError(400, "bad_query", _("Some query parameters are not valid."), errors)


def _occurrences(activity_ids: list[int], window: Window | None) -> dict[int, list[Occurrence]]:
    """The occurrences of these activities overlapping the window (all of them without one), by activity."""
    stmt = select(Occurrence).where(Occurrence.activity_id.in_(activity_ids))
    if window is not None:
        stmt = stmt.where(Occurrence.starts_at < window.end, Occurrence.ends_at > window.start)
    found = defaultdict(list)
    for occurrence in db.session.scalars(stmt.order_by(Occurrence.starts_at, Occurrence.id)):
        found[occurrence.activity_id].append(occurrence)
    return found


@dataclass(slots=True)
class Listed:
    """An activity as the list sends it: plain values, the page's activities in one statement (a list of 200
    activities as ORM objects, with their institutions and keys, took six statements and most of the time)."""

    id: int
    title: str
    description: str | None
    starts_at: datetime
    ends_at: datetime
    all_day: bool
    rrule: str | None
    location: str | None
    latitude: float | None
    longitude: float | None
    online_url: str | None
    programme: str | None
    capacity: int | None
    registration_required: bool
    status: str
    cancel_reason: str | None
    sequence: int
    updated_at: datetime
    institution_slug: str
    categories: list[str]
    audiences: list[str]
    observance_keys: list[str]


@dataclass(slots=True)
class ListedOccurrence:
    """An occurrence as the list sends it (what serializers.occurrence_out and places_left read)."""

    id: int
    activity_id: int
    original_start: datetime
    starts_at: datetime
    ends_at: datetime
    status: str
    overridden: bool
    change_reason: str | None
    activity: Listed


def _keys(column, *where) -> ScalarSelect:
    """The activity's keys as one string (sorted in Python: the aggregate has no order)."""
    return select(func.aggregate_strings(column, " ")).where(*where).scalar_subquery()


def _split(keys: str | None) -> list[str]:
    return sorted(keys.split()) if keys else []


#: the activity's own columns: Listed's fields up to updated_at
LISTED_COLUMNS = [getattr(Activity, field.name) for field in fields(Listed)[:18]]


def _listed(activity_ids: list[int]) -> list[Listed]:
    """These activities, in this order, with their institution's slug and their keys."""
    if not activity_ids:
        return []
    observance_keys = select(func.aggregate_strings(Observance.key, " ")).join(
        ActivityObservance, ActivityObservance.observance_id == Observance.id).where(
        ActivityObservance.activity_id == Activity.id, ActivityObservance.removed.is_(False)).scalar_subquery()
    rows = db.session.execute(
        select(*LISTED_COLUMNS, Institution.slug,
               _keys(ActivityCategory.key, ActivityCategory.activity_id == Activity.id),
               _keys(ActivityAudience.key, ActivityAudience.activity_id == Activity.id), observance_keys)
        .join(Institution, Institution.id == Activity.institution_id)
        .where(Activity.id.in_(activity_ids)))
    found = {row[0]: Listed(*row[:19], _split(row[19]), _split(row[20]), _split(row[21])) for row in rows}
    return [found[activity_id] for activity_id in activity_ids]


def _occurrence_rows(activities: list[Listed], window: Window) -> dict[int, list[ListedOccurrence]]:
    """_occurrences() as plain values."""
    by_id = {activity.id: activity for activity in activities}
    found: dict[int, list[ListedOccurrence]] = {activity.id: [] for activity in activities}
    if not activities:
        return found
    rows = db.session.execute(
        select(Occurrence.id, Occurrence.activity_id, Occurrence.original_start, Occurrence.starts_at,
               Occurrence.ends_at, Occurrence.status, Occurrence.overridden, Occurrence.change_reason)
        .where(Occurrence.activity_id.in_(list(by_id)), Occurrence.starts_at < window.end,
               Occurrence.ends_at > window.start)
        .order_by(Occurrence.starts_at, Occurrence.id))
    for row in rows:
        found[row[1]].append(ListedOccurrence(*row, by_id[row[1]]))
    return found


# --- endpoints -----------------------------------------------------------------------------------------


@documented("/events", "get", "List activities with their occurrences inside a window of days", tag="events",
            response_model=ActivityList, query=LIST_QUERY)
@bp.get("/events")
def list_events():
    user = api_user(required=False)
    parsed = _parsed()
    errors = parsed.errors
    window = _window(parsed.filters, errors, default=True)
    conditions = _conditions(user, parsed.filters, errors)
    _refuse(errors)
    offset, limit = page_window()
    # each activity at its first occurrence in the window, soonest first (events/listing.py walks the dates)
    keys = listing.first_dates(listing.Window(window.start, window.end), conditions, scheduled_first=False,
                       limit=limit + 1, offset=offset)
    shown = _listed([activity_id for activity_id, _key in keys[:limit]])
    occurrences = _occurrence_rows(shown, window)
    # the places left of every listed date, in one query
    places = places_left([o for activity in shown if activity.capacity for o in occurrences[activity.id]])
    items = [activity_json(activity, occurrences[activity.id], places, institution=activity.institution_slug,
                           observances=activity.observance_keys) for activity in shown]
    return page(items, len(keys) > limit, offset, limit)


@documented("/events", "post", "Add an activity", tag="events", request_model=ActivityIn,
            response_model=ActivityOut, auth=True, statuses=(403,))
@bp.post("/events")
def create_event():
    user = api_user()
    data = json_body()
    own = user.institution if user.role == "editor" and not data.get("institution") else None
    activity = operations.create_activity(user, data, institution=own)
    location = url_for("api.get_event", activity_id=activity.id, _external=True)
    return activity_json(activity, activity.occurrences), 201, {"Location": location}


@documented("/events/{activity_id}", "get", "One activity with its occurrences (all, or those in from/to)",
            tag="events", response_model=ActivityOut, query=WINDOW_QUERY)
@bp.get("/events/<int:activity_id>")
def get_event(activity_id: int):
    user = api_user(required=False)
    parsed = _parsed(("from", "to"))
    window = _window(parsed.filters, parsed.errors, default=False)
    _refuse(parsed.errors)
    activity = _activity_or_404(activity_id, user)
    return activity_json(activity, _occurrences([activity.id], window)[activity.id])


@documented("/events/{activity_id}", "patch", "Change some fields of an activity", tag="events",
            request_model=ActivityPatch, response_model=ActivityOut, auth=True)
@bp.patch("/events/<int:activity_id>")
def update_event(activity_id: int):
    user = api_user()
    changes = json_body()
    activity = operations.update_activity(user, _activity_or_404(activity_id, user), changes)
    return activity_json(activity, activity.occurrences)


@documented("/events/{activity_id}/occurrences/{start}", "put",
            "Cancel, move or restore one occurrence (start: its original local start, YYYY-MM-DDTHH:MM, or "
            "YYYY-MM-DD for all-day activities)", tag="events", request_model=OccurrenceChange,
            response_model=OccurrenceOut, auth=True)
@bp.put("/events/<int:activity_id>/occurrences/<start>")
def change_occurrence(activity_id: int, start: str):
    user = api_user()
    change = json_body()
    activity = _activity_or_404(activity_id, user)
    occurrence = operations.find_occurrence(activity, start)
    if occurrence is None:
        raise ApiError(404, "not_found", _("This activity has no occurrence starting at %(start)s (give its "
                                           "original local start as YYYY-MM-DDTHH:MM, or YYYY-MM-DD for "
                                           "all-day activities).", start=start))
    operations.change_occurrence(user, activity, occurrence, change)
    return occurrence_json(occurrence, activity)
