"""Which year and area a report is for: parsing and defaults shared by the API, the CLI and the dashboard."""
from flask_babel import gettext as _

from ..clock import local_today
from ..places.lookup import unit_for_year
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


def find_area(code: str | None, year: int, fallback: Area | None = None) -> Area:
    """The unit with this code valid during `year` (the later one if two were); without a code, `fallback`
    or the default area (the province, when the deployment has one)."""
    if code:
        area = unit_for_year(code.strip(), year)
        if area is None:
            raise SelectionError(404, "area", _("No area has the code %(code)s.", code=code))
        return area
    area = fallback or default_area(year)
    if area is None:
        raise SelectionError(400, "area", _("Give the area code: there is more than one province."))
    return area
