"""API endpoints for indicators (see api/core.py for the plumbing)."""
from datetime import date
from typing import Literal

from flask import jsonify, request
from pydantic import BaseModel, Field

from ..extensions import limiter
from ..indicators.rollup import compute
from ..indicators.selection import SelectionError, find_area, parse_year
from .core import ApiError, bp, documented


class IndicatorRowOut(BaseModel):
    """One figure: per institution category (`category`) or per museum (`institution`, its slug)."""

    category: str | None = None
    institution: str | None = None
    numerator: int
    denominator: int
    value: float | None
    target: float | None
    status: Literal["on_track", "behind", "no_target", "no_data"]


class IndicatorAreaOut(BaseModel):
    area: str
    rows: list[IndicatorRowOut]


class IndicatorOut(BaseModel):
    key: str
    unit: Literal["percent", "programmes"]
    rows: list[IndicatorRowOut]
    areas: list[IndicatorAreaOut]


class PlanOut(BaseModel):
    """The plan whose targets the report measures against (the nearest area's at or above)."""

    number: str = Field(description="Official number, e.g. 2682/KH-UBND")
    title: str
    issued_on: date | None
    area: str = Field(description="Official code of the area the plan is for")
    area_level: Literal["country", "province", "district", "commune"]


class IndicatorsOut(BaseModel):
    year: int
    area: str = Field(description="Official code of the area (the unit with that code valid during the year)")
    area_level: Literal["country", "province", "district", "commune"]
    plan: PlanOut | None
    indicators: list[IndicatorOut]


@documented("/indicators", "GET", "The seven indicators of a year for an area and its subtree, by child area",
            tag="indicators", response_model=IndicatorsOut,
            query={"year": "reporting year (default: this year)",
                   "area": "area code (default: the province when there is only one)"})
@bp.get("/indicators")
# public, and each report is heavy at province scale: bounded per client address
@limiter.limit("20 per minute")
def indicators():
    try:
        year = parse_year(request.args.get("year"))
        area = find_area(request.args.get("area"), year)
    except SelectionError as error:
        code = "not_found" if error.status == 404 else "bad_query"
        raise ApiError(error.status, code, error.reason, {error.field: error.reason}) from None
    return jsonify(compute(year, area).as_document())
