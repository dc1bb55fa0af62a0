"""Counted words: "1 match", "16 matches", "0 correspondance" in French, "1,5 Stunden" in German.

Plurals go through the catalogs' ``ngettext``, so each language's own rule picks the form; the
extraction (``core.i18n.extract``) reads ``count(n, "match", "matches")`` and
``plural(n, "was", "were")`` calls as plural messages.
"""

from __future__ import annotations

from core.i18n import format_number, ngettext


def plural(n: float, one: str, many: str) -> str:
    """The form of the word the reader's language uses for ``n`` ("0 matches", "1.5 hours")."""
    return ngettext(one, many, n)


def count(n: float, one: str, many: str) -> str:
    """``n`` and its word: ``count(3, "person", "people")`` is "3 people"; the number is
    written the reader's way, whole floats without a decimal point ("2 hours", "1.5 hours")."""
    return f"{format_number(n)} {plural(n, one, many)}"
