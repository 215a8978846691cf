"""Which audit entries a user may read, narrowed by the trail page's filters: SQL in, rows out."""
from datetime import timedelta

from sqlalchemy import false, func, or_, select, true
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..accounts.scope import scoped_institution_ids
from ..clock import local_midnight_utc
from .models import AuditEntry


def audit_filter(user):
    """SQL condition on AuditEntry: admins read everything, officers what happened in their subtree."""
    if user is None or not getattr(user, "is_authenticated", False) or user.role not in ("admin", "officer"):
        return false()
    if user.role == "admin":
        return true()
    return or_(AuditEntry.area_path.startswith(user.area.path, autoescape=True),
               AuditEntry.institution_id.in_(scoped_institution_ids(user)))


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
