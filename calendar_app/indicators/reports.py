"""The report of a year and an area, as the API, the dashboard and the command line give it: computed from
the figures recorded here (rollup.py), with the documents imported from provinces that run their own
deployment (imported.py) — the imported area's own document as it came, and added up above it."""
from collections.abc import Collection
from datetime import datetime

from ..clock import local_day, utcnow
from ..places.models import Area
from . import imported, rollup


def report(year: int, area: Area, now: datetime | None = None, with_children: bool = True) -> rollup.Report:
    document = imported.imported_report(year, area)
    if document is not None:
        return imported.as_report(document, area)
    computed = rollup.compute(year, area, now, with_children)
    return imported.add_imported(computed, computed.targets)


def trend(area: Area, first: int, last: int, now: datetime | None = None,
          museums: Collection[str] | None = None) -> list[rollup.Report]:
    """The reports of every year from `first` through `last`, without the child breakdown: the years that
    are over computed together (rollup.past_years; with `museums`, only those museums' rows computed), the
    others one by one."""
    now = now or utcnow()
    years = range(first, last + 1)
    documents = imported.imported_reports(years, area)
    over = [year for year in years if year not in documents and year < local_day(now).year]
    computed = dict(zip(over, rollup.past_years(over, area, now, museums), strict=True))
    below = imported.imported_below(over, area)
    reports = []
    for year in years:
        document = documents.get(year)
        if document is not None:
            reports.append(imported.as_report(document, area))
        elif year in computed:
            reports.append(imported.add_imported(computed[year], computed[year].targets, below[year]))
        else:
            reports.append(report(year, area, now, with_children=False))
    return reports
