"""Accent-insensitive text for Vietnamese search: "doc sach" finds "Đọc sách" on any database."""
import unicodedata


def fold(text: str | None) -> str:
    """Lower-case, strip diacritics, map đ/Đ to d."""
    if not text:
        return ""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())
