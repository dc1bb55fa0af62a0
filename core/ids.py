"""Parse database ids from untrusted text (URLs, button values, SCIM references).

``str.isdigit`` accepts "²" and "٣", which ``int`` then rejects or misreads, and a huge
number overflows SQLite's 64-bit integers or PostgreSQL's 32-bit ``integer`` columns. Every
id that arrives from outside goes through here instead.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

T = TypeVar("T")
# The largest PostgreSQL ``integer`` (our primary keys); SQLite accepts it too.
MAX_ID = 2**31 - 1


def parse_id(text: object) -> int | None:
    """The positive id ``text`` spells in ASCII digits, or None for anything else."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text if 0 < text <= MAX_ID else None
    if not isinstance(text, str) or not text or len(text) > 10:
        return None
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def get_by_id(session: Session, model: type[T], text: object) -> T | None:
    """``session.get(model, id)`` for an id from outside, or None when it is not one."""
    pk = parse_id(text)
    return session.get(model, pk) if pk is not None else None
