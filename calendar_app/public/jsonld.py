"""schema.org Event data for an activity page (search engines and assistants read it): data in, dict out."""
from ..clock import ONE_DAY, to_local
from ..events.models import Activity, Occurrence
from ..markup import plain_text

SCHEMA = "https://schema.org"


def _moment(activity: Activity, value, end: bool = False) -> str:
    if activity.all_day:
        # all-day ends are stored exclusive; schema.org wants the last day
        return to_local(value - ONE_DAY if end else value).date().isoformat()
    return to_local(value).isoformat()


def attendance_mode(activity: Activity) -> str:
    online = bool(activity.online_url)
    onsite = bool(activity.location) or not online
    if online and onsite:
        return f"{SCHEMA}/MixedEventAttendanceMode"
    return f"{SCHEMA}/OnlineEventAttendanceMode" if online else f"{SCHEMA}/OfflineEventAttendanceMode"


def coordinates(activity: Activity) -> tuple[float, float] | None:
    """The activity's own coordinates, else its institution's."""
    if activity.latitude is not None and activity.longitude is not None:
        return activity.latitude, activity.longitude
    institution = activity.institution
    if institution.latitude is not None and institution.longitude is not None:
        return institution.latitude, institution.longitude
    return None


def location(activity: Activity) -> list[dict]:
    institution = activity.institution
    places = []
    if activity.location or not activity.online_url:
        place = {
            "@type": "Place",
            "name": activity.location or institution.name,
            "address": {
                "@type": "PostalAddress",
                "streetAddress": activity.location or institution.address or institution.name,
                "addressLocality": institution.area.name,
                "addressCountry": "VN",
            },
        }
        point = coordinates(activity)
        if point:
            place["geo"] = {"@type": "GeoCoordinates", "latitude": point[0], "longitude": point[1]}
        places.append(place)
    if activity.online_url:
        places.append({"@type": "VirtualLocation", "url": activity.online_url})
    return places


def event_status(activity: Activity, occurrence: Occurrence | None) -> str:
    if activity.status == "cancelled" or (occurrence is not None and occurrence.status == "cancelled"):
        return f"{SCHEMA}/EventCancelled"
    if occurrence is not None and occurrence.moved:
        return f"{SCHEMA}/EventRescheduled"
    return f"{SCHEMA}/EventScheduled"


def activity_events(activity: Activity, occurrences: list[Occurrence], page_url: str,
                    organizer_url: str, language: str) -> list[dict]:
    """One schema.org Event per shown occurrence (search engines want one start date per Event)."""
    places = location(activity)
    common = {
        "@context": SCHEMA,
        "@type": "Event",
        "name": activity.title,
        "description": plain_text(activity.description),
        "url": page_url,
        "inLanguage": language,
        "eventAttendanceMode": attendance_mode(activity),
        "location": places[0] if len(places) == 1 else places,
        "organizer": {"@type": "Organization", "name": activity.institution.name, "url": organizer_url},
    }
    events = []
    for occurrence in occurrences or [None]:
        starts = occurrence.starts_at if occurrence else activity.starts_at
        ends = occurrence.ends_at if occurrence else activity.ends_at
        event = dict(common, startDate=_moment(activity, starts), endDate=_moment(activity, ends, end=True),
                     eventStatus=event_status(activity, occurrence))
        if occurrence is not None and occurrence.moved:
            event["previousStartDate"] = _moment(activity, occurrence.original_start)
        events.append(event)
    return events
