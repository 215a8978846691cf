"""Accent-insensitive text for Vietnamese search: "doc sach" finds "Đọc sách" on any database."""
import unicodedata

from sqlalchemy import and_, true


def fold(text: str | None) -> str:
    """Lower-case, strip diacritics, map đ/Đ to d."""
    if not text:
        return ""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


def terms(query: str | None) -> list[str]:
    """The folded words of a search query, each of which must match."""
    return fold(query).split()


def matches(column, query: str | None):
    """SQL condition: every folded term of `query` occurs in the (already folded) `column`.

    LIKE on folded text behaves the same on SQLite and PostgreSQL; wildcards typed by the user are escaped.
    """
    words = terms(query)
    if not words:
        return true()
    return and_(*(column.contains(word, autoescape=True) for word in words))
