"""What reaches a registrant by e-mail (when they gave an address): the confirmation with the booked date as an
.ics file and the secret link, a reminder the day before, word when the booked date is moved, cancelled or
restored, and when a waitlist place opens.

Nothing is sent inside a request. What calls for an e-mail writes a RegistrantMail row in its own transaction
(queue_* below); the scheduler's `send_emails` job sends the rows that are due (deliver_registrant_mail),
composing each one then, in the registrant's language, from the registration as it stands. A failed send is
retried later with a growing pause; the purge of personal data deletes the rows of the registrations it erases,
and a row whose registration has lost its address is dropped rather than sent.
"""
import logging
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, exists, select, update

from .. import clock, signals
from ..datestyle import format_day, format_moment
from ..events.models import Activity, Occurrence
from ..extensions import db
from ..feeds.context import feed_context
from ..notifications.mail import connect, mail_configured, site_root
from .models import RegistrantMail, Registration
from .personal_feed import personal_calendar

log = logging.getLogger(__name__)

#: tries before a mail is given up; the pause after the n-th failure is RETRY_PAUSE × 2^(n-1)
MAX_ATTEMPTS = 6
RETRY_PAUSE = timedelta(minutes=5)


# --- queueing (inside the transaction that calls for the e-mail) ----------------------------------------


def url_for_site(endpoint: str, **values) -> str:
    """An absolute URL of this site for an e-mail, with or without a request (site_root())."""
    root = urlsplit(site_root())
    adapter = current_app.url_map.bind(root.netloc, script_name=root.path or "/", url_scheme=root.scheme)
    return adapter.build(endpoint, values, force_external=True)


def _reachable(registration: Registration) -> bool:
    return bool(registration.email) and registration.purged_at is None and not registration.walk_in


def queue(registration: Registration, kind: str, link: str | None = None,
          due: datetime | None = None) -> RegistrantMail | None:
    """Add an e-mail for the registration, unless it has no address or the same news already waits."""
    if not _reachable(registration):
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
        if queue(registration, "reminder") is not None:
            queued += 1
    db.session.flush()
    return queued


def subscribe() -> None:
    signals.booked_dates_changed.connect(queue_changes)


# --- sending (the scheduler) ------------------------------------------------------------------------------


def deliver_registrant_mail(now: datetime, limit: int = 200) -> int:
    """Send the registrants' e-mails that are due; returns how many went out.

    Each row is claimed (done_at set where it was NULL, committed) before it is sent, so two scheduler
    processes never send the same one. A refused recipient gives up that row; any other failure gives the
    claim back with a later due time and stops this run (the server is probably down).
    """
    if not mail_configured():
        return 0
    due = db.session.scalars(select(RegistrantMail.id).where(RegistrantMail.done_at.is_(None),
                                                              RegistrantMail.due_at <= now)
                             .order_by(RegistrantMail.due_at, RegistrantMail.id).limit(limit)).all()
    if not due:
        return 0
    try:
        smtp = connect()
    except (OSError, smtplib.SMTPException) as error:
        log.warning("cannot reach the mail server %s: %s", current_app.config["MAIL_SERVER"], error)
        _postpone(due, now)
        return 0
    sent = 0
    try:
        for mail_id in due:
            claimed = db.session.execute(update(RegistrantMail).where(
                RegistrantMail.id == mail_id, RegistrantMail.done_at.is_(None)).values(done_at=now)).rowcount
            db.session.commit()
            if not claimed:
                continue
            mail = db.session.get(RegistrantMail, mail_id)
            message = compose(mail)
            mail.attempts += 1
            if message is None:
                mail.gave_up, mail.link = True, None  # nothing to tell any more (cancelled, erased, …)
                db.session.commit()
                continue
            try:
                smtp.send_message(message)
            except smtplib.SMTPRecipientsRefused as error:
                log.warning("registrant mail %s: recipient refused: %s", mail_id, error)
                mail.gave_up, mail.link = True, None
                db.session.commit()
                continue
            except (OSError, smtplib.SMTPException) as error:
                log.warning("could not send registrant mail %s: %s", mail_id, error)
                _retry_later(mail, now)
                db.session.commit()
                break
            mail.link = None  # the secret address is not kept once it was sent
            db.session.commit()
            sent += 1
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            pass
    return sent


def _retry_later(mail: RegistrantMail, now: datetime) -> None:
    if mail.attempts >= MAX_ATTEMPTS:
        mail.gave_up, mail.done_at, mail.link = True, now, None
        return
    mail.done_at = None
    mail.due_at = now + RETRY_PAUSE * 2 ** max(mail.attempts - 1, 0)


def _postpone(mail_ids: list[int], now: datetime) -> None:
    """The server could not be reached: each due mail counts a try and waits."""
    for mail in db.session.scalars(select(RegistrantMail).where(RegistrantMail.id.in_(mail_ids))):
        mail.attempts += 1
        _retry_later(mail, now)
    db.session.commit()


# --- what the e-mails say ---------------------------------------------------------------------------------


