"""One unit of work per request and per CLI command (as Indico's RH.process): what a request or a command
wrote is committed once when it succeeded and rolled back when it failed, here and nowhere else.

A request succeeded when it was answered with a status below 400 (a page, a redirect, a 304); an error
answer (a form shown again with 422, a 404, an API error) or an exception rolls back. A view that catches
what an operation raises and answers anyway (a redirect with the reason, the form with its errors) runs the
operation inside `attempt()`, so that the refusal discards what the operation wrote before the answer is
built: the page then shows what is stored, and a redirect commits nothing.
"""
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps

from flask import Flask, Response

from .extensions import db


def init_app(app: Flask) -> None:
    app.after_request(_finish)
    app.teardown_request(_discard_on_exception)


def _finish(response: Response) -> Response:
    if response.status_code >= 400:
        db.session.rollback()
    else:
        commit()
    return response


def _discard_on_exception(error: BaseException | None) -> None:
    # an exception that no error handler answered (in tests, PROPAGATE_EXCEPTIONS) never reached _finish
    if error is not None:
        db.session.rollback()


def commit() -> None:
    """Commit; when the commit itself fails (a constraint, a lost race), roll back, so that the session stays
    usable, and raise (the request answers 500, the command fails)."""
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


@contextmanager
def attempt() -> Iterator[None]:
    """Run an operation whose refusal the caller answers itself: when it raises, everything written so far is
    rolled back before the exception reaches the caller."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise


def command(function: Callable) -> Callable:
    """A CLI command as one unit of work: committed when it returns, rolled back when it raises or exits."""

    @wraps(function)
    def run(*args, **kwargs):
        with attempt():
            result = function(*args, **kwargs)
        commit()
        return result

    return run
