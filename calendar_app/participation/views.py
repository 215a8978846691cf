"""Attendance, registrations, tallies and self-assessments: staff pages and the public registration form."""
from datetime import timedelta

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException
from wtforms import SelectChoice

from .. import clock
from ..accounts.models import User
from ..accounts.scope import require_institution, scoped_institutions
from ..bounds import id_or_none
from ..events.models import Activity, Occurrence
from ..events.operations import find_occurrence
from ..events.recurrence import occurrence_key
from ..extensions import db, limiter
from ..feeds.ical import FeedContext
from ..feeds.views import public_base_url
from ..places.models import Institution
from ..validation import ValidationFailed
from ..vocabulary import AUDIENCES, TALLY_METRICS
from ..web import local_date, local_datetime
from . import imports
from . import operations as ops
from . import registration as reg
from .forms import ActionForm, AssessmentForm, AttendanceForm, ImportForm, RegistrationForm, WalkInForm
from .locks import is_year_locked
from .models import Attendance, Registration
from .personal_feed import personal_calendar

bp = Blueprint("participation", __name__)

#: public registration POSTs per client address
REGISTRATION_LIMIT = "5 per minute; 30 per hour"


def _field_errors(form, refused: ValidationFailed, field_for=None) -> list[str]:
    """Put an operation's per-field reasons on the form's fields; returns reasons with no field to go to."""
    loose = []
    for name, reason in refused.fields.items():
        field = field_for(name) if field_for else form._fields.get(name)
        if field is not None:
            field.errors = [*field.errors, reason] if isinstance(field.errors, list) else [reason]
        else:
            loose.append(reason)
    return loose


def _institution(slug: str) -> Institution:
    return require_institution(current_user, db.session.scalar(select(Institution).where(Institution.slug == slug)))


def _occurrence(activity_id: int, start: str) -> Occurrence:
    activity = db.session.get(Activity, activity_id)
    if activity is None:
        abort(404)
    require_institution(current_user, activity.institution)
    occurrence = find_occurrence(activity, start)
    if occurrence is None:
        abort(404)
    return occurrence


def _year(value) -> int:
    try:
        year, _month = ops.check_period(value)
    except ValidationFailed:
        abort(404)
    return year


def _private(response):
    """Pages and feeds behind a secret link: never cached by proxies, never indexed."""
    response = current_app.make_response(response)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# --- staff: overview ------------------------------------------------------------------------------------


@bp.route("/participation/")
@login_required
def index():
    due, due_count = ops.attendance_due(current_user, limit=50)
    institutions = scoped_institutions(current_user).all()
    return render_template("participation/index.html", due=due, due_count=due_count, institutions=institutions[:200],
                           institution_count=len(institutions), year=clock.local_today().year, key=_key)


def _key(occurrence: Occurrence) -> str:
    return occurrence_key(occurrence.original_start, occurrence.activity.all_day)


@bp.route("/participation/activities/<int:activity_id>")
@login_required
def activity(activity_id: int):
    """One activity's occurrences with registrations and attendance, the way to each check-in list."""
    item = db.session.get(Activity, activity_id)
    if item is None:
        abort(404)
    require_institution(current_user, item.institution)
    counts = {(occ_id, status): people for occ_id, status, people in db.session.execute(
        select(Registration.occurrence_id, Registration.status, func.sum(Registration.people))
        .join(Occurrence, Occurrence.id == Registration.occurrence_id)
        .where(Occurrence.activity_id == item.id).group_by(Registration.occurrence_id, Registration.status))}
    totals = dict(db.session.execute(select(Attendance.occurrence_id, Attendance.total)
                                     .join(Occurrence, Occurrence.id == Attendance.occurrence_id)
                                     .where(Occurrence.activity_id == item.id)).all())
    return render_template("participation/activity.html", activity=item, counts=counts, totals=totals,
                           now=clock.utcnow(), key=_key, year=clock.local_today().year)


# --- staff: attendance ----------------------------------------------------------------------------------


