"""Admin pages: areas, institutions, users, tokens, observances, targets. HTTP only; operations do the work."""
from datetime import timedelta

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from ..accounts import operations as accounts
from ..accounts.models import ApiToken, User
from ..accounts.scope import require_role
from ..bounds import day_or_none, year_or_none
from ..clock import local_today
from ..extensions import db, login_manager
from ..forms import ActionForm, apply_errors, options
from ..indicators.labels import INDICATOR_NAMES
from ..indicators.models import IndicatorTarget
from ..indicators.operations import update_target
from ..observances import operations as observances
from ..observances.models import Observance
from ..pagination import paginate
from ..places import lookup, official
from ..places import operations as places
from ..places.lookup import matching
from ..places.models import Area, Institution, Placement
from ..places.placement import still_in_closed_units
from ..search import fold
from ..unit_of_work import attempt
from ..validation import ValidationFailed
from ..vocabulary import AREA_LEVELS, INSTITUTION_CATEGORIES, ROLES
from .forms import AreaForm, InstitutionForm, ObservanceDatesForm, ObservanceForm, TargetForm, TokenForm, UserForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _admins_only():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    require_role(current_user, "admin")
    return None


@bp.after_request
def _no_store(response):
    # pages here may show a password or a token once: never keep them in a cache
    response.headers["Cache-Control"] = "no-store"
    return response


def _save(form, operation, *args):
    """Run the operation with the form's data: (result, []), or (None, problems) and nothing written."""
    try:
        with attempt():
            result = operation(current_user, *args, form.to_data())
    except ValidationFailed as failure:
        return None, apply_errors(form, failure.fields)
    return result, []


def _tree(rows: list, parent_id=lambda row: row.parent_id, own_id=lambda row: row.id) -> list[tuple]:
    """(row, depth) with every parent before its children, siblings in the order given."""
    children: dict = {}
    for row in rows:
        children.setdefault(parent_id(row), []).append(row)
    ordered = []

    def visit(parent, depth):
        for row in children.get(parent, []):
            ordered.append((row, depth))
            visit(own_id(row), depth + 1)

    visit(None, 0)
    return ordered


def _suggest_areas(*fields) -> None:
    """Point the area code boxes at the suggestions of areas_json (the units valid today)."""
    for field in fields:
        field.render_kw = {**(field.render_kw or {}), "data-suggest": url_for(".areas_json")}


@bp.get("/areas.json")
def areas_json():
    """Up to 20 units valid on ?on= (default today) whose name (accents optional) or code matches ?q=."""
    day = day_or_none(request.args.get("on")) or local_today()
    found = matching(request.args.get("q", "")[:100], day, day)
    return jsonify([{"code": a.code, "name": a.name, "level": str(AREA_LEVELS.get(a.level, a.level))}
                    for a in found])


def _action_form_ok() -> None:
    if not ActionForm().validate():
        abort(400)


@bp.route("/")
def index():
    counts = {
        "areas": db.session.scalar(select(func.count(Area.id))),
        "institutions": db.session.scalar(select(func.count(Institution.id))),
        "users": db.session.scalar(select(func.count(User.id))),
        "tokens": db.session.scalar(select(func.count(ApiToken.id)).where(ApiToken.revoked_at.is_(None))),
        "observances": db.session.scalar(select(func.count(Observance.id))),
        "targets": db.session.scalar(select(func.count(IndicatorTarget.id))),
    }
    warnings = {
        # the reports of today's tree count none of these until they are placed in a unit that exists
        "stranded": db.session.scalar(select(func.count()).select_from(still_in_closed_units().subquery())),
        # officers whose area closed keep reading its years but manage nothing until given a new area
        "closed_scopes": db.session.scalar(select(func.count(User.id)).where(User.area_id.in_(closed_areas()))),
    }
    return render_template("admin/index.html", counts=counts, warnings=warnings)


def closed_areas():
    """select() of the ids of areas closed by today."""
    return select(Area.id).where(Area.valid_to.is_not(None), Area.valid_to <= local_today())


# --- areas -------------------------------------------------------------------------------------------


