"""Charts as inline SVG, drawn on the server: figures in, markup out.

No script and no style attributes (the CSP forbids both): geometry goes in presentation attributes,
colours in classes that dashboard.css styles. Every figure is also written as text beside its mark, and
series differ by dash pattern as well as colour, so a chart still reads in black-and-white print.
"""
import math
from collections.abc import Callable
from dataclasses import dataclass
from itertools import count

from markupsafe import Markup, escape

WIDTH = 680
_ids = count(1)

#: stroke patterns per series, so lines stay apart in grey print
DASHES = ("", "7 4", "2 3", "10 3 2 3", "4 4", "1 2", "12 4", "6 2 2 2")


@dataclass
class Bar:
    label: str
    value: float | None
    target: float | None = None
    status: str = "no_target"
    #: text shown after the value, e.g. "5/7"
    note: str = ""


def _ticks(low: float, high: float, wanted: int = 5) -> list[float]:
    """Round tick values covering [low, high]."""
    span = high - low or 1
    raw = span / wanted
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks = [round(first, 6)]
    while ticks[-1] < high - step * 1e-9:  # the last tick is at or above the largest figure
        ticks.append(round(ticks[-1] + step, 6))
    return ticks


def _domain(values, full_scale: float | None, whole: bool) -> tuple[float, float, list[float]]:
    """(low, high, ticks): from 0 (or below, for falls) to the full scale or the largest figure."""
    known = [v for v in values if v is not None]
    low = min([0.0, *known])
    high = max([full_scale or 1.0, *known])
    ticks = _ticks(low, high)
    if whole:
        ticks = sorted({float(math.ceil(t)) for t in ticks})
    return ticks[0], ticks[-1], ticks


