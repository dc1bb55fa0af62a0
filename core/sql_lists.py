"""A column matched against a long list of values, as one bound parameter where possible."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

# The generic ARRAY: importing sqlalchemy.dialects.postgresql would load that whole dialect
# (half a second) into SQLite processes too.
from sqlalchemy import ARRAY, ColumnElement, String, any_, bindparam
from sqlalchemy.orm import Session
from sqlalchemy.sql.sqltypes import NullType


def among(session: Session, expr: ColumnElement[Any], values: Collection[Any]
          ) -> ColumnElement[bool]:
    """``expr IN values``, written so thousands of values stay cheap.

    On PostgreSQL it is ``expr = ANY(:array)``: one parameter, so the statement's text is
    the same whatever the list's length and psycopg parses it once (an expanding IN of
    5,000 values is 5,000 placeholders, re-parsed on every call). SQLite keeps the plain
    IN, which its driver binds cheaply.
    """
    if session.get_bind().dialect.name == "postgresql":
        # A function's result has no type of its own (lower(email)): its values are text.
        item = String() if isinstance(expr.type, NullType) else expr.type
        return expr == any_(bindparam(None, list(values), type_=ARRAY(item)))
    return expr.in_(list(values))
