"""Registration pages: the public form, the page behind a registration's secret link, the personal feed and
its page (citizens); each activity's registrations and the check-in list of each date (staff)."""
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from wtforms import SelectChoice

from .. import clock
from ..accounts.scope import require_institution
from ..bounds import id_or_none
from ..config import mail_configured
from ..events.models import Activity, Occurrence
from ..events.queries import managed_occurrence
from ..events.recurrence import occurrence_key
from ..extensions import db, limiter
from ..feeds.context import feed_context
from ..forms import ActionForm, apply_errors
from ..participation.models import Attendance
from ..participation.operations import AttendanceConflict, attendance_of, occurrence_year
from ..unit_of_work import attempt
from ..validation import ValidationFailed
from ..web import local_date, local_datetime
from . import check_in as check_ins
from . import operations as reg
from .forms import RegistrationForm, WalkInForm
from .models import Registration
from .personal_feed import personal_calendar, validators

bp = Blueprint("registration", __name__)

#: public registration POSTs per client address
REGISTRATION_LIMIT = "5 per minute; 30 per hour"


def _key(occurrence: Occurrence) -> str:
    return occurrence_key(occurrence.original_start, occurrence.activity.all_day)


def _private(response):
    """Pages and feeds behind a secret link: never cached by proxies, never indexed."""
    response = current_app.make_response(response)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# --- staff: an activity's registrations, the check-in list ---------------------------------------------


@bp.route("/participation/activities/<int:activity_id>")
@login_required
def activity(activity_id: int):
    """One activity's occurrences with registrations and attendance, the way to each check-in list."""
    item = db.session.get(Activity, activity_id)
    require_institution(current_user, item.institution if item else None)
    counts = {(occ_id, status): people for occ_id, status, people in db.session.execute(
        select(Registration.occurrence_id, Registration.status, func.sum(Registration.people))
        .join(Occurrence, Occurrence.id == Registration.occurrence_id)
        .where(Occurrence.activity_id == item.id).group_by(Registration.occurrence_id, Registration.status))}
    totals = dict(db.session.execute(select(Attendance.occurrence_id, Attendance.total)
                                     .join(Occurrence, Occurrence.id == Attendance.occurrence_id)
                                     .where(Occurrence.activity_id == item.id)).all())
    return render_template("registration/activity.html", activity=item, counts=counts, totals=totals,
                           now=clock.utcnow(), key=_key, year=clock.local_today().year)


