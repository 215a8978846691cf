"""Public iCalendar feeds: HTTP only (cache.py serves them from the store of store.py, ical.py writes them)."""
from urllib.parse import parse_qsl, urlsplit

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import force_locale, format_decimal
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError

from .. import vocabulary
from ..clock import local_today
from ..events.filters import ActivityFilters, activity_conditions, parse_filters
from ..events.models import Activity
from ..extensions import db
from ..lookups import area_by_code, institution_by_slug, observance_by_key, public_activity
from ..outage import is_outage
from ..places.lookup import children_on, latest_unit
from ..web import SAME_FOR_EVERYONE
from . import aliases, cache, store
from .cache import CORS_HEADERS, FeedSource
from .context import default_locale, public_base_url, site_context
from .fastpath import SERVED_FEED

bp = Blueprint("feeds", __name__)
#: Google Calendar silently refuses longer subscription addresses; webcal:// and https:// both must fit
MAX_URL_LENGTH = 256
#: child areas a page suggests when an area's feed is cut by the ceiling
SUGGESTED_AREAS = 12


@bp.after_request
def public_answer(response: Response) -> Response:
    """Public feeds are for any site to read (a widget on an institution's own page), errors included, and
    are the same whoever asks: no `Vary: Cookie` (a shared cache keeps one copy), though the language
    choice may have looked at the session (feeds are always in the site's default language)."""
    if request.endpoint != "feeds.help":
        for name, value in CORS_HEADERS.items():
            response.headers.setdefault(name, value)
        request.environ[SAME_FOR_EVERYONE] = True
    return response


# --- the addresses the pages offer ---------------------------------------------------------------------------


@bp.app_template_global()
def feed_links(endpoint: str, **args) -> dict[str, str]:
    """{"https", "webcal", "path"} of a feed, e.g. feed_links("feeds.institution_feed", slug=…); a filtered
    feed whose address would pass MAX_URL_LENGTH gets its short alias /feeds/f/<code>.ics."""
    return links_for(url_for(endpoint, **args))


def links_for(path: str) -> dict[str, str]:
    links = _links(path)
    route, _sep, query = path.partition("?")
    if route == url_for("feeds.events_feed") and max(len(links["https"]), len(links["webcal"])) > MAX_URL_LENGTH:
        links = _links(url_for("feeds.alias_feed", code=aliases.alias_for(aliases.normalised(dict(parse_qsl(query))))))
    return links


def _links(path: str) -> dict[str, str]:
    https = public_base_url() + path
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1], "path": path}


@bp.app_template_global()
def feed_notice(endpoint: str, **args) -> dict | None:
    """When the feed's last build was cut by the size ceiling: {"shown", "total", "narrower": [(label, url)]}
    for the page to suggest narrower feeds; None otherwise, or when it was never built."""
    key = _key_of(endpoint, args)
    if key is None:
        return None
    counts = store.stored_counts(store.body_id(" ".join(map(str, key)), store.context_key(_context())))
    if counts is None or counts[0] >= counts[1]:
        return None
    return {"shown": counts[0], "total": counts[1], "narrower": _narrower(endpoint, args)}


def _key_of(endpoint: str, args: dict) -> tuple | None:
    if endpoint == "feeds.all_feed":
        return ("all",)
    if endpoint == "feeds.area_feed":
        return ("area", args["code"])
    if endpoint == "feeds.institution_feed":
        return ("institution", args["slug"])
    if endpoint == "feeds.observance_feed":
        return ("observance", args["key"])
    if endpoint == "feeds.events_feed":
        return ("events", aliases.normalised(args))
    return None


def _narrower(endpoint: str, args: dict) -> list[tuple[str, str]]:
    """Pages offering narrower feeds: the areas inside an area, the activity list with the same filters (where
    an area, an institution, a category narrows them)."""
    suggestions = []
    if endpoint == "feeds.area_feed" and (area := latest_unit(args["code"])) is not None:
        for child in children_on(area, local_today())[:SUGGESTED_AREAS]:
            suggestions.append((child.name, url_for("public.area", code=child.code)))
    filters = {"feeds.area_feed": {"area": args.get("code")},
               "feeds.institution_feed": {"institution": args.get("slug")},
               "feeds.observance_feed": {"observance": args.get("key")},
               "feeds.events_feed": dict(aliases.normalised(args))}.get(endpoint, {})
    suggestions.append((_("Choose an area, an institution or a kind of activity in the list"),
                        url_for("public.events", **filters)))
    return suggestions


# --- the feeds ---------------------------------------------------------------------------------------------


@bp.get("/feeds/all.ics")
def all_feed():
    return _serve(("all",), lambda: _source(_name(), ActivityFilters()))


@bp.get("/feeds/institutions/<slug>.ics")
def institution_feed(slug: str):
    def source():
        institution = institution_by_slug(slug)
        return _source(_name(institution.name), ActivityFilters(institution=institution))

    return _serve(("institution", slug), source)


