"""The audit trail pages: admins and officers read who changed what in their scope."""
from flask import Blueprint, render_template, request
from flask_login import current_user
from sqlalchemy import select

from ..accounts.scope import require_role
from ..bounds import day_or_none
from ..extensions import db, login_manager
from ..pagination import paginate
from . import presentation
from .models import AuditEntry
from .queries import audit_filter, entries

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.before_request
def _officers_and_admins():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    require_role(current_user, "admin", "officer")
    return None


@bp.route("/")
def index():
    args = request.args
    entity = args.get("entity", "").strip()[:40] or None
    entity_id = args.get("id", "").strip()[:80] or None
    email = args.get("user", "").strip()[:254] or None
    action = args.get("action", "").strip()[:32] or None
    first, last = day_or_none(args.get("from")), day_or_none(args.get("to"))
    page = paginate(entries(current_user, entity, entity_id, email, first, last, action))
    scoped = select(AuditEntry).where(audit_filter(current_user)).subquery()
    kinds = db.session.scalars(select(scoped.c.entity_type).distinct().order_by(scoped.c.entity_type)).all()
    actions = db.session.scalars(select(scoped.c.action).distinct().order_by(scoped.c.action)).all()
    return render_template("audit/index.html", page=page, kinds=kinds, actions=actions, entity=entity,
                           entity_id=entity_id, email=email, action=action, first=first, last=last,
                           words=presentation, zone=presentation.zone_note())
