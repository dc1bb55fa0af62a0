"""Column helpers every model module shares."""

from __future__ import annotations

import enum

from sqlalchemy import Enum


def enum_column(cls: type[enum.Enum], name: str) -> Enum:
    """A Python enum stored as its values."""
    # Non-native enums are plain VARCHARs: identical on SQLite and PostgreSQL, and cheap to extend.
    return Enum(cls, name=name, native_enum=False, length=32, values_callable=_values)


def _values(cls: type[enum.Enum]) -> list[str]:
    return [m.value for m in cls]
