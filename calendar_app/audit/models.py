"""The audit trail: who changed what, when, old -> new."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..clock import utcnow
from ..extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: create | update | publish | cancel | delete | submit | approve | return | unlock | …
    action: Mapped[str] = mapped_column(String(32))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(80))
    #: the institution and area the change belongs to, so officers see only their scope
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id"), index=True)
    area_path: Mapped[str | None] = mapped_column(String(255), index=True)
    #: {"field": [old, new], …}
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    reason: Mapped[str | None] = mapped_column(String(500))

    user: Mapped[User | None] = relationship()
