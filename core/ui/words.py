"""Counted English words: "1 match", "16 matches". The one place plurals are chosen until the
texts move to gettext catalogs (where ``ngettext`` takes over with each language's rules)."""

from __future__ import annotations


def plural(n: float, one: str, many: str) -> str:
    """``one`` when ``n`` is exactly 1, else ``many`` ("0 matches", "1.5 hours")."""
    return one if n == 1 else many


def count(n: float, one: str, many: str) -> str:
    """``n`` and its word: ``count(3, "person", "people")`` is "3 people"; whole floats
    print without a decimal point ("2 hours", "1.5 hours")."""
    return f"{n:g} {plural(n, one, many)}" if isinstance(n, float) else \
        f"{n} {plural(n, one, many)}"
