"""Find the person an admin means: a Slack mention, an email, or a chat user id."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import Person, Platform, PlatformIdentity

_MENTION = re.compile(r"^<@([A-Z0-9]+)(?:\|[^>]*)?>$")


def find_person(session: Session, asker: Person, token: str, platform: str,
                tenant_id: str) -> Person | None:
    """The person in the asker's workspace that ``token`` names, or None."""
    token = token.strip().strip(",")
    mention = _MENTION.match(token)
    user_id = mention.group(1) if mention else token
    person = session.scalar(
        select(Person).join(PlatformIdentity, PlatformIdentity.person_id == Person.id).where(
            PlatformIdentity.platform == Platform(platform),
            PlatformIdentity.tenant_id == tenant_id, PlatformIdentity.user_id == user_id))
    if person is None and "@" in token:
        person = session.scalar(select(Person).where(
            Person.workspace_id == asker.workspace_id,
            func.lower(Person.email) == token.lstrip("@").lower()))
    if person is not None and person.workspace_id != asker.workspace_id:
        return None
    return person