@bp.route("/participation/check-in/<int:activity_id>/<start>", methods=["GET", "POST"])
@login_required
def check_in(activity_id: int, start: str):
    occurrence = managed_occurrence(current_user, activity_id, start)
    walk_in_form = WalkInForm()
    status = 200
    if request.method == "POST":
        if not ActionForm().validate_on_submit():  # the CSRF token of every button
            abort(400)
        action = request.form.get("action")
        try:
            with attempt():
                if action in ("present", "absent"):
                    registration = db.session.get(Registration, id_or_none(request.form.get("registration")) or 0)
                    if registration is None or registration.occurrence_id != occurrence.id:
                        abort(404)
                    check_ins.set_checked_in(current_user, registration, action == "present")
                elif action == "walk_in":
                    check_ins.add_walk_in(current_user, occurrence, {"name": walk_in_form.name.data,
                                                                     "people": walk_in_form.people.data})
                elif action == "sync":
                    check_ins.sync_attendance(current_user, occurrence)
                else:
                    abort(400)
            return redirect(url_for(".check_in", activity_id=activity_id, start=start, q=request.args.get("q")))
        except ValidationFailed as refused:
            loose = apply_errors(walk_in_form, refused.fields) if action == "walk_in" else list(refused.fields.values())
            for reason in loose:
                flash(reason, "error")
            status = 422
        except AttendanceConflict:
            flash(_("Someone changed this attendance at the same moment; please try again."), "error")
            status = 409
    query = request.args.get("q", "").strip()
    rows = check_ins.check_in_list(current_user, occurrence, query)
    now = clock.utcnow()
    return render_template(
        "registration/check_in.html", occurrence=occurrence, rows=rows, query=query, walk_in_form=walk_in_form,
        action_form=ActionForm(), seats=reg.seats(occurrence), present=check_ins.checked_in_people(occurrence),
        attendance=attendance_of(occurrence), started=occurrence.starts_at <= now,
        open_today=clock.local_day(occurrence.starts_at) <= clock.local_day(now), key=_key(occurrence),
        in_step=check_ins.attendance_matches_check_in(occurrence), year=occurrence_year(occurrence),
    ), status


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
            return render_template("registration/register.html", activity=item, form=form, choices=choices,
                                   refused=True), 400
        if form.validate_on_submit():
            try:
                with attempt():
                    done = reg.register(item, form.data_for_operation(), locale=str(get_locale()))
            except ValidationFailed as refused:
                for reason in apply_errors(form, refused.fields):
                    flash(reason, "error")
                status = 422
            else:
                session["registration_feed"] = done.feed_secret
                return redirect(url_for(".registration", secret=done.cancel_secret, new=1))
        else:
            status = 400
    return render_template("registration/register.html", activity=item, form=form, choices=choices,
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
    return ngettext("%(when)s – %(num)s place left", "%(when)s – %(num)s places left", seats["left"],
                    when=_when(occurrence))


@bp.route("/registrations/<secret>")
def registration(secret: str):
    item = reg.registration_for_secret(secret)
    if item is None:
        abort(404)
    feed_secret = session.pop("registration_feed", None) if request.args.get("new") else None
    return _private(render_template(
        "registration/registration.html", registration=item, secret=secret, feed_secret=feed_secret,
        new=bool(request.args.get("new")), place=reg.waitlist_place(item), now=clock.utcnow(),
        mailed=bool(item.email) and mail_configured(),
        when=_when(item.occurrence)))


@bp.route("/registrations/<secret>.ics")
def registration_calendar(secret: str):
    """The booked date alone, for "add to my calendar" (the same event as in the personal feed)."""
    item = reg.registration_for_secret(secret)
    if item is None:
        abort(404)
    body = personal_calendar([item], item.activity.title, feed_context(), _("Waitlist"))
    response = _private(Response(body, mimetype="text/calendar", headers={
        "Content-Type": "text/calendar; charset=utf-8",
        "Content-Disposition": f'attachment; filename="registration-{item.id}.ics"'}))
    validators(response, body, [item])
    return response.make_conditional(request)


@bp.route("/registrations/<secret>/cancel", methods=["POST"])
@limiter.limit(REGISTRATION_LIMIT)
def cancel_registration(secret: str):
    item = reg.registration_for_secret(secret)
    if item is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        with attempt():
            reg.cancel(item)
        flash(_("Your registration is cancelled. Thank you for letting us know: your place goes to the next "
                "person waiting."), "success")
    except ValidationFailed as refused:
        for reason in refused.fields.values():
            flash(reason, "error")
    return redirect(url_for(".registration", secret=secret))


# --- the personal feed ----------------------------------------------------------------------------------


@bp.route("/my/<secret>.ics")
def my_feed(secret: str):
    registrant = reg.registrant_for_feed(secret)
    if registrant is None:
        abort(404)
    registrations = list(reg.registrations_of(registrant))
    body = personal_calendar(registrations, _("My registrations"), feed_context(), _("Waitlist"))
    response = _private(Response(body, mimetype="text/calendar", headers={
        "Content-Type": "text/calendar; charset=utf-8", "Content-Disposition": 'inline; filename="my.ics"'}))
    # the calendar app may keep it (never a shared cache) and asks again: 304 when unchanged
    response.headers["Cache-Control"] = "private, no-cache"
    validators(response, body, registrations)
    return response.make_conditional(request)


@bp.route("/my/<secret>")
def my_registrations(secret: str):
    registrant = reg.registrant_for_feed(secret)
    if registrant is None:
        abort(404)
    return _private(render_template("registration/my.html", registrations=reg.registrations_of(registrant),
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
    flash(_("The old address no longer works. Subscribe to the new one below in your calendar app."), "success")
    return redirect(url_for(".my_registrations", secret=new_secret))
