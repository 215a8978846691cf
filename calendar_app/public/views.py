"""The citizen's pages."""
from datetime import timedelta

from flask import Blueprint, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..clock import local_midnight_utc, local_today
from ..events.models import Activity, Occurrence
from ..extensions import db

bp = Blueprint("public", __name__)


@bp.route("/")
def home():
    today = local_today()
    start, end = local_midnight_utc(today), local_midnight_utc(today + timedelta(days=7))
    occurrences = db.session.scalars(
        select(Occurrence)
        .join(Occurrence.activity)
        .where(Activity.status == "published", Occurrence.starts_at < end, Occurrence.ends_at > start)
        .options(selectinload(Occurrence.activity).selectinload(Activity.institution))
        .order_by(Occurrence.starts_at)
        .limit(50)
    ).all()
    return render_template("public/home.html", occurrences=occurrences, today=today)


@bp.route("/lang/<code>")
def set_language(code: str):
    """Language switch: remembered in the session by i18n.select_locale."""
    target = request.args.get("next") or url_for("public.home")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("public.home")
    separator = "&" if "?" in target else "?"
    return redirect(f"{target}{separator}lang={code}" if code in ("vi", "en") else target)
