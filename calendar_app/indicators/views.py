"""The officers' dashboard, the drill-down to missing institutions, the downloads and the printable report."""
from dataclasses import replace
from datetime import date

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.scope import can_read_area, readable_area_filter, require_area, require_role
from ..clock import local_today, to_local
from ..extensions import db
from ..forms import ActionForm
from ..places.lookup import matching, unit_for_year
from ..places.models import Area
from ..places.placement import stranded_for
from ..unit_of_work import attempt
from ..validation import ValidationFailed
from ..vocabulary import AREA_LEVELS, INDICATOR_UNITS, INSTITUTION_CATEGORIES
from ..years import PLAN_FIRST_YEAR
from . import exports, labels
from . import operations as plan_ops
from .dashboard import charted_museums, panel, printed_rows, report_chart
from .models import Plan
from .reports import report as build_report
from .reports import trend
from .rollup import BY_KEY, INDICATORS, missing_institutions, reference_day
from .selection import SelectionError, find_area, parse_year

bp = Blueprint("indicators", __name__, url_prefix="/dashboard")
#: how many institutions the "still placed in a closed unit" warning names
STRANDED_SHOWN = 10


bp.app_template_filter("indicator_value")(labels.format_figure)


def _selection() -> tuple[int, Area]:
    """The year and area asked for, defaulting to this year and the user's own area (the unit with its code
    in that year); 403 outside what the user may read."""
    require_role(current_user, "officer", "admin")
    try:
        year = parse_year(request.args.get("year"))
        fallback = None
        if current_user.role == "officer":
            fallback = unit_for_year(current_user.area.code, year) or current_user.area
        code = request.args.get("area")
        if wanted := (request.args.get("find") or "").strip()[:100]:
            code = _found(wanted, year) or wanted
        area = find_area(code, year, fallback=fallback)
    except SelectionError as error:
        abort(error.status)
    return year, require_area(current_user, area, read_only=True)


def _choices(year: int, area: Area) -> dict:
    """The picker's areas: the way up from the chosen one (as far as the user may read) and the way down,
    the units of the report's tree; any other area is reached by typing its name or code (areas_json)."""
    day = reference_day(year, area)
    readable = readable_area_filter(current_user)
    above = [a for a in area.ancestors() if can_read_area(current_user, a)]
    below = db.session.scalars(select(Area).where(Area.parent_id == area.id, Area.valid_on_filter(day), readable)
                               .order_by(Area.name)).all()
    last = max(local_today().year, year)
    return {"areas_above": above, "areas_below": below, "years": list(range(min(PLAN_FIRST_YEAR, year), last + 1))}


def _matching(text: str, year: int, limit: int) -> list[Area]:
    return matching(text, date(year, 1, 1), date(year, 12, 31), readable_area_filter(current_user), limit)


def _found(text: str, year: int) -> str | None:
    """The code of the first area matching what was typed in the picker's search box."""
    matches = _matching(text, year, 1)
    return matches[0].code if matches else None


@bp.get("/areas.json")
@login_required
def areas_json():
    """Up to 20 areas the user may read, valid during ?year=, whose name (accents optional) or code matches
    ?q= — for the area picker's suggestions."""
    require_role(current_user, "officer", "admin")
    try:
        year = parse_year(request.args.get("year"))
    except SelectionError as error:
        abort(error.status)
    found = _matching(request.args.get("q", "")[:100], year, 20)
    return jsonify([{"code": a.code, "name": a.name, "level": str(AREA_LEVELS.get(a.level, a.level))}
                    for a in found])


@bp.get("/")
@login_required
def index():
    year, area = _selection()
    report = build_report(year, area)
    # the trend draws a few museums' programmes: its past years compute only theirs
    history = (trend(area, PLAN_FIRST_YEAR, year - 1, museums=charted_museums(report))
               if year > PLAN_FIRST_YEAR else []) + [report]
    panels = [panel(result, history) for result in report.indicators]
    stranded = db.session.scalars(stranded_for(area, reference_day(year, area)).limit(STRANDED_SHOWN + 1)).all()
    return render_template("indicators/dashboard.html", report=report, panels=panels, year=year, area=area,
                           statuses=labels.STATUSES, formats=sorted(exports.FORMATS), stranded=stranded,
                           stranded_shown=STRANDED_SHOWN, reference_day=reference_day(year, area),
                           **_choices(year, area))


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
    report = build_report(year, area)
    # officers open these in a spreadsheet program: the CSV is the labelled one, in the page's language
    return Response(exports.render(report, fmt, for_people=True), mimetype=exports.FORMATS[fmt], headers={
        "Content-Disposition": f'attachment; filename="{exports.filename(report, fmt)}"'})


@bp.get("/report")
@login_required
def printable():
    year, area = _selection()
    report = build_report(year, area)
    parts, rows_of, charts = {}, {}, {}
    for result in report.indicators:
        # on paper, a child area appears only with the kinds of institution it has
        children = [(part.area, printed_rows(result, [row for row in part.rows if row.numerator or row.denominator]))
                    for part in result.areas]
        rows_of[result.key] = printed_rows(result, result.rows)
        parts[result.key] = [(area, rows_of[result.key])] + [(child, rows) for child, rows in children if rows]
        if rows_of[result.key] is result.rows:
            charts[result.key] = report_chart(result)
        else:  # the museums of each area, added up
            charts[result.key] = report_chart(result, [replace(rows[0], name=child.name)
                                                       for child, rows in parts[result.key][1:]])
    return render_template("indicators/report.html", report=report, year=year, area=area, labels=labels,
                           title=exports.report_title(report), subject=exports.report_subject(report),
                           made_on=to_local(report.generated_at), target_text=exports.target_text,
                           charts=charts, parts=parts, rows_of=rows_of)


