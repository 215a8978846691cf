"""Who may reach what: the one place every view, API endpoint and command asks."""
from sqlalchemy import select, true
from werkzeug.exceptions import Forbidden, NotFound

from ..extensions import db
from ..places.models import Area, Institution


def is_admin(user) -> bool:
    return bool(user and getattr(user, "is_authenticated", False) and user.role == "admin")


def institution_filter(user):
    """SQL condition on Institution limiting rows to the user's scope."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Institution.id.is_(None)
    if user.role == "admin":
        return true()
    if user.role == "officer":
        return Institution.area_id.in_(user.area.subtree_ids())
    return Institution.id == user.institution_id


def area_filter(user):
    """SQL condition on Area limiting rows to the user's scope (an editor sees their institution's area)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Area.id.is_(None)
    if user.role == "admin":
        return true()
    if user.role == "officer":
        return user.area.subtree_filter()
    return Area.id == user.institution.area_id


def can_manage_institution(user, institution: Institution) -> bool:
    """Editors their own institution, officers anything in their subtree, admins everything."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    if user.role == "admin":
        return True
    if user.role == "officer":
        return institution.area.path.startswith(user.area.path)
    return institution.id == user.institution_id


def can_manage_area(user, area: Area) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    if user.role == "admin":
        return True
    if user.role == "officer":
        return area.path.startswith(user.area.path)
    return False


def require_institution(user, institution: Institution | None, hide: bool = True) -> Institution:
    """Return the institution when the user may manage it; otherwise 404 (hide=True) or 403."""
    if institution is None:
        raise NotFound()
    if not can_manage_institution(user, institution):
        raise NotFound() if hide else Forbidden()
    return institution


def require_area(user, area: Area | None) -> Area:
    if area is None:
        raise NotFound()
    if not can_manage_area(user, area):
        raise Forbidden()
    return area


def require_role(user, *roles: str) -> None:
    if user is None or not getattr(user, "is_authenticated", False) or user.role not in roles:
        raise Forbidden()


def scoped_institution_ids(user):
    """select() of the ids of the institutions the user may manage."""
    return select(Institution.id).where(institution_filter(user))


def scoped_institutions(user):
    """Institutions the user may manage, by name."""
    return db.session.scalars(select(Institution).where(institution_filter(user)).order_by(Institution.name))
