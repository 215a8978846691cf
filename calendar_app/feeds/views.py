"""Public iCalendar feeds: HTTP only (the feed is built in cache.py from ical.py fragments)."""

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from .. import vocabulary
from ..events.filters import ActivityFilters, activity_conditions, parse_filters
from ..events.models import Activity
from ..public.queries import area_by_code, institution_by_slug, observance_by_key, public_activity
from . import cache
from .cache import FeedSource
from .context import default_locale, feed_context, public_base_url
from .fastpath import SERVED_FEED

bp = Blueprint("feeds", __name__)
#: the query arguments of /feeds/events.ics, in the order they make the cache key
FILTER_ARGS = ("area", "institution", "category", "audience", "observance", "q")


@bp.app_template_global()
def feed_links(endpoint: str, **args) -> dict[str, str]:
    """{"https": …, "webcal": …} for a feed, e.g. feed_links("feeds.institution_feed", slug=…)."""
    return _links(url_for(endpoint, **args))


def _links(path: str) -> dict[str, str]:
    https = public_base_url() + path
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


@bp.get("/feeds/all.ics")
def all_feed():
    return _serve(("all",), lambda: FeedSource(_name(), activity_conditions(ActivityFilters())))


@bp.get("/feeds/institutions/<slug>.ics")
def institution_feed(slug: str):
    def source():
        institution = institution_by_slug(slug)
        return FeedSource(_name(institution.name), activity_conditions(ActivityFilters(institution=institution)))

    return _serve(("institution", slug), source)


@bp.get("/feeds/areas/<code>.ics")
def area_feed(code: str):
    def source():
        area = area_by_code(code)
        return FeedSource(_name(area.name), activity_conditions(ActivityFilters(area=area)))

    return _serve(("area", code), source)


@bp.get("/feeds/observances/<key>.ics")
def observance_feed(key: str):
    def source():
        observance = observance_by_key(key)
        return FeedSource(_name(observance.name(default_locale())),
                          activity_conditions(ActivityFilters(observance=observance)))

    return _serve(("observance", key), source)


@bp.get("/feeds/events.ics")
def events_feed():
    args = tuple((name, value) for name in FILTER_ARGS if (value := (request.args.get(name) or "").strip()))

    def source():
        parsed = parse_filters(dict(args))
        if parsed.errors:
            raise InvalidFilters(parsed.errors)
        return FeedSource(_name(*_filter_labels(parsed.filters)), activity_conditions(parsed.filters))

    try:
        return _serve(("events", args), source)
    except InvalidFilters as error:
        reasons = "\n".join(f"{name}: {reason}" for name, reason in error.errors.items())
        return Response(reasons + "\n", 400, mimetype="text/plain")


@bp.get("/events/<int:activity_id>.ics")
def event_feed(activity_id: int):
    def source():
        activity = public_activity(activity_id)
        return FeedSource(activity.title, [Activity.id == activity_id, *activity_conditions(ActivityFilters())],
                          single=True, filename=f"activity-{activity_id}.ics")

    return _serve(("event", activity_id), source)


@bp.get("/feeds/help", endpoint="help")
def help_page():
    """How to subscribe; ?feed=/feeds/… shows the links of that feed instead of the whole calendar's."""
    path = request.args.get("feed", "")
    route = path.split("?", 1)[0]
    if not (route.startswith(("/feeds/", "/events/")) and route.endswith(".ics") and "//" not in path
            and "\\" not in path):
        path = url_for("feeds.all_feed")
    return render_template("feeds/help.html", links=_links(path))


class InvalidFilters(Exception):
    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


def _serve(key: tuple, source) -> Response:
    base = public_base_url()
    key = (base, *key)
    feed = cache.feed_cache().feed(key, source, lambda: feed_context(base), current_app.config["FEED_PAST_DAYS"])
    request.environ[SERVED_FEED] = (key, feed)
    if cache.not_modified(feed, request.headers.get("If-None-Match"), request.headers.get("If-Modified-Since")):
        return Response(status=304, headers={k: v for k, v in feed.headers.items() if k != "Content-Type"})
    return Response(feed.body, headers=feed.headers)


def _name(*parts: str) -> str:
    """Calendar name in the site's default language: subscribers share one feed whatever their language."""
    with force_locale(default_locale()):
        title = _("Lifelong learning activities")
    return " – ".join((title, *parts)) if parts else title


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
