"""Replicas sharing one PostgreSQL take turns through advisory locks.

Transaction-level locks (``pg_advisory_xact_lock``) end with the transaction, so a replica
that crashes or loses its connection never leaves one held. SQLite is one process with one
writer at a time (``BEGIN IMMEDIATE``), so every call here is a no-op that succeeds there.
"""

from __future__ import annotations

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

# Names, not numbers, at the call sites. Advisory locks are per database, so the key hashes
# the name with the schema in use: two deployments in two schemas of one database (or two
# test runs) never wait on each other.
MIGRATIONS = "mentorbot:migrations"
PLANNER = "mentorbot:planner"
CLAIMS = "mentorbot:outbox-claims"


def _is_postgres(bind: Connection | Session) -> bool:
    dialect = bind.get_bind().dialect if isinstance(bind, Session) else bind.dialect
    return dialect.name == "postgresql"


def wait_for_turn(bind: Connection | Session, name: str) -> None:
    """Block until this transaction holds ``name`` (released when the transaction ends)."""
    if _is_postgres(bind):
        bind.execute(text("SELECT pg_advisory_xact_lock(hashtext(current_schema() || :name))"),
                     {"name": f":{name}"})


def try_turn(bind: Connection | Session, name: str) -> bool:
    """Take ``name`` for this transaction if nobody holds it; never waits."""
    if not _is_postgres(bind):
        return True
    return bool(bind.execute(
        text("SELECT pg_try_advisory_xact_lock(hashtext(current_schema() || :name))"),
        {"name": f":{name}"}).scalar())
