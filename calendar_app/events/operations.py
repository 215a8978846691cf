"""Creating and changing activities: the one path used by the editor's pages, the API and the CLI.

Every function checks the user's scope, validates, writes and audits; committing is left to the caller's
unit of work (unit_of_work.py), which rolls back whatever a refused change wrote.
"""
from datetime import timedelta

from flask_babel import gettext as _
from pydantic import TypeAdapter
from sqlalchemy import select

from .. import signals
from ..accounts.scope import require_institution
from ..audit.operations import diff, record
from ..bounds import OutOfRange
from ..clock import local_day, to_local, utcnow
from ..extensions import db
from ..observances.models import Observance
from ..places.models import Institution
from ..search import fold
from ..validation import ValidationFailed, validate
from .models import Activity, ActivityAudience, ActivityCategory, ActivityObservance, Occurrence
from .occurrences import sync_occurrences
from .recurrence import occurrence_key, parse_occurrence_key
from .schema import ActivityIn, ActivityPatch, OccurrenceChange, check_series, parse_moment, resolve_times
from .tagging import retag

#: a change to any of these is a change of time, place or status: SEQUENCE grows
SCHEDULE_FIELDS = ("starts_at", "ends_at", "all_day", "rrule", "location", "online_url", "status")


def activity_values(activity: Activity) -> dict:
    """The activity as ActivityIn data (local times), for forms, PATCH merging and the audit trail."""
    if activity.all_day:
        starts = local_day(activity.starts_at).isoformat()
        ends = (local_day(activity.ends_at) - timedelta(days=1)).isoformat()
    else:
        starts = to_local(activity.starts_at).strftime("%Y-%m-%dT%H:%M")
        ends = to_local(activity.ends_at).strftime("%Y-%m-%dT%H:%M")
    return {
        "institution": activity.institution.slug if activity.institution else None,
        "title": activity.title, "description": activity.description or "",
        "starts_at": starts, "ends_at": ends, "all_day": activity.all_day, "rrule": activity.rrule,
        "location": activity.location, "latitude": activity.latitude, "longitude": activity.longitude,
        "online_url": activity.online_url, "categories": activity.categories, "audiences": activity.audiences,
        "observances": [o.key for o in activity.observances], "programme": activity.programme,
        "capacity": activity.capacity, "registration_required": activity.registration_required,
        "status": activity.status, "cancel_reason": activity.cancel_reason,
    }


def create_activity(user, data: dict, institution: Institution | None = None) -> Activity:
    """Validate `data` (ActivityIn) and add the activity for `institution` (or data["institution"])."""
    payload = _validated(data)
    if institution is None:
        institution = _institution_by_slug(payload.institution)
    require_institution(user, institution, hide=False)
    activity = Activity(institution=institution, created_by_id=getattr(user, "id", None), created_at=utcnow())
    _apply(activity, payload)
    record(user, "create", "activity", activity.id, institution=institution,
           changes=diff({}, activity_values(activity)))
    return activity


def update_activity(user, activity: Activity, changes: dict) -> Activity:
    """Apply a partial change (PATCH semantics) after validating the merged result."""
    require_institution(user, activity.institution)
    validate(ActivityPatch, changes)  # each given field on its own first: unknown or ill-typed fields
    before = activity_values(activity)
    if "institution" in changes and changes["institution"] not in (None, before["institution"]):
        raise ValidationFailed({"institution": _("An activity cannot move to another institution.")})
    merged = {**before, **changes}
    if "observances" not in changes:
        merged.pop("observances")
    payload = _validated(merged)
    dates_before = _dates(activity)
    _apply(activity, payload)
    after = activity_values(activity)
    _announce_booked_dates(activity, dates_before, before["status"] != after["status"])
    if _capacity_grew(before["capacity"], after["capacity"]):
        signals.capacity_grew.send(activity)
    changed = diff(before, after)
    if changed:
        action = {"published": "publish", "cancelled": "cancel"}.get(after["status"], "update") \
            if "status" in changed else "update"
        record(user, action, "activity", activity.id, institution=activity.institution, changes=changed)
    return activity


def _dates(activity: Activity) -> dict[int, tuple]:
    return {occ.id: (occ.starts_at, occ.ends_at, occ.status) for occ in activity.occurrences if occ.id is not None}


