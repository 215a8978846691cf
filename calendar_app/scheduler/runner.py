"""Running a job at most once per period, whichever scheduler process gets there first.

Two guards: a PostgreSQL advisory lock per job (so two processes never run one job at the same moment),
and a JobRun row per (job, period), unique in the database (so a period that one process finished is
never run again by another). On SQLite, for development, only the row guards.
"""
import atexit
import logging
import os
import socket
import zlib
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

import click
from flask import Flask
from flask.helpers import get_debug_flag
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from werkzeug.serving import is_running_from_reloader

from ..clock import utcnow
from ..extensions import db
from .jobs import JOBS, Job
from .models import JobRun

log = logging.getLogger(__name__)

#: first key of the two-key advisory lock, so our locks never collide with another application's
LOCK_NAMESPACE = 0x4C43  # "LC"

RAN, DONE, BUSY, FAILED = "ran", "already done", "busy elsewhere", "failed"


def lock_key(name: str) -> int:
    """A stable signed 32-bit key for the job's advisory lock."""
    return zlib.crc32(name.encode()) - 2**31


@contextmanager
def advisory_lock(name: str):
    """Yield True when this process holds the job's lock (always True outside PostgreSQL)."""
    if db.engine.dialect.name != "postgresql":
        yield True
        return
    # a connection of its own: the lock lives as long as this session, whatever the job commits
    with db.engine.connect() as connection:
        held = connection.scalar(text("SELECT pg_try_advisory_lock(:ns, :key)"),
                                 {"ns": LOCK_NAMESPACE, "key": lock_key(name)})
        connection.commit()
        try:
            yield bool(held)
        finally:
            if held:
                connection.execute(text("SELECT pg_advisory_unlock(:ns, :key)"),
                                   {"ns": LOCK_NAMESPACE, "key": lock_key(name)})
                connection.commit()


def _host() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def claim(job: str, period: str, locked: bool) -> JobRun | None:
    """Insert the (job, period) row and commit it; None when another process has it.

    Holding the advisory lock (`locked` on PostgreSQL) proves nobody runs the job now, so an unfinished
    row is what a crashed process left: it is taken over rather than lost for the period.
    """
    run = JobRun(job=job, period=period, started_at=utcnow(), host=_host())
    db.session.add(run)
    try:
        db.session.commit()
        return run
    except IntegrityError:
        db.session.rollback()
    if locked and db.engine.dialect.name == "postgresql":
        stale = db.session.scalar(select(JobRun).where(JobRun.job == job, JobRun.period == period,
                                                       JobRun.finished_at.is_(None)))
        if stale is not None:
            log.warning("%s %s: taking over the run left unfinished by %s", job, period, stale.host)
            stale.started_at, stale.host = utcnow(), _host()
            db.session.commit()
            return stale
    return None


def run_job(name: str, now: datetime | None = None) -> tuple[str, str]:
    """Run one job for the period containing `now` unless that period is done or running elsewhere.

    Returns (outcome, detail). Needs an app context.
    """
    job: Job = JOBS[name]
    now = now or utcnow()
    period = job.period(now)
    with advisory_lock(name) as locked:
        if not locked:
            return BUSY, period
        run = claim(name, period, locked)
        if run is None:
            return DONE, period
        try:
            detail = job.run(now)
        except Exception:
            log.exception("%s %s failed", name, period)
            db.session.rollback()
            # give the period back, so the next firing tries again
            db.session.delete(db.session.merge(run))
            db.session.commit()
            return FAILED, period
        run = db.session.merge(run)
        run.finished_at = utcnow()
        db.session.commit()
        return RAN, f"{period}: {detail}"


# --- APScheduler -----------------------------------------------------------------------------------------


def _fire(app: Flask, name: str) -> None:
    with app.app_context():
        outcome, detail = run_job(name)
        log.info("%s: %s (%s)", name, outcome, detail)
        db.session.remove()


def trigger_of(job: Job, zone: ZoneInfo):
    from apscheduler.triggers.cron import CronTrigger

    return CronTrigger(timezone=zone, **job.cron)


def overdue_today(zone: ZoneInfo, now: datetime) -> set[str]:
    """Jobs whose first firing of the local day of `now` has already passed (they catch up at start)."""
    now = now.astimezone(zone)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    overdue = set()
    for job in JOBS.values():
        first = trigger_of(job, zone).get_next_fire_time(None, midnight)
        if first is not None and first.date() == now.date() and first <= now:
            overdue.add(job.name)
    return overdue


def build_scheduler(app: Flask, blocking: bool = False):
    """An APScheduler scheduler with every job of JOBS on its cron, in CALENDAR_TIMEZONE.

    A job whose first firing of the day has already passed runs at once, so a scheduler (re)started in
    the afternoon catches up on the day's reminders, while one started at night waits for the morning.
    """
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    zone = ZoneInfo(app.config["CALENDAR_TIMEZONE"])
    now = datetime.now(zone)
    overdue = overdue_today(zone, now)
    scheduler = (BlockingScheduler if blocking else BackgroundScheduler)(
        timezone=zone, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 600})
    for job in JOBS.values():
        options = {"next_run_time": now} if job.name in overdue else {}
        scheduler.add_job(_fire, trigger_of(job, zone), args=(app, job.name), id=job.name,
                          name=job.description or job.name, **options)
    return scheduler


def serving_process() -> bool:
    """True in the process that `flask run` serves from (the reloader's child, when it reloads)."""
    context = click.get_current_context(silent=True)
    if context is None or context.info_name != "run":
        return False
    reload = context.params.get("reload")
    if reload is None:
        reload = get_debug_flag()
    return is_running_from_reloader() if reload else True


def start_in_process(app: Flask):
    """Start the background scheduler inside `flask run` (development); a no-op anywhere else."""
    if not serving_process() or app.extensions.get("scheduler") is not None:
        return None
    scheduler = build_scheduler(app)
    scheduler.start()
    # stop it before the interpreter does (e.g. when the port is taken), or its thread complains
    atexit.register(scheduler.shutdown, wait=False)
    app.extensions["scheduler"] = scheduler
    click.echo(f" * Scheduler running in this process ({', '.join(JOBS)}); SCHEDULER_ENABLED=0 turns it off",
               err=True)
    return scheduler
