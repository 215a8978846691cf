"""A small offline locator map: where a point lies within its province, drawn as SVG from the area coordinates the
app already holds (each commune's centre as a dot) — no tile server, no third-party script.

Data in, drawing out: `locator(point, outline)` takes the point and the (lat, lon) of the province's units and
returns the SVG's dots and marker in its own coordinates; the template draws them.
"""
from dataclasses import dataclass
from math import cos, radians

WIDTH = 240
#: blank margin around the drawing, in SVG units
MARGIN = 10


@dataclass(frozen=True)
class Locator:
    width: int
    height: int
    dots: list[tuple[float, float]]
    marker: tuple[float, float]


def locator(point: tuple[float, float], outline: list[tuple[float, float]]) -> Locator | None:
    """The drawing, or None when there are too few units to show a shape (a point on a blank square tells
    nothing) or the point lies far outside them (wrong coordinates should not look right)."""
    if len(outline) < 3:
        return None
    lats = [lat for lat, _lon in outline] + [point[0]]
    lons = [lon for _lat, lon in outline] + [point[1]]
    south, north, west, east = min(lats), max(lats), min(lons), max(lons)
    span_lat, span_lon = north - south, east - west
    if span_lat <= 0 or span_lon <= 0 or span_lat > 5 or span_lon > 5:
        return None
    # a degree of longitude is shorter than a degree of latitude away from the equator
    squeeze = cos(radians((north + south) / 2))
    scale = (WIDTH - 2 * MARGIN) / (span_lon * squeeze)
    height = round(span_lat * scale + 2 * MARGIN)

    def place(lat: float, lon: float) -> tuple[float, float]:
        return (round(MARGIN + (lon - west) * squeeze * scale, 1), round(MARGIN + (north - lat) * scale, 1))

    return Locator(WIDTH, height, [place(lat, lon) for lat, lon in outline], place(*point))