def _announce_booked_dates(activity: Activity, before: dict[int, tuple], status_changed: bool) -> None:
    """booked_dates_changed for the occurrences whose time or status this change touched (every one when the
    activity itself was cancelled or published again)."""
    after = _dates(activity)
    touched = {occ_id for occ_id, dates in before.items() if after.get(occ_id, dates) != dates}
    if status_changed:
        touched |= set(after)
    if touched:
        signals.booked_dates_changed.send(activity, occurrence_ids=touched)


def _capacity_grew(old: int | None, new: int | None) -> bool:
    """None and 0 both mean "no limit"."""
    return bool(old) and (not new or new > old)


def set_status(user, activity: Activity, status: str, reason: str | None = None) -> Activity:
    """Publish, cancel (with the reason people will read, if any) or return to draft."""
    changes: dict = {"status": status}
    if status == "cancelled":
        changes["cancel_reason"] = reason
    return update_activity(user, activity, changes)


def duplicate_activity(user, activity: Activity) -> Activity:
    """A draft copy of an activity, for the next edition of a club or event."""
    require_institution(user, activity.institution)
    data = activity_values(activity)
    data.update(status="draft", title=_("Copy of %(title)s", title=activity.title)[:300])
    return create_activity(user, data, institution=activity.institution)


def _validated(data: dict) -> ActivityIn:
    """ActivityIn, with impossible or reversed dates reported in the same answer as any other refused field
    (the schema alone would only look at the dates once everything else is right)."""
    try:
        return validate(ActivityIn, data)
    except ValidationFailed as refused:
        if {"starts_at", "ends_at", "all_day"}.isdisjoint(refused.fields):
            try:
                resolve_times(data["starts_at"], data["ends_at"], TypeAdapter(bool).validate_python(
                    data.get("all_day", False)))
            except ValidationFailed as dates:
                raise ValidationFailed({**refused.fields, **dates.fields}) from None
        raise


def _institution_by_slug(slug: str | None) -> Institution:
    if not slug:
        raise ValidationFailed({"institution": _("Choose the institution.")})
    institution = db.session.scalar(select(Institution).where(Institution.slug == slug))
    if institution is None:
        raise ValidationFailed({"institution": _("There is no institution %(slug)s.", slug=slug)})
    return institution


def _apply(activity: Activity, payload: ActivityIn) -> None:
    start, end = resolve_times(payload.starts_at, payload.ends_at, payload.all_day)
    check_series(payload.rrule, start)
    observances = _observances(payload.observances) if payload.observances is not None else None
    if payload.status == "cancelled" and activity.status == "draft" and activity.id is not None:
        raise ValidationFailed({"status": _("A draft cannot be cancelled; delete it or publish it first.")})
    old_schedule = tuple(getattr(activity, name) for name in SCHEDULE_FIELDS)
    activity.title = payload.title
    activity.description = payload.description
    activity.starts_at, activity.ends_at, activity.all_day = start, end, payload.all_day
    activity.rrule = payload.rrule
    activity.location, activity.online_url = payload.location, payload.online_url
    activity.latitude, activity.longitude = payload.latitude, payload.longitude
    activity.programme, activity.capacity = payload.programme, payload.capacity
    activity.registration_required = payload.registration_required
    if payload.status == "published" and activity.status != "published" and activity.published_at is None:
        activity.published_at = utcnow()
    activity.status = payload.status
    activity.cancel_reason = payload.cancel_reason if payload.status == "cancelled" else None
    activity.search_text = fold(f"{payload.title} {payload.description}")
    _set_links(activity, ActivityCategory, "category_links", payload.categories)
    _set_links(activity, ActivityAudience, "audience_links", payload.audiences)
    if activity.id is not None and old_schedule != tuple(getattr(activity, n) for n in SCHEDULE_FIELDS):
        activity.sequence += 1
    activity.updated_at = utcnow()
    db.session.add(activity)
    db.session.flush()
    sync_occurrences(activity)
    retag(activity)
    if observances is not None:
        _set_observance_tags(activity, observances)


def _set_links(activity, model, attribute: str, keys: list[str]) -> None:
    links = getattr(activity, attribute)
    current = {link.key: link for link in links}
    for key in set(current) - set(keys):
        links.remove(current[key])
    for key in sorted(set(keys) - set(current)):
        links.append(model(key=key))


