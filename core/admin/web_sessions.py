"""Admin page sessions, kept server-side.

The cookie holds a random secret; only its SHA-256 is stored, so a leaked database cannot be
turned into a session. Signing out ends the row; revoking an admin (or their leaving) ends all
of theirs, and a session found for someone who is no longer an admin is ended on sight, so a
later re-grant never revives an old cookie.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.admin.rights import is_admin
from core.models import AdminWebSession, Person

SESSION_TTL = timedelta(hours=8)
# Our cookies are 43 characters; anything far longer is not ours and is not hashed.
_MAX_TOKEN = 200


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def start(session: Session, person: Person, *, now: datetime) -> str:
    """A new session for ``person``; returns the cookie's secret (never stored)."""
    token = secrets.token_urlsafe(32)
    session.add(AdminWebSession(person_id=person.id, token_hash=_hash(token), created_at=now,
                                expires_at=now + SESSION_TTL))
    session.flush()
    return token


def csrf_token(token: str) -> str:
    """The CSRF token forms of this session echo back: derived from the cookie's secret,
    which another site can neither read nor guess."""
    return hashlib.sha256(f"csrf:{token}".encode("utf-8", "replace")).hexdigest()


def find(session: Session, token: str | None, *, now: datetime,
         seeded: frozenset[str] = frozenset()) -> Person | None:
    """The admin a cookie's secret signs in, or None (and the session ends) if no longer one."""
    if not token or len(token) > _MAX_TOKEN:
        return None
    row = session.scalar(select(AdminWebSession).where(
        AdminWebSession.token_hash == _hash(token)))
    if row is None or row.ended_at is not None or now >= row.expires_at:
        return None
    person = session.get(Person, row.person_id)
    if person is None or not person.active or not is_admin(session, person, seeded):
        row.ended_at = now
        session.flush()
        return None
    return person


def end(session: Session, token: str | None, *, now: datetime) -> None:
    """Sign out: the cookie's session is over, whatever happens to the cookie itself."""
    if token and len(token) <= _MAX_TOKEN:
        session.execute(update(AdminWebSession).where(
            AdminWebSession.token_hash == _hash(token), AdminWebSession.ended_at.is_(None))
            .values(ended_at=now).execution_options(synchronize_session=False))


def end_all(session: Session, person_id: int, *, now: datetime) -> None:
    """End every open session of ``person_id`` (their admin rights were revoked)."""
    session.execute(update(AdminWebSession).where(
        AdminWebSession.person_id == person_id, AdminWebSession.ended_at.is_(None))
        .values(ended_at=now).execution_options(synchronize_session=False))
