"""Time helpers: the database keeps naive UTC, people see CALENDAR_TIMEZONE."""
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_ZONE = "Asia/Ho_Chi_Minh"


def utcnow() -> datetime:
    """Current time as naive UTC, the form stored in the database."""
    return datetime.now(UTC).replace(tzinfo=None)


def local_zone() -> ZoneInfo:
    name = current_app.config["CALENDAR_TIMEZONE"] if has_app_context() else DEFAULT_ZONE
    return ZoneInfo(name)


def to_utc(value: datetime) -> datetime:
    """Aware or local-naive datetime -> naive UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=local_zone())
    return value.astimezone(UTC).replace(tzinfo=None)


def to_local(value: datetime, zone: ZoneInfo | None = None) -> datetime:
    """Naive UTC -> aware local datetime (in `zone` when the caller has looked it up already)."""
    return value.replace(tzinfo=UTC).astimezone(zone or local_zone())


def local_midnight_utc(day: date) -> datetime:
    """The UTC instant at which a local calendar day begins."""
    return to_utc(datetime.combine(day, time.min))


def local_day(value: datetime) -> date:
    """Local calendar date of a naive UTC datetime."""
    return to_local(value).date()


def year_bounds_utc(year: int) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar year, in naive UTC."""
    return local_midnight_utc(date(year, 1, 1)), local_midnight_utc(date(year + 1, 1, 1))


def local_today() -> date:
    return to_local(utcnow()).date()


ONE_DAY = timedelta(days=1)