def _observances(keys: list[str]) -> list[Observance]:
    found = {o.key: o for o in db.session.scalars(select(Observance).where(Observance.key.in_(keys)))}
    unknown = [k for k in keys if k not in found]
    if unknown:
        raise ValidationFailed({"observances": _("Unknown observance: %(keys)s.", keys=", ".join(unknown))})
    return list(found.values())


def _set_observance_tags(activity: Activity, wanted: list[Observance]) -> None:
    """Make the visible tags exactly `wanted`: removed suggestions stay removed (not re-suggested)."""
    wanted_ids = {o.id for o in wanted}
    links = {link.observance_id: link for link in activity.observance_links}
    for observance_id, link in links.items():
        if observance_id in wanted_ids:
            link.removed = False
        elif link.source == "auto":
            link.removed = True
        else:
            activity.observance_links.remove(link)
    for observance_id in wanted_ids - links.keys():
        activity.observance_links.append(ActivityObservance(observance_id=observance_id, source="manual"))
    db.session.flush()


# --- one occurrence on its own -------------------------------------------------------------------------


def find_occurrence(activity: Activity, key: str) -> Occurrence | None:
    """The occurrence whose original local start is `key` (YYYY-MM-DDTHH:MM or YYYY-MM-DD)."""
    original = parse_occurrence_key(key, activity.all_day)
    if original is None:
        return None
    return db.session.scalar(select(Occurrence).where(
        Occurrence.activity_id == activity.id, Occurrence.original_start == original))


def change_occurrence(user, activity: Activity, occurrence: Occurrence, data: dict) -> Occurrence:
    """Cancel, move or restore one occurrence without touching the others."""
    require_institution(user, activity.institution)
    change = validate(OccurrenceChange, data)
    before = _occurrence_values(occurrence)
    if change.starts_at is not None or change.ends_at is not None:
        start = occurrence.starts_at if change.starts_at is None else _moment(change.starts_at, activity, "starts_at")
        end = (start + (occurrence.ends_at - occurrence.starts_at)) if change.ends_at is None \
            else _moment(change.ends_at, activity, "ends_at")
        if activity.all_day and change.ends_at is not None:
            end += timedelta(days=1)
        if end <= start:
            raise ValidationFailed({"ends_at": _("The end must be after the start.")})
        occurrence.starts_at, occurrence.ends_at = start, end
    if change.status is not None:
        occurrence.status = change.status
    occurrence.overridden = occurrence.status == "cancelled" or occurrence.starts_at != occurrence.original_start \
        or occurrence.ends_at - occurrence.starts_at != activity.ends_at - activity.starts_at
    if not occurrence.overridden:
        occurrence.change_reason = None  # restored as the rule gives it: nothing left to explain
    elif "reason" in change.model_fields_set:
        occurrence.change_reason = change.reason
    after = _occurrence_values(occurrence)
    changed = diff(before, after)
    if changed:
        now = utcnow()
        occurrence.updated_at = activity.updated_at = now
        if set(changed) - {"reason"}:  # a new reason alone changes the text, not the time or status
            activity.sequence += 1
        db.session.flush()
        retag(activity)
        action = "cancel" if after["status"] == "cancelled" and before["status"] != "cancelled" else "update"
        key = occurrence_key(occurrence.original_start, activity.all_day)
        record(user, action, "occurrence", f"{activity.id}/{key}", institution=activity.institution,
               changes=changed, reason=occurrence.change_reason)
        signals.booked_dates_changed.send(activity, occurrence_ids={occurrence.id})
    return occurrence


def _moment(value: str, activity: Activity, field: str):
    try:
        return parse_moment(value, activity.all_day)
    except OutOfRange as refused:
        raise ValidationFailed({field: str(refused.reason)}) from None
    except ValueError:
        raise ValidationFailed({field: _("Enter a real date as YYYY-MM-DD.") if activity.all_day
                                else _("Enter a real date and time as YYYY-MM-DDTHH:MM.")}) from None


def _occurrence_values(occurrence: Occurrence) -> dict:
    return {"starts_at": occurrence.starts_at, "ends_at": occurrence.ends_at, "status": occurrence.status,
            "reason": occurrence.change_reason}
