"""Language choice: ?lang= or the switch sticks in the session; Vietnamese by default.

API clients choose with Accept-Language (they have no session); browsers' Accept-Language is not used,
because the service is Vietnamese first and many Vietnamese readers run English-language browsers.
"""
from flask import current_app, has_request_context, request, session
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        # command line, scheduled jobs and operations called directly
        return current_app.config.get("NO_REQUEST_LOCALE") or current_app.config["BABEL_DEFAULT_LOCALE"]
    wanted = request.args.get("lang")
    if request.path.startswith("/api/"):
        if wanted in languages:
            return wanted
        return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    if wanted in languages:
        session["lang"] = wanted
        return wanted
    if session.get("lang") in languages:
        return session["lang"]
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["CALENDAR_TIMEZONE"]
