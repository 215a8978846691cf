"""The audit trail pages: admins and officers read who changed what in their scope."""
from datetime import timedelta

from flask import Blueprint, render_template, request
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..accounts.scope import audit_filter, require_role
from ..bounds import day_or_none
from ..clock import local_midnight_utc
from ..extensions import db, login_manager
from ..pagination import paginate
from .models import AuditEntry

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.before_request
def _officers_and_admins():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    require_role(current_user, "admin", "officer")
    return None


def entries(user, entity: str | None, entity_id: str | None, email: str | None, first, last, action: str | None):
    """select() of the audit entries the user may read, newest first, narrowed by the filters."""
    query = (select(AuditEntry).where(audit_filter(user)).options(selectinload(AuditEntry.user))
             .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()))
    if entity:
        query = query.where(AuditEntry.entity_type == entity)
    if entity_id:
        query = query.where(AuditEntry.entity_id == entity_id)
    if action:
        query = query.where(AuditEntry.action == action)
    if email:
        query = query.join(User, AuditEntry.user_id == User.id).where(func.lower(User.email) == email.lower())
    if first:
        query = query.where(AuditEntry.at >= local_midnight_utc(first))
    if last:
        query = query.where(AuditEntry.at < local_midnight_utc(last + timedelta(days=1)))
    return query


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
                           entity_id=entity_id, email=email, action=action, first=first, last=last)
