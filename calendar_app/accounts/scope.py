"""Who may reach what: the one place every view, API endpoint and command asks."""
from sqlalchemy import false, or_, select, true
from werkzeug.exceptions import Forbidden, NotFound

from ..extensions import db
from ..places.models import Area, AreaSuccession, Institution


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


def readable_area_paths(user) -> list[str]:
    """The paths of the subtrees an officer may read: their own area's, and those of the units that were
    merged into it by a reform (so the merged province's officer reads the old provinces' past years).
    Empty for an admin (who reads everything) and for anybody else."""
    if user is None or not getattr(user, "is_authenticated", False) or user.role != "officer":
        return []
    paths, frontier, seen = [user.area.path], {user.area_id}, {user.area_id}
    while frontier:
        rows = db.session.execute(
            select(Area.id, Area.path).join(AreaSuccession, AreaSuccession.predecessor_id == Area.id)
            .where(AreaSuccession.successor_id.in_(frontier))).all()
        frontier = {area_id for area_id, _path in rows} - seen
        seen |= frontier
        paths += [path for area_id, path in rows if area_id in frontier]
    return paths


def can_read_area(user, area: Area) -> bool:
    """Officers read their subtree and its predecessors' (readable_area_paths); admins everything."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    if user.role == "admin":
        return True
    return user.role == "officer" and any(area.path.startswith(path) for path in readable_area_paths(user))


def readable_area_filter(user):
    """SQL condition on Area: what can_read_area allows."""
    if is_admin(user):
        return true()
    paths = readable_area_paths(user)
    return or_(*(Area.path.startswith(path, autoescape=True) for path in paths)) if paths else false()


def require_institution(user, institution: Institution | None, hide: bool = True) -> Institution:
    """Return the institution when the user may manage it; otherwise 404 (hide=True) or 403."""
    if institution is None:
        raise NotFound()
    if not can_manage_institution(user, institution):
        raise NotFound() if hide else Forbidden()
    return institution


def require_area(user, area: Area | None, read_only: bool = False) -> Area:
    """The area when the user may manage it (or, `read_only`, read its reports); else 404/403."""
    if area is None:
        raise NotFound()
    if not (can_read_area(user, area) if read_only else can_manage_area(user, area)):
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
