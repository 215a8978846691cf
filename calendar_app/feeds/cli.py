"""`flask feeds rebuild`: fill the feed store after writes that bypassed the app (a bulk load, SQL by hand)."""
import time

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import text

from .. import unit_of_work
from ..clock import local_today, utcnow
from ..events.keys import refill as refill_key_text
from ..extensions import db
from . import store
from .context import feed_context

feeds_cli = AppGroup("feeds", help="The calendar feeds' store.")


@feeds_cli.command("rebuild")
@click.option("--base-url", help="Site root the feeds are served under (default: PUBLIC_BASE_URL).")
def rebuild_command(base_url):
    """Serialise again every activity's part of the feeds and forget every assembled feed.

    The app keeps the store up to date on every write it makes; run this after changing activities,
    occurrences or institutions by other means, or after changing CALENDAR_DOMAIN or CALENDAR_TIMEZONE. It first
    copies again each activity's category and audience keys where links were written by other means.
    Fragments are serialised for the feeds' window; without a base URL they are only marked, and the first
    request of each feed serialises what it shows."""
    config = current_app.config
    base = (base_url or config.get("PUBLIC_BASE_URL") or "").rstrip("/") or None
    context = feed_context(base) if base else None
    window = store.Window.around(local_today(), utcnow(), config["FEED_PAST_DAYS"], config["FEED_FUTURE_DAYS"])
    started = time.perf_counter()
    # links written by other means leave the lists' copy of an activity's keys behind (events/keys.py)
    rewritten = unit_of_work.command(refill_key_text)(db.session)
    if rewritten:
        click.echo(f"  {rewritten:,} activities' category and audience keys copied again", err=True)
    marked, built = unit_of_work.command(store.rebuild)(
        db.session, context, window,
        lambda done: click.echo(f"  {done:,} serialised", err=True) if done % 5000 < 500 else None)
    if db.engine.dialect.name == "postgresql":
        # every body was rewritten: leave the tables compact and their statistics right for the feeds' queries
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in ("feed_fragments", "feed_fragment_bodies", "feed_bodies"):
                connection.execute(text(f"VACUUM ANALYZE {table}"))
    where = f"for {base}" if base else "(no base URL: PUBLIC_BASE_URL or --base-url; serialised on first request)"
    click.echo(f"{marked:,} activities marked, {built:,} serialised {where} in {time.perf_counter() - started:.1f} s",
               err=True)
