"""Creating users and tokens (shared by the admin pages, the API and the CLI)."""
import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..clock import utcnow
from ..extensions import db
from ..places.models import Area, Institution
from .models import ApiToken, User

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10


class AccountError(ValueError):
    """A refused account change; `fields` maps field names to reasons."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def create_user(email: str, role: str, password: str, *, name: str = "",
                institution_slug: str | None = None, area_code: str | None = None) -> User:
    """Validate and add a user (caller commits)."""
    errors: dict[str, str] = {}
    email = normalise_email(email)
    if not EMAIL_RE.match(email):
        errors["email"] = str(_l("Enter a valid e-mail address."))
    elif find_user(email) is not None:
        errors["email"] = str(_l("A user with this e-mail address already exists."))
    if role not in ("admin", "officer", "editor"):
        errors["role"] = str(_l("Role must be admin, officer or editor."))
    if len(password or "") < MIN_PASSWORD:
        errors["password"] = str(_l("The password must have at least %(n)d characters.", n=MIN_PASSWORD))
    institution = area = None
    if role == "editor":
        institution = db.session.scalar(select(Institution).where(Institution.slug == institution_slug))
        if institution is None:
            errors["institution"] = str(_l("An editor needs an existing institution."))
    if role == "officer":
        area = db.session.scalar(select(Area).where(Area.code == area_code))
        if area is None:
            errors["area"] = str(_l("An officer needs an existing area."))
    if errors:
        raise AccountError(errors)
    user = User(email=email, role=role, name=name, institution=institution, area=area)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def issue_token(user: User, name: str = "") -> str:
    """Create an API token and return its one-time secret (caller commits)."""
    _token, secret = ApiToken.issue(user, name)
    db.session.flush()
    return secret


def user_for_token(secret: str) -> User | None:
    """The active user owning an unrevoked token, or None."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(secret or "")))
    if token is None or token.revoked or not token.user.active:
        return None
    token.last_used_at = utcnow()
    return token.user
