"""The years the service knows: when the plan starts, and the years any page, report or figure may name."""
from flask_babel import gettext as _

from .validation import ValidationFailed

#: the provincial plan 2682/KH-UBND runs from 2023: reports, approvals and indicator history start there
PLAN_FIRST_YEAR = 2023
#: beyond these a year is a typo or a crawler
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
YEARS = range(EARLIEST_YEAR, LATEST_YEAR + 1)


def checked_year(value, first: int = EARLIEST_YEAR, last: int = LATEST_YEAR) -> int:
    """`value` (12, "2025") as a year from `first` to `last`; ValidationFailed on "year" otherwise."""
    try:
        year = int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an infinite float from a spreadsheet
        raise ValidationFailed({"year": _("Enter the year as four digits, e.g. 2025.")}) from None
    if not first <= year <= last:
        raise ValidationFailed({"year": _("The year must be between %(first)s and %(last)s.", first=first,
                                          last=last)})
    return year
