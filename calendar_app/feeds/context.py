"""What every calendar this site serves shares: its public address and the serialiser's FeedContext."""
from datetime import timedelta

from flask import current_app, has_app_context, has_request_context, request
from flask_babel import force_locale
from flask_babel import gettext as _

from .. import vocabulary
from .ical import FeedContext


def public_base_url() -> str:
    """The site root that feeds and links point to: PUBLIC_BASE_URL, else the address of this request."""
    return (current_app.config.get("PUBLIC_BASE_URL") or request.host_url).rstrip("/")


def default_locale() -> str:
    """The site's default language: subscribers share one feed whatever their own language."""
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def feed_context(base: str | None = None) -> FeedContext:
    """The FeedContext of this site, with links under `base` (public_base_url() when not given)."""
    config = current_app.config
    with force_locale(default_locale()):
        labels = {key: str(label) for key, label in vocabulary.ACTIVITY_CATEGORIES.items()}
        notices = {"cancelled": _("Why it is cancelled"), "moved": _("Why it is moved"),
                   # {when} is filled by the serialiser: 12/03/2026 18:00
                   "meeting_cancelled": _("The meeting of {when} is cancelled")}
    return FeedContext(domain=config["CALENDAR_DOMAIN"], timezone=config["CALENDAR_TIMEZONE"],
                       base_url=base or public_base_url(), refresh=timedelta(minutes=config["FEED_REFRESH_MINUTES"]),
                       category_labels=labels, notice_labels=notices)


def site_context() -> FeedContext:
    """This site's FeedContext, made once per base URL (one in production: PUBLIC_BASE_URL)."""
    base = public_base_url()
    contexts = current_app.extensions.setdefault("feed_contexts", {})
    if base not in contexts:
        if len(contexts) > 16:  # development answers any Host: keep a few
            contexts.clear()
        contexts[base] = feed_context(base)
    return contexts[base]


def known_context() -> FeedContext | None:
    """site_context() when this site's address is known (PUBLIC_BASE_URL, or the request being answered);
    None elsewhere (a command without PUBLIC_BASE_URL)."""
    if not has_app_context() or not (current_app.config.get("PUBLIC_BASE_URL") or has_request_context()):
        return None
    return site_context()
