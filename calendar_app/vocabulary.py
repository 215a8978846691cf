"""The fixed keys of SPEC.md with their labels (used by forms, API validation and templates)."""
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