@bp.get("/feeds/areas/<code>.ics")
def area_feed(code: str):
    def source():
        area = area_by_code(code)
        return _source(_name(area.name), ActivityFilters(area=area))

    return _serve(("area", code), source)


@bp.get("/feeds/observances/<key>.ics")
def observance_feed(key: str):
    def source():
        observance = observance_by_key(key)
        return _source(_name(observance.name(default_locale())), ActivityFilters(observance=observance))

    return _serve(("observance", key), source)


@bp.get("/feeds/events.ics")
def events_feed():
    return _filtered(aliases.normalised(request.args))


@bp.get("/feeds/f/<code>.ics")
def alias_feed(code: str):
    """A filtered feed by its short alias (aliases.py): the same feed as its long address."""
    args = aliases.resolve(code)
    if args is None:
        return Response(_("There is no calendar with this address.") + "\n", 404, mimetype="text/plain")
    return _filtered(args)


def _filtered(args: tuple[tuple[str, str], ...]) -> Response:
    def source():
        parsed = parse_filters(dict(args))
        if parsed.errors:
            raise InvalidFilters(parsed.errors)
        return _source(_name(*_filter_labels(parsed.filters)), parsed.filters)

    try:
        return _serve(("events", args), source)
    except InvalidFilters as error:
        reasons = "\n".join(f"{name}: {reason}" for name, reason in error.errors.items())
        return Response(reasons + "\n", 400, mimetype="text/plain")


@bp.get("/events/<int:activity_id>.ics")
def event_feed(activity_id: int):
    def source():
        activity = public_activity(activity_id)
        return FeedSource(activity.title, [Activity.id == activity_id], single=True,
                          filename=f"activity-{activity_id}.ics")

    return _serve(("event", activity_id), source)


@bp.get("/feeds/help", endpoint="help")
def help_page():
    """How to subscribe; ?feed=/feeds/… shows the links of that feed instead of the whole calendar's."""
    path = request.args.get("feed", "")
    parts = urlsplit(path)
    if not (parts.path.startswith(("/feeds/", "/events/")) and parts.path.endswith(".ics") and not parts.scheme
            and not parts.netloc and "//" not in path and "\\" not in path):
        path = url_for("feeds.all_feed")
    return render_template("feeds/help.html", links=links_for(path))


class InvalidFilters(Exception):
    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


def _serve(key: tuple, source) -> Response:
    feeds = cache.feed_cache()
    context = _context()
    try:
        feed = feeds.feed(key, source, context)
    except DBAPIError as error:
        # the database is out of reach: the feed this worker holds, as it was, rather than nothing
        held = feeds.current((*key, store.context_key(context)), None) if is_outage(error) else None
        if held is None:
            raise
        try:
            db.session.rollback()
        except DBAPIError:
            pass
        feed = held
    request.environ[SERVED_FEED] = ((*key, store.context_key(context)), feed)
    if cache.not_modified(feed, request.headers.get("If-None-Match"), request.headers.get("If-Modified-Since")):
        return Response(status=304, headers={k: v for k, v in feed.headers.items() if k != "Content-Type"})
    return Response(feed.body, headers=feed.headers)


def _context():
    return site_context()


def _source(name: str, filters: ActivityFilters) -> FeedSource:
    return FeedSource(name, activity_conditions(filters, visible=store.PUBLIC, row_by_row=False), describe=_description)


def _name(*parts: str) -> str:
    """Calendar name in the site's default language: subscribers share one feed whatever their language."""
    with force_locale(default_locale()):
        title = _("Lifelong learning activities")
    return " – ".join((title, *parts)) if parts else title


def _description(assembled: store.Assembled) -> str:
    """What the feed covers, and when the ceiling cut it, that it did and what to do, in the default language."""
    config = current_app.config
    with force_locale(default_locale()):
        text = _("Activities from %(past)s days ago to %(future)s days ahead.",
                 past=format_decimal(config["FEED_PAST_DAYS"]), future=format_decimal(config["FEED_FUTURE_DAYS"]))
        if assembled.truncated:
            text += " " + _(
                "Calendar apps refuse larger files, so this calendar holds only the %(shown)s activities nearest to "
                "today (upcoming first, then the most recent) of the %(total)s in that period. To see them all, "
                "subscribe to a narrower calendar: an area, an institution or a filtered list at %(url)s.",
                shown=format_decimal(assembled.activities), total=format_decimal(assembled.in_window),
                url=public_base_url() + url_for("public.events"))
    return text


def _filter_labels(filters: ActivityFilters) -> list[str]:
    locale = default_locale()
    with force_locale(locale):
        labels = [
            filters.area.name if filters.area else None,
            filters.institution.name if filters.institution else None,
            str(vocabulary.ACTIVITY_CATEGORIES[filters.category]) if filters.category else None,
            str(vocabulary.AUDIENCES[filters.audience]) if filters.audience else None,
            filters.observance.name(locale) if filters.observance else None,
            f"“{filters.q}”" if filters.q else None,
        ]
    return [label for label in labels if label]