@bp.route("/participation/attendance/<int:activity_id>/<start>", methods=["GET", "POST"])
@login_required
def attendance(activity_id: int, start: str):
    occurrence = _occurrence(activity_id, start)
    current = ops.attendance_of(occurrence)
    form = AttendanceForm()
    conflict = None
    status = 200
    if request.method == "GET":
        _fill_attendance(form, current)
    elif form.validate_on_submit():
        try:
            ops.record_attendance(current_user, occurrence, form.data_for_operation())
            db.session.commit()
            flash(_("Attendance saved."), "success")
            return redirect(url_for(".attendance", activity_id=activity_id, start=start))
        except ops.AttendanceConflict:
            db.session.rollback()
            current = ops.attendance_of(occurrence)
            conflict = {"values": ops.attendance_values(current), "by": _user(current), "at": current
                        and current.updated_at}
            # the form keeps what this person typed; saving again now knowingly replaces the other values
            form.version.data = str(current.version) if current else ""
            status = 409
        except ValidationFailed as refused:
            db.session.rollback()
            for reason in _field_errors(form, refused, form.field_for):
                flash(reason, "error")
            status = 422
        except HTTPException:
            db.session.rollback()
            raise
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


# --- staff: check-in ------------------------------------------------------------------------------------


@bp.route("/participation/check-in/<int:activity_id>/<start>", methods=["GET", "POST"])
@login_required
def check_in(activity_id: int, start: str):
    occurrence = _occurrence(activity_id, start)
    walk_in_form = WalkInForm()
    status = 200
    if request.method == "POST":
        action = request.form.get("action")
        try:
            if not ActionForm().validate_on_submit():  # the CSRF token of every button
                abort(400)
            if action in ("present", "absent"):
                registration = db.session.get(Registration, id_or_none(request.form.get("registration")) or 0)
                if registration is None or registration.occurrence_id != occurrence.id:
                    abort(404)
                reg.set_checked_in(current_user, registration, action == "present")
            elif action == "walk_in":
                reg.add_walk_in(current_user, occurrence, {"name": walk_in_form.name.data,
                                                           "people": walk_in_form.people.data})
            elif action == "sync":
                reg.sync_attendance(current_user, occurrence)
            else:
                abort(400)
            db.session.commit()
            return redirect(url_for(".check_in", activity_id=activity_id, start=start, q=request.args.get("q")))
        except ValidationFailed as refused:
            db.session.rollback()
            loose = _field_errors(walk_in_form, refused) if action == "walk_in" else list(refused.fields.values())
            for reason in loose:
                flash(reason, "error")
            status = 422
        except ops.AttendanceConflict:
            db.session.rollback()
            flash(_("Someone changed this attendance at the same moment; please try again."), "error")
            status = 409
    query = request.args.get("q", "").strip()
    rows = reg.check_in_list(current_user, occurrence, query)
    now = clock.utcnow()
    return render_template(
        "participation/check_in.html", occurrence=occurrence, rows=rows, query=query, walk_in_form=walk_in_form,
        action_form=ActionForm(), seats=reg.seats(occurrence), present=reg.checked_in_people(occurrence),
        attendance=ops.attendance_of(occurrence), started=occurrence.starts_at <= now,
        open_today=clock.local_day(occurrence.starts_at) <= clock.local_day(now), key=_key(occurrence),
        in_step=reg.attendance_matches_check_in(occurrence), year=ops.occurrence_year(occurrence),
    ), status


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
            changed = ops.set_tally_year(current_user, institution, year, grid)
            db.session.commit()
            flash(_("Monthly figures saved (%(count)s month(s) changed).", count=changed), "success")
            return redirect(url_for(".tallies", slug=slug, year=year))
        except ValidationFailed as refused:
            db.session.rollback()
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
            ops.save_assessment(current_user, institution, year, form.data_for_operation())
            db.session.commit()
            flash(_("Self-assessment saved."), "success")
            return redirect(url_for(".assessment", slug=slug, year=year))
        except ValidationFailed as refused:
            db.session.rollback()
            for reason in _field_errors(form, refused):
                flash(reason, "error")
            status = 422
    return render_template("participation/assessment.html", institution=institution, year=year, form=form,
                           current=current, locked=is_year_locked(institution, year), years=_years()), status


def _years() -> list[int]:
    this_year = clock.local_today().year
    return list(range(this_year, 2022, -1))


# --- staff: import --------------------------------------------------------------------------------------


@bp.route("/participation/import", methods=["GET", "POST"])
@login_required
def import_figures():
    form = ImportForm()
    refused, result, status = None, None, 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            table = imports.read_table(upload.filename or "", upload.read(imports.MAX_BYTES + 1))
            importer = imports.import_tallies if form.kind.data == "tallies" else imports.import_attendance
            result = importer(current_user, table)
            db.session.commit()
            flash(_("Imported: %(written)s row(s) written, %(skipped)s empty row(s) skipped.",
                    written=result.written, skipped=result.skipped), "success")
            return redirect(url_for(".import_figures"))
        except imports.ImportRefused as error:
            db.session.rollback()
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


# --- the public registration form -----------------------------------------------------------------------


