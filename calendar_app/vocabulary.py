"""The words people read for the fixed keys of the contract, in both languages: forms, API validation, the
staff and public pages, the dashboard, the printed report, the exports and the audit trail all name a key
from here, so a category or a status is called the same everywhere.

The Vietnamese is the catalogue's (translations/vi); the official report and the XLSX read it through
`in_vietnamese`, whatever the reader's language. Where the plan 2682/KH-UBND names a thing, its own words are
the Vietnamese ones ("Thư viện cơ sở giáo dục", "Đạt / Chưa đạt").
"""
from collections.abc import Iterator, Mapping

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

INSTITUTION_CATEGORIES = {
    "library_provincial": _l("Provincial library"),
    "library_district": _l("District library"),
    "library_commune": _l("Commune library"),
    "library_university": _l("University library"),
    "library_armed_forces": _l("Armed forces library"),
    "library_school": _l("School library"),
    "library_community": _l("Community library"),
    "library_specialized": _l("Specialised library"),
    "museum": _l("Museum"),
    "museum_memorial": _l("Memorial or tradition house"),
    "culture_centre_provincial": _l("Provincial culture centre"),
    "culture_centre_district": _l("District culture, sports, tourism and communication centre"),
    "culture_centre_commune": _l("Commune culture and community-learning centre"),
}
LIBRARY_CATEGORIES = tuple(k for k in INSTITUTION_CATEGORIES if k.startswith("library_"))
MUSEUM_CATEGORIES = ("museum", "museum_memorial")

ACTIVITY_CATEGORIES = {
    "reading": _l("Reading"),
    "talk": _l("Talk"),
    "exhibition": _l("Exhibition"),
    "workshop": _l("Workshop"),
    "course": _l("Course"),
    "club": _l("Club"),
    "performance": _l("Performance"),
    "sport": _l("Sport"),
    "festival": _l("Festival"),
    "heritage": _l("Heritage"),
    "digital_skills": _l("Digital skills"),
    "other": _l("Other"),
}

AUDIENCES = {
    "children": _l("Children"),
    "pupils": _l("Pupils"),
    "students": _l("Students"),
    "youth": _l("Youth"),
    "adults": _l("Adults"),
    "elderly": _l("Elderly people"),
    "families": _l("Families"),
    "ethnic_minorities": _l("Ethnic minorities"),
    "people_with_disabilities": _l("People with disabilities"),
    "everyone": _l("Everyone"),
}

ACTIVITY_STATUSES = {
    "draft": _l("Draft"),
    "published": _l("Published"),
    "cancelled": _l("Cancelled"),
}

TALLY_METRICS = {
    "library_visits": _l("Library visits"),
    "library_online_visits": _l("Online library visits"),
    "museum_visitors": _l("Museum visitors"),
    "museum_study_visitors": _l("Museum visitors who came to learn or research"),
    "club_members": _l("Club members"),
}

CHECKLIST_ITEMS = {
    "digital_catalogue": _l("Digital catalogue"),
    "digital_resources": _l("Digital resources"),
    "online_services": _l("Online services"),
    "digitised_heritage": _l("Digitised heritage"),
    "online_activities": _l("Online activities"),
}

ROLES = {
    "admin": _l("Administrator"),
    "officer": _l("Area officer"),
    "editor": _l("Institution editor"),
}

AREA_LEVELS = {
    "country": _l("Country"),
    "province": _l("Province"),
    "district": _l("District"),
    "commune": _l("Commune"),
}

#: how an indicator row compares with its target (the contract's `status`)
INDICATOR_STATUSES = {
    "on_track": _l("On track"),
    "behind": _l("Behind"),
    "no_target": _l("No target"),
    "no_data": _l("No data"),
}

#: the units of the indicators
INDICATOR_UNITS = {
    "percent": _l("per cent"),
    "programmes": _l("programmes"),
}

#: an institution's annual report to its officer (approval/)
YEAR_REPORT_STATUSES = {
    "open": _l("Not submitted"),
    "submitted": _l("Submitted, waiting for approval"),
    "approved": _l("Approved (figures locked)"),
    "returned": _l("Sent back for correction"),
}

#: one meeting of an activity
OCCURRENCE_STATUSES = {
    "scheduled": _l("As planned"),
    "cancelled": _l("Cancelled"),
}

# --- the audit trail ---------------------------------------------------------------------------------

AUDIT_ACTIONS = {
    "create": _l("created"),
    "update": _l("changed"),
    "publish": _l("published"),
    "cancel": _l("cancelled"),
    "delete": _l("deleted"),
    "submit": _l("submitted"),
    "approve": _l("approved"),
    "return": _l("sent back"),
    "unlock": _l("unlocked"),
    "move": _l("moved"),
    "reform": _l("reorganised (2025 reform)"),
    "purge": _l("erased personal data"),
    "enable": _l("enabled"),
    "disable": _l("disabled"),
    "reset_password": _l("password reset"),
    "change_password": _l("password changed"),
    "create_token": _l("API token issued"),
    "revoke_token": _l("API token revoked"),
}

