"""`flask report`: the indicator report of a year as CSV, XLSX or JSON; `flask rebuild-facts`."""
import time

import click
from flask.cli import with_appcontext

from .. import unit_of_work
from ..extensions import db
from . import facts
from .exports import FORMATS, render
from .rollup import compute
from .selection import SelectionError, find_area, parse_year


@click.command("report")
@click.option("--year", required=True, help="Reporting year, e.g. 2025.")
@click.option("--area", "area_code", help="Area code (default: the province, when there is only one).")
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="File to write (default: standard output).")
@with_appcontext
def report_command(year, area_code, fmt, output):
    """Compute the seven indicators for an area and its subtree; json is the document of GET /api/v1/indicators."""
    try:
        year = parse_year(year)
        area = find_area(area_code)
    except SelectionError as error:
        raise click.BadParameter(error.reason, param_hint=f"--{error.field}") from None
    data = render(compute(year, area), fmt)
    if output:
        with open(output, "wb") as handle:
            handle.write(data)
        click.echo(f"{output}: {area.name} ({area.code}), {year}, {fmt}", err=True)
    else:
        click.echo(data, nl=False)  # bytes go to the binary stream, so xlsx can be piped too


@click.command("rebuild-facts")
@with_appcontext
@unit_of_work.command
def rebuild_facts_command():
    """Recompute the monthly facts the indicators read, from the occurrences and attendance.

    The app keeps them up to date on every write it makes; run this after changing those tables by other
    means (SQL by hand, a bulk load)."""
    click.echo("Recomputing the monthly facts of every institution…", err=True)
    started = time.perf_counter()
    months, keys = facts.rebuild(db.session)
    click.echo(f"{months:,} institution-months and {keys:,} keys in {time.perf_counter() - started:.1f} s", err=True)
