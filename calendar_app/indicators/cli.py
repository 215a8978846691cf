"""`flask report`: the indicator report of a year as CSV, XLSX or JSON; `flask rebuild-facts`."""
import time

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from .. import unit_of_work
from ..extensions import db
from ..validation import ValidationFailed
from . import facts
from .exports import FORMATS, render
from .imported import import_document
from .reports import report
from .selection import SelectionError, find_area, parse_year


@click.group("report", invoke_without_command=True)
@click.option("--year", help="Reporting year, e.g. 2025.")
@click.option("--area", "area_code", help="Area code (default: the province, when there is only one).")
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default="json", show_default=True)
@click.option("--labels", "for_people", is_flag=True,
              help="csv only: headers and values in words, in the site's language (Vietnamese), with a "
                   "byte-order mark for spreadsheet programs; without it the columns are the API's keys.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="File to write (default: standard output).")
@click.pass_context
@with_appcontext
def report_command(ctx, year, area_code, fmt, for_people, output):
    """Compute the seven indicators for an area and its subtree; json is the document of GET /api/v1/indicators.

    `report import FILE` stores a document written by another deployment (a province's own calendar)."""
    if ctx.invoked_subcommand is not None:
        return
    if not year:
        raise click.UsageError("Missing option '--year'.")
    try:
        year = parse_year(year)
        area = find_area(area_code, year)
    except SelectionError as error:
        raise click.BadParameter(error.reason, param_hint=f"--{error.field}") from None
    if for_people and fmt != "csv":
        raise click.UsageError("--labels goes with --format csv (json stays keyed for programs; xlsx is in words).")
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):  # words in the site's language
        data = render(report(year, area), fmt, for_people=for_people)
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


@report_command.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--replace", is_flag=True, help="Replace a document already imported for that area and year.")
@with_appcontext
@unit_of_work.command
def import_command(file, replace):
    """Store the JSON document of a province that runs its own deployment (flask report --format json)."""
    with open(file, "rb") as handle:
        raw = handle.read()
    try:
        done = import_document(raw, source=file, replace=replace)
    except ValidationFailed as error:
        click.echo(f"{file}: refused. {error.message}", err=True)
        for field, reason in error.fields.items():
            click.echo(f"  {field}: {reason}", err=True)
        raise SystemExit(1) from None  # the unit of work rolls back
    unit_of_work.commit()
    click.echo(f"{file}: {done.area.name} ({done.area.code}), {done.year} "
               f"{'replaced' if done.replaced else 'imported'}")
