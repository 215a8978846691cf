"""Numbered pages for the staff lists (the API pages with `next` links instead, see api/core.py)."""
from dataclasses import dataclass

from flask import current_app, request
from sqlalchemy import func, select

from .extensions import db


@dataclass
class Page:
    items: list
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


#: the furthest page a list goes to (an unbounded number would overflow the database's OFFSET)
MAX_PAGE = 10_000


def page_number() -> int:
    """?page= as 1 … MAX_PAGE; 1 for anything that is not plain digits."""
    value = request.args.get("page", "1").strip()
    if not (value.isascii() and value.isdigit()):
        return 1
    return MAX_PAGE if len(value) > len(str(MAX_PAGE)) else max(1, min(int(value), MAX_PAGE))


def paginate(query, number: int | None = None, per_page: int | None = None, scalars: bool = True) -> Page:
    """One page of a select(); the database counts the rows."""
    number = number or page_number()
    per_page = per_page or current_app.config.get("PER_PAGE", 20)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    result = db.session.execute(query.limit(per_page).offset((number - 1) * per_page))
    items = list(result.scalars() if scalars else result.all())
    return Page(items=items, number=number, per_page=per_page, total=total or 0)
