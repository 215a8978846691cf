"""Lifelong-learning activity calendar: the application factory.

`create_app` only wires. Each register_* function adds one kind of thing, and create_app calls them in the
order that matters; nothing registers itself from a blueprint or at import time.
"""
import os

from flask import Flask

from . import config as config_module
from .extensions import babel, csrf, db, limiter, login_manager, migrate


def create_app(config: dict | None = None) -> Flask:
    """Build the app; `config` overrides what the environment gives (tests pass theirs here)."""
    app = Flask(__name__, instance_path=os.environ.get("CALENDAR_INSTANCE_PATH") or None,
                instance_relative_config=True)
    settings = config_module.from_environment(app.instance_path)
    settings.update(config or {})
    app.config.update(settings)

    register_extensions(app)
    # before anything can write: every ORM write is turned into the signals other features react to
    register_listeners(app)
    register_unit_of_work(app)
    # before the blueprints: their <int:…> rules take the guard's bounded converter
    register_guard(app)
    register_page_helpers(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_cli(app)
    # last, around the finished app: the feed fast path, then ProxyFix outermost
    register_middleware(app)
    start_scheduler(app)
    return app


def register_extensions(app: Flask) -> None:
    from . import models  # noqa: F401  (every table on the metadata before migrate/create_all)
    from .i18n import select_locale, select_timezone

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"),
                     render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    login_manager.init_app(app)
    limiter.init_app(app)


def register_listeners(app: Flask) -> None:
    """The one session listener that announces what each transaction wrote (changes.py), and the receivers
    of the named signals (signals.py). Both are process-wide, and registering them again changes nothing."""
    from .changes import listen
    from .events.keys import install as keep_activity_key_text
    from .events.tagging import subscribe as retag_when_observance_dates_change
    from .feeds.cache import subscribe as mark_feeds_when_the_calendar_changes
    from .indicators.tracking import subscribe as refresh_facts_when_figures_change
    from .places.placement import install as keep_open_placements
    from .registration.followup import subscribe as tell_registrants_when_their_dates_change
    from .registration.operations import subscribe as promote_waitlists_when_capacity_grows

    listen()
    keep_open_placements()  # an institution's area change is a dated move (places/placement.py)
    keep_activity_key_text()  # the lists' copy of an activity's keys (events/keys.py)
    for subscribe in (retag_when_observance_dates_change, mark_feeds_when_the_calendar_changes,
                      refresh_facts_when_figures_change, promote_waitlists_when_capacity_grows,
                      tell_registrants_when_their_dates_change):
        subscribe()


def register_unit_of_work(app: Flask) -> None:
    """Each request commits once when it succeeds and rolls back when it fails (unit_of_work.py)."""
    from . import unit_of_work

    unit_of_work.init_app(app)


def register_guard(app: Flask) -> None:
    """Input PostgreSQL cannot store or the code cannot handle is refused before any view runs (guard.py)."""
    from .guard import register_guard as guard

    guard(app)  # replaces app.json with a provider that refuses unpaired surrogates
    # JSON (the API) sends Vietnamese as UTF-8 rather than \u escapes: a third of the size, and readable
    app.json.ensure_ascii = False


def register_page_helpers(app: Flask) -> None:
    """What every page shares: template filters and globals, security headers, the session cookie."""
    from .web import register_web

    register_web(app)


def register_blueprints(app: Flask) -> None:
    from .accounts.views import bp as accounts_bp
    from .admin.views import bp as admin_bp
    from .api import bp as api_bp
    from .approval.views import bp as approval_bp
    from .audit.views import bp as audit_bp
    from .embed.views import bp as embed_bp
    from .events.views import bp as events_bp
    from .feeds.views import bp as feeds_bp
    from .indicators.views import bp as indicators_bp
    from .notifications.views import bp as notifications_bp
    from .participation.views import bp as participation_bp
    from .public.views import bp as public_bp
    from .registration.views import bp as registration_bp

    for blueprint in (public_bp, accounts_bp, feeds_bp, events_bp, admin_bp, participation_bp, registration_bp,
                      indicators_bp, api_bp, approval_bp, notifications_bp, audit_bp, embed_bp):
        app.register_blueprint(blueprint)


def register_error_handlers(app: Flask) -> None:
    """Error pages in the user's language; JSON errors under /api/, also for URLs that match no route."""
    from .api.core import http_error_response
    from .outage import register_outage
    from .web import register_error_pages

    register_error_pages(app, json_errors={"/api/": http_error_response})
    register_outage(app)


def register_cli(app: Flask) -> None:
    from .accounts.cli import users_cli
    from .demo.cli import demo_command
    from .feeds.cli import feeds_cli
    from .indicators.cli import rebuild_facts_command, report_command
    from .places.cli import areas_cli
    from .registration.cli import participation_cli
    from .scheduler.cli import scheduler_command
    from .translate import translate_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(areas_cli)
    app.cli.add_command(feeds_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(report_command)
    app.cli.add_command(rebuild_facts_command)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(translate_cli)
    app.cli.add_command(participation_cli)


def register_middleware(app: Flask) -> None:
    """WSGI layers around the app, innermost first.

    The feed cache, and its fast path that replays the app's own answer for a current feed before Flask
    builds a request (feeds/fastpath.py). ProxyFix goes outermost, so that the fast path sees each
    request as Flask does, with the scheme and host the client asked the proxy for: it keys its recorded
    answers on them, and the answers carry links and headers (HSTS) built from them.
    """
    from .feeds import cache
    from .feeds.fastpath import FeedFastPath

    cache.init_app(app)
    app.wsgi_app = FeedFastPath(app.wsgi_app, app.extensions["feed_cache"])
    if app.config.get("PROXY_COUNT"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_COUNT"]  # trust X-Forwarded-* from this many proxies in front
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def start_scheduler(app: Flask) -> None:
    if app.config["SCHEDULER_ENABLED"] and not app.testing:
        from .scheduler.runner import start_in_process

        start_in_process(app)  # only inside `flask run`; production runs `flask scheduler`
