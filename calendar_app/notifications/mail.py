"""E-mail through the SMTP server of MAIL_SERVER (nothing is sent when it is unset): the staff's reminders here;
registrant_mail.py sends the registrants' e-mails through the same connection."""
import logging
import smtplib
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update

from ..accounts.models import User
from ..config import mail_configured
from ..extensions import db
from ..registration.followup import site_root
from .models import Reminder

log = logging.getLogger(__name__)


def _reminders_url() -> str:
    return f"{site_root()}/reminders"


def compose(reminder: Reminder, user: User) -> EmailMessage:
    with force_locale(user.locale or "vi"):
        subject = _("Lifelong learning calendar: a reminder")
        footer = _("All your reminders: %(url)s", url=_reminders_url())
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = user.email
    message["Subject"] = subject
    message.set_content(f"{reminder.message}\n\n{footer}\n")
    return message


def connect() -> smtplib.SMTP:
    """A connection to MAIL_SERVER, with STARTTLS and login when configured; raises OSError/SMTPException."""
    config = current_app.config
    smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config.get("MAIL_TIMEOUT", 20))
    if config.get("MAIL_USE_TLS"):
        smtp.starttls()
    if config.get("MAIL_USERNAME"):
        smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    return smtp


def deliver_pending(now, limit: int = 500) -> int:
    """E-mail reminders not yet sent to active users; returns how many went out.

    Each reminder is claimed (emailed_at set where it was NULL, committed) before it is sent, so two
    scheduler processes never send the same one; a failed send gives the claim back for the next run.
    """
    if not mail_configured():
        return 0
    pending = db.session.execute(
        select(Reminder.id, Reminder.user_id).join(User, User.id == Reminder.user_id)
        .where(Reminder.emailed_at.is_(None), User.active).order_by(Reminder.id).limit(limit)).all()
    if not pending:
        return 0
    sent = 0
    try:
        smtp = connect()
    except (OSError, smtplib.SMTPException) as error:
        log.warning("cannot reach the mail server %s: %s", current_app.config["MAIL_SERVER"], error)
        return 0
    try:
        for reminder_id, _user_id in pending:
            claimed = db.session.execute(update(Reminder).where(Reminder.id == reminder_id,
                                                                Reminder.emailed_at.is_(None))
                                         .values(emailed_at=now)).rowcount
            db.session.commit()
            if not claimed:
                continue
            reminder = db.session.get(Reminder, reminder_id)
            try:
                smtp.send_message(compose(reminder, db.session.get(User, reminder.user_id)))
            except smtplib.SMTPRecipientsRefused as error:
                # a bad address will not get better: keep the claim so it is not retried every run
                log.warning("reminder %s: recipient refused: %s", reminder_id, error)
                continue
            except (OSError, smtplib.SMTPException) as error:
                log.warning("could not e-mail reminder %s: %s", reminder_id, error)
                db.session.execute(update(Reminder).where(Reminder.id == reminder_id).values(emailed_at=None))
                db.session.commit()
                break
            sent += 1
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            pass
    return sent
