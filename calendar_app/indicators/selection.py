"""Which year and area a report is for: parsing and defaults shared by the API, the CLI and the dashboard."""
from flask_babel import gettext as _
from sqlalchemy import select

from ..clock import local_today
from ..extensions import db
from ..places.models import Area
from ..validation import ValidationFailed
from ..years import checked_year
from .rollup import default_area


class SelectionError(ValueError):
    """A year or area that cannot be reported on; `status` is 400 (malformed) or 404 (unknown area)."""

    def __init__(self, status: int, field: str, reason: str):
        super().__init__(reason)
        self.status, self.field, self.reason = status, field, reason


def parse_year(text: str | int | None) -> int:
    """The reporting year; the current local year when not given."""
    if text is None or text == "":
        return local_today().year
    try:
        return checked_year(text)
    except ValidationFailed as refused:
        raise SelectionError(400, "year", refused.fields["year"]) from None


def find_area(code: str | None, fallback: Area | None = None) -> Area:
    """The area with this code; without a code, `fallback` or the single root (the province)."""
    if code:
        area = db.session.scalar(select(Area).where(Area.code == code.strip()))
        if area is None:
            raise SelectionError(404, "area", _("No area has the code %(code)s.", code=code))
        return area
    area = fallback or default_area()
    if area is None:
        raise SelectionError(400, "area", _("Give the area code: there is more than one province."))
    return area
