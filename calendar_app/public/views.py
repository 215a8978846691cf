"""The citizen's pages: HTTP only, the queries live in queries.py."""
from datetime import date, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale

from .. import lookups, vocabulary
from ..clock import local_day, local_midnight_utc, local_today
from ..events.filters import ActivityFilters, parse_filters
from ..events.listing import longest_duration
from ..feeds.context import public_base_url
from ..feeds.views import feed_links
from ..markup import render_markdown
from ..observances.dates import observance_span, tagging_window
from ..pagination import page_number
from ..places import lookup
from ..registration.operations import places_left
from ..web import labels
from ..years import YEARS
from . import calendar_links, formatting, jsonld, queries
from .locator import locator

bp = Blueprint("public", __name__)

#: years a page exists for (beyond this a URL is a typo or a crawler)
#: how many activities institution, area and home pages show before linking to the full list
PREVIEW = 8
#: how many activities a day of the month view shows before linking to that day's list
PER_DAY = 6
#: how many a day of the week view shows before linking to the day view
PER_DAY_IN_WEEK = 25
#: at most this many dates on one day's page (a whole province's day)
DAY_LIMIT = 500
#: an area page lists its institutions this many at a time (a province has thousands)
INSTITUTIONS_PER_PAGE = 50


@bp.app_template_filter("markdown")
def markdown_filter(text):
    return render_markdown(text)


@bp.app_template_filter("when")
def when_filter(item):
    """Occurrence or activity -> its dates in words."""
    activity = getattr(item, "activity", item)
    return formatting.when(item.starts_at, item.ends_at, activity.all_day)


@bp.app_template_filter("month_name")
def month_name_filter(day):
    """"Tháng 4 năm 2025" / "April 2025"."""
    return formatting.month_name(day, str(get_locale()))


@bp.app_template_filter("machine_time")
def machine_time_filter(value, all_day=False):
    return formatting.machine_time(value, all_day)


@bp.route("/")
def home():
    today = local_today()
    longest = longest_duration()  # both lists' windows need it: looked up once
    week = queries.occurrences_between(local_midnight_utc(today), local_midnight_utc(today + timedelta(days=7)),
                                       limit=60, longest=longest)
    observances = queries.observances_with_dates()
    featured = queries.current_or_next_observance(today, observances)
    observance_page = None
    if featured:
        observance, span = featured
        window = tagging_window(observance, span.starts_on.year)
        observance_page = queries.list_activities(
            ActivityFilters(observance=observance, date_from=max(window.starts_on, today), date_to=window.ends_on),
            today, per_page=PREVIEW, count_cap=queries.PREVIEW_COUNT_CAP, longest=longest)
    return render_template("public/home.html", today=today, occurrences=week, featured=featured,
                           observance_page=observance_page, observances=observances)


def _filter_options() -> dict[str, list[tuple[str, str]]]:
    """(value, label) pairs for the filter form's lists."""
    return {
        "category": [(key, str(label)) for key, label in labels(vocabulary.ACTIVITY_CATEGORIES).items()],
        "audience": [(key, str(label)) for key, label in labels(vocabulary.AUDIENCES).items() if key != "everyone"],
        "observance": queries.observance_choices(str(get_locale())),
    }


@bp.get("/institutions.json")
def institutions_json():
    """Up to 20 active institutions whose name holds the words of ?q= (accents optional): the institution
    field's suggestions."""
    found = queries.institutions_matching(request.args.get("q", "")[:100], 20)
    return jsonify([{"value": institution.slug, "label": institution.name} for institution in found])


@bp.get("/areas.json")
def areas_json():
    """Up to 20 units valid today whose code starts with ?q= or whose name holds its words: the area field's
    suggestions."""
    found = queries.areas_matching(request.args.get("q", "")[:100], 20)
    return jsonify([{"value": area.code, "label": f"{area.name} · {vocabulary.AREA_LEVELS.get(area.level, area.level)}"}
                    for area in found])


@bp.route("/events")
def events():
    today = local_today()
    parsed = parse_filters(request.args)
    page = None
    if not parsed.errors:
        page = queries.list_activities(parsed.filters, today, page_number(), current_app.config["PER_PAGE"])
    return render_template(
        "public/events.html", parsed=parsed, filters=parsed.filters, page=page, today=today,
        options=_filter_options(),
    ), 400 if parsed.errors else 200


@bp.route("/calendar")
def current_month():
    today = local_today()
    return redirect(url_for("public.month", year=today.year, month=today.month, **request.args))


