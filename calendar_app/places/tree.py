"""Keeping the materialised area path right when areas are added or moved."""
from sqlalchemy import String, func, literal, select, update

from ..extensions import db
from .models import Area


def assign_path(area: Area) -> None:
    """Give a new or moved area its path (flushes to obtain the id)."""
    if area.id is None:
        db.session.add(area)
        db.session.flush()
    parent_path = area.parent.path if area.parent is not None else "/"
    new_path = f"{parent_path}{area.id}/"
    old_path = area.path
    area.path = new_path
    if old_path and old_path != new_path:
        # re-root every descendant in one statement
        db.session.execute(
            update(Area)
            .where(Area.path.startswith(old_path, autoescape=True), Area.id != area.id)
            .values(path=literal(new_path, String) + func.substr(Area.path, len(old_path) + 1))
            .execution_options(synchronize_session=False)
        )
    db.session.flush()


def subtree(area: Area) -> list[Area]:
    """Every area in the subtree, ordered by path (parents before children)."""
    return list(db.session.scalars(select(Area).where(area.subtree_filter()).order_by(Area.path)))