@bp.route("/areas")
def areas():
    """One level of the tree as it stood on ?on= (default today): the units under ?parent= (the roots when
    none), each with the institutions placed in its subtree that day and, when closed, what it became."""
    day = day_or_none(request.args.get("on")) or local_today()
    parent = lookup.unit_on(request.args.get("parent"), day) if request.args.get("parent") else None
    if request.args.get("parent") and parent is None:
        abort(404)
    q = request.args.get("q", "").strip()[:100]
    if q:
        units = matching(q, day, day, limit=100)
    else:
        units = db.session.scalars(select(Area).where(Area.parent_id == (parent.id if parent else None),
                                                      Area.valid_on_filter(day)).order_by(Area.name)).all()
    place = aliased(Area)
    counts = dict(db.session.execute(
        select(Area.id, func.count(Placement.id)).select_from(Area)
        .join(place, place.path.startswith(Area.path))
        .join(Placement, and_(Placement.area_id == place.id, Placement.on(day)))
        .where(Area.id.in_([unit.id for unit in units])).group_by(Area.id)).all()) if units else {}
    became = {unit.id: lookup.what_it_became(unit) for unit in units if unit.closed}
    return render_template("admin/areas.html", units=units, parent=parent,
                           ancestors=parent.ancestors() if parent else [], day=day, q=q, counts=counts, became=became,
                           reform_eve=official.REFORM_DATE - timedelta(days=1), today=local_today())


@bp.route("/areas/new", methods=["GET", "POST"])
def area_new():
    form = AreaForm()
    _suggest_areas(form.parent)
    problems = []
    if form.is_submitted():
        if form.validate():
            area, problems = _save(form, places.create_area)
            if area is not None:
                flash(_("The area %(name)s is added.", name=area.name), "info")
                return redirect(url_for(".areas"))
    elif request.args.get("parent"):
        form.parent.data = request.args["parent"]
    status = 422 if form.is_submitted() else 200
    return render_template("admin/form.html", form=form, problems=problems, title=_("New area"),
                           back=url_for(".areas")), status


# --- institutions ------------------------------------------------------------------------------------


@bp.route("/institutions")
def institutions():
    area_code = request.args.get("area") or None
    category = request.args.get("category") if request.args.get("category") in INSTITUTION_CATEGORIES else None
    q = request.args.get("q", "").strip()[:200]
    placed = request.args.get("placed") if request.args.get("placed") == "closed" else None
    query = select(Institution).options(selectinload(Institution.area)).order_by(Institution.name)
    area = lookup.latest_unit(area_code)
    if area is not None:
        query = query.where(Institution.area_id.in_(area.subtree_ids()))
    if placed:
        query = query.where(Institution.id.in_(still_in_closed_units().with_only_columns(Institution.id)))
    if category:
        query = query.where(Institution.category == category)
    if q:
        # slugs are the unaccented names, so "thu vien" finds "Thư viện" on any database
        query = query.where(or_(func.lower(Institution.name).contains(q.lower(), autoescape=True),
                                Institution.slug.contains("-".join(fold(q).split()), autoescape=True)))
    page = paginate(query)
    return render_template("admin/institutions.html", page=page, area=area_code, category=category, q=q,
                           placed=placed, suggest=url_for(".areas_json"))


def _institution_form(**kwargs) -> InstitutionForm:
    form = InstitutionForm(**kwargs)
    _suggest_areas(form.area)
    return form


@bp.route("/institutions/new", methods=["GET", "POST"])
def institution_new():
    form = _institution_form()
    problems = []
    if form.is_submitted():
        if form.validate():
            institution, problems = _save(form, places.create_institution)
            if institution is not None:
                flash(_("%(name)s is added.", name=institution.name), "info")
                return redirect(url_for(".institutions"))
    status = 422 if form.is_submitted() else 200
    return render_template("admin/form.html", form=form, problems=problems, title=_("New institution"),
                           back=url_for(".institutions")), status


@bp.route("/institutions/<slug>", methods=["GET", "POST"])
def institution_edit(slug: str):
    institution = places.institution_by_slug(slug) or abort(404)
    form = _institution_form(data=None if request.method == "POST" else places.institution_values(institution))
    problems = []
    if form.is_submitted():
        if form.validate():
            saved, problems = _save(form, places.update_institution, institution)
            if saved is not None:
                flash(_("Your changes are saved."), "info")
                return redirect(url_for(".institution_edit", slug=saved.slug))
    status = 422 if form.is_submitted() else 200
    return render_template("admin/form.html", form=form, problems=problems, title=institution.name,
                           back=url_for(".institutions"), institution=institution), status


# --- users -------------------------------------------------------------------------------------------