@bp.route("/calendar/<int:year>/<int:month>")
def month(year: int, month: int):
    if year not in YEARS or not 1 <= month <= 12:
        abort(404)
    parsed = _calendar_filters()
    if parsed.errors:
        return redirect(url_for("public.events", **request.args))
    weeks = formatting.month_weeks(year, month)
    first, last = weeks[0][0], weeks[-1][-1]
    days = queries.slots_by_day(first, last, parsed.filters, PER_DAY)
    previous = date(year, month, 1) - timedelta(days=1)
    following = date(year, month, 28) + timedelta(days=7)
    return render_template(
        "public/month.html", year=year, month=month, weeks=weeks, days=days,
        filters=parsed.filters, today=local_today(), first_of_month=date(year, month, 1),
        previous=previous, following=following.replace(day=1), per_day=PER_DAY, parsed=parsed,
        options=_filter_options(), view="month", day=_focus_day(date(year, month, 1)),
    )


def _calendar_filters():
    """The list's filters, without its dates: the calendar page chooses those."""
    return parse_filters({name: value for name, value in request.args.items() if name not in ("from", "to")})


def _focus_day(first: date) -> date:
    """The day the week and day views open on from a month: today when it is in that month, else the first."""
    today = local_today()
    return today if (today.year, today.month) == (first.year, first.month) else first


def _calendar_day(year: int, month: int, day: int) -> date:
    if year not in YEARS:
        abort(404)
    try:
        return date(year, month, day)
    except ValueError:
        abort(404)


@bp.route("/calendar/week/<int:year>/<int:month>/<int:day>")
def week(year: int, month: int, day: int):
    """The week (Monday to Sunday) holding a day, with the list's filters; printable."""
    chosen = _calendar_day(year, month, day)
    parsed = _calendar_filters()
    if parsed.errors:
        return redirect(url_for("public.events", **request.args))
    first = chosen - timedelta(days=chosen.weekday())
    days = [first + timedelta(days=n) for n in range(7)]
    return render_template(
        "public/week.html", days=days, by_day=queries.slots_by_day(days[0], days[-1], parsed.filters, PER_DAY_IN_WEEK),
        day=chosen,
        parsed=parsed, filters=parsed.filters, options=_filter_options(), today=local_today(), view="week",
        previous=first - timedelta(days=7), following=first + timedelta(days=7), per_day=PER_DAY_IN_WEEK)


@bp.route("/calendar/day/<int:year>/<int:month>/<int:day>")
def day(year: int, month: int, day: int):
    chosen = _calendar_day(year, month, day)
    parsed = _calendar_filters()
    if parsed.errors:
        return redirect(url_for("public.events", **request.args))
    occurrences = queries.occurrences_between(local_midnight_utc(chosen),
                                              local_midnight_utc(chosen + timedelta(days=1)), parsed.filters,
                                              limit=DAY_LIMIT + 1)
    return render_template(
        "public/day.html", day=chosen, occurrences=occurrences[:DAY_LIMIT], more=len(occurrences) > DAY_LIMIT,
        parsed=parsed, filters=parsed.filters, options=_filter_options(), today=local_today(), view="day",
        previous=chosen - timedelta(days=1), following=chosen + timedelta(days=1))


@bp.route("/events/<int:activity_id>")
def event(activity_id: int):
    activity = lookups.public_activity(activity_id)
    occurrences, upcoming = queries.shown_occurrences(activity)
    page_url = url_for("public.event", activity_id=activity.id, _external=True)
    organizer_url = url_for("public.institution", slug=activity.institution.slug, _external=True)
    structured = jsonld.activity_events(activity, occurrences, page_url, organizer_url, str(get_locale()))
    span, upcoming_total = queries.date_span(activity)
    point = jsonld.coordinates(activity)
    return render_template(
        "public/event.html", activity=activity, occurrences=occurrences, upcoming=upcoming,
        upcoming_total=upcoming_total if upcoming else 0, structured=structured, span=span, page_url=page_url,
        map_url=formatting.map_url(point), year=local_day(activity.starts_at).year,
        places=places_left(occurrences) if upcoming else {}, links=_calendar_links(activity, occurrences, page_url),
        share=calendar_links.share_links(page_url), locator=_locator(point, activity.institution.area),
    )


