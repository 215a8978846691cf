"""Adding and changing areas and institutions (admin pages, the API and the CLI share these)."""
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.exceptions import Forbidden

from ..accounts.scope import require_institution, require_role
from ..audit.operations import diff, record
from ..clock import local_today
from ..extensions import db
from ..validation import ValidationFailed, validate
from ..vocabulary import AREA_LEVELS
from .lookup import overlapping, unit_on
from .models import Area, Institution
from .placement import open_placement, relocate
from .schema import AreaIn, InstitutionDetails, InstitutionIn, InstitutionPatch
from .tree import assign_path

INSTITUTION_FIELDS = ("slug", "name", "category", "area", "address", "latitude", "longitude", "contact_name",
                      "contact_email", "contact_phone", "website", "description", "active")


def area_by_code(code: str | None, on: date | None = None) -> Area | None:
    """The unit with this code valid on `on` (today by default)."""
    return unit_on(code, on)


def institution_by_slug(slug: str | None) -> Institution | None:
    return db.session.scalar(select(Institution).where(Institution.slug == slug)) if slug else None


def create_area(user, data: dict) -> Area:
    """Admins add areas; a province has no parent, districts and communes need one."""
    require_role(user, "admin")
    payload = validate(AreaIn, data)
    errors = {}
    if payload.valid_from and payload.valid_to and payload.valid_to <= payload.valid_from:
        errors["valid_to"] = _("The end of validity must be after its start.")
    else:
        clash = overlapping(payload.code, payload.valid_from, payload.valid_to)
        if clash:
            errors["code"] = _("%(name)s already has the code %(code)s %(when)s: a code names one unit on any "
                               "day. Give this unit dates that do not overlap.", name=clash[0].name,
                               code=payload.code, when=validity_text(clash[0]))
    parent = area_by_code(payload.parent, payload.valid_from) if payload.parent else None
    if payload.parent and parent is None:
        errors["parent"] = _("There is no area with code %(code)s.", code=payload.parent)
    elif parent is not None and PARENT_LEVELS[payload.level] and parent.level not in PARENT_LEVELS[payload.level]:
        errors["parent"] = _("A %(level)s cannot lie under a %(parent)s.", level=str(AREA_LEVELS[payload.level]),
                             parent=str(AREA_LEVELS[parent.level]))
    if payload.level == "country" and payload.parent:
        errors["parent"] = _("A country has no parent area.")
    if payload.level in ("district", "commune") and not payload.parent:
        errors["parent"] = _("A district or commune needs its parent area.")
    if errors:
        raise ValidationFailed(errors)
    area = Area(code=payload.code, name=payload.name, level=payload.level, parent=parent,
                valid_from=payload.valid_from, valid_to=payload.valid_to)
    assign_path(area)
    record(user, "create", "area", area.code, area=area,
           changes=diff({}, payload.model_dump(exclude_none=True)))
    return area


#: the levels an area of each level may lie under
PARENT_LEVELS = {"country": (), "province": ("country",), "district": ("province",),
                 "commune": ("province", "district")}


def validity_text(area: Area) -> str:
    """"from 1 Jul 2025", "until 30 Jun 2025", "from … until …" or "at all times", in the user's language."""
    last = area.valid_to and date.fromordinal(area.valid_to.toordinal() - 1)
    if area.valid_from and last:
        return _("from %(first)s until %(last)s", first=format_date(area.valid_from), last=format_date(last))
    if area.valid_from:
        return _("from %(first)s", first=format_date(area.valid_from))
    if last:
        return _("until %(last)s", last=format_date(last))
    return _("at all times")


def institution_values(institution: Institution) -> dict:
    values = {name: getattr(institution, name) for name in INSTITUTION_FIELDS if name != "area"}
    values["area"] = institution.area.code if institution.area else None
    return values


def create_institution(user, data: dict) -> Institution:
    require_role(user, "admin")
    payload = validate(InstitutionIn, data)
    errors = {}
    if institution_by_slug(payload.slug) is not None:
        errors["slug"] = _("An institution with this slug already exists.")
    effective = payload.effective
    if effective is not None and effective > local_today():
        errors["effective"] = _("A move takes effect today or on a past day, not in the future.")
    area = _area_on(payload.area, effective, errors)
    if errors:
        raise ValidationFailed(errors)
    values = payload.model_dump(exclude={"effective"})
    values["area"] = area
    institution = Institution(**values)
    if effective is not None:
        relocate(institution, area, effective)  # else placed "since always" when flushed (placement.py)
    db.session.add(institution)
    db.session.flush()
    record(user, "create", "institution", institution.slug, institution=institution,
           changes=diff({}, institution_values(institution)))
    return institution


def update_institution(user, institution: Institution, data: dict) -> Institution:
    """Admins change anything; the institution's own editor only its details; officers nothing."""
    require_institution(user, institution)
    if user.role == "officer":
        raise Forbidden()
    payload = validate(InstitutionPatch if user.role == "admin" else InstitutionDetails, data)
    changes = payload.model_dump(exclude_unset=True)
    if changes.get("name") is None:
        changes.pop("name", None)
    before = institution_values(institution)
    errors = {}
    if "slug" in changes and changes["slug"] != institution.slug and institution_by_slug(changes["slug"]):
        errors["slug"] = _("An institution with this slug already exists.")
    effective = changes.pop("effective", None)
    if effective is not None and "area" not in changes:
        errors["effective"] = _("Give the area the institution moves to.")
    area = None
    if changes.get("area") is not None:
        area = _area_on(changes.pop("area"), effective or local_today(), errors)
    for required in ("slug", "category", "area", "active"):
        if required in changes and changes[required] is None and required not in errors:
            errors[required] = _("This field cannot be empty.")
    if errors:
        raise ValidationFailed(errors)
    for name, value in changes.items():
        setattr(institution, name, value)
    db.session.flush()
    changed = diff(before, institution_values(institution))
    if changed:
        record(user, "update", "institution", institution.slug, institution=institution, changes=changed)
    if area is not None and area is not institution.area:
        _move(user, institution, area, effective or local_today())
    elif area is not None and effective is not None:
        raise ValidationFailed({"effective": _("The institution is already placed in %(area)s: choose the area it "
                                               "moves to.", area=area.name)})
    return institution


def move_institution(user, institution: Institution, code: str, effective: date | None = None) -> Institution:
    """Admins place an institution in another area from `effective` (default today) on."""
    require_role(user, "admin")
    effective = effective or local_today()
    errors: dict[str, str] = {}
    area = _area_on(code, effective, errors)
    if errors:
        raise ValidationFailed(errors)
    if area is institution.area:
        raise ValidationFailed({"area": _("The institution is already placed in %(area)s.", area=area.name)})
    _move(user, institution, area, effective)
    return institution


def _move(user, institution: Institution, area: Area, effective: date) -> None:
    if effective > local_today():
        raise ValidationFailed({"effective": _("A move takes effect today or on a past day, not in the future.")})
    before = open_placement(institution)
    old = (before.area.code, before.valid_from) if before is not None else (None, None)
    relocate(institution, area, effective)
    db.session.flush()
    record(user, "move", "institution", institution.slug, institution=institution,
           changes={"area": [old[0], area.code], "effective": [None, effective.isoformat()]})


def _area_on(code: str, day: date | None, errors: dict) -> Area | None:
    """The unit with this code valid on `day` (today when None), or a field error."""
    if not code:
        errors["area"] = _("Choose the area.")
        return None
    area = area_by_code(code, day)
    if area is None:
        errors["area"] = _("No area with code %(code)s is valid on %(day)s.", code=code,
                           day=format_date(day or local_today()))
    return area
