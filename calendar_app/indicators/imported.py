"""Indicator documents of provinces that run their own deployment, imported by a national one.

`flask report --format json` in the province writes the document (with its area's official code and its
plan); `flask report import FILE` here stores it. The report of that area and year is then the document
itself (byte for byte), and every report above the area adds its numerators and denominators, measured
against its own plan's targets. One area and year has one source: a document is refused for an area that
has institutions placed in it here, or whose ancestor or descendant already has a document for that year.
"""
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

from flask_babel import gettext as _
from pydantic import ValidationError
from sqlalchemy import delete, func, or_, select

from ..extensions import db
from ..places.lookup import unit_for_year
from ..places.models import Area, Institution, Placement
from ..validation import ValidationFailed, fields_from_pydantic
from .models import ImportedReport
from .rollup import BY_KEY, AreaRows, IndicatorResult, Report, Row, reference_day, round_value, status_of
from .schema import IndicatorsOut


def imported_report(year: int, area: Area) -> ImportedReport | None:
    return db.session.scalar(select(ImportedReport).where(ImportedReport.area_id == area.id,
                                                          ImportedReport.year == year))


def imported_reports(years: Iterable[int], area: Area) -> dict[int, ImportedReport]:
    """The documents imported for the area itself, by year, of some years (one statement)."""
    return {document.year: document for document in db.session.scalars(
        select(ImportedReport).where(ImportedReport.area_id == area.id, ImportedReport.year.in_(list(years))))}


def as_report(imported: ImportedReport, area: Area) -> Report:
    """The stored document as a Report whose as_document() gives it back unchanged."""
    doc = imported.document
    plan = doc.get("plan")
    results = []
    for item in doc["indicators"]:
        areas = [AreaRows(unit_for_year(part["area"], imported.year) or SimpleNamespace(
            id=None, code=part["area"], name=part["area"]), [_row(row) for row in part["rows"]])
            for part in item["areas"]]
        results.append(IndicatorResult(BY_KEY[item["key"]], [_row(row) for row in item["rows"]], areas))
    return Report(year=doc["year"], area=area, generated_at=imported.imported_at, indicators=results,
                  plan=None if plan is None else SimpleNamespace(
                      number=plan["number"], title=plan["title"], area_code=plan["area"],
                      area_level=plan["area_level"],
                      issued_on=date.fromisoformat(plan["issued_on"]) if plan["issued_on"] else None))


def _row(row: dict) -> Row:
    return Row(numerator=row["numerator"], denominator=row["denominator"], value=row["value"], target=row["target"],
               target_high=None, status=row["status"], category=row.get("category"),
               institution=row.get("institution"), name=row.get("institution"))


def imported_below(years: Iterable[int], area: Area) -> dict[int, list[tuple[ImportedReport, Area]]]:
    """The documents imported for areas below `area`, with their area, by year, of some years (one statement)."""
    found: dict[int, list[tuple[ImportedReport, Area]]] = {year: [] for year in years}
    for document, below in db.session.execute(
            select(ImportedReport, Area).join(Area, Area.id == ImportedReport.area_id)
            .where(ImportedReport.year.in_(list(found)), Area.path.startswith(area.path, autoescape=True),
                   Area.id != area.id).order_by(ImportedReport.id)):
        found[document.year].append((document, below))
    return found


def add_imported(report: Report, targets: dict,
                 below: list[tuple[ImportedReport, Area]] | None = None) -> Report:
    """Add the documents imported for areas below the report's area to its rows and its child rows (`below`:
    those documents, when they were read already)."""
    if below is None:
        below = imported_below([report.year], report.area)[report.year]
    for imported, area in below:
        for result, item in zip(report.indicators, imported.document["indicators"], strict=True):
            _merge(result, result.rows, item["rows"], targets)
            for part in result.areas:
                if area.path.startswith(part.area.path):
                    _merge(result, part.rows, item["rows"], targets)
    return report


def _merge(result: IndicatorResult, rows: list[Row], incoming: list[dict], targets: dict) -> None:
    indicator = result.indicator
    if indicator.kind == "programmes":
        rows.extend(_row(row) for row in incoming)
        rows.sort(key=lambda row: (row.name or "", row.institution or ""))
        return
    by_key = {row.category: row for row in rows}
    for item in incoming:
        row = by_key.get(item.get("category"))
        if row is None:
            row = Row(numerator=0, denominator=0, value=None, target=None, target_high=None, status="no_data",
                      category=item.get("category"))
            rows.append(row)
            by_key[row.category] = row
        row.numerator += item["numerator"]
        row.denominator += item["denominator"]
        target = targets.get((indicator.key, "" if indicator.kind == "growth" or not indicator.per_category
                              else row.category))
        row.target, row.target_high = (target.low, target.high) if target is not None else (None, None)
        row.value = round_value(row.numerator, row.denominator, growth=indicator.kind == "growth")
        row.status = status_of(row.value, row.target)
    order = list(indicator.categories)
    rows.sort(key=lambda row: order.index(row.category) if row.category in order else len(order))


@dataclass
class Imported:
    area: Area
    year: int
    replaced: bool


def import_document(raw: bytes, source: str, replace: bool = False) -> Imported:
    """Store a province's document (in the caller's transaction); ValidationFailed says why it is refused."""
    try:
        doc = IndicatorsOut.model_validate_json(raw)
    except ValidationError as error:
        raise ValidationFailed(fields_from_pydantic(error), _("This is not an indicator document.")) from None
    document = json.loads(raw)
    area = unit_for_year(doc.area, doc.year)
    if area is None:
        raise ValidationFailed({"area": _("No area with code %(code)s existed in %(year)s here: import the official "
                                          "units first.", code=doc.area, year=doc.year)})
    if area.level != doc.area_level:
        raise ValidationFailed({"area": _("The document is for a %(level)s with code %(code)s; here that code is "
                                          "a %(here)s.", level=doc.area_level, code=doc.area, here=area.level)})
    day = reference_day(doc.year, area)
    held_here = db.session.scalar(
        select(func.count()).select_from(Placement).join(Area, Area.id == Placement.area_id)
        .join(Institution, Institution.id == Placement.institution_id)
        .where(Placement.on(day), area.subtree_filter(), Institution.active.is_(True)))
    if held_here:
        raise ValidationFailed({"area": _("%(count)s institutions of %(name)s are recorded here for %(year)s: its "
                                          "figures come from this deployment, so a document would count them twice.",
                                          count=held_here, name=area.name, year=doc.year)})
    overlapping = db.session.scalar(
        select(Area.name).join(ImportedReport, ImportedReport.area_id == Area.id)
        .where(ImportedReport.year == doc.year, Area.id != area.id,
               or_(Area.path.startswith(area.path, autoescape=True),
                   func.substr(area.path, 1, func.length(Area.path)) == Area.path)).limit(1))
    if overlapping:
        raise ValidationFailed({"area": _("A document for %(other)s, above or below %(name)s, is already imported for "
                                          "%(year)s: one area and year has one source.", other=overlapping,
                                          name=area.name, year=doc.year)})
    existing = imported_report(doc.year, area)
    if existing is not None and not replace:
        raise ValidationFailed({"area": _("The %(year)s document of %(name)s is already imported; give --replace to "
                                          "replace it.", year=doc.year, name=area.name)})
    if existing is not None:
        db.session.execute(delete(ImportedReport).where(ImportedReport.id == existing.id))
    db.session.add(ImportedReport(area_id=area.id, year=doc.year, document=document, source=source[:300]))
    db.session.flush()
    return Imported(area, doc.year, existing is not None)
