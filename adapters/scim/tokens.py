"""Bearer tokens for SCIM: only the SHA-256 of a secret is stored, so a leaked table is useless."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import ScimToken, Workspace


def hash_token(token: str) -> str:
    """The hex SHA-256 of ``token``, as kept in ``scim_tokens.token_hash``."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, workspace: Workspace, label: str = "", *,
                 expires_at: datetime | None = None) -> str:
    """Mint a random secret for ``workspace``; store its hash and return the secret once."""
    token = secrets.token_urlsafe(32)
    session.add(ScimToken(workspace_id=workspace.id, token_hash=hash_token(token), label=label,
                          expires_at=expires_at))
    session.flush()
    return token


def tokens_of(session: Session, workspace: Workspace) -> list[ScimToken]:
    """Every token of ``workspace``, revoked and expired ones included, oldest first."""
    return list(session.scalars(select(ScimToken).where(ScimToken.workspace_id == workspace.id)
                                .order_by(ScimToken.id)))


def status_of(token: ScimToken, now: datetime) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


def revoke_token(session: Session, workspace: Workspace, token_id: int, *,
                 now: datetime) -> ScimToken | None:
    """Revoke a token: every request with it is a 401 from now on. None if no such token."""
    row = session.scalar(select(ScimToken).where(ScimToken.workspace_id == workspace.id,
                                                 ScimToken.id == token_id))
    if row is not None and row.revoked_at is None:
        row.revoked_at = now
        session.flush()
    return row


def workspace_for_token(session: Session, token: str, *, now: datetime) -> Workspace | None:
    """The workspace ``token`` provisions, or None; records when the token was last used."""
    if not token:
        return None
    digest = hash_token(token)
    row = session.scalar(select(ScimToken).where(ScimToken.token_hash == digest))
    # The lookup is by hash already; compare again in constant time so a near miss leaks nothing.
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return None
    if row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        return None
    row.last_used_at = now
    return session.get(Workspace, row.workspace_id)
