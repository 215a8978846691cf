"""The indicator document (GET /api/v1/indicators, `flask report --format json`), as pydantic models: the
API's OpenAPI schema and the validation of documents imported from other deployments."""
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field


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
