"""API endpoints for indicators (see api/core.py for the plumbing)."""
from flask import jsonify, request

from ..extensions import limiter
from ..indicators.reports import report
from ..indicators.schema import IndicatorsOut
from ..indicators.selection import SelectionError, find_area, parse_year
from .core import ApiError, bp, documented


@documented("/indicators", "GET", "The seven indicators of a year for an area and its subtree, by child area",
            tag="indicators", response_model=IndicatorsOut,
            query={"year": "reporting year (default: this year)",
                   "area": "area code (default: the province when there is only one)"})
@bp.get("/indicators")
# public, and each report is heavy at province scale: bounded per client address
@limiter.limit("20 per minute")
def indicators():
    try:
        year = parse_year(request.args.get("year"))
        area = find_area(request.args.get("area"), year)
    except SelectionError as error:
        code = "not_found" if error.status == 404 else "bad_query"
        raise ApiError(error.status, code, error.reason, {error.field: error.reason}) from None
    return jsonify(report(year, area).as_document())