def plain_number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def _short(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def bar_chart(title: str, bars: list[Bar], fmt: Callable[[float], str] = plain_number, no_data: str = "—",
              full_scale: float | None = None, whole: bool = False) -> Markup:
    """Horizontal bars, one per item, with the target as a tick and the figure written after the plot.

    `fmt` writes a figure (locale, unit); `full_scale` is where the axis ends at least (100 for shares);
    `whole` keeps the ticks on whole numbers (counts).
    """
    if not bars:
        return Markup("")
    left, right, row, top = 240, 110, 26, 6
    plot = WIDTH - left - right
    low, high, ticks = _domain([b.value for b in bars] + [b.target for b in bars], full_scale, whole)
    height = top + row * len(bars) + 30

    def x(value: float) -> float:
        return round(left + (value - low) / (high - low) * plot, 1)

    chart_id = f"chart-{next(_ids)}"
    out = [f'<svg class="chart bar-chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
           f'role="img" aria-labelledby="{chart_id}" xmlns="http://www.w3.org/2000/svg">',
           f'<title id="{chart_id}">{escape(title)}</title>']
    for tick in ticks:
        out.append(f'<line class="grid" x1="{x(tick)}" x2="{x(tick)}" y1="{top}" y2="{height - 24}" />')
        out.append(f'<text class="tick" x="{x(tick)}" y="{height - 8}" text-anchor="middle">'
                   f'{escape(fmt(tick))}</text>')
    zero = x(0)
    for index, bar in enumerate(bars):
        y = top + index * row
        middle = y + row / 2
        described = f"{bar.label}: {no_data if bar.value is None else fmt(bar.value)}"
        if bar.target is not None:
            described += f" / {fmt(bar.target)}"
        out.append(f'<g class="item status-{escape(bar.status)}"><title>{escape(described)}</title>')
        out.append(f'<text class="label" x="{left - 8}" y="{middle + 4}" text-anchor="end">'
                   f'{escape(_short(bar.label))}</text>')
        if bar.value is not None:
            start, end = sorted((zero, x(bar.value)))
            out.append(f'<rect class="bar" x="{start}" y="{y + 5}" width="{max(round(end - start, 1), 1)}" '
                       f'height="{row - 10}" />')
        if bar.target is not None:
            out.append(f'<line class="target" x1="{x(bar.target)}" x2="{x(bar.target)}" y1="{y + 2}" '
                       f'y2="{y + row - 2}" />')
        figure = no_data if bar.value is None else fmt(bar.value)
        if bar.note:
            figure += f" ({bar.note})"
        out.append(f'<text class="figure" x="{left + plot + 8}" y="{middle + 4}">{escape(figure)}</text></g>')
    out.append(f'<line class="axis" x1="{zero}" x2="{zero}" y1="{top}" y2="{height - 24}" />')
    out.append("</svg>")
    return Markup("".join(out))


def line_chart(title: str, years: list[int], series: list[tuple[str, list[float | None]]],
               fmt: Callable[[float], str] = plain_number, full_scale: float | None = None, whole: bool = False,
               target: list[float | None] | None = None, target_label: str = "") -> Markup:
    """One line per series over the years (gaps where a year has no figure), the target as a dashed step."""
    if not years or not series:
        return Markup("")
    left, right, top, plot_height = 52, 24, 12, 170
    plot = WIDTH - left - right
    lines = list(series) + ([(target_label, target)] if target and any(t is not None for t in target) else [])
    legend_rows = math.ceil(len(lines) / 2)
    height = top + plot_height + 30 + legend_rows * 20
    low, high, ticks = _domain([v for _label, values in lines for v in values], full_scale, whole)

    def x(index: int) -> float:
        return round(left + (plot / 2 if len(years) == 1 else index * plot / (len(years) - 1)), 1)

    def y(value: float) -> float:
        return round(top + plot_height - (value - low) / (high - low) * plot_height, 1)

    chart_id = f"chart-{next(_ids)}"
    out = [f'<svg class="chart line-chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
           f'role="img" aria-labelledby="{chart_id}" xmlns="http://www.w3.org/2000/svg">',
           f'<title id="{chart_id}">{escape(title)}</title>']
    for tick in ticks:
        out.append(f'<line class="grid" x1="{left}" x2="{left + plot}" y1="{y(tick)}" y2="{y(tick)}" />')
        out.append(f'<text class="tick" x="{left - 6}" y="{y(tick) + 4}" text-anchor="end">'
                   f'{escape(fmt(tick))}</text>')
    for index, year in enumerate(years):
        out.append(f'<text class="tick" x="{x(index)}" y="{top + plot_height + 18}" text-anchor="middle">'
                   f'{year}</text>')
    for number, (label, values) in enumerate(lines):
        is_target = target is not None and number == len(lines) - 1 and label == target_label
        kind = "target-line" if is_target else f"series series-{number % len(DASHES)}"
        dash = "5 4" if is_target else DASHES[number % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<g class="{kind}"><title>{escape(label)}</title>')
        segment: list[str] = []
        points = [(i, v) for i, v in enumerate(values)]
        for i, value in points + [(len(values), None)]:
            if value is None:
                if len(segment) > 1:
                    out.append(f'<polyline fill="none" points="{" ".join(segment)}"{dash_attr} />')
                segment = []
                continue
            segment.append(f"{x(i)},{y(value)}")
        if not is_target:
            for i, value in points:
                if value is not None:
                    out.append(f'<circle cx="{x(i)}" cy="{y(value)}" r="3.5"><title>{escape(label)} {years[i]}: '
                               f'{escape(fmt(value))}</title></circle>')
        row, column = divmod(number, 2)
        lx, ly = left + column * (plot / 2), top + plot_height + 40 + row * 20
        out.append(f'<line x1="{lx}" x2="{lx + 28}" y1="{ly - 4}" y2="{ly - 4}"{dash_attr} />')
        out.append(f'<text class="legend" x="{lx + 34}" y="{ly}">{escape(_short(label, 40))}</text></g>')
    out.append("</svg>")
    return Markup("".join(out))
