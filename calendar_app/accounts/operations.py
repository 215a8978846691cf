"""Users, passwords and API tokens (shared by the admin pages, the account page, the API and the CLI).

Functions taking an `actor` check that the actor may do it and record it in the audit trail; the CLI,
run by whoever holds the server, passes none. Callers commit.
"""
import re
import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.exceptions import Forbidden
from werkzeug.security import generate_password_hash

from ..audit.operations import diff, record
from ..clock import utcnow
from ..extensions import db
from ..places.lookup import unit_on
from ..places.models import Institution
from ..validation import ValidationFailed
from .models import ApiToken, User
from .scope import require_role

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10
MAX_PASSWORD = 200


class AccountError(ValidationFailed):
    """A refused account change; `fields` maps field names to reasons."""


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None.

    A password is checked whether or not the address has an account (against a stand-in hash when not) and
    whether or not the account is disabled, so the time an answer takes does not tell which addresses have
    one."""
    user = find_user(email)
    if user is None:
        User(password_hash=_stand_in_hash()).check_password(password or "")
        return None
    if not user.check_password(password or ""):
        return None
    return user if user.active else None


def _stand_in_hash() -> str:
    """A hash made the way new passwords are hashed (so it costs as much to check), once per method."""
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    if method not in _STAND_IN_HASHES:
        _STAND_IN_HASHES[method] = generate_password_hash(secrets.token_urlsafe(16), method=method)
    return _STAND_IN_HASHES[method]


_STAND_IN_HASHES: dict[str, str] = {}


def user_values(user: User) -> dict:
    """What the audit trail shows of an account (never the password)."""
    return {"email": user.email, "name": user.name, "role": user.role, "active": user.active,
            "institution": user.institution.slug if user.institution else None,
            "area": user.area.code if user.area else None}


def _record(actor, action: str, user: User, changes: dict | None = None) -> None:
    record(actor, action, "user", user.email, institution=user.institution, area=user.area, changes=changes)


def _password_problem(password: str | None) -> str | None:
    if len(password or "") < MIN_PASSWORD:
        return str(_l("The password must have at least %(n)d characters.", n=MIN_PASSWORD))
    if len(password) > MAX_PASSWORD:
        return str(_l("The password may have at most %(n)d characters.", n=MAX_PASSWORD))
    return None


def new_password() -> str:
    """A random password for a new or reset account, shown once to the admin."""
    return secrets.token_urlsafe(12)


def create_user(email: str, role: str, password: str, *, name: str = "",
                institution_slug: str | None = None, area_code: str | None = None, actor=None) -> User:
    """Validate and add a user (caller commits); an `actor` must be an admin."""
    if actor is not None:
        require_role(actor, "admin")
    errors: dict[str, str] = {}
    email = normalise_email(email)
    if not EMAIL_RE.match(email):
        errors["email"] = str(_l("Enter a valid e-mail address."))
    elif find_user(email) is not None:
        errors["email"] = str(_l("A user with this e-mail address already exists."))
    if role not in ("admin", "officer", "editor"):
        errors["role"] = str(_l("Role must be admin, officer or editor."))
    if len(name or "") > 200:
        errors["name"] = str(_l("Too long: at most %(limit)s characters.", limit=200))
    if _password_problem(password):
        errors["password"] = _password_problem(password)
    institution = area = None
    if role == "editor":
        institution = db.session.scalar(select(Institution).where(Institution.slug == institution_slug))
        if institution is None:
            errors["institution"] = str(_l("An editor needs an existing institution."))
    if role == "officer":
        area = unit_on(area_code)  # the unit valid today
        if area is None:
            errors["area"] = str(_l("An officer needs an existing area."))
    if errors:
        raise AccountError(errors)
    user = User(email=email, role=role, name=(name or "").strip(), institution=institution, area=area)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    if actor is not None:
        _record(actor, "create", user, diff({}, user_values(user)))
    return user


def set_active(actor, user: User, active: bool) -> User:
    """Disable or re-enable an account: a disabled user can neither sign in nor use their tokens."""
    require_role(actor, "admin")
    if user.id == actor.id and not active:
        raise AccountError({"active": str(_l("You cannot disable your own account."))})
    if user.active != active:
        before = user_values(user)
        user.active = active
        _record(actor, "enable" if active else "disable", user, diff(before, user_values(user)))
    return user


def reset_password(actor, user: User) -> str:
    """Give the user a new random password (returned, to be shown once); their sessions end."""
    require_role(actor, "admin")
    password = new_password()
    user.set_password(password)
    user.end_sessions()
    _record(actor, "reset_password", user)
    return password


def change_password(user: User, current: str, new: str, confirm: str) -> None:
    """The signed-in user changes their own password; their other sessions end."""
    errors = {}
    if not user.check_password(current or ""):
        errors["current_password"] = str(_l("This is not your current password."))
    if _password_problem(new):
        errors["new_password"] = _password_problem(new)
    elif new == current:
        errors["new_password"] = str(_l("Choose a password different from the current one."))
    if new != confirm:
        errors["confirm_password"] = str(_l("The two new passwords are not the same."))
    if errors:
        raise AccountError(errors)
    user.set_password(new)
    user.end_sessions()
    _record(user, "change_password", user)


def issue_token(user: User, name: str = "", actor=None) -> str:
    """Create an API token and return its one-time secret (caller commits); an `actor` must be an admin."""
    if actor is not None:
        require_role(actor, "admin")
        if len(name or "") > 100:
            raise AccountError({"name": str(_l("Too long: at most %(limit)s characters.", limit=100))})
        if not user.active:
            raise AccountError({"user": str(_l("This account is disabled."))})
    token, secret = ApiToken.issue(user, (name or "").strip())
    db.session.flush()
    if actor is not None:
        _record(actor, "create_token", user, {"token": [None, f"{token.hint}… {token.name}".strip()]})
    return secret


def revoke_token(actor, token: ApiToken) -> ApiToken:
    """Stop a token working; admins revoke any, users their own."""
    if actor.role != "admin" and token.user_id != actor.id:
        raise Forbidden()
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        _record(actor, "revoke_token", token.user, {"token": [f"{token.hint}… {token.name}".strip(), None]})
    return token


def user_for_token(secret: str) -> User | None:
    """The active user owning an unrevoked token, or None."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(secret or "")))
    if token is None or token.revoked or not token.user.active:
        return None
    token.last_used_at = utcnow()
    return token.user
