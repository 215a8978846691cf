"""One input guard for every request: text the database cannot store, and integers beyond their column.

PostgreSQL refuses the NUL character in text, and an unpaired surrogate (which JSON can carry as `\\ud800`)
cannot be encoded as UTF-8: either would reach the database and answer 500. They are refused here, once,
before any view reads them: in the path 404 (nothing can have such a name), in the query string, form
values, file names and JSON bodies 400, with the JSON error under /api/ and the error page elsewhere.
JSON is checked when it is parsed, so the API's body limit still applies first. `<int:…>` URL segments only
match what fits an id column, so `/events/2147483648` is a 404 rather than an overflow.
"""
import re

from flask import Flask, render_template, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest, NotFound
from werkzeug.routing import IntegerConverter

from .bounds import INT32_MAX
from .web import error_response

#: the NUL character and the UTF-16 surrogate range (only ever unpaired inside a Python str)
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class UnstorableText(BadRequest):
    """A request value holds a character the database cannot store; `field` names where."""

    def __init__(self, field: str):
        self.field = field
        super().__init__()


def digits_up_to(limit: int) -> str:
    r"""A regular expression for the decimal numbers 0 … limit (no sign), e.g. for 255:
    \d{1,2}|[0-1]\d{2}|2[0-4]\d{1}|25[0-4]\d{0}|255."""
    text = str(limit)
    options = [rf"\d{{1,{len(text) - 1}}}"] if len(text) > 1 else []
    for position, digit in enumerate(text):
        if digit != "0":
            options.append(rf"{text[:position]}[0-{int(digit) - 1}]\d{{{len(text) - position - 1}}}")
    options.append(text)
    return "(?:" + "|".join(options) + ")"


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` as Werkzeug's, limited to 0 … 2**31-1. The bound is in the pattern, not only in to_python:
    Werkzeug checks a rule's methods before converting, so a value refused by to_python alone could make
    another method's rule answer 405 where 404 is right."""

    regex = digits_up_to(INT32_MAX)

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002 (Werkzeug's names)
        bounded = INT32_MAX if max is None or max > INT32_MAX else max
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=bounded, signed=signed)


def _check_json(data) -> None:
    """Raise UnstorableText for the first string (key or value) with an unstorable character."""
    pending = [("", data)]
    while pending:  # iterative: a deeply nested body must not exhaust the stack
        path, value = pending.pop()
        if isinstance(value, str):
            if UNSTORABLE.search(value):
                raise UnstorableText(path or "body")
        elif isinstance(value, dict):
            for key, item in value.items():
                name = f"{path}.{key}" if path else str(key)
                if UNSTORABLE.search(key):
                    raise UnstorableText(path or "body")
                pending.append((name, item))
        elif isinstance(value, list):
            pending.extend((f"{path}.{index}" if path else str(index), item) for index, item in enumerate(value))


class GuardedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing unstorable text in what it parses and a body nested too deep to parse."""

    def loads(self, s, **kwargs):
        try:
            data = super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None  # get_json answers it as malformed
        _check_json(data)
        return data


def refuse_unstorable_input() -> None:
    """before_request: the path, query string, form values and file names hold only storable text."""
    if UNSTORABLE.search(request.path):
        raise NotFound()
    _check_pairs(request.args)
    # only a form body is read here: any other body keeps its stream unread, so a limit that a blueprint
    # sets later (the API's for JSON) still applies when it is read
    if request.mimetype in FORM_TYPES:
        _check_pairs(request.form)
        for name, upload in request.files.items(multi=True):
            if UNSTORABLE.search(name or "") or UNSTORABLE.search(upload.filename or ""):
                raise UnstorableText(name or "file")


def _check_pairs(values) -> None:
    # a multipart part whose name Werkzeug cannot read (e.g. a line break in it) comes with the name None
    for name, value in values.items(multi=True):
        if UNSTORABLE.search(name or "") or UNSTORABLE.search(value):
            raise UnstorableText(name or "body")


def unstorable_text(error: UnstorableText):
    message = _("The request contains a character that cannot be stored (the NUL character or an unpaired "
                "surrogate). Remove it and send it again.")
    if request.path.startswith("/api/"):
        return error_response(400, "bad_characters", message, {error.field: message})
    return render_template("error.html", code=400, title=message), 400


def register_guard(app: Flask) -> None:
    """Wire the guard; call before the blueprints are registered (their rules take the int converter)."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.json = GuardedJSONProvider(app)
    app.before_request(refuse_unstorable_input)
    app.register_error_handler(UnstorableText, unstorable_text)
