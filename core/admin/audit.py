"""The audit log: every admin action, who and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from core.models import AuditEntry, Person


def record(session: Session, actor: Person, action: str, *, now: datetime,
           **detail: Any) -> None:
    """Append one entry; never updated, never deleted by the app."""
    session.add(AuditEntry(workspace_id=actor.workspace_id, actor_id=actor.id, action=action,
                           detail=detail, at=now))
