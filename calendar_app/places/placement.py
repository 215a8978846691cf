"""Where an institution stands, with dates: moving closes the open placement and opens the next one.

Past years are never rewritten: a report for year Y looks at the placements valid on its reference day, so
a move (or the reform operation) only changes what the placements say from its effective day on.
"""
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import event, literal, or_, select
from sqlalchemy.orm import Session, aliased

from ..clock import local_today
from ..validation import ValidationFailed
from .models import Area, AreaSuccession, Institution, Placement


def open_placement(institution: Institution) -> Placement | None:
    return next((p for p in institution.placements if p.valid_to is None), None)


def placement_on(institution: Institution, day: date) -> Placement | None:
    return next((p for p in institution.placements if p.covers(day)), None)


def relocate(institution: Institution, area: Area, effective: date, strict: bool = True) -> Placement:
    """Place the institution in `area` from `effective` on (no authorisation: see operations.move_institution).

    The open placement ends the day before `effective`; a move on the very day the open placement began
    corrects that placement instead of leaving one of no days.
    """
    current = open_placement(institution)
    if strict and current is not None and current.valid_from is not None and effective < current.valid_from:
        raise ValidationFailed({"effective": _(
            "The institution has been in %(area)s since %(day)s: a move must take effect on or after that day.",
            area=current.area.name, day=current.valid_from.isoformat())})
    if strict and not area.valid_on(effective):
        raise ValidationFailed({"area": _("%(area)s (%(code)s) is not valid on %(day)s.", area=area.name,
                                          code=area.code, day=effective.isoformat())})
    institution.area = area
    if current is not None and current.valid_from == effective:
        current.area = area
        return current
    if current is not None:
        current.valid_to = effective
    placement = Placement(area=area, valid_from=effective)
    institution.placements.append(placement)
    return placement


def _keep_placements(session: Session, _context, _instances) -> None:
    """Every institution has an open placement in its area: a new one from the start, and a change of area
    made without relocate() (a plain attribute change) is a move effective today."""
    with session.no_autoflush:
        for obj in list(session.new):
            if isinstance(obj, Institution) and not obj.placements and obj.area is not None:
                obj.placements.append(Placement(area=obj.area, valid_from=None))
        for obj in list(session.dirty):
            if not isinstance(obj, Institution) or obj.area is None:
                continue
            current = open_placement(obj)
            if current is None or current.area is not obj.area:
                relocate(obj, obj.area, local_today(), strict=False)


def install() -> None:
    """Listen on every session (the app factory calls this once)."""
    if not event.contains(Session, "before_flush", _keep_placements):
        event.listen(Session, "before_flush", _keep_placements)


def placed_in(area: Area, day: date):
    """select() of the ids of institutions placed anywhere in the area's subtree on `day`."""
    return (select(Placement.institution_id).join(Area, Area.id == Placement.area_id)
            .where(area.subtree_filter(), Placement.on(day)))


def stranded_for(area: Area, day: date):
    """select() of the active institutions placed, on `day`, in a unit already closed that a reform merged
    into `area`'s part of the tree (or into a unit above it): the report of `area` counts none of them."""
    place, old, new = aliased(Area), aliased(Area), aliased(Area)
    merged_here = (select(AreaSuccession.predecessor_id)
                   .join(old, old.id == AreaSuccession.predecessor_id)
                   .join(new, new.id == AreaSuccession.successor_id)
                   .where(place.path.startswith(old.path),
                          or_(new.path.startswith(area.path), literal(area.path).startswith(new.path)))
                   .exists())
    return (select(Institution).join(Placement, Placement.institution_id == Institution.id)
            .join(place, place.id == Placement.area_id)
            .where(Placement.on(day), place.valid_to.is_not(None), place.valid_to <= day,
                   Institution.active.is_(True), merged_here)
            .order_by(Institution.name))


def still_in_closed_units(day: date | None = None):
    """select() of the institutions whose open placement is in a unit closed by `day` (today): no report of
    the current tree counts them until an admin (or the reform operation) places them."""
    day = day or local_today()
    return (select(Institution).join(Placement, Placement.institution_id == Institution.id)
            .join(Area, Area.id == Placement.area_id)
            .where(Placement.valid_to.is_(None), Area.valid_to.is_not(None), Area.valid_to <= day,
                   Institution.active.is_(True)))
