"""Link HRIS people to their chat accounts, so the bot can reach them before they write."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Person, Platform, PlatformIdentity, Workspace


def unlinked(session: Session, workspace: Workspace) -> list[Person]:
    """Active people with an email and no account on the workspace's platform yet."""
    linked = select(PlatformIdentity.person_id).where(
        PlatformIdentity.platform == workspace.platform,
        PlatformIdentity.tenant_id == workspace.external_id)
    return list(session.scalars(select(Person).where(
        Person.workspace_id == workspace.id, Person.active.is_(True),
        Person.email.is_not(None), Person.id.not_in(linked)).order_by(Person.id)))


def link(session: Session, person: Person, platform: str, tenant_id: str,
         user_id: str) -> bool:
    """Record that ``user_id`` is ``person``; False when that account is someone else's.

    An account held by a record made from chat before its email was known (no email) is
    ``person``'s after all: that record is merged into ``person``, keeping everything.
    """
    taken = session.scalar(select(PlatformIdentity).where(
        PlatformIdentity.platform == Platform(platform), PlatformIdentity.tenant_id == tenant_id,
        PlatformIdentity.user_id == user_id))
    if taken is not None:
        early = taken.person
        if early.id != person.id and not early.email and person.email \
                and early.workspace_id == person.workspace_id:
            from core.identity import take_email

            return take_email(session, early, person.email,
                              why=f"{platform} says account {user_id} has it").id == person.id
        return taken.person_id == person.id
    session.add(PlatformIdentity(person_id=person.id, platform=Platform(platform),
                                 tenant_id=tenant_id, user_id=user_id))
    session.flush()
    return True
