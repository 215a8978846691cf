"""Editors' pages for activities (under /manage): HTTP only; the operations validate, scope and audit."""
from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..accounts.scope import institution_filter, require_institution, scoped_institutions
from ..clock import local_day, to_local, utcnow
from ..extensions import db, login_manager
from ..forms import ActionForm, apply_errors
from ..markup import render_markdown
from ..observances.models import Observance
from ..observances.tagging import match_observances
from ..pagination import page_number, paginate
from ..places.models import Institution
from ..unit_of_work import attempt
from ..validation import ValidationFailed, validate
from ..vocabulary import ACTIVITY_STATUSES
from . import operations
from .forms import ActivityForm, OccurrenceForm, ReasonForm
from .managed import managed_page
from .models import Activity
from .queries import activity_occurrences, observance_choices
from .recurrence import MAX_OCCURRENCES, expand, occurrence_key
from .schema import ActivityIn, check_series, resolve_times

bp = Blueprint("events", __name__, url_prefix="/manage")

#: how many dates the recurrence preview lists
PREVIEW_DATES = 12
#: institutions offered as a list to filter by; more are filtered by typing one's short name
MAX_CHOICES = 50


@bp.before_request
def _signed_in():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def _activity(activity_id: int) -> Activity:
    """The activity, or 404 when it does not exist or lies outside the user's scope."""
    activity = db.session.get(Activity, activity_id)
    require_institution(current_user, activity.institution if activity else None)
    return activity


def _locale() -> str:
    return str(get_locale() or "vi")


# --- the list ----------------------------------------------------------------------------------------


@bp.route("/")
def index():
    status = request.args.get("status") if request.args.get("status") in ACTIVITY_STATUSES else None
    institution = request.args.get("institution") or None
    q = request.args.get("q", "").strip()[:200]
    page = managed_page(current_user, page_number(), current_app.config.get("PER_PAGE", 20), status, institution, q)
    # a choice among a few institutions; beyond that, their short name typed (a province has thousands)
    institutions = db.session.scalars(select(Institution).where(institution_filter(current_user))
                                      .order_by(Institution.name).limit(MAX_CHOICES + 1)).all()
    return render_template("events/index.html", page=page, institutions=institutions, status=status,
                           institution=institution, q=q, action_form=ActionForm(),
                           many=len(institutions) > MAX_CHOICES)


# --- create and edit ---------------------------------------------------------------------------------


def _form(activity: Activity | None = None) -> ActivityForm:
    institutions = [] if activity is not None else [(i.slug, i.name) for i in scoped_institutions(current_user)]
    return ActivityForm(observance_choices=observance_choices(_locale()), institution_choices=institutions)


def _invalid(form: ActivityForm, activity: Activity | None = None):
    """The form's own checks failed: let the schema judge the other fields too, so all errors show at once."""
    data = form.to_data(lenient=True)
    found = {}
    for check in (lambda: validate(ActivityIn, {**data, "observances": None}),
                  lambda: resolve_times(data["starts_at"], data["ends_at"], data["all_day"])):
        try:
            check()
        except ValidationFailed as failure:
            found.update(failure.fields)
    fresh = {name: reason for name, reason in found.items()
             if (target := form.field_for(name)) is None or not getattr(form, target).errors}
    return _render_form(form, activity, status=422, problems=apply_errors(form, fresh))


def _refused(form: ActivityForm, failure: ValidationFailed, data: dict, activity: Activity | None = None):
    """The operation refused: show its reasons, plus any about the dates it did not get to check."""
    fields = dict(failure.fields)
    if not {"starts_at", "ends_at"} & fields.keys():
        try:
            resolve_times(data["starts_at"], data["ends_at"], data["all_day"])
        except ValidationFailed as times:
            fields.update(times.fields)
    return _render_form(form, activity, status=422, problems=apply_errors(form, fields))


def _render_form(form, activity=None, status=200, problems=(), preview=None):
    template = "events/_preview.html" if preview is not None and request.headers.get("X-Preview") else \
        "events/form.html"
    return render_template(template, form=form, activity=activity, problems=problems, preview=preview,
                           action_form=ActionForm()), status