AUDIT_ENTITIES = {
    "activity": _l("Activity"),
    "occurrence": _l("Meeting"),
    "attendance": _l("Attendance"),
    "tally": _l("Monthly figures"),
    "self_assessment": _l("Self-assessment"),
    "year_report": _l("Annual report"),
    "institution": _l("Institution"),
    "area": _l("Area"),
    "user": _l("Account"),
    "observance": _l("Observance"),
    "indicator_target": _l("Indicator target"),
    "plan": _l("Plan"),
    "registration": _l("Registrations"),
}

#: the fields an audit entry names (the operations' own keys); tally metrics, checklist items and
#: "audiences.<key>" are named by the dictionaries above
FIELDS = {
    "title": _l("Title"),
    "description": _l("Description"),
    "starts_at": _l("Start"),
    "ends_at": _l("End"),
    "all_day": _l("All day"),
    "rrule": _l("Repeat rule"),
    "location": _l("Place"),
    "latitude": _l("Latitude"),
    "longitude": _l("Longitude"),
    "online_url": _l("Online link"),
    "categories": _l("Kinds of activity"),
    "audiences": _l("Audiences"),
    "observances": _l("Observances"),
    "programme": _l("Education programme"),
    "capacity": _l("Places"),
    "registration_required": _l("Registration required"),
    "status": _l("Status"),
    "cancel_reason": _l("Reason for cancelling"),
    "reason": _l("Reason"),
    "institution": _l("Institution"),
    "total": _l("Participants"),
    "onsite": _l("On site"),
    "online": _l("Online"),
    "email": _l("E-mail"),
    "name": _l("Name"),
    "role": _l("Role"),
    "active": _l("Active"),
    "area": _l("Area"),
    "effective": _l("From"),
    "token": _l("API token"),
    "year": _l("Year"),
    "comment": _l("Comment"),
    "low": _l("Target (or lower bound)"),
    "high": _l("Upper bound"),
    "note": _l("Note"),
    "slug": _l("Short name (slug)"),
    "category": _l("Kind of institution"),
    "address": _l("Address"),
    "contact_name": _l("Contact person"),
    "contact_email": _l("Contact e-mail"),
    "contact_phone": _l("Contact phone"),
    "website": _l("Website"),
    "code": _l("Official code"),
    "level": _l("Level"),
    "parent": _l("Part of"),
    "valid_from": _l("Valid from"),
    "valid_to": _l("Valid until"),
    "name_vi": _l("Name in Vietnamese"),
    "name_en": _l("Name in English"),
    "rule": _l("When"),
    "month": _l("Month"),
    "day": _l("Day"),
    "duration_days": _l("Lasts (days)"),
    "window_before": _l("Days before"),
    "window_after": _l("Days after"),
    "dates": _l("Dates by year"),
    "provincial": _l("Provincial"),
    "number": _l("Number"),
    "issued_on": _l("Issued on"),
    "plan": _l("Plan"),
    "institutions": _l("Institutions"),
}

#: which words name the values of a field (a status, a role, a category …)
_VALUE_WORDS = {
    "role": ROLES,
    "level": AREA_LEVELS,
    "category": INSTITUTION_CATEGORIES,
    "categories": ACTIVITY_CATEGORIES,
    "audiences": AUDIENCES,
}

#: the status field of each kind of thing
_STATUS_WORDS = {
    "activity": ACTIVITY_STATUSES,
    "occurrence": OCCURRENCE_STATUSES,
    "year_report": YEAR_REPORT_STATUSES,
}


def field_label(name: str) -> str:
    """The words for a field key of the audit trail: 'starts_at' -> 'Start', 'audiences.pupils' -> 'Pupils'."""
    if name.startswith("audiences."):
        key = name.split(".", 1)[1]
        return _("Participants: %(audience)s", audience=AUDIENCES.get(key, key))
    for words in (FIELDS, TALLY_METRICS, CHECKLIST_ITEMS):
        if name in words:
            return str(words[name])
    return name


def value_word(entity: str, name: str, value) -> str | None:
    """The word for a keyed value ('scheduled' -> 'As planned', 'library_school' -> 'School library'), or None
    when the value is not one of the fixed keys."""
    words = _STATUS_WORDS.get(entity, ACTIVITY_STATUSES) if name == "status" else _VALUE_WORDS.get(name)
    if words is None or not isinstance(value, str) or value not in words:
        return None
    return str(words[value])


class InVietnamese(Mapping):
    """A dictionary of translatable words read in Vietnamese, whatever the reader's language: the official
    report and its XLSX use the same words as the Vietnamese pages."""

    def __init__(self, words: Mapping):
        self._words = words

    def __getitem__(self, key):
        with force_locale("vi"):
            return str(self._words[key])

    def __iter__(self) -> Iterator:
        return iter(self._words)

    def __len__(self) -> int:
        return len(self._words)


def in_vietnamese(words: Mapping) -> InVietnamese:
    return InVietnamese(words)