def _public_activity(activity_id: int) -> Activity:
    item = db.session.get(Activity, activity_id)
    if item is None or item.status == "draft":
        abort(404)
    return item


@bp.route("/events/<int:activity_id>/register", methods=["GET", "POST"])
@limiter.limit(REGISTRATION_LIMIT, methods=["POST"])
def register(activity_id: int):
    item = _public_activity(activity_id)
    choices = reg.open_occurrences(item)
    seats = reg.seats_of(choices)
    form = RegistrationForm()
    form.occurrence.choices = [SelectChoice(_key(o), _choice_label(o, seats[o.id])) for o in choices]
    status = 200 if choices or request.method == "GET" else 409
    if request.method == "POST" and choices:
        if form.website.data:
            # a robot filled in the hidden field: refuse without saying which check failed
            return render_template("participation/register.html", activity=item, form=form, choices=choices,
                                   refused=True), 400
        if form.validate_on_submit():
            try:
                done = reg.register(item, form.data_for_operation())
                db.session.commit()
            except ValidationFailed as refused:
                db.session.rollback()
                for reason in _field_errors(form, refused):
                    flash(reason, "error")
                status = 422
            else:
                session["registration_feed"] = done.feed_secret
                return redirect(url_for(".registration", secret=done.cancel_secret, new=1))
        else:
            status = 400
    return render_template("participation/register.html", activity=item, form=form, choices=choices,
                           refused=False), status


def _when(occurrence: Occurrence) -> str:
    if occurrence.activity.all_day:
        return local_date(occurrence.starts_at)
    return local_datetime(occurrence.starts_at)


def _choice_label(occurrence: Occurrence, seats: dict) -> str:
    if seats["left"] is None:
        return _when(occurrence)
    if seats["left"] == 0:
        return _("%(when)s – full: waitlist", when=_when(occurrence))
    return _("%(when)s – %(count)s place(s) left", when=_when(occurrence), count=seats["left"])


@bp.route("/registrations/<secret>")
def registration(secret: str):
    item = reg.registration_for_secret(secret)
    if item is None:
        abort(404)
    feed_secret = session.pop("registration_feed", None) if request.args.get("new") else None
    return _private(render_template(
        "participation/registration.html", registration=item, secret=secret, feed_secret=feed_secret,
        new=bool(request.args.get("new")), place=reg.waitlist_place(item), now=clock.utcnow(),
        when=_when(item.occurrence)))


@bp.route("/registrations/<secret>/cancel", methods=["POST"])
@limiter.limit(REGISTRATION_LIMIT)
def cancel_registration(secret: str):
    item = reg.registration_for_secret(secret)
    if item is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        reg.cancel(item)
        db.session.commit()
        flash(_("Your registration is cancelled. Thank you for letting us know: your place goes to the next "
                "person waiting."), "success")
    except ValidationFailed as refused:
        db.session.rollback()
        for reason in refused.fields.values():
            flash(reason, "error")
    return redirect(url_for(".registration", secret=secret))


# --- the personal feed ----------------------------------------------------------------------------------


@bp.route("/my/<secret>.ics")
def my_feed(secret: str):
    registrant = reg.registrant_for_feed(secret)
    if registrant is None:
        abort(404)
    config = current_app.config
    context = FeedContext(domain=config["CALENDAR_DOMAIN"], timezone=config["CALENDAR_TIMEZONE"],
                          base_url=public_base_url(),
                          refresh=timedelta(minutes=config.get("FEED_REFRESH_MINUTES", 120)))
    body = personal_calendar(reg.registrations_of(registrant), _("My registrations"), context, _("Waitlist"))
    return _private(Response(body, mimetype="text/calendar", headers={
        "Content-Type": "text/calendar; charset=utf-8", "Content-Disposition": 'inline; filename="my.ics"'}))


@bp.route("/my/<secret>")
def my_registrations(secret: str):
    registrant = reg.registrant_for_feed(secret)
    if registrant is None:
        abort(404)
    return _private(render_template("participation/my.html", registrations=reg.registrations_of(registrant),
                                    secret=secret, form=ActionForm(), now=clock.utcnow(), when=_when))


@bp.route("/my/<secret>/renew", methods=["POST"])
@limiter.limit(REGISTRATION_LIMIT)
def renew_feed(secret: str):
    registrant = reg.registrant_for_feed(secret)
    if registrant is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    new_secret = reg.renew_feed(registrant)
    db.session.commit()
    flash(_("The old address no longer works. Subscribe to the new one below in your calendar app."), "success")
    return redirect(url_for(".my_registrations", secret=new_secret))
