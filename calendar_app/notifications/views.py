"""The signed-in user's reminders (and the unread count the navigation shows)."""
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from .operations import mark_all_read, reminders_for, unread_count

bp = Blueprint("notifications", __name__, url_prefix="/reminders")


@bp.route("")
@login_required
def index():
    return render_template("notifications/index.html", reminders=reminders_for(current_user))


@bp.route("/read", methods=["POST"])
@login_required
def read_all():
    mark_all_read(current_user)
    return redirect(url_for(".index"))


@bp.app_context_processor
def reminder_badge():
    if not getattr(current_user, "is_authenticated", False):
        return {"unread_reminders": 0}
    return {"unread_reminders": unread_count(current_user)}
