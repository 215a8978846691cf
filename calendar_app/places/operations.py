"""Adding and changing areas and institutions (admin pages, the API and the CLI share these)."""
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.exceptions import Forbidden

from ..accounts.scope import require_institution, require_role
from ..audit.operations import diff, record
from ..extensions import db
from ..validation import ValidationFailed, validate
from .models import Area, Institution
from .schema import AreaIn, InstitutionDetails, InstitutionIn, InstitutionPatch
from .tree import assign_path

INSTITUTION_FIELDS = ("slug", "name", "category", "area", "address", "latitude", "longitude", "contact_name",
                      "contact_email", "contact_phone", "website", "description", "active")


def area_by_code(code: str | None) -> Area | None:
    return db.session.scalar(select(Area).where(Area.code == code)) if code else None


def institution_by_slug(slug: str | None) -> Institution | None:
    return db.session.scalar(select(Institution).where(Institution.slug == slug)) if slug else None


def create_area(user, data: dict) -> Area:
    """Admins add areas; a province has no parent, districts and communes need one."""
    require_role(user, "admin")
    payload = validate(AreaIn, data)
    errors = {}
    if area_by_code(payload.code) is not None:
        errors["code"] = _("An area with this code already exists.")
    parent = area_by_code(payload.parent)
    if payload.parent and parent is None:
        errors["parent"] = _("There is no area with code %(code)s.", code=payload.parent)
    if payload.level != "province" and not payload.parent:
        errors["parent"] = _("A district or commune needs its parent area.")
    if payload.valid_from and payload.valid_to and payload.valid_to <= payload.valid_from:
        errors["valid_to"] = _("The end of validity must be after its start.")
    if errors:
        raise ValidationFailed(errors)
    area = Area(code=payload.code, name=payload.name, level=payload.level, parent=parent,
                valid_from=payload.valid_from, valid_to=payload.valid_to)
    assign_path(area)
    record(user, "create", "area", area.code, area=area,
           changes=diff({}, payload.model_dump(exclude_none=True)))
    return area


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
    area = area_by_code(payload.area)
    if area is None:
        errors["area"] = _("There is no area with code %(code)s.", code=payload.area)
    if errors:
        raise ValidationFailed(errors)
    values = payload.model_dump()
    values["area"] = area
    institution = Institution(**values)
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
    if "area" in changes:
        area = area_by_code(changes["area"])
        if area is None:
            errors["area"] = _("There is no area with code %(code)s.", code=changes["area"])
        changes["area"] = area
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
    return institution
