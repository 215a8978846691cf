"""`flask areas import` (the official units) and `flask areas reform` (moving institutions into them)."""
import time

import click
from flask.cli import AppGroup

from .. import unit_of_work
from ..validation import ValidationFailed
from . import official
from .importer import all_provinces, import_units, provinces_to_import
from .reform import apply_reform, plan_reform

areas_cli = AppGroup("areas", help="Official administrative units and the 2025 reform.")


@areas_cli.command("import")
@click.option("--province", "codes", multiple=True, metavar="CODE",
              help="A province of either tree (with the provinces merged with it); repeatable.")
@click.option("--all", "everything", is_flag=True, help="Every province of the country, both trees.")
@unit_of_work.command
def import_command(codes, everything):
    """Load the official units on both sides of the 1 July 2025 reform; a second run changes nothing."""
    if bool(codes) == everything:
        raise click.UsageError("Give --province CODE (one or more) or --all.")
    started = time.perf_counter()
    try:
        legacy, current = all_provinces() if everything else provinces_to_import(codes)
    except official.UnknownUnit as error:
        raise click.BadParameter(str(error), param_hint="--province") from None
    click.echo(f"provinces: legacy {', '.join(sorted(legacy)) if not everything else len(legacy)}; "
               f"current {', '.join(sorted(current)) if not everything else len(current)}")
    result = import_units(legacy, current, echo=click.echo)
    if result.unofficial:
        click.echo(f"{len(result.unofficial)} areas under these provinces are not in the official lists and were "
                   f"left as they are: " + ", ".join(f"{a.code} {a.name}" for a in result.unofficial[:20])
                   + (" …" if len(result.unofficial) > 20 else ""))
    unit_of_work.commit()
    took = time.perf_counter() - started
    if result.changes:
        click.echo(f"done in {took:.1f} s: {result.added} areas added, {result.changed} changed, "
                   f"{result.unchanged} unchanged, {result.successions_added} successions added")
    else:
        click.echo(f"nothing changed ({result.unchanged} areas already up to date; {took:.1f} s)")


@areas_cli.command("reform")
@click.option("--province", "code", required=True, metavar="CODE", help="Code of the new (merged) province.")
@click.option("--dry-run", is_flag=True, help="Print the plan and change nothing.")
@unit_of_work.command
def reform_command(code, dry_run):
    """Move every institution of the old units that now form the province into the new units, from 1 July 2025."""
    try:
        plan = plan_reform(code)
    except ValidationFailed as error:
        raise click.BadParameter(" ".join(error.fields.values()), param_hint="--province") from None
    olds = ", ".join(f"{a.code} {a.name}" for a in plan.old_provinces) or "none"
    click.echo(f"{plan.province.name} ({plan.province.code}) from {official.REFORM_DATE}: formed from {olds}")
    for move in plan.moves:
        how = {"mapping": "official mapping", "province": "the province itself",
               "nearest": f"nearest of the successors, {move.distance_km} km"}[move.how]
        click.echo(f"  move {move.institution.slug}: {move.old.code} {move.old.name} → {move.new.code} "
                   f"{move.new.name} ({how})")
    for item in plan.unplaced:
        options = ", ".join(f"{a.code} {a.name}" for a in item.candidates) or "—"
        click.echo(f"  PLACE BY HAND {item.institution.slug} (in {item.old.code} {item.old.name}): {item.reason}; "
                   f"candidates: {options}")
    nearest = sum(1 for move in plan.moves if move.how == "nearest")
    click.echo(f"{len(plan.moves)} institutions to move ({nearest} by nearest successor), "
               f"{len(plan.unplaced)} to place by hand")
    if dry_run:
        click.echo("dry run: nothing changed")
        return
    if not plan.moves:
        click.echo("nothing to move")
        return
    moved = apply_reform(None, plan)
    unit_of_work.commit()
    click.echo(f"moved {moved} institutions from {official.REFORM_DATE}")
