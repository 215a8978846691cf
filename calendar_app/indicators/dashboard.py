"""What the dashboard shows for one indicator: its rows, three charts and where to find who is missing."""
from dataclasses import dataclass, field, replace

from flask_babel import gettext as _
from markupsafe import Markup

from . import charts, labels
from .rollup import IndicatorResult, Report, Row, overall

#: the trend draws at most this many lines; more would not read
MAX_SERIES = 8
#: the chart by area draws every child up to this many; beyond, the lowest and highest few (the table has all)
MAX_AREA_BARS = 12
EACH_END = 5
#: museums listed one by one on the dashboard and on paper; beyond, the fewest programmes first (dashboard)
#: or one line per area (paper), and the downloads list every museum
MAX_MUSEUMS = 20


@dataclass
class Line:
    """A row of the indicator's table, labelled for people, with its drill-down when someone is missing."""

    label: str
    row: Row
    #: query arguments for the drill-down, or None when nobody is missing
    missing: dict | None = None


@dataclass
class Panel:
    key: str
    name: str
    definition: str
    unit: str
    lines: list[Line]
    by_row: Markup
    by_area: Markup
    over_time: Markup
    #: (area, the area's overall row), lowest value first, areas without data last
    area_lines: list = field(default_factory=list)
    missing_all: dict | None = None
    notes: list[str] = field(default_factory=list)


def _missing(result: IndicatorResult, row: Row) -> dict | None:
    kind = result.indicator.kind
    if kind == "share" and row.denominator > row.numerator:
        return {"indicator": result.key, "category": row.category}
    if kind == "programmes" and row.numerator == 0:
        return {"indicator": result.key}
    return None


def _scale(result: IndicatorResult, locale: str | None = None) -> dict:
    """How the charts of an indicator write figures and scale their axis."""
    unit, kind = result.indicator.unit, result.indicator.kind
    locale = locale or labels.figures_locale()  # looked up once for the chart's figures
    return {"fmt": lambda value: labels.format_figure(value, unit, locale),
            "full_scale": 100.0 if kind == "share" else None, "whole": kind == "programmes"}


def _lines(result: IndicatorResult) -> list[Line]:
    """The panel's rows: every row, or for the museums beyond MAX_MUSEUMS those with the fewest programmes."""
    key = result.key
    lines = [Line(labels.row_label(key, row), row, _missing(result, row)) for row in result.rows]
    if result.indicator.kind == "programmes" and len(lines) > MAX_MUSEUMS:
        lines = sorted(lines, key=lambda line: (line.row.numerator, line.label))[:MAX_MUSEUMS]
    return lines


def charted_museums(report: Report) -> list[str]:
    """The museums (slugs) whose programmes the panel's trend draws: the trend's past years need only theirs."""
    result = next((result for result in report.indicators if result.indicator.kind == "programmes"), None)
    return [] if result is None else [line.row.institution for line in _lines(result)[:MAX_SERIES]
                                      if line.row.institution is not None]


def panel(result: IndicatorResult, history: list[Report]) -> Panel:
    """The panel of one indicator; `history` holds the reports of the trend's years, oldest first."""
    key, scale = result.key, _scale(result)
    name = str(labels.INDICATOR_NAMES[key])
    lines = _lines(result)
    notes = []
    if len(lines) < len(result.rows):
        notes.append(_("The table and the chart show the %(shown)s museums with the fewest programmes, of "
                       "%(count)s; the downloads list every museum.", shown=MAX_MUSEUMS, count=len(result.rows)))

    by_row = charts.bar_chart(
        _("%(name)s by category", name=name) if result.indicator.kind != "programmes"
        else _("%(name)s by museum", name=name),
        [charts.Bar(line.label, line.row.value, line.row.target, line.row.status,
                    note=f"{line.row.numerator}/{line.row.denominator}" if result.indicator.kind == "share" else "")
         for line in lines], no_data=_("no data"), **scale)

    single = all(len(part.rows) == 1 for part in result.areas) and result.indicator.kind != "programmes"
    area_lines = sorted(((part.area, overall(result.indicator, part.rows)) for part in result.areas),
                        key=lambda pair: (pair[1].value is None, pair[1].value or 0, pair[0].name))
    charted = area_lines
    if len(area_lines) > MAX_AREA_BARS:
        known = [pair for pair in area_lines if pair[1].value is not None]
        charted = known[:EACH_END] + known[max(EACH_END, len(known) - EACH_END):]
        notes.append(_("The chart by area shows the %(each)s lowest and %(each)s highest of %(count)s areas; "
                       "the table of areas lists them all.", each=EACH_END, count=len(area_lines)))
    area_bars = [charts.Bar(child.name, total.value, total.target if single else None,
                            total.status if single else "no_target",
                            note=f"{total.numerator}/{total.denominator}" if result.indicator.kind == "share" else "")
                 for child, total in charted]
    by_area = charts.bar_chart(_("%(name)s by area", name=name), area_bars, no_data=_("no data"), **scale)

    years = [report.year for report in history]
    keyed = [{(row.institution or row.category): row for row in report.result(key).rows} for report in history]
    series = []
    for line in lines[:MAX_SERIES]:
        row_key = line.row.institution or line.row.category
        series.append((line.label, [year_rows[row_key].value if row_key in year_rows else None
                                    for year_rows in keyed]))
    target = None
    if len(lines) == 1:
        target = [year_rows[k].target if (k := lines[0].row.institution or lines[0].row.category) in year_rows
                  else None for year_rows in keyed]
    over_time = charts.line_chart(_("%(name)s since %(year)s", name=name, year=years[0]) if years else name,
                                  years, series, target=target, target_label=_("Target"), **scale)
    if len(lines) > MAX_SERIES:
        notes.append(_("The trend shows the first %(count)s rows.", count=MAX_SERIES))
    missing_all = {"indicator": key} if result.indicator.kind == "growth" else None
    return Panel(key=key, name=name, definition=str(labels.INDICATOR_DEFINITIONS[key]),
                 unit=result.indicator.unit, lines=lines, by_row=by_row, by_area=by_area, over_time=over_time,
                 area_lines=area_lines, missing_all=missing_all, notes=notes)


def printed_rows(result: IndicatorResult, rows: list[Row]) -> list[Row]:
    """The rows of an area as the printed report gives them: every museum up to MAX_MUSEUMS in the report,
    beyond that one line for the area's museums (their programmes added up)."""
    if result.indicator.kind != "programmes" or len(result.rows) <= MAX_MUSEUMS or not rows:
        return rows
    total = overall(result.indicator, rows)
    return [replace(total, institution="", name=f"Các bảo tàng ({len(rows)})")]


def report_chart(result: IndicatorResult, rows: list[Row] | None = None) -> Markup:
    """The printed report's chart of one indicator (its rows, or the `rows` given), labelled in Vietnamese
    like the rest of it."""
    return charts.bar_chart(
        labels.VI_INDICATOR_NAMES[result.key],
        [charts.Bar(labels.vi_row_label(result.key, row), row.value, row.target, row.status,
                    note=f"{row.numerator}/{row.denominator}" if result.indicator.kind == "share" else "")
         for row in (result.rows if rows is None else rows)],
        no_data="chưa có số liệu", **_scale(result, "vi"))
