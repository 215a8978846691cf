"""What the API returns: response models (they are also the OpenAPI document's response schemas) and the
functions that fill them from rows. Every response goes through these models, so what is sent is what is
documented.

Times are sent as the API accepts them: local time of CALENDAR_TIMEZONE with its UTC offset
(2025-10-01T18:00+07:00); all-day values are dates and an all-day end is the last day, inclusive.
"""
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from ..clock import local_zone
from ..events.models import Activity, Occurrence
from ..places.models import Area, Institution
from ..registration.operations import places_left


class AreaOut(BaseModel):
    id: int
    code: str = Field(description="Official statistical code; with a day (`?on=`), the area's address in the API")
    name: str
    level: Literal["country", "province", "district", "commune"]
    parent: str | None = Field(description="Code of the parent area")
    valid_from: date | None = Field(description="First day of validity; null: since always")
    valid_to: date | None = Field(description="First day it is no longer valid (exclusive); null: still valid")
    latitude: float | None
    longitude: float | None
    successors: list[str] = Field(description="Codes of the units that took it in at a reform (valid from its "
                                  "valid_to)")


class PlacementOut(BaseModel):
    area: str = Field(description="Area code (the unit valid from `from`)")
    area_name: str
    from_: date | None = Field(alias="from", serialization_alias="from",
                               description="First day in that area; null: since the institution exists")
    to: date | None = Field(description="First day no longer there (exclusive); null: still there")


class InstitutionOut(BaseModel):
    id: int
    slug: str = Field(description="The institution's address in the API")
    name: str
    category: str
    area: str = Field(description="Code of the area it is placed in today")
    placements: list[PlacementOut] = Field(description="Where it stood when, oldest first")
    address: str | None
    latitude: float | None
    longitude: float | None
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None
    website: str | None
    description: str | None
    active: bool


class OccurrenceOut(BaseModel):
    """One date of an activity. A moved occurrence keeps status "scheduled", has moved=true and its new
    start/end; `original_start` stays the date the rule gave it, which is its `<start>` path segment."""

    start: str = Field(description="Local start with offset; a date for all-day activities")
    end: str = Field(description="Local end with offset; for all-day activities the last day, inclusive")
    status: Literal["scheduled", "cancelled"] = Field(
        description="cancelled when this occurrence or its whole activity is cancelled")
    original_start: str = Field(description="The start the rule gave, YYYY-MM-DDTHH:MM local (YYYY-MM-DD for "
                                            "all-day): PUT /events/{activity_id}/occurrences/{original_start}")
    moved: bool = Field(description="The occurrence was moved away from its original start")
    reason: str | None = Field(None, description="Why it was moved or cancelled, as the editor wrote it")
    #: set only for an activity with a capacity: the key is absent otherwise (activity_json dumps unset fields out)
    places_left: int | None = Field(None, description="Places still free on this date (capacity less the people "
                                                      "confirmed); only when the activity has a capacity")


class ActivityOut(BaseModel):
    id: int
    institution: str = Field(description="Institution slug")
    title: str
    description: str
    starts_at: str = Field(description="First occurrence's start: local time with offset, a date when all_day")
    ends_at: str = Field(description="First occurrence's end; for all-day activities the last day, inclusive")
    all_day: bool
    rrule: str | None
    location: str | None
    latitude: float | None
    longitude: float | None
    online_url: str | None
    categories: list[str]
    audiences: list[str]
    observances: list[str] = Field(description="Observance keys: suggested from the dates, as edited")
    programme: str | None
    capacity: int | None
    registration_required: bool
    status: Literal["draft", "published", "cancelled"]
    cancel_reason: str | None = Field(None, description="Why the activity is cancelled, as the editor wrote it")
    sequence: int = Field(description="Grows whenever time, place or status changes (iCalendar SEQUENCE)")
    updated_at: datetime = Field(description="UTC")
    occurrences: list[OccurrenceOut] = Field(description="The occurrences inside the requested window")


class AreaList(BaseModel):
    items: list[AreaOut]
    next: str | None


class InstitutionList(BaseModel):
    items: list[InstitutionOut]
    next: str | None


class ActivityList(BaseModel):
    items: list[ActivityOut]
    next: str | None


def _local(value: datetime, zone: ZoneInfo) -> datetime:
    return value.replace(tzinfo=UTC).astimezone(zone)


