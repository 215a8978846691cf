"""`flask --app wsgi scheduler`: run the scheduled jobs in the foreground (production: one or more of these)."""
import logging
import signal
from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from ..clock import to_utc
from .jobs import JOBS
from .runner import FAILED, build_scheduler, run_job


@click.command("scheduler")
@click.option("--run", "run_names", multiple=True, type=click.Choice(["all", *JOBS]),
              help="Run these jobs once now (if their period is not done) and exit.")
@click.option("--now", "now_text", help="With --run: the moment to run for, local time YYYY-MM-DDTHH:MM.")
@click.option("--list", "list_jobs", is_flag=True, help="List the jobs and their schedules, then exit.")
@with_appcontext
def scheduler_command(run_names, now_text, list_jobs):
    """Run scheduled jobs in the foreground; several processes may run, each job runs once per period."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if list_jobs:
        for job in JOBS.values():
            cron = " ".join(f"{k}={v}" for k, v in job.cron.items())
            click.echo(f"{job.name:24} {cron:32} {job.description}")
        return
    if run_names:
        now = None
        if now_text:
            try:
                now = to_utc(datetime.fromisoformat(now_text))
            except ValueError:
                raise click.BadParameter("use YYYY-MM-DDTHH:MM", param_hint="--now") from None
        names = list(JOBS) if "all" in run_names else list(dict.fromkeys(run_names))
        failed = False
        for name in names:
            outcome, detail = run_job(name, now)
            failed |= outcome == FAILED
            click.echo(f"{name}: {outcome} ({detail})")
        raise SystemExit(1 if failed else 0)

    scheduler = build_scheduler(current_app._get_current_object(), blocking=True)

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    click.echo(f"scheduler: {len(JOBS)} jobs in {current_app.config['CALENDAR_TIMEZONE']}; Ctrl+C stops")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=True)