@bp.route("/activities/new", methods=["GET", "POST"])
def new():
    form = _form()
    if not form.institution.choices:
        abort(403)
    if request.method == "GET":
        form.repeat.data, form.end.data = "none", "until"
        form.show_tags([])
        if current_user.role == "editor":
            form.institution.data = current_user.institution.slug
        return _render_form(form)
    if not form.validate():
        return _invalid(form)
    data = form.to_data()
    if form.preview.data:
        return _preview(form, data)
    data["status"] = "published" if form.publish.data else "draft"
    data["institution"] = current_user.institution.slug if current_user.role == "editor" else \
        form.institution.data
    try:
        with attempt():
            activity = operations.create_activity(current_user, data)
    except ValidationFailed as failure:
        return _refused(form, failure, data)
    flash(_("The activity is published.") if activity.status == "published"
          else _("The activity is saved as a draft; publish it when it is ready."), "info")
    return redirect(url_for(".edit", activity_id=activity.id))


@bp.route("/activities/<int:activity_id>", methods=["GET", "POST"])
def edit(activity_id: int):
    activity = _activity(activity_id)
    form = _form(activity)
    if request.method == "GET":
        form.fill(operations.activity_values(activity))
        return _render_form(form, activity)
    if not form.validate():
        return _invalid(form, activity)
    data = form.to_data()
    if form.preview.data:
        return _preview(form, data, activity)
    if form.publish.data:
        data["status"] = "published"
    try:
        with attempt():
            operations.update_activity(current_user, activity, data)
    except ValidationFailed as failure:
        return _refused(form, failure, data, activity)
    flash(_("Your changes are saved."), "info")
    return redirect(url_for(".edit", activity_id=activity.id))


def _preview(form: ActivityForm, data: dict, activity: Activity | None = None):
    """The next dates the rule gives and the observances they suggest; nothing is written."""
    try:
        payload = validate(ActivityIn, {**data, "observances": None})
        start, end = resolve_times(payload.starts_at, payload.ends_at, payload.all_day)
        check_series(payload.rrule, start)
    except ValidationFailed as failure:
        return _render_form(form, activity, status=422, problems=apply_errors(form, failure.fields))
    times = expand(start, end, payload.rrule)
    shift = timedelta(days=1) if payload.all_day else timedelta(0)
    spans = [(local_day(s), local_day(e - shift)) for s, e in times]
    observances = list(db.session.scalars(db.select(Observance)))
    match = match_observances(spans, observances)
    # every date in the window: ticked for the editor; only some dates: named, left for the editor to tick
    tagged = {o.key for o in observances if o.id in match.tagged}
    suggested = {o.key for o in observances if o.id in match.suggested}
    removed = {link.observance.key for link in activity.observance_links if link.removed} if activity else set()
    checked = set(form.observances.data or [])
    shown = {key for key in (form.observances_shown.data or "").split(",") if key}
    if form.tags_touched():
        form.observances.data = sorted(checked | (tagged - shown - removed))
    else:
        form.show_tags(checked | (tagged - removed))
    preview = {
        "dates": [(s, e - shift) for s, e in times[:PREVIEW_DATES]],
        "total": len(times), "capped": len(times) >= MAX_OCCURRENCES, "all_day": payload.all_day,
        "rrule": payload.rrule, "tagged": tagged, "suggested": suggested - checked,
        "description": render_markdown(payload.description),
    }
    return _render_form(form, activity, preview=preview)


# --- status and copies -------------------------------------------------------------------------------


@bp.route("/activities/<int:activity_id>/status", methods=["POST"])
def change_status(activity_id: int):
    activity = _activity(activity_id)
    status = request.form.get("status")
    if not ActionForm().validate() or status not in ACTIVITY_STATUSES:
        abort(400)
    try:
        with attempt():
            operations.set_status(current_user, activity, status, request.form.get("reason") or None)
    except ValidationFailed as failure:
        for reason in failure.fields.values():
            flash(reason, "error")
    else:
        flash({"published": _("The activity is published."), "cancelled": _("The activity is cancelled; "
               "subscribers' calendars will show the cancellation."),
               "draft": _("The activity is back to draft and no longer public.")}[status], "info")
    return redirect(url_for(".edit", activity_id=activity.id))


@bp.route("/activities/<int:activity_id>/cancel", methods=["GET", "POST"])
def cancel(activity_id: int):
    """Cancel the whole activity, after saying what that does and asking why (the reason is public)."""
    activity = _activity(activity_id)
    if activity.status != "published":
        flash(_("Only a published activity can be cancelled."), "error")
        return redirect(url_for(".edit", activity_id=activity.id))
    form = ReasonForm()
    problems = []
    if form.validate_on_submit():
        try:
            with attempt():
                operations.set_status(current_user, activity, "cancelled", form.to_reason())
        except ValidationFailed as failure:
            problems = apply_errors(form, failure.fields)
        else:
            flash(_("The activity is cancelled; subscribers' calendars will show the cancellation."), "info")
            return redirect(url_for(".edit", activity_id=activity.id))
    upcoming = [occ for occ in activity.occurrences if occ.status != "cancelled" and occ.starts_at >= utcnow()]
    return render_template("events/cancel.html", activity=activity, form=form, problems=problems,
                           upcoming=len(upcoming), what="activity"), 422 if form.is_submitted() else 200


