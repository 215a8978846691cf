"""The scheduled jobs: what each does (a plain function of `now`), when, and the period a run covers.

Daily jobs fire every hour of their window and the period is the local date, so the first firing of
the day claims the run and the others find it done; a scheduler started late in the day catches up.
"""
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ..clock import local_day
from ..notifications.mail import deliver_pending
from ..notifications.registrant_mail import deliver_registrant_mail
from ..notifications.reminders import attendance_due_reminders, deadline_reminders
from ..registration.followup import queue_reminders

log = logging.getLogger(__name__)


def daily(now: datetime) -> str:
    return local_day(now).isoformat()


def every_five_minutes(now: datetime) -> str:
    return now.replace(minute=now.minute - now.minute % 5, second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M")


def send_emails(now: datetime) -> str:
    return f"{deliver_pending(now)} reminder e-mail(s), {deliver_registrant_mail(now)} registrant e-mail(s) sent"


def registrant_reminders(now: datetime) -> str:
    """Queue the day-before reminders of tomorrow's registrations, and send them."""
    return f"{queue_reminders(now)} reminder(s) queued; {deliver_registrant_mail(now)} registrant e-mail(s) sent"


def with_emails(job: Callable[[datetime], object]) -> Callable[[datetime], str]:
    """Run a reminder job, then e-mail what it created right away rather than at the next e-mail run."""
    def run(now: datetime) -> str:
        outcome = job(now)
        return f"{outcome}; {deliver_pending(now)} e-mail(s) sent"
    run.__name__ = job.__name__
    return run


def purge_personal_data(now: datetime) -> str:
    """Erase registrants' personal data past its keeping time (registration owns the rule)."""
    from ..registration.purge import purge_personal_data as purge

    purged = purge(now)
    return f"{purged} registration(s) purged"


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[datetime], object]
    period: Callable[[datetime], str]
    #: APScheduler cron fields, in CALENDAR_TIMEZONE
    cron: dict = field(default_factory=dict)
    description: str = ""


JOBS: dict[str, Job] = {job.name: job for job in (
    Job("attendance_reminders", with_emails(attendance_due_reminders), daily, {"hour": "7-20", "minute": 5},
        "editors with held occurrences lacking attendance"),
    Job("deadline_reminders", with_emails(deadline_reminders), daily,
        {"month": "11,12", "hour": "8-20", "minute": 10},
        "from 1/11: years not submitted, and what officers have pending before 15/11"),
    Job("purge_personal_data", purge_personal_data, daily, {"minute": 20},
        "erase registrants' personal data after the keeping period"),
    Job("registrant_reminders", registrant_reminders, daily, {"hour": "8-20", "minute": 15},
        "e-mail registrants whose date is tomorrow"),
    Job("send_emails", send_emails, every_five_minutes, {"minute": "*/5"},
        "e-mail reminders and registrants' e-mails not sent yet (retries after a mail server outage)"),
)}