def _calendar_links(activity, occurrences, page_url: str) -> dict:
    """Google Calendar and Outlook: for the activity (a one-off's date, or a subscription to a series' feed)
    and for each shown date."""
    place = formatting.place(activity)

    def one(occurrence) -> dict[str, str]:
        values = {"location": place, "description": activity.description, "page_url": page_url}
        start, end = occurrence.starts_at, occurrence.ends_at
        if activity.all_day:  # local days, the end exclusive (stored as local midnights)
            start, end = local_day(start), local_day(end)
        times = (activity.title, start, end, activity.all_day)
        return {"google": calendar_links.google_event(*times, **values),
                "outlook": calendar_links.outlook_event(*times, **values)}

    dates = {occ.id: one(occ) for occ in occurrences if not occ.cancelled}
    if activity.rrule:
        feed = feed_links("feeds.event_feed", activity_id=activity.id)
        whole = {"google": calendar_links.google_subscribe(feed["webcal"]),
                 "outlook": calendar_links.outlook_subscribe(feed["https"], activity.title)}
    else:
        whole = next(iter(dates.values()), None)
    return {"activity": whole, "dates": dates}


def _locator(point, area):
    if point is None:
        return None
    province, outline = queries.province_outline(area)
    drawing = locator(point, outline)
    return {"province": province, "map": drawing} if drawing else None


@bp.route("/institutions/<slug>")
def institution(slug: str):
    found = lookups.institution_by_slug(slug)
    listing = queries.list_activities(ActivityFilters(institution=found), local_today(), per_page=PREVIEW,
                                       count_cap=queries.PREVIEW_COUNT_CAP)
    point = (found.latitude, found.longitude) if found.latitude is not None and found.longitude is not None else None
    return render_template("public/institution.html", institution=found, page=listing,
                           map_url=formatting.map_url(point), locator=_locator(point, found.area))


@bp.route("/areas/<code>")
def area(code: str):
    try:
        on = date.fromisoformat(request.args["on"]) if request.args.get("on") else None
    except ValueError:
        abort(404)
    found = lookups.area_by_code(code, on)
    listing = queries.list_activities(ActivityFilters(area=found), local_today(), per_page=PREVIEW,
                                       count_cap=queries.PREVIEW_COUNT_CAP)
    closed = not found.valid_on(local_today())
    institutions_page = page_number()
    institutions, more_institutions = queries.institutions_in(found, institutions_page, INSTITUTIONS_PER_PAGE)
    return render_template("public/area.html", area=found, ancestors=found.ancestors(), page=listing,
                           institutions=institutions, institutions_page=institutions_page,
                           more_institutions=more_institutions, closed=closed,
                           children=lookup.children_on(found, lookup.day_of(found)), shown_day=lookup.day_of(found),
                           became=lookup.what_it_became(found) if closed else [],
                           came_from=lookup.what_it_came_from(found))


@bp.app_template_global()
def public_url(endpoint: str, **args) -> str:
    """An absolute address on the public site (PUBLIC_BASE_URL), for what is copied elsewhere (embed code)."""
    return public_base_url() + url_for(endpoint, **args)


@bp.app_template_global()
def area_url(area, **args) -> str:
    """The public page of a unit: its code, and the day when the code alone now names another unit."""
    day = lookup.address_day(area)
    if day is not None:
        args["on"] = day.isoformat()
    return url_for("public.area", code=area.code, **args)


@bp.route("/observances/<key>")
def observance_now(key: str):
    observance = lookups.observance_by_key(key)
    return redirect(url_for("public.observance", key=observance.key, year=local_today().year))


@bp.route("/observances/<key>/<int:year>")
def observance(key: str, year: int):
    if year not in YEARS:
        abort(404)
    found = lookups.observance_by_key(key)
    # the activities held for it: tagged, with a date in that year's tagging window (the whole year when its
    # dates are not known), so a year-long club tagged for it shows the meeting that falls in the window
    window = tagging_window(found, year)
    first, last = (window.starts_on, window.ends_on) if window else (date(year, 1, 1), date(year, 12, 31))
    filters = ActivityFilters(observance=found, date_from=first, date_to=last)
    listing = queries.list_activities(filters, local_today(), page_number(), current_app.config["PER_PAGE"])
    return render_template("public/observance.html", observance=found, year=year, page=listing,
                           span=observance_span(found, year), first=first, last=last,
                           name=found.name(str(get_locale())))


@bp.route("/lang/<code>")
def set_language(code: str):
    """Language switch: remembered in the session by i18n.select_locale."""
    target = request.args.get("next") or url_for("public.home")
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        target = url_for("public.home")
    if code not in current_app.config["LANGUAGES"]:
        return redirect(target)
    parts = urlsplit(target)
    query = [(name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True) if name != "lang"]
    query.append(("lang", code))
    return redirect(urlunsplit(("", "", parts.path, urlencode(query), "")))
