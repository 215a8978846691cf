"""API endpoints for areas and institutions: public reads, admin writes (editors may PATCH their own
institution's details). Validation, scope and audit happen in places/operations.py."""
from datetime import date, timedelta

from flask import request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..clock import local_today
from ..extensions import db
from ..places import operations
from ..places.models import Area, Institution, Placement
from ..places.placement import placed_in
from ..places.schema import AreaIn, InstitutionIn, InstitutionPatch
from ..vocabulary import AREA_LEVELS, INSTITUTION_CATEGORIES
from .core import ApiError, api_user, bp, documented, json_body, page, page_window
from .serializers import AreaList, AreaOut, InstitutionList, InstitutionOut, area_json, institution_json

PAGING = {"offset": "Skip this many items", "limit": "Items per page (default 50, at most 200)"}


def _query_errors(errors: dict[str, str]) -> None:
    if errors:
        raise ApiError(400, "bad_query", _("Some query parameters are not valid."), errors)


def _day(errors: dict[str, str]) -> date:
    """?on=YYYY-MM-DD: the day whose units a code means (default today)."""
    text = request.args.get("on", "").strip()
    if not text:
        return local_today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors["on"] = _("Enter a date as YYYY-MM-DD, for example 2025-04-21.")
        return local_today()


def _area_or_404(code: str) -> Area:
    errors: dict[str, str] = {}
    day = _day(errors)
    _query_errors(errors)
    area = operations.area_by_code(code, day)
    if area is None:
        raise ApiError(404, "not_found", _("No area with code %(code)s is valid on %(day)s.", code=code,
                                           day=day.isoformat()))
    return area


def _institution_or_404(slug: str) -> Institution:
    institution = db.session.scalar(select(Institution).where(Institution.slug == slug)
                                    .options(selectinload(Institution.area),
                                             selectinload(Institution.placements).selectinload(Placement.area)))
    if institution is None:
        raise ApiError(404, "not_found", _("There is no institution %(slug)s.", slug=slug))
    return institution


def _listed(stmt, serialise):
    offset, limit = page_window()
    rows = list(db.session.scalars(stmt.offset(offset).limit(limit + 1)))
    return page([serialise(row) for row in rows[:limit]], len(rows) > limit, offset, limit)


# --- areas ---------------------------------------------------------------------------------------------


ON = {"on": "YYYY-MM-DD: the units valid on that day (default today); a code names one unit on any day"}


@documented("/areas", "get", "List the areas valid on a day", tag="places", response_model=AreaList,
            query={**ON, "parent": "Code of the parent area: its direct children",
                   "level": "country | province | district | commune", **PAGING})
@bp.get("/areas")
def list_areas():
    api_user(required=False)
    errors: dict[str, str] = {}
    day = _day(errors)
    stmt = (select(Area).where(Area.valid_on_filter(day))
            .options(selectinload(Area.parent), selectinload(Area.successors)).order_by(Area.code, Area.id))
    if parent_code := request.args.get("parent"):
        parent = operations.area_by_code(parent_code, day)
        if parent is None:
            errors["parent"] = _("No area with code %(code)s is valid on %(day)s.", code=parent_code,
                                 day=day.isoformat())
        else:
            stmt = stmt.where(Area.parent_id == parent.id)
    if level := request.args.get("level"):
        if level not in AREA_LEVELS:
            errors["level"] = _("Level must be country, province, district or commune.")
        stmt = stmt.where(Area.level == level)
    _query_errors(errors)
    return _listed(stmt, area_json)


@documented("/areas", "post", "Add an area (admins)", tag="places", request_model=AreaIn, response_model=AreaOut,
            auth=True)
@bp.post("/areas")
def create_area():
    user = api_user()
    area = operations.create_area(user, json_body())
    on = {}
    if not area.valid_on(local_today()):  # the address of a unit of another time names its day
        on["on"] = (area.valid_from or area.valid_to - timedelta(days=1)).isoformat()
    return area_json(area), 201, {"Location": url_for("api.get_area", code=area.code, _external=True, **on)}


@documented("/areas/{code}", "get", "The area with this code valid on a day", tag="places", response_model=AreaOut,
            query=ON)
@bp.get("/areas/<code>")
def get_area(code: str):
    api_user(required=False)
    return area_json(_area_or_404(code))


# --- institutions --------------------------------------------------------------------------------------


@documented("/institutions", "get", "List institutions", tag="places", response_model=InstitutionList,
            query={"area": "Area code: institutions placed anywhere in its subtree (on `on`)",
                   "on": "YYYY-MM-DD: the day for `area` (default today)", "category": "Institution category",
                   **PAGING})
@bp.get("/institutions")
def list_institutions():
    api_user(required=False)
    stmt = select(Institution).options(
        selectinload(Institution.area), selectinload(Institution.placements).selectinload(Placement.area)
    ).order_by(Institution.slug)
    errors: dict[str, str] = {}
    day = _day(errors)
    if area_code := request.args.get("area"):
        area = operations.area_by_code(area_code, day)
        if area is None:
            errors["area"] = _("No area with code %(code)s is valid on %(day)s.", code=area_code,
                               day=day.isoformat())
        else:
            stmt = stmt.where(Institution.id.in_(placed_in(area, day)))
    if category := request.args.get("category"):
        if category not in INSTITUTION_CATEGORIES:
            errors["category"] = _("Unknown institution category.")
        stmt = stmt.where(Institution.category == category)
    _query_errors(errors)
    return _listed(stmt, institution_json)


@documented("/institutions", "post", "Add an institution (admins)", tag="places", request_model=InstitutionIn,
            response_model=InstitutionOut, auth=True)
@bp.post("/institutions")
def create_institution():
    user = api_user()
    institution = operations.create_institution(user, json_body())
    location = url_for("api.get_institution", slug=institution.slug, _external=True)
    return institution_json(institution), 201, {"Location": location}


@documented("/institutions/{slug}", "get", "One institution", tag="places", response_model=InstitutionOut)
@bp.get("/institutions/<slug>")
def get_institution(slug: str):
    api_user(required=False)
    return institution_json(_institution_or_404(slug))


@documented("/institutions/{slug}", "patch", "Change an institution (admins: any field, and `area` with "
            "`effective` moves it from that day; its editor: the details)",
            tag="places", request_model=InstitutionPatch, response_model=InstitutionOut, auth=True)
@bp.patch("/institutions/<slug>")
def update_institution(slug: str):
    user = api_user()
    institution = operations.update_institution(user, _institution_or_404(slug), json_body())
    return institution_json(institution)
