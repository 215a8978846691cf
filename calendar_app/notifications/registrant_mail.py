"""Sending the registrants' e-mails that registration/followup.py queued: composed when sent, in the registrant's
language, from the registration as it stands then, with the booked date as an .ics attachment (the same event
as in their personal feed, so that a later one updates it); through the SMTP connection of mail.py.

A failed send is retried later with a growing pause and given up after MAX_ATTEMPTS; a row whose registration
has lost its address (or whose news no longer stands) is dropped rather than sent.
"""
import logging
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update

from .. import clock
from ..config import mail_configured
from ..datestyle import format_day, format_moment
from ..events.models import Activity, Occurrence
from ..extensions import db
from ..feeds.context import feed_context
from ..registration.followup import reachable, site_root, url_for_site
from ..registration.models import RegistrantMail, Registration
from ..registration.personal_feed import personal_calendar
from .mail import connect

log = logging.getLogger(__name__)

#: tries before a mail is given up; the pause after the n-th failure is RETRY_PAUSE × 2^(n-1)
MAX_ATTEMPTS = 6
RETRY_PAUSE = timedelta(minutes=5)


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
    if not reachable(registration):
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