# --- plans and their targets ------------------------------------------------------------------------


def _plan_area_name(plan: Plan) -> str:
    area = plan_ops.plan_area(plan)
    return area.name if area is not None else plan.area_code


@bp.route("/plans", methods=["GET", "POST"])
@login_required
def plans():
    """Every plan (number, title, area, date), each with its targets; an admin or the plan's own province's
    officer may edit it. Admins add a plan for a province or the country, a province's officer their
    province's."""
    require_role(current_user, "officer", "admin")
    posted, errors, status = {}, {}, 200
    if request.method == "POST":
        if not plan_ops.can_create_plan(current_user):
            abort(403)
        if not ActionForm().validate():
            abort(400)
        posted = {key: request.form.get(key, "") for key in ("area", "number", "title", "issued_on")}
        try:
            with attempt():
                created = plan_ops.create_plan(current_user, posted)
        except ValidationFailed as failure:
            errors, status = failure.fields, 422
        else:
            flash(_("The plan %(number)s is added: set its targets below.", number=created.number), "info")
            return redirect(url_for(".plan", plan_id=created.id))
    rows = db.session.scalars(select(Plan).options(selectinload(Plan.targets))
                              .order_by(Plan.area_level, Plan.area_code)).all()
    own = current_user.area if current_user.role == "officer" else None
    may_add = plan_ops.can_create_plan(current_user) and not (
        own is not None and any((p.area_code, p.area_level) == (own.code, own.level) for p in rows))
    return render_template("indicators/plans.html", plans=[
        (plan, _plan_area_name(plan), plan_ops.can_edit_plan(current_user, plan)) for plan in rows],
        may_add=may_add, own_area=own, posted=posted, errors=errors, action_form=ActionForm()), status


def _label_of(key: str, category: str) -> str:
    """A row of a plan's table: the category, or what the indicator counts as a whole."""
    if category:
        return str(INSTITUTION_CATEGORIES.get(category, category))
    return {"library_users_growth": str(labels.ALL_LIBRARIES), "museum_study_visitors_growth": str(labels.ALL_MUSEUMS),
            "culture_district_activities": str(INSTITUTION_CATEGORIES["culture_centre_district"]),
            "culture_commune_clubs": str(INSTITUTION_CATEGORIES["culture_centre_commune"])}.get(key, "")


def _figure(target) -> str:
    if target is None or target.low is None:
        return ""
    low = f"{target.low:g}"
    return f"{low}–{target.high:g}" if target.high is not None else low


def _plan_tables(plan: Plan, posted: dict | None = None, errors: dict | None = None) -> list[dict]:
    """Per indicator: its name, unit, milestone columns and one row per category with each cell's text."""
    tables = []
    for indicator in INDICATORS:
        existing = {(t.category, t.milestone): t for t in plan.targets if t.indicator == indicator.key}
        milestones = sorted(set(plan_ops.MILESTONES) | {m for _c, m in existing})
        rows = []
        for category in plan_ops.target_categories(indicator.key):
            cells = []
            for milestone in milestones:
                name = plan_ops.cell_name(category, milestone)
                mine = posted is not None and posted.get("indicator") == indicator.key
                cells.append({"name": name, "milestone": milestone,
                              "text": posted.get(name, "") if mine else _figure(existing.get((category, milestone))),
                              "error": (errors or {}).get(name) if mine else None,
                              "note": getattr(existing.get((category, milestone)), "note", None)})
            rows.append({"category": category, "label": _label_of(indicator.key, category), "cells": cells})
        tables.append({"key": indicator.key, "name": str(labels.INDICATOR_NAMES[indicator.key]),
                       "official": labels.VI_INDICATOR_NAMES[indicator.key],
                       "unit": str(INDICATOR_UNITS[indicator.unit]), "percent": indicator.unit == "percent",
                       "milestones": milestones, "rows": rows})
    return tables


@bp.route("/plans/<int:plan_id>", methods=["GET", "POST"])
@login_required
def plan(plan_id: int):
    """A plan's details and its targets, one form per indicator."""
    require_role(current_user, "officer", "admin")
    chosen = db.session.get(Plan, plan_id) or abort(404)
    editable = plan_ops.can_edit_plan(current_user, chosen)
    posted, errors, status = None, {}, 200
    if request.method == "POST":
        plan_ops.require_plan(current_user, chosen)
        if not ActionForm().validate():
            abort(400)
        posted = request.form.to_dict()
        try:
            with attempt():
                if posted.get("part") == "details":
                    plan_ops.update_plan(current_user, chosen, {key: posted.get(key, "") for key in
                                                                ("number", "title", "issued_on")})
                    changed = 1
                else:
                    changed = plan_ops.set_targets(current_user, chosen, posted.get("indicator", ""), posted)
        except ValidationFailed as failure:
            errors, status = failure.fields, 422
            db.session.refresh(chosen)
        else:
            name = labels.INDICATOR_NAMES.get(posted.get("indicator", ""))
            flash(_("The plan's details are saved.") if posted.get("part") == "details" else
                  _("%(indicator)s: the targets are saved.", indicator=name) if changed else
                  _("%(indicator)s: nothing changed.", indicator=name), "info")
            anchor = "details" if posted.get("part") == "details" else posted.get("indicator", "")
            return redirect(url_for(".plan", plan_id=chosen.id) + f"#{anchor}")
    return render_template("indicators/plan.html", plan=chosen, area_name=_plan_area_name(chosen), editable=editable,
                           tables=_plan_tables(chosen, posted, errors), errors=errors, posted=posted or {},
                           action_form=ActionForm()), status
