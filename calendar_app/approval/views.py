"""Pages: the editor's "submit my year", the officer's queue (approve / send back / unlock), completeness."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..accounts.scope import can_read_area, require_area, require_institution, require_role
from ..clock import local_today, utcnow
from ..extensions import db
from ..indicators.rollup import default_area
from ..participation.locks import unlock_year
from ..places.lookup import unit_for_year
from ..places.models import Institution
from ..unit_of_work import attempt
from ..validation import ValidationFailed
from ..years import PLAN_FIRST_YEAR
from . import operations as ops
from .summary import year_summary

bp = Blueprint("approval", __name__, url_prefix="/approval")


def _year() -> int:
    value = request.values.get("year") or local_today().year
    try:
        return ops.check_year(value)
    except ValidationFailed:
        abort(400)


def _years() -> list[int]:
    return list(range(local_today().year, PLAN_FIRST_YEAR - 1, -1))


def _institution(slug: str) -> Institution:
    return require_institution(current_user, db.session.scalar(select(Institution).where(Institution.slug == slug)))


def _reason(error: ValidationFailed) -> str:
    return " ".join(error.fields.values()) or error.message


@bp.route("/")
@login_required
def home():
    if current_user.role == "editor":
        return redirect(url_for(".my_year"))
    return redirect(url_for(".queue"))


@bp.route("/year")
@login_required
def my_year():
    """The institution's year: what it holds, its status, and the submit button."""
    slug = request.args.get("institution")
    if slug:
        institution = _institution(slug)
    elif current_user.institution is not None:
        institution = current_user.institution
    else:
        return redirect(url_for(".queue"))
    year = _year()
    report = ops.find_report(institution, year)
    return render_template("approval/year.html", institution=institution, year=year, years=_years(),
                           report=report, status=report.status if report else "open",
                           summary=year_summary(institution, year, utcnow()),
                           submittable=(report.status if report else "open") in ops.SUBMITTABLE)


@bp.route("/<slug>/<int:year>/submit", methods=["POST"])
@login_required
def submit(slug, year):
    institution = _institution(slug)
    try:
        with attempt():
            ops.submit_year(current_user, institution, year)
    except ValidationFailed as error:
        flash(_reason(error), "error")
    else:
        flash(_("The year %(year)s of %(name)s was submitted to the area officer.", year=year,
                name=institution.name), "success")
    return redirect(url_for(".my_year", year=year,
                            institution=slug if current_user.institution_id != institution.id else None))


def _render_queue(year: int, errors: dict | None = None, kept: dict | None = None, status: int = 200):
    require_role(current_user, "officer", "admin")
    return render_template("approval/queue.html", year=year, years=_years(),
                           submitted=ops.pending_reports(current_user, year),
                           approved=ops.pending_reports(current_user, year, ("approved",)),
                           errors=errors or {}, kept=kept or {}), status


@bp.route("/queue")
@login_required
def queue():
    """Submitted years waiting for the officer, and approved (locked) years that can be unlocked."""
    return _render_queue(_year())


@bp.route("/<slug>/<int:year>/approve", methods=["POST"])
@login_required
def approve(slug, year):
    institution = _institution(slug)
    try:
        with attempt():
            ops.approve_year(current_user, institution, year)
    except ValidationFailed as error:
        flash(_reason(error), "error")
    else:
        flash(_("%(name)s: year %(year)s approved; its figures are now locked.", name=institution.name,
                year=year), "success")
    return redirect(url_for(".queue", year=year))


@bp.route("/<slug>/<int:year>/return", methods=["POST"])
@login_required
def send_back(slug, year):
    institution = _institution(slug)
    comment = request.form.get("comment", "")
    try:
        with attempt():
            ops.return_year(current_user, institution, year, comment)
    except ValidationFailed as error:
        report = ops.find_report(institution, year)
        if "comment" in error.fields and report is not None:
            return _render_queue(year, errors={report.id: error.fields["comment"]}, kept={report.id: comment},
                                 status=400)
        flash(_reason(error), "error")
    else:
        flash(_("%(name)s: year %(year)s sent back with your comment.", name=institution.name, year=year),
              "success")
    return redirect(url_for(".queue", year=year))


@bp.route("/<slug>/<int:year>/unlock", methods=["POST"])
@login_required
def unlock(slug, year):
    institution = _institution(slug)
    reason = request.form.get("reason", "")
    try:
        with attempt():
            unlock_year(current_user, institution, year, reason)
    except ValidationFailed as error:
        report = ops.find_report(institution, year)
        if report is not None:
            return _render_queue(year, errors={report.id: _reason(error)}, kept={report.id: reason}, status=400)
        flash(_reason(error), "error")
    else:
        flash(_("%(name)s: year %(year)s unlocked; its figures can be changed again.", name=institution.name,
                year=year), "success")
    return redirect(url_for(".queue", year=year))


@bp.route("/completeness")
@login_required
def completeness():
    """Which child areas of the officer's area have every institution approved."""
    require_role(current_user, "officer", "admin")
    year = _year()
    code = request.args.get("area")
    if code:  # the unit with that code in the chosen year, as the dashboard reads it
        area = require_area(current_user, unit_for_year(code, year), read_only=True)
    elif current_user.role == "officer":
        area = unit_for_year(current_user.area.code, year) or current_user.area
    else:
        area = default_area(year)
        if area is None:
            abort(404)
    overall, children = ops.area_progress(area, year)
    return render_template("approval/completeness.html", year=year, years=_years(), area=area,
                           overall=overall, children=children,
                           institutions=ops.institutions_with_status(area, year),
                           parent=area.parent if area.parent and can_read_area(current_user, area.parent) else None)


@bp.context_processor
def status_labels():
    return {"labels": ops.STATUS_LABELS}