def _moment(value: datetime, all_day: bool, zone: ZoneInfo, end: bool = False) -> str:
    """A stored start or end as the API shows it (an all-day end is the last day, inclusive)."""
    local = _local(value, zone)
    if all_day:
        return (local.date() - timedelta(days=1) if end else local.date()).isoformat()
    return local.isoformat(timespec="minutes")


def _path_key(value: datetime, all_day: bool, zone: ZoneInfo) -> str:
    """recurrence.occurrence_key (the `<start>` path segment) without a zone lookup per call."""
    local = _local(value, zone)
    return local.date().isoformat() if all_day else local.replace(tzinfo=None).isoformat(timespec="minutes")


def area_json(area: Area) -> dict:
    return AreaOut(id=area.id, code=area.code, name=area.name, level=area.level,
                   parent=area.parent.code if area.parent else None, valid_from=area.valid_from,
                   valid_to=area.valid_to, latitude=area.latitude, longitude=area.longitude,
                   successors=[successor.code for successor in area.successors]).model_dump(mode="json")


def institution_json(institution: Institution) -> dict:
    fields = {name: getattr(institution, name) for name in InstitutionOut.model_fields
              if name not in ("area", "placements")}
    placements = [PlacementOut.model_validate({"area": p.area.code, "area_name": p.area.name, "from": p.valid_from,
                                               "to": p.valid_to}) for p in institution.placements]
    return InstitutionOut(**fields, area=institution.area.code, placements=placements).model_dump(
        mode="json", by_alias=True)


def occurrence_out(occurrence: Occurrence, activity: Activity, zone: ZoneInfo | None = None,
                   places: dict[int, int] | None = None) -> OccurrenceOut:
    zone = zone or local_zone()
    cancelled = occurrence.status == "cancelled" or activity.status == "cancelled"
    fields = {}
    if activity.capacity:
        left = (places or {}).get(occurrence.id)
        fields["places_left"] = left if left is not None else places_left([occurrence])[occurrence.id]
    return OccurrenceOut(
        start=_moment(occurrence.starts_at, activity.all_day, zone),
        end=_moment(occurrence.ends_at, activity.all_day, zone, end=True),
        status="cancelled" if cancelled else "scheduled",
        original_start=_path_key(occurrence.original_start, activity.all_day, zone),
        moved=occurrence.starts_at != occurrence.original_start,
        reason=occurrence.change_reason if occurrence.overridden else None, **fields,
    )


def occurrence_json(occurrence: Occurrence, activity: Activity) -> dict:
    return occurrence_out(occurrence, activity).model_dump(mode="json", exclude_unset=True)


def activity_json(activity: Activity, occurrences: list[Occurrence], places: dict[int, int] | None = None, *,
                  institution: str | None = None, observances: list[str] | None = None) -> dict:
    """The activity with the given occurrences (the caller chooses the window); `places`: places_left of them,
    when the caller counted them for many activities at once. `institution` (slug) and `observances` (keys):
    when the caller has them, for an activity read as plain values (api/events.py's list).

    Dumped without unset fields: every field is given, except `places_left` of an activity without a capacity.
    """
    zone = local_zone()  # once per activity: a list may hold thousands of times to convert
    if activity.capacity and places is None:
        places = places_left(occurrences)
    return ActivityOut(
        id=activity.id, institution=institution or activity.institution.slug, title=activity.title,
        description=activity.description or "",
        starts_at=_moment(activity.starts_at, activity.all_day, zone),
        ends_at=_moment(activity.ends_at, activity.all_day, zone, end=True), all_day=activity.all_day,
        rrule=activity.rrule, location=activity.location, latitude=activity.latitude,
        longitude=activity.longitude, online_url=activity.online_url, categories=activity.categories,
        audiences=activity.audiences,
        observances=[o.key for o in activity.observances] if observances is None else observances,
        programme=activity.programme, capacity=activity.capacity,
        registration_required=activity.registration_required, status=activity.status,
        cancel_reason=activity.cancel_reason, sequence=activity.sequence,
        updated_at=activity.updated_at.replace(tzinfo=UTC),
        occurrences=[occurrence_out(o, activity, zone, places) for o in occurrences],
    ).model_dump(mode="json", exclude_unset=True)
