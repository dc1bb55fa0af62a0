"""Alembic environment: runs against a passed-in connection, DATABASE_URL, or the SQLite default."""

from __future__ import annotations

import os

from alembic import context

import core.models  # noqa: F401  - registers every table on Base.metadata
from core.db import DEFAULT_DATABASE_URL, Base, UTCDateTime, make_engine

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return (config.get_main_option("sqlalchemy.url") or os.environ.get("DATABASE_URL")
            or DEFAULT_DATABASE_URL)


def _render_item(type_, obj, autogen_context):  # type: ignore[no-untyped-def]
    # Migrations stay self-contained: our UTC wrapper is a plain timezone-aware DateTime there.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_item=_render_item,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite needs batch ALTERs
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    with engine.connect() as conn:
        _run(conn)
        conn.commit()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
