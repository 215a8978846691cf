"""Erasing registrants' personal data once their occurrence is over (the counts stay)."""
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, exists, select, update

from .. import clock
from ..audit.operations import record
from ..events.models import Occurrence
from ..extensions import db
from .models import Registrant, RegistrantMail, Registration


def purge_personal_data(now: datetime | None = None, days: int | None = None) -> int:
    """Erase name, e-mail, phone and secrets of registrations whose occurrence ended more than
    REGISTRATION_PURGE_DAYS (or `days`) before `now`; returns how many registrations were purged.

    Called daily by the scheduler and by `flask participation purge`; the caller commits.
    """
    now = now or clock.utcnow()
    days = current_app.config["REGISTRATION_PURGE_DAYS"] if days is None else days
    cutoff = now - timedelta(days=days)
    ended = select(Occurrence.id).where(Occurrence.ends_at <= cutoff)
    result = db.session.execute(
        update(Registration)
        .where(Registration.purged_at.is_(None), Registration.occurrence_id.in_(ended))
        .values(name=None, email=None, phone=None, registrant_id=None, cancel_token_hash=None, purged_at=now)
        .execution_options(synchronize_session=False)
    )
    # their e-mails, sent or waiting, go too: a waiting one would have nobody to go to, a sent one may hold
    # the registration's secret address
    db.session.execute(
        delete(RegistrantMail).where(RegistrantMail.registration_id.in_(
            select(Registration.id).where(Registration.purged_at.is_not(None))))
        .execution_options(synchronize_session=False)
    )
    # a person's contact and feed go with their last registration
    db.session.execute(
        delete(Registrant).where(~exists().where(Registration.registrant_id == Registrant.id))
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()
    purged = result.rowcount or 0
    if purged:
        record(None, "purge", "registration", f"ended-before-{cutoff:%Y-%m-%d}",
               changes={"registrations_purged": [None, purged]})
    return purged
