"""Settings from the environment, with a safe embedded default for a laptop."""
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app


class ConfigError(RuntimeError):
    """Raised when production settings are incomplete."""


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _dev_secret(instance_path: Path) -> str:
    """Read or generate the development secret kept in instance/secret_key."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _check_shared_rate_limits(storage: str, workers: str | None) -> None:
    """In production the sign-in limit must hold across worker processes: memory:// counts in each one."""
    if storage.startswith("memory://") and (workers or "").strip() != "1":
        count = workers or "by default 2 × cores + 1"
        raise ConfigError(
            f"RATELIMIT_STORAGE_URI is memory://, which every worker process counts on its own, so {count} "
            "workers (WEB_CONCURRENCY) would let that many times the sign-in attempts through. Set "
            "RATELIMIT_STORAGE_URI to a store they share, e.g. redis://127.0.0.1:6379/0, or run one worker "
            "with WEB_CONCURRENCY=1.")


def _public_base_url(value: str | None, production: bool) -> str | None:
    """PUBLIC_BASE_URL, required in production: without it links would follow the request's Host header."""
    value = (value or "").strip().rstrip("/") or None
    if value is None:
        if production:
            raise ConfigError("PUBLIC_BASE_URL must be set when CALENDAR_ENV=production, e.g. "
                              "PUBLIC_BASE_URL=https://lichhoctap.phutho.gov.vn: feeds, pages, e-mails and the API "
                              "build their absolute links on it rather than on the Host header a client sends.")
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path or parts.query:
        raise ConfigError(f"PUBLIC_BASE_URL must be the site root, like https://lichhoctap.phutho.gov.vn "
                          f"(got {value!r}).")
    return value


def from_environment(instance_path: str) -> dict:
    """Build the configuration mapping from environment variables."""
    instance = Path(instance_path)
    production = os.environ.get("CALENDAR_ENV", "development") == "production"
    secret = os.environ.get("SECRET_KEY")
    if not secret:
        if production:
            raise ConfigError("SECRET_KEY must be set when CALENDAR_ENV=production")
        secret = _dev_secret(instance)
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        if production:
            raise ConfigError("DATABASE_URL must be set when CALENDAR_ENV=production")
        instance.mkdir(parents=True, exist_ok=True)
        database_url = f"sqlite:///{instance / 'calendar.db'}"
    rate_limit_storage = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    if production:
        _check_shared_rate_limits(rate_limit_storage, os.environ.get("WEB_CONCURRENCY"))
    public_base_url = _public_base_url(os.environ.get("PUBLIC_BASE_URL"), production)
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://"):]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    return {
        "CALENDAR_ENV": "production" if production else "development",
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "CALENDAR_TIMEZONE": os.environ.get("CALENDAR_TIMEZONE", "Asia/Ho_Chi_Minh"),
        "CALENDAR_DOMAIN": os.environ.get("CALENDAR_DOMAIN", "calendar.localhost"),
        "PUBLIC_BASE_URL": public_base_url,
        # absolute URLs (url_for(_external=True): API links, pages' structured data) name the public host, never
        # the Host header a client sent; Flask 3.1 still answers requests for any host
        "SERVER_NAME": urlsplit(public_base_url).netloc if public_base_url else None,
        "PREFERRED_URL_SCHEME": urlsplit(public_base_url).scheme if public_base_url else "http",
        "SCHEDULER_ENABLED": _env_bool("SCHEDULER_ENABLED", not production),
        # every feed's window and ceiling (README, "Calendar feeds"): what Google Calendar and Outlook accept
        "FEED_PAST_DAYS": int(os.environ.get("FEED_PAST_DAYS", "90")),
        "FEED_FUTURE_DAYS": int(os.environ.get("FEED_FUTURE_DAYS", "365")),
        "FEED_MAX_BYTES": int(os.environ.get("FEED_MAX_BYTES", "1000000")),
        "FEED_MAX_EVENTS": int(os.environ.get("FEED_MAX_EVENTS", "1000")),
        #: per worker: the assembled feeds it holds (each at most FEED_MAX_BYTES); the store is in the database
        "FEED_CACHE_MB": int(os.environ.get("FEED_CACHE_MB", "16")),
        "FEED_REFRESH_MINUTES": int(os.environ.get("FEED_REFRESH_MINUTES", "120")),
        "REGISTRATION_PURGE_DAYS": int(os.environ.get("REGISTRATION_PURGE_DAYS", "30")),
        "RATELIMIT_STORAGE_URI": rate_limit_storage,
        "MAIL_SERVER": os.environ.get("MAIL_SERVER"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "calendar@localhost"),
        "MAIL_USE_TLS": _env_bool("MAIL_USE_TLS", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        #: how many reverse proxies (nginx) stand in front of the app servers; 0 when none
        "PROXY_COUNT": int(os.environ.get("PROXY_COUNT", "0")),
        #: the largest request body any page takes: an import file (5 MB) and its form fields
        "MAX_CONTENT_LENGTH": 6 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": production,
        "BABEL_DEFAULT_LOCALE": "vi",
        # the catalogs live at the top of the repository, beside calendar_app/
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).resolve().parent.parent / "translations"),
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("CALENDAR_TIMEZONE", "Asia/Ho_Chi_Minh"),
        "LANGUAGES": ("vi", "en"),
        "PER_PAGE": 20,
    }


def for_tests(database_url: str) -> dict:
    """Overrides applied on top of the environment for the test suite."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "SCHEDULER_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "CALENDAR_DOMAIN": "test.example",
        "SERVER_NAME": None,
        # operations called without a request (as most tests do) answer in the source language
        "NO_REQUEST_LOCALE": "en",
        # scrypt is slow on purpose; the suite hashes hundreds of passwords
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }


def mail_configured() -> bool:
    """Whether this app has a mail server to send through (MAIL_SERVER)."""
    return bool(current_app.config.get("MAIL_SERVER"))
