"""Staff pages for the figures: attendance due and per occurrence, monthly tallies, self-assessments, imports."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from .. import clock
from ..accounts.models import User
from ..accounts.scope import institution_filter, require_institution
from ..events.models import Occurrence
from ..events.queries import managed_occurrence
from ..events.recurrence import occurrence_key
from ..extensions import db
from ..forms import ActionForm, apply_errors
from ..places.models import Institution
from ..unit_of_work import attempt
from ..validation import ValidationFailed
from ..vocabulary import AUDIENCES, TALLY_METRICS
from ..years import PLAN_FIRST_YEAR
from . import imports
from . import operations as ops
from .forms import AssessmentForm, AttendanceForm, ImportForm
from .locks import is_year_locked

bp = Blueprint("participation", __name__)
#: the overview counts the attendance due up to this many ("more than"), and lists this many institutions
DUE_COUNTED = 1000
INSTITUTIONS_SHOWN = 50


def _institution(slug: str) -> Institution:
    return require_institution(current_user, db.session.scalar(select(Institution).where(Institution.slug == slug)))


def _year(value) -> int:
    try:
        year, _month = ops.check_period(value)
    except ValidationFailed:
        abort(404)
    return year


# --- staff: overview ------------------------------------------------------------------------------------


@bp.route("/participation/")
@login_required
def index():
    due, due_count = ops.attendance_due(current_user, limit=50, count_up_to=DUE_COUNTED)
    scope = select(Institution).where(institution_filter(current_user))
    institutions = db.session.scalars(scope.order_by(Institution.name).limit(INSTITUTIONS_SHOWN)).all()
    institution_count = len(institutions) if len(institutions) < INSTITUTIONS_SHOWN else \
        db.session.scalar(select(func.count()).select_from(scope.subquery()))
    return render_template("participation/index.html", due=due, due_count=due_count, due_counted=DUE_COUNTED,
                           institutions=institutions, institution_count=institution_count,
                           year=clock.local_today().year, key=_key)


def _key(occurrence: Occurrence) -> str:
    return occurrence_key(occurrence.original_start, occurrence.activity.all_day)


# --- staff: attendance ----------------------------------------------------------------------------------


@bp.route("/participation/attendance/<int:activity_id>/<start>", methods=["GET", "POST"])
@login_required
def attendance(activity_id: int, start: str):
    occurrence = managed_occurrence(current_user, activity_id, start)
    current = ops.attendance_of(occurrence)
    form = AttendanceForm()
    conflict = None
    status = 200
    if request.method == "GET":
        _fill_attendance(form, current)
    elif form.validate_on_submit():
        try:
            with attempt():
                ops.record_attendance(current_user, occurrence, form.data_for_operation())
            flash(_("Attendance saved."), "success")
            return redirect(url_for(".attendance", activity_id=activity_id, start=start))
        except ops.AttendanceConflict:
            current = ops.attendance_of(occurrence)
            conflict = {"values": ops.attendance_values(current), "by": _user(current), "at": current
                        and current.updated_at}
            # the form keeps what this person typed; saving again now knowingly replaces the other values
            form.version.data = str(current.version) if current else ""
            status = 409
        except ValidationFailed as refused:
            for reason in apply_errors(form, refused.fields):
                flash(reason, "error")
            status = 422
    return render_template("participation/attendance.html", form=form, occurrence=occurrence, current=current,
                           conflict=conflict, started=occurrence.starts_at <= clock.utcnow(),
                           locked=is_year_locked(occurrence.activity.institution, ops.occurrence_year(occurrence)),
                           recorded_by=_user(current), key=_key(occurrence),
                           year=ops.occurrence_year(occurrence)), status


def _fill_attendance(form: AttendanceForm, current) -> None:
    if current is None:
        form.version.data = ""
        return
    form.total.data = str(current.total)
    form.onsite.data = "" if current.onsite is None else str(current.onsite)
    form.online.data = "" if current.online is None else str(current.online)
    counts = current.audiences
    for key in AUDIENCES:
        form[f"audience_{key}"].data = str(counts[key]) if key in counts else ""
    form.version.data = str(current.version)


def _user(attendance) -> User | None:
    if attendance is None or attendance.updated_by_id is None:
        return None
    return db.session.get(User, attendance.updated_by_id)


# --- staff: monthly tallies and self-assessment ---------------------------------------------------------


@bp.route("/participation/institutions/<slug>/tallies/<int:year>", methods=["GET", "POST"])
@login_required
def tallies(slug: str, year: int):
    institution = _institution(slug)
    year = _year(year)
    form = ActionForm()
    errors, status = {}, 200
    values = {f"{metric}-{month}": value for (month, metric), value in ops.tallies_of(institution, year).items()}
    if form.validate_on_submit():
        grid = {month: {metric: request.form.get(f"{metric}-{month}", "") for metric in TALLY_METRICS}
                for month in range(1, 13)}
        try:
            with attempt():
                changed = ops.set_tally_year(current_user, institution, year, grid)
            flash(_("Monthly figures saved (%(count)s month(s) changed).", count=changed), "success")
            return redirect(url_for(".tallies", slug=slug, year=year))
        except ValidationFailed as refused:
            errors, status = refused.fields, 422
            values = {key: request.form.get(key, "") for key in
                      (f"{metric}-{month}" for metric in TALLY_METRICS for month in range(1, 13))}
            if "year" in errors:
                flash(errors["year"], "error")
    return render_template("participation/tallies.html", institution=institution, year=year, form=form,
                           values=values, errors=errors, locked=is_year_locked(institution, year),
                           metrics=TALLY_METRICS, years=_years()), status


@bp.route("/participation/institutions/<slug>/assessments/<int:year>", methods=["GET", "POST"])
@login_required
def assessment(slug: str, year: int):
    institution = _institution(slug)
    year = _year(year)
    current = ops.assessment_of(institution, year)
    form = AssessmentForm(data=ops.assessment_values(current) if request.method == "GET" else None)
    status = 200
    if form.validate_on_submit():
        try:
            with attempt():
                ops.save_assessment(current_user, institution, year, form.data_for_operation())
            flash(_("Self-assessment saved."), "success")
            return redirect(url_for(".assessment", slug=slug, year=year))
        except ValidationFailed as refused:
            for reason in apply_errors(form, refused.fields):
                flash(reason, "error")
            status = 422
    return render_template("participation/assessment.html", institution=institution, year=year, form=form,
                           current=current, locked=is_year_locked(institution, year), years=_years()), status


def _years() -> list[int]:
    this_year = clock.local_today().year
    return list(range(this_year, PLAN_FIRST_YEAR - 1, -1))


# --- staff: import --------------------------------------------------------------------------------------


@bp.route("/participation/import", methods=["GET", "POST"])
@login_required
def import_figures():
    form = ImportForm()
    refused, result, status = None, None, 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            with attempt():
                table = imports.read_table(upload.filename or "", upload.read(imports.MAX_BYTES + 1))
                importer = imports.import_tallies if form.kind.data == "tallies" else imports.import_attendance
                result = importer(current_user, table)
            flash(_("Imported: %(written)s row(s) written, %(skipped)s empty row(s) skipped.",
                    written=result.written, skipped=result.skipped), "success")
            return redirect(url_for(".import_figures"))
        except imports.ImportRefused as error:
            refused, status = error, error.status
    elif request.method == "POST":
        status = 422
    return render_template("participation/import.html", form=form, refused=refused, result=result,
                           year=clock.local_today().year, tally_columns=imports.TALLY_COLUMNS,
                           attendance_columns=imports.ATTENDANCE_COLUMNS), status


@bp.route("/participation/import/template-<kind>.<fmt>")
@login_required
def import_template(kind: str, fmt: str):
    if kind not in imports.KINDS or fmt not in ("csv", "xlsx"):
        abort(404)
    year = _year(request.args.get("year") or clock.local_today().year)
    header, rows = imports.template_rows(kind, current_user, year)
    name = f"{kind}-{year}.{fmt}" if kind == "tallies" else f"{kind}.{fmt}"
    if fmt == "csv":
        body, mimetype = imports.template_csv(header, rows), "text/csv; charset=utf-8"
    else:
        body = imports.template_xlsx(header, rows, kind)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})