def compose(mail: RegistrantMail) -> EmailMessage | None:
    """The e-mail of a queued row in the registrant's language, or None when there is nothing to send."""
    registration = mail.registration
    if not _reachable(registration):
        return None
    occurrence, activity = registration.occurrence, registration.activity
    cancelled_date = occurrence.status == "cancelled" or activity.status == "cancelled"
    if mail.kind in ("reminder", "promoted") and (registration.status != "confirmed" or cancelled_date):
        return None
    if mail.kind == "changed" and registration.status == "cancelled":
        return None
    with force_locale(registration.locale or "vi"):
        subject, lines = _text(mail, registration, cancelled_date)
        footer = [
            "",
            _("Organiser: %(name)s", name=activity.institution.name)
            + (f" · {activity.institution.contact_phone}" if activity.institution.contact_phone else ""),
            _("Activity page: %(url)s", url=url_for_site("public.event", activity_id=activity.id)),
            "",
            _("You receive this e-mail because you registered with this address on the lifelong learning "
              "calendar. Your name and contact are erased some weeks after the activity."),
        ]
        calendar_name = _("My registrations")
        waitlist_label = _("Waitlist")
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = registration.email
    message["Subject"] = subject
    message.set_content("\n".join([*lines, *footer]) + "\n")
    body = personal_calendar([registration], calendar_name, feed_context(site_root()), waitlist_label)
    message.add_attachment(body, maintype="text", subtype="calendar", filename="lich-hoat-dong.ics",
                           params={"charset": "utf-8"})
    return message


def _when(occurrence: Occurrence, all_day: bool, moment: datetime | None = None) -> str:
    moment = moment or occurrence.starts_at
    if all_day:
        return format_day(clock.local_day(moment))
    return format_moment(clock.to_local(moment))


def _where(activity: Activity) -> str:
    institution = activity.institution
    return activity.location or institution.address or institution.name


def _reason(registration: Registration) -> str | None:
    """The organisers' reason for a move or a cancellation, when they gave one (read defensively: the column
    belongs to the staff's pages)."""
    for holder in (registration.occurrence, registration.activity):
        reason = getattr(holder, "change_reason", None) or getattr(holder, "cancel_reason", None)
        if reason:
            return str(reason)
    return None


def _text(mail: RegistrantMail, registration: Registration, cancelled_date: bool) -> tuple[str, list[str]]:
    occurrence, activity = registration.occurrence, registration.activity
    title, all_day = activity.title, activity.all_day
    when = _when(occurrence, all_day)
    greeting = _("Hello %(name)s,", name=registration.name) if registration.name else _("Hello,")
    details = [
        "",
        _("Activity: %(title)s", title=title),
        _("When: %(when)s", when=when),
        _("Where: %(where)s", where=_where(activity)),
        _("People: %(count)s", count=registration.people),
    ]
    reason = _reason(registration)
    because = [_("The organisers' reason: %(reason)s", reason=reason)] if reason else []
    if mail.kind == "confirmation":
        if registration.status == "waitlisted":
            subject = _("You are on the waitlist: %(title)s", title=title)
            lead = _("The date you chose is full, so you are on its waitlist. If someone cancels, you move up in "
                     "order and we e-mail you when a place is yours.")
        else:
            subject = _("Your registration is confirmed: %(title)s", title=title)
            lead = _("Your place is booked. The attached file adds this date to your calendar.")
        lines = [greeting, "", lead, *details]
        if mail.link:
            lines += ["", _("Your registration (to check it or cancel it, without an account): %(url)s",
                            url=mail.link),
                      _("Keep this link to yourself: anyone who has it can cancel your registration.")]
        return subject, lines
    if mail.kind == "reminder":
        subject = _("Tomorrow: %(title)s", title=title)
        return subject, [greeting, "", _("A reminder: you are registered for this activity tomorrow."), *details,
                         "", _("If you cannot come, please cancel with the link in your confirmation e-mail, so "
                               "that someone on the waitlist can have your place.")]
    if mail.kind == "promoted":
        subject = _("A place is yours: %(title)s", title=title)
        return subject, [greeting, "", _("A place has opened up: your registration is now confirmed."), *details,
                         "", _("The attached file updates this date in your calendar.")]
    # changed: what stands now, whatever happened in between
    if cancelled_date:
        subject = _("Cancelled: %(title)s, %(when)s", title=title, when=when)
        return subject, [greeting, "", _("The organisers have cancelled the date you registered for."), *because,
                         *details, "", _("The attached file marks it as cancelled in your calendar. We are sorry "
                                         "for the trouble.")]
    subject = _("New time: %(title)s", title=title)
    lines = [greeting, "", _("The date you registered for has changed. Your registration stays as it is."),
             *because, *details]
    if occurrence.moved:
        lines.append(_("Planned at first: %(when)s", when=_when(occurrence, all_day, occurrence.original_start)))
    lines += ["", _("The attached file updates this date in your calendar. If the new time does not suit you, "
                    "please cancel with the link in your confirmation e-mail.")]
    return subject, lines