@bp.route("/activities/<int:activity_id>/duplicate", methods=["POST"])
def duplicate(activity_id: int):
    activity = _activity(activity_id)
    if not ActionForm().validate():
        abort(400)
    copy = operations.duplicate_activity(current_user, activity)
    flash(_("This is a draft copy: check its dates, then publish it."), "info")
    return redirect(url_for(".edit", activity_id=copy.id))


# --- one occurrence on its own -----------------------------------------------------------------------


@bp.route("/activities/<int:activity_id>/occurrences")
def occurrences(activity_id: int):
    activity = _activity(activity_id)
    page = paginate(activity_occurrences(activity))
    return render_template("events/occurrences.html", activity=activity, page=page, action_form=ActionForm(),
                           occurrence_key=occurrence_key)


def _occurrence(activity: Activity, key: str):
    occurrence = operations.find_occurrence(activity, key)
    if occurrence is None:
        abort(404)
    return occurrence


def _change_occurrence(activity, occurrence, data: dict) -> dict[str, str]:
    """Apply the change; {} on success, else {field: reason} (and nothing written)."""
    try:
        with attempt():
            operations.change_occurrence(current_user, activity, occurrence, data)
    except ValidationFailed as failure:
        return failure.fields
    return {}


def _original_times(activity: Activity, occurrence) -> dict:
    """The start and end the rule gives this occurrence, as OccurrenceChange data."""
    start, end = occurrence.original_start, occurrence.original_start + activity.duration
    if activity.all_day:
        return {"starts_at": local_day(start).isoformat(), "ends_at": (local_day(end) - timedelta(days=1)).isoformat()}
    return {"starts_at": occurrence_key(start, False), "ends_at": occurrence_key(end, False)}


@bp.route("/activities/<int:activity_id>/occurrences/<key>/<any(cancel, restore):action>",
          methods=["GET", "POST"])
def occurrence_status(activity_id: int, key: str, action: str):
    activity = _activity(activity_id)
    occurrence = _occurrence(activity, key)
    if request.method == "GET":
        if action != "cancel":
            abort(405)
        # cancelling one meeting: a page that asks for the reason people will read
        return render_template("events/cancel.html", activity=activity, occurrence=occurrence, key=key,
                               form=ReasonForm(), problems=[], what="occurrence", page=request.args.get("page", 1))
    if not ActionForm().validate():
        abort(400)
    data = {"status": "cancelled", "reason": ReasonForm().to_reason()} if action == "cancel" else \
        {"status": "scheduled", **_original_times(activity, occurrence)}
    problems = _change_occurrence(activity, occurrence, data)
    for reason in problems.values():
        flash(reason, "error")
    if not problems:
        flash(_("That meeting is cancelled; the others are unchanged.") if action == "cancel"
              else _("That meeting is back as the repeat rule gives it."), "info")
    return redirect(url_for(".occurrences", activity_id=activity.id, page=request.args.get("page", 1)))


@bp.route("/activities/<int:activity_id>/occurrences/<key>/move", methods=["GET", "POST"])
def move_occurrence(activity_id: int, key: str):
    activity = _activity(activity_id)
    occurrence = _occurrence(activity, key)
    form = OccurrenceForm(all_day=activity.all_day)
    problems = []
    if request.method == "GET":
        start, end = to_local(occurrence.starts_at), to_local(occurrence.ends_at)
        if activity.all_day:
            end = to_local(occurrence.ends_at - timedelta(days=1))
        form.starts_on.data, form.start_time.data = start.date().isoformat(), start.strftime("%H:%M")
        form.ends_on.data = end.date().isoformat() if end.date() != start.date() else ""
        form.end_time.data = end.strftime("%H:%M")
        form.reason.data = occurrence.change_reason or ""
    elif form.validate():
        refused = _change_occurrence(activity, occurrence, form.to_data())
        if not refused:
            flash(_("That meeting is moved; the others are unchanged."), "info")
            return redirect(url_for(".occurrences", activity_id=activity.id))
        problems = apply_errors(form, refused)
    status = 422 if request.method == "POST" else 200
    return render_template("events/move.html", activity=activity, occurrence=occurrence, key=key, form=form,
                           problems=problems), status
