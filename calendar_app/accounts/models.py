"""People who sign in, what they may reach, and their API tokens."""
import hashlib
import secrets
from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..clock import utcnow
from ..extensions import db
from ..places.models import Area, Institution

TOKEN_PREFIX = "lcal_"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    #: admin | officer (area_id and below) | editor (one institution_id)
    role: Mapped[str] = mapped_column(String(16))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id"))
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    #: grows at every sign-out and password change: the sessions opened before stop working
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    area: Mapped[Area | None] = relationship()
    institution: Mapped[Institution | None] = relationship()
    tokens: Mapped[list["ApiToken"]] = relationship(back_populates="user", cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint("role IN ('admin', 'officer', 'editor')", name="role"),
        CheckConstraint(
            "(role = 'admin') OR (role = 'officer' AND area_id IS NOT NULL)"
            " OR (role = 'editor' AND institution_id IS NOT NULL)",
            name="scope",
        ),
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def set_password(self, password: str) -> None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)

    @property
    def session_fingerprint(self) -> str:
        """Changes with the password and the session version, so a new password or a sign-out ends every
        session opened before (a copied session cookie included)."""
        return hashlib.sha256(f"{self.session_version or 0}:{self.password_hash}".encode()).hexdigest()[:16]

    def end_sessions(self) -> None:
        """Sign out everywhere: every session opened so far stops working at its next request."""
        self.session_version = (self.session_version or 0) + 1

    def get_id(self) -> str:  # what Flask-Login keeps in the session cookie
        return f"{self.id}:{self.session_fingerprint}"

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    #: sha256 of the secret; the secret itself is shown once and never stored
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: first characters, so people can tell their tokens apart
    hint: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")

    @staticmethod
    def hash(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str = "") -> tuple["ApiToken", str]:
        """Create a token for user; returns it with the one-time secret."""
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls(user=user, name=name, token_hash=cls.hash(secret), hint=secret[:10])
        db.session.add(token)
        return token, secret

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
