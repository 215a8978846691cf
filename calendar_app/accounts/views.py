"""Signing in and out, and one's own account."""
import hmac
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..clock import utcnow
from ..extensions import db, limiter, login_manager
from ..unit_of_work import attempt
from .forms import LoginForm, PasswordForm
from .models import User
from .operations import AccountError, authenticate, change_password

bp = Blueprint("accounts", __name__)

login_manager.login_view = "accounts.login"
login_manager.login_message = None


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The signed-in user, unless the password changed since the session began."""
    user_id, _sep, fingerprint = session_id.partition(":")
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not hmac.compare_digest(user.session_fingerprint, fingerprint):
        return None
    return user


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("public.home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        # one message for an unknown e-mail, a wrong password and a disabled account
        if user is None:
            form.password.errors.append(_("The e-mail address or password is not correct."))
        else:
            login_user(user)
            user.last_login_at = utcnow()
            return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form), 200 if not form.errors else 400


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    # the session cookie is signed, not stored: a copy of it would stay valid unless its mark changes
    current_user.end_sessions()  # committed by the unit of work with the redirect
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("public.home"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Who I am, what I may reach, and changing my password."""
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            with attempt():
                change_password(current_user, form.current_password.data, form.new_password.data,
                                form.confirm_password.data)
        except AccountError as error:
            for name, reason in error.fields.items():
                getattr(form, name).errors.append(reason)
        else:
            login_user(current_user._get_current_object())  # this session carries the new password's mark
            flash(_("Your password is changed. Other sessions with the old password are signed out."), "info")
            return redirect(url_for(".account"))
    return render_template("accounts/account.html", form=form), 422 if form.errors else 200

