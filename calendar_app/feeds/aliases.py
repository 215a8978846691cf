"""Short, stable names for filtered feeds: /feeds/f/<code>.ics serves /feeds/events.ics?<args>.

Google Calendar silently refuses a subscription address longer than 256 characters, and a few filters with
Vietnamese search words pass that. The code is a digest of the normalised arguments, so the same filters
always get the same code, on any server; the table maps it back.
"""
import base64
import hashlib
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from .models import FeedAlias

#: the query arguments of /feeds/events.ics, in the order they make a feed's key and an alias
FILTER_ARGS = ("area", "institution", "category", "audience", "observance", "q")
#: base32 characters of a code: 60 bits
CODE_LENGTH = 12


def normalised(args) -> tuple[tuple[str, str], ...]:
    """The filter arguments that matter, stripped and in a fixed order (what identifies a filtered feed)."""
    return tuple((name, value) for name in FILTER_ARGS if (value := (args.get(name) or "").strip()))


def code_for(args: tuple[tuple[str, str], ...]) -> str:
    digest = hashlib.blake2b(urlencode(args).encode(), digest_size=10).digest()
    return base64.b32encode(digest).decode().lower()[:CODE_LENGTH]


def alias_for(args: tuple[tuple[str, str], ...]) -> str:
    """The code of these filters, stored so that it can be resolved (once per combination)."""
    code = code_for(args)
    if db.session.get(FeedAlias, code) is None:
        dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
        db.session.execute(dialect.insert(FeedAlias).values(code=code, args=urlencode(args))
                           .on_conflict_do_nothing(index_elements=["code"]))
    return code


def resolve(code: str) -> tuple[tuple[str, str], ...] | None:
    query = db.session.scalar(select(FeedAlias.args).where(FeedAlias.code == code))
    return None if query is None else normalised(dict(parse_qsl(query)))
