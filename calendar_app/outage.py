"""The database out of reach: 503 with Retry-After (the JSON error under /api/, a page elsewhere), not a 500.

A refused or lost connection is an outage that passes (a restart, a failover); a query the database refuses
is a bug and stays a 500.
"""
from flask import Flask, g, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import DBAPIError

from .extensions import db, login_manager
from .web import error_response

#: what clients are told to wait before trying again
RETRY_AFTER_SECONDS = 30
#: SQLSTATE classes of a connection that failed or was refused: connection exception, insufficient
#: resources (too many connections), operator intervention (shutting down, cannot connect now)
OUTAGE_STATES = ("08", "53", "57P")
MESSAGE = _l("The service is briefly unavailable: its database cannot be reached. Please try again in a minute.")


def is_outage(error: DBAPIError) -> bool:
    """Whether the error is a lost or refused connection rather than a statement the database refused."""
    if error.connection_invalidated:
        return True
    state = getattr(error.orig, "sqlstate", None)
    if state is None:  # psycopg without a SQLSTATE: it failed before any server answered (on connect)
        return type(error.orig).__module__.startswith("psycopg") and type(error.orig).__name__ == "OperationalError"
    return state.startswith(OUTAGE_STATES)


def database_unavailable(error: DBAPIError):
    if not is_outage(error):
        raise error  # an ordinary 500
    try:
        db.session.rollback()
    except DBAPIError:
        pass  # the connection is gone; the session is discarded at the end of the request anyway
    # the page must not reach for the database again: whoever is signed in is shown as a visitor
    g._login_user = login_manager.anonymous_user()
    if request.path.startswith("/api/"):
        response, status = error_response(503, "unavailable", str(MESSAGE))
    else:
        response, status = render_template("error.html", code=503, title=MESSAGE), 503
    return response, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def register_outage(app: Flask) -> None:
    app.register_error_handler(DBAPIError, database_unavailable)
