"""The officers' dashboard, the drill-down to missing institutions, the downloads and the printable report."""
from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from ..accounts.scope import area_filter, require_area, require_role
from ..clock import local_today, to_local
from ..extensions import db
from ..places.models import Area
from ..years import PLAN_FIRST_YEAR
from . import exports, labels
from .dashboard import panel, report_chart
from .rollup import BY_KEY, compute, missing_institutions, trend
from .selection import SelectionError, find_area, parse_year

bp = Blueprint("indicators", __name__, url_prefix="/dashboard")


bp.app_template_filter("indicator_value")(labels.format_figure)


def _selection() -> tuple[int, Area]:
    """The year and area asked for, defaulting to this year and the user's own area; 403 outside the scope."""
    require_role(current_user, "officer", "admin")
    fallback = current_user.area if current_user.role == "officer" else db.session.scalar(
        select(Area).where(Area.parent_id.is_(None)).order_by(Area.code).limit(1))
    try:
        year = parse_year(request.args.get("year"))
        area = find_area(request.args.get("area"), fallback=fallback)
    except SelectionError as error:
        abort(error.status)
    return year, require_area(current_user, area)


def _choices(year: int) -> dict:
    areas = db.session.scalars(select(Area).where(area_filter(current_user)).order_by(Area.path)).all()
    last = max(local_today().year, year)
    return {"areas": areas, "years": list(range(min(PLAN_FIRST_YEAR, year), last + 1))}


@bp.get("/")
@login_required
def index():
    year, area = _selection()
    report = compute(year, area)
    history = (trend(area, PLAN_FIRST_YEAR, year - 1) if year > PLAN_FIRST_YEAR else []) + [report]
    panels = [panel(result, history) for result in report.indicators]
    return render_template("indicators/dashboard.html", report=report, panels=panels, year=year, area=area,
                           statuses=labels.STATUSES, formats=sorted(exports.FORMATS), **_choices(year))


@bp.get("/missing")
@login_required
def missing():
    year, area = _selection()
    key = request.args.get("indicator", "")
    if key not in BY_KEY:
        abort(404)
    category = request.args.get("category") or None
    if category is not None and category not in BY_KEY[key].categories:
        abort(404)
    institutions = missing_institutions(year, area, key, category)
    return render_template("indicators/missing.html", year=year, area=area, key=key, category=category,
                           title=labels.MISSING_TITLES[key], institutions=institutions)


@bp.get("/export.<fmt>")
@login_required
def export(fmt: str):
    if fmt not in exports.FORMATS:
        abort(404)
    year, area = _selection()
    report = compute(year, area)
    return Response(exports.render(report, fmt), mimetype=exports.FORMATS[fmt], headers={
        "Content-Disposition": f'attachment; filename="{exports.filename(report, fmt)}"'})


@bp.get("/report")
@login_required
def printable():
    year, area = _selection()
    report = compute(year, area)
    parts = {}
    for result in report.indicators:
        # on paper, a child area appears only with the kinds of institution it has
        children = [(part.area, [row for row in part.rows if row.numerator or row.denominator])
                    for part in result.areas]
        parts[result.key] = [(area, result.rows)] + [(child, rows) for child, rows in children if rows]
    return render_template("indicators/report.html", report=report, year=year, area=area, labels=labels,
                           title=exports.report_title(year), subject=exports.report_subject(year),
                           made_on=to_local(report.generated_at), target_text=exports.target_text,
                           charts={result.key: report_chart(result) for result in report.indicators}, parts=parts)
