"""`flask participation purge`: erasing registrants' personal data (the group keeps the name operators know)."""
from datetime import datetime

import click
from flask.cli import AppGroup

from .. import clock, unit_of_work
from .purge import purge_personal_data

participation_cli = AppGroup("participation", help="Participation data: registrations, attendance.")


@participation_cli.command("purge")
@click.option("--days", type=click.IntRange(min=0), default=None,
              help="Keep personal data this many days after an occurrence (default: REGISTRATION_PURGE_DAYS).")
@click.option("--now", "now_text", default=None, metavar="YYYY-MM-DDTHH:MM",
              help="Pretend it is this local time (for checks); default: now.")
@unit_of_work.command
def purge_command(days, now_text):
    """Erase registrants' names and contacts once their occurrence is long enough over (counts stay)."""
    now = clock.to_utc(datetime.fromisoformat(now_text)) if now_text else clock.utcnow()
    purged = purge_personal_data(now, days)
    click.echo(f"registrations purged: {purged}")