@bp.route("/users")
def users():
    role = request.args.get("role") if request.args.get("role") in ROLES else None
    q = request.args.get("q", "").strip()[:200].lower()
    closed = request.args.get("scope") == "closed"
    query = select(User).options(selectinload(User.institution), selectinload(User.area)).order_by(User.email)
    if role:
        query = query.where(User.role == role)
    if closed:
        query = query.where(User.area_id.in_(closed_areas()))
    if q:
        query = query.where(or_(func.lower(User.email).contains(q, autoescape=True),
                                func.lower(User.name).contains(q, autoescape=True)))
    return render_template("admin/users.html", page=paginate(query), role=role, q=q, closed=closed)


def _user_form() -> UserForm:
    form = UserForm()
    form.institution.choices = options([("", _("— none —"))] + [
        (slug, name) for slug, name in db.session.execute(select(Institution.slug, Institution.name)
                                                          .order_by(Institution.name))])
    _suggest_areas(form.area)
    return form


def _show_secret(title: str, secret: str, user: User, kind: str):
    """The one and only time a password or token is shown."""
    return render_template("admin/secret.html", title=title, secret=secret, user=user, kind=kind)


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    form = _user_form()
    problems = []
    if form.is_submitted() and form.validate():
        typed = form.password.data or ""
        password = typed or accounts.new_password()
        try:
            with attempt():
                user = accounts.create_user(form.email.data, form.role.data, password, name=form.name.data,
                                            institution_slug=form.institution.data, area_code=form.area.data,
                                            actor=current_user)
        except ValidationFailed as failure:
            problems = apply_errors(form, failure.fields)
        else:
            if not typed:
                return _show_secret(_("Account created"), password, user, "password")
            flash(_("The account %(email)s is created.", email=user.email), "info")
            return redirect(url_for(".user_detail", user_id=user.id))
    status = 422 if form.is_submitted() else 200
    return render_template("admin/form.html", form=form, problems=problems, title=_("New account"),
                           back=url_for(".users"),
                           hint=_("Leave the password empty to have one made up and shown once.")), status


def _user(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


@bp.route("/users/<int:user_id>")
def user_detail(user_id: int):
    user = _user(user_id)
    tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                .order_by(ApiToken.created_at.desc())).all()
    return render_template("admin/user.html", user=user, tokens=tokens, action_form=ActionForm())


@bp.route("/users/<int:user_id>/active", methods=["POST"])
def user_active(user_id: int):
    user = _user(user_id)
    _action_form_ok()
    active = request.form.get("active") == "1"
    try:
        with attempt():
            accounts.set_active(current_user, user, active)
    except ValidationFailed as failure:
        for reason in failure.fields.values():
            flash(reason, "error")
    else:
        flash(_("The account is enabled.") if active else
              _("The account is disabled: it can no longer sign in or use its API tokens."), "info")
    return redirect(url_for(".user_detail", user_id=user.id))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
def user_password(user_id: int):
    user = _user(user_id)
    _action_form_ok()
    password = accounts.reset_password(current_user, user)
    return _show_secret(_("New password"), password, user, "password")


# --- API tokens --------------------------------------------------------------------------------------


@bp.route("/tokens")
def tokens():
    query = (select(ApiToken).options(selectinload(ApiToken.user))
             .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc()))
    return render_template("admin/tokens.html", page=paginate(query), action_form=ActionForm())


@bp.route("/tokens/new", methods=["GET", "POST"])
def token_new():
    form = TokenForm()
    form.user.choices = options((i, f"{email} ({ROLES[role]})") for i, email, role in db.session.execute(
        select(User.id, User.email, User.role).where(User.active.is_(True)).order_by(User.email)))
    if request.method == "GET" and request.args.get("user"):
        form.user.data = request.args["user"]
    problems = []
    if form.is_submitted() and form.validate():
        user = db.session.get(User, int(form.user.data)) if (form.user.data or "").isdigit() else None
        if user is None:
            form.user.errors.append(_("Choose an account."))
        else:
            try:
                with attempt():
                    secret = accounts.issue_token(user, form.name.data, actor=current_user)
            except ValidationFailed as failure:
                problems = apply_errors(form, failure.fields)
            else:
                return _show_secret(_("New API token"), secret, user, "token")
    status = 422 if form.is_submitted() else 200
    return render_template("admin/form.html", form=form, problems=problems, title=_("New API token"),
                           back=url_for(".tokens"),
                           hint=_("A program sends the token as “Authorization: Bearer …” and may then do what "
                                  "the account may do.")), status


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
def token_revoke(token_id: int):
    token = db.session.get(ApiToken, token_id) or abort(404)
    _action_form_ok()
    accounts.revoke_token(current_user, token)
    flash(_("The token is revoked: programs using it are refused from now on."), "info")
    return redirect(request.form.get("back") if request.form.get("back", "").startswith("/admin/")
                    else url_for(".tokens"))


