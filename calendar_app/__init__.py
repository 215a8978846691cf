"""Lifelong-learning activity calendar: the application factory."""
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

    from . import models  # noqa: F401  (every table on the metadata before migrate/create_all)
    from .i18n import select_locale, select_timezone

    db.init_app(app)
    from .indicators.tracking import install as track_indicator_facts

    track_indicator_facts()
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"),
                     render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    login_manager.init_app(app)
    limiter.init_app(app)

    from .guard import register_guard
    from .outage import register_outage
    from .web import register_web

    register_guard(app)  # before the blueprints: their <int:…> rules take its bounded converter
    register_web(app)
    register_outage(app)
    _register_blueprints(app)
    _register_cli(app)
    if app.config.get("PROXY_COUNT"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_COUNT"]  # trust X-Forwarded-* from this many proxies in front
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    if app.config["SCHEDULER_ENABLED"] and not app.testing:
        from .scheduler.runner import start_in_process

        start_in_process(app)  # only inside `flask run`; production runs `flask scheduler`
    return app


def _register_blueprints(app: Flask) -> None:
    from .accounts.views import bp as accounts_bp
    from .admin.views import bp as admin_bp
    from .api import bp as api_bp
    from .approval.views import bp as approval_bp
    from .audit.views import bp as audit_bp
    from .events.views import bp as events_bp
    from .feeds.views import bp as feeds_bp
    from .indicators.views import bp as indicators_bp
    from .notifications.views import bp as notifications_bp
    from .participation.views import bp as participation_bp
    from .public.views import bp as public_bp

    for blueprint in (public_bp, accounts_bp, feeds_bp, events_bp, admin_bp, participation_bp,
                      indicators_bp, api_bp, approval_bp, notifications_bp, audit_bp):
        app.register_blueprint(blueprint)


def _register_cli(app: Flask) -> None:
    from .accounts.cli import users_cli
    from .demo.cli import demo_command
    from .indicators.cli import rebuild_facts_command, report_command
    from .participation.cli import participation_cli
    from .scheduler.cli import scheduler_command
    from .translate import translate_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(report_command)
    app.cli.add_command(rebuild_facts_command)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(translate_cli)
    app.cli.add_command(participation_cli)
