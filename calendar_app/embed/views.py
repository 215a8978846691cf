"""Embeds: /embed/institutions/<slug> and /embed/areas/<code>, made to sit in an iframe on any site.

Framable by any site (web.frameable: `frame-ancestors *`, no X-Frame-Options), and they set no cookie: a page
framed on another site must not start a session there. Links open in a new tab, on this site.
"""
from flask import Blueprint, render_template, request, url_for

from .. import lookups
from ..clock import local_today
from ..events.filters import ActivityFilters
from ..feeds.context import public_base_url
from ..public import queries
from ..web import frameable

bp = Blueprint("embed", __name__, url_prefix="/embed")

#: how many activities an embed lists by default, and at most (?limit=)
DEFAULT_LIMIT, MAX_LIMIT = 8, 20


def _limit() -> int:
    try:
        return min(max(int(request.args.get("limit", DEFAULT_LIMIT)), 1), MAX_LIMIT)
    except ValueError:
        return DEFAULT_LIMIT


def site_url(endpoint: str, **values) -> str:
    """An absolute link to this site (the embed is read on another one)."""
    return public_base_url() + url_for(endpoint, **values)


@bp.get("/institutions/<slug>")
@frameable
def institution(slug: str):
    found = lookups.institution_by_slug(slug)
    listing = queries.list_activities(ActivityFilters(institution=found), local_today(), per_page=_limit(),
                                       count_cap=queries.PREVIEW_COUNT_CAP)
    return render_template("embed/list.html", name=found.name, page=listing, show_institution=False,
                           home=site_url("public.institution", slug=found.slug),
                           more=site_url("public.events", institution=found.slug),
                           feed="feeds.institution_feed", feed_args={"slug": found.slug}, site_url=site_url)


@bp.get("/areas/<code>")
@frameable
def area(code: str):
    found = lookups.area_by_code(code)
    listing = queries.list_activities(ActivityFilters(area=found), local_today(), per_page=_limit(),
                                       count_cap=queries.PREVIEW_COUNT_CAP)
    return render_template("embed/list.html", name=found.name, page=listing, show_institution=True,
                           home=site_url("public.area", code=found.code),
                           more=site_url("public.events", area=found.code),
                           feed="feeds.area_feed", feed_args={"code": found.code}, site_url=site_url)
