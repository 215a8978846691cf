"""What every HTML response shares: template helpers, error pages, security headers."""
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache

from babel import numbers
from flask import (
    Flask,
    current_app,
    g,
    has_request_context,
    jsonify,
    make_response,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_babel import format_date, format_datetime, get_locale, get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from werkzeug.exceptions import MethodNotAllowed

from . import vocabulary
from .clock import local_zone, to_local
from .datestyle import TIME, cached_day, cached_time, day_pattern, moment_pattern

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
#: the embeds (embed/views.py) are made to be framed by any site
FRAMEABLE_CSP = CSP.replace("frame-ancestors 'none'", "frame-ancestors *")


def frameable(view: Callable) -> Callable:
    """Mark a view as framable by any site: FRAMEABLE_CSP, no X-Frame-Options, and no session cookie set."""
    view.frameable = True  # type: ignore[attr-defined]
    return view


def _frameable_request() -> bool:
    return has_request_context() and getattr(current_app.view_functions.get(request.endpoint), "frameable", False)

ERROR_TITLES = {
    400: _l("Bad request"),
    403: _l("You do not have access to this page"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    413: _l("What you sent is too large: a file may have at most 5 MB."),
    429: _l("Too many requests: please wait a moment and try again"),
    500: _l("Something went wrong on our side"),
}


def local_datetime(value, fmt=None):
    """Format a naive-UTC datetime in the local zone for the current locale (datestyle.py by default)."""
    if not value:
        return ""
    if fmt == TIME:  # a calendar's hundreds of times, most of them alike
        return _local_time(value, local_zone(), get_locale())
    return format_datetime(to_local(value), fmt or moment_pattern(), rebase=False)


@lru_cache(maxsize=4096)
def _local_time(value: datetime, zone, locale) -> str:
    return cached_time(to_local(value, zone).time(), str(locale))


def local_date(value, fmt=None):
    if value is None:
        return ""
    if hasattr(value, "hour"):
        value = to_local(value).date()
    locale = get_locale()
    if locale is None:
        return format_date(value, fmt or day_pattern())
    locale = str(locale)
    return cached_day(value, fmt or day_pattern(locale), locale)


@lru_cache(maxsize=2048)
def _number(value: int, locale: str) -> str:
    return numbers.format_decimal(value, locale=locale)


def number_format(value) -> str:
    """Flask-Babel's `numberformat`, whole numbers formatted once per locale (a list shows the same few)."""
    locale = get_locale()
    if type(value) is int and locale is not None:
        return _number(value, str(locale))
    return numbers.format_decimal(value, locale=locale)


def current_translations():
    """Flask-Babel's get_translations(), looked up once per request and locale: a page calls gettext hundreds
    of times, and each lookup (context, domain, locale name) costs more than the translation. Keyed on the
    very locale object of the request's Babel context, which force_locale() replaces."""
    context = g.get("_flask_babel")
    locale = getattr(context, "babel_locale", None)
    if locale is None:
        return get_translations()
    known = getattr(context, "calendar_translations", None)
    if known is None or known[0] is not locale:
        known = context.calendar_translations = (locale, get_translations())
    return known[1]


_LABELS: dict[tuple[int, object], dict] = {}


def labels(vocabulary_map: dict) -> dict:
    """A vocabulary's labels (lazy strings) in the request's language, translated once per process and catalog:
    a list page shows dozens. Markup, as the lazy strings render (they are the app's own text)."""
    translations = current_translations()
    key = (id(vocabulary_map), translations)
    found = _LABELS.get(key)
    if found is None:
        found = _LABELS[key] = {name: Markup(str(label)) if hasattr(label, "__html__") else label
                                for name, label in vocabulary_map.items()}
    return found


def event_url(activity_id: int) -> str:
    """url_for("public.event", activity_id=…), built once per request (a calendar links hundreds of dates)."""
    state = request.environ.get("calendar.event_url")
    if state is None:
        sample = url_for("public.event", activity_id=1)
        state = request.environ["calendar.event_url"] = sample[:-1]
    return f"{state}{int(activity_id)}"


#: set on the WSGI environ by a view whose answer is the same whoever asks (public feeds): no `Vary: Cookie`,
#: though something (the language choice, the sign-in extension) looked at the session
SAME_FOR_EVERYONE = "calendar.same_for_everyone"


class SessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the request came over https, not only when configured so."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)

    def should_set_cookie(self, app: Flask, session) -> bool:
        # a page framed on another site (an embed) never starts or renews a session there
        return not _frameable_request() and super().should_set_cookie(app, session)

    def save_session(self, app: Flask, session, response) -> None:
        super().save_session(app, session, response)
        if request.environ.get(SAME_FOR_EVERYONE) and not session.modified:
            response.vary.discard("Cookie")


def register_web(app: Flask) -> None:
    app.session_interface = SessionInterface()
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.filters["numberformat"] = number_format
    app.jinja_env.globals["event_url"] = event_url
    app.jinja_env.globals["labels"] = labels
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: current_translations().ugettext(s),
        ngettext=lambda s, p, n: current_translations().ungettext(s, p, n),
        pgettext=lambda c, s: current_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: current_translations().unpgettext(c, s, p, n),
        newstyle=True)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.get("/favicon.ico", endpoint="favicon")
    def favicon():
        # browsers ask for it at the root whatever the pages say; one day in caches
        return send_from_directory(app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                                   max_age=86400)

    @app.context_processor
    def inject_globals():
        locale = str(get_locale())
        # what institutions write (titles, names, places) is Vietnamese: on a page in another language it is
        # marked so, for screen readers and translation tools (<h1{{ lang_vi }}>)
        return {"vocabulary": vocabulary, "current_locale": locale,
                "lang_vi": Markup("") if locale == "vi" else Markup(' lang="vi"')}

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        framed = _frameable_request()
        if not framed:
            response.headers.setdefault("X-Frame-Options", "DENY")
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Security-Policy", FRAMEABLE_CSP if framed else CSP)
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response


def register_error_pages(app: Flask, json_errors: dict[str, Callable]) -> None:
    """Error pages in the user's language; under a URL prefix of `json_errors`, that function's answer."""

    def error_page(error):
        code = getattr(error, "code", 500) or 500
        answer = next((answer for prefix, answer in json_errors.items() if request.path.startswith(prefix)), None)
        if answer is not None:
            response = make_response(answer(error))
        else:
            response = make_response(render_template(
                "error.html", code=code, title=ERROR_TITLES.get(code, ERROR_TITLES[500])), code)
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            # RFC 9110: a 405 lists the methods the resource supports
            response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
        return response

    for code in ERROR_TITLES:
        app.register_error_handler(code, error_page)

    @app.errorhandler(CSRFError)
    def stale_form(error):
        if any(request.path.startswith(prefix) for prefix in json_errors):
            return error_page(error)
        title = _l("This form has expired or did not come from this site. Go back, reload the page and try again.")
        return render_template("error.html", code=400, title=title), 400


def error_response(status: int, code: str, message: str, fields: dict | None = None):
    """The API's JSON error: {"error": {"code", "message", "fields"}} with its status (also answered by the
    app-wide handlers, the input guard and the outage answer, for /api/ addresses)."""
    return jsonify(error={"code": code, "message": message, "fields": fields or {}}), status
