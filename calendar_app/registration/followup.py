"""What calls for an e-mail to a registrant (when they gave an address): their registration (the confirmation
with the booked date and the secret link), tomorrow's date (a reminder), a moved, cancelled or restored date,
a waitlist place that opens.

Nothing is sent inside a request: each of these writes a RegistrantMail row in the transaction that called for
it (queue_* below). notifications/registrant_mail.py composes and sends the rows that are due, from the
scheduler. The purge of personal data deletes the rows of the registrations it erases.
"""
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app, has_request_context, request
from sqlalchemy import and_, exists, select

from .. import clock, signals
from ..events.models import Activity, Occurrence
from ..extensions import db
from .models import RegistrantMail, Registration


def site_root() -> str:
    """The site root that e-mails link to: PUBLIC_BASE_URL (required in production), else the request's host,
    else https://CALENDAR_DOMAIN (a job without a request in development)."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not base:
        base = request.host_url if has_request_context() else f"https://{current_app.config['CALENDAR_DOMAIN']}"
    return base.rstrip("/")


def url_for_site(endpoint: str, **values) -> str:
    """An absolute URL of this site for an e-mail, with or without a request (site_root())."""
    root = urlsplit(site_root())
    adapter = current_app.url_map.bind(root.netloc, script_name=root.path or "/", url_scheme=root.scheme)
    return adapter.build(endpoint, values, force_external=True)


def reachable(registration: Registration) -> bool:
    """Whether the registration still has someone to write to."""
    return bool(registration.email) and registration.purged_at is None and not registration.walk_in


def queue(registration: Registration, kind: str, link: str | None = None,
          due: datetime | None = None) -> RegistrantMail | None:
    """Add an e-mail for the registration, unless it has no address or the same news already waits."""
    if not reachable(registration):
        return None
    if kind != "confirmation" and registration.id is not None and db.session.scalar(
            select(RegistrantMail.id).where(RegistrantMail.registration_id == registration.id,
                                            RegistrantMail.kind == kind, RegistrantMail.done_at.is_(None)).limit(1)):
        return None  # told once, with what stands when it is sent
    now = clock.utcnow()
    mail = RegistrantMail(registration=registration, kind=kind, link=link, created_at=now, due_at=due or now)
    db.session.add(mail)
    return mail


def queue_confirmation(registration: Registration, secret: str) -> RegistrantMail | None:
    return queue(registration, "confirmation",
                 link=url_for_site("registration.registration", secret=secret))


def queue_changes(activity: Activity, occurrence_ids: set[int]) -> None:
    """The `booked_dates_changed` signal: everyone still registered for those coming dates hears of it."""
    now = clock.utcnow()
    registrations = db.session.scalars(
        select(Registration).join(Occurrence, Occurrence.id == Registration.occurrence_id)
        .where(Registration.occurrence_id.in_(occurrence_ids), Registration.status != "cancelled",
               Registration.email.is_not(None), Registration.purged_at.is_(None),
               # a date that is over is news to nobody (a move into the past is still news)
               (Occurrence.original_start > now) | (Occurrence.starts_at > now))
        .order_by(Registration.id))
    for registration in registrations:
        queue(registration, "changed")


def queue_reminders(now: datetime) -> int:
    """Queue the day-before reminder of every confirmed registration whose date is tomorrow (local day).

    Run by the scheduler once a day; a registration is reminded once, whatever happens to its date later.
    """
    tomorrow = clock.local_day(now) + timedelta(days=1)
    start, end = clock.local_midnight_utc(tomorrow), clock.local_midnight_utc(tomorrow + timedelta(days=1))
    reminded = exists().where(RegistrantMail.registration_id == Registration.id, RegistrantMail.kind == "reminder")
    registrations = db.session.scalars(
        select(Registration).join(Occurrence, Occurrence.id == Registration.occurrence_id)
        .join(Activity, Activity.id == Registration.activity_id)
        .where(Registration.status == "confirmed", Registration.email.is_not(None),
               Registration.purged_at.is_(None), Registration.walk_in.is_(False), ~reminded,
               Occurrence.status == "scheduled", Activity.status == "published",
               and_(Occurrence.starts_at >= start, Occurrence.starts_at < end), Occurrence.starts_at > now)
        .order_by(Registration.id))
    queued = 0
    for registration in registrations:
        if queue(registration, "reminder", due=now) is not None:
            queued += 1
    db.session.flush()
    return queued


def subscribe() -> None:
    signals.booked_dates_changed.connect(queue_changes)