# --- observances -------------------------------------------------------------------------------------


@bp.route("/observances")
def observance_list():
    year = local_today().year
    items = list(db.session.scalars(select(Observance).options(selectinload(Observance.dates))))
    spans = observances.this_year_spans(items, year)
    items.sort(key=lambda o: (spans[o.id][0] is None, spans[o.id][0].starts_on if spans[o.id][0] else None, o.key))
    return render_template("admin/observances.html", observances=items, spans=spans, year=year,
                           locale=str(get_locale() or "vi"))


@bp.route("/observances/new", methods=["GET", "POST"])
def observance_new():
    form = ObservanceForm()
    if request.method == "GET":
        form.year.data = str(local_today().year)
    problems = []
    if form.is_submitted() and form.validate():
        observance, problems = _save(form, observances.create_observance)
        if observance is not None:
            flash(_("The observance is added; activities in its window are tagged."), "info")
            return redirect(url_for(".observance_detail", key=observance.key))
    status = 422 if form.is_submitted() else 200
    return render_template("admin/observance_form.html", form=form, problems=problems), status


@bp.route("/observances/<key>", methods=["GET", "POST"])
def observance_detail(key: str):
    observance = observances.observance_by_key(key) or abort(404)
    form = ObservanceDatesForm()
    year = local_today().year
    if request.method == "GET":
        form.year.data = str(year_or_none(request.args.get("year")) or year)
        span = observances.this_year_spans([observance], int(form.year.data))[observance.id][0]
        if span:
            form.starts_on.data, form.ends_on.data = span.starts_on.isoformat(), span.ends_on.isoformat()
    problems = []
    if form.is_submitted() and form.validate():
        entry, problems = _save(form, observances.set_dates, observance)
        if entry is not None:
            flash(_("The dates for %(year)d are set; activities are re-tagged.", year=entry.year), "info")
            return redirect(url_for(".observance_detail", key=observance.key))
    years = range(year - 1, year + 3)
    spans = {y: observances.this_year_spans([observance], y)[observance.id] for y in years}
    status = 422 if form.is_submitted() else 200
    return render_template("admin/observance.html", observance=observance, form=form, problems=problems,
                           spans=spans, locale=str(get_locale() or "vi"), action_form=ActionForm()), status


@bp.route("/observances/<key>/dates/<int:year>/clear", methods=["POST"])
def observance_clear(key: str, year: int):
    observance = observances.observance_by_key(key) or abort(404)
    _action_form_ok()
    observances.clear_dates(current_user, observance, year)
    flash(_("The dates for %(year)d follow the usual rule again.", year=year), "info")
    return redirect(url_for(".observance_detail", key=observance.key))


# --- indicator targets -------------------------------------------------------------------------------


@bp.route("/targets")
def targets():
    """Targets belong to plans now: the plans' pages list them, one form per indicator."""
    return redirect(url_for("indicators.plans"))


@bp.route("/targets/<int:target_id>", methods=["GET", "POST"])
def target_edit(target_id: int):
    target = db.session.get(IndicatorTarget, target_id) or abort(404)
    figure = "{:g}".format
    form = TargetForm(data=None if request.method == "POST" else {
        "low": "" if target.low is None else figure(target.low),
        "high": "" if target.high is None else figure(target.high), "note": target.note or ""})
    problems = []
    if form.is_submitted() and form.validate():
        saved, problems = _save(form, update_target, target)
        if saved is not None:
            flash(_("The target is saved."), "info")
            return redirect(url_for("indicators.plan", plan_id=target.plan_id) + f"#{target.indicator}")
    status = 422 if form.is_submitted() else 200
    category = INSTITUTION_CATEGORIES.get(target.category) if target.category else _("all")
    return render_template("admin/form.html", form=form, problems=problems,
                           back=url_for("indicators.plan", plan_id=target.plan_id),
                           title=f"{INDICATOR_NAMES[target.indicator]} · {category} · {target.milestone}",
                           hint=_("A single figure: fill the first box. A range such as 10–15: both boxes (it is "
                                  "met at its lower bound). No target: leave both empty.")), status
