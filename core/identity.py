"""Map a platform actor to a Person, creating the workspace and person on first contact."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.events import Actor
from core.models import Person, Platform, PlatformIdentity, Workspace


def get_or_create_workspace(
    session: Session, platform: str, tenant_id: str, name: str = ""
) -> Workspace:
    """The workspace for a Slack team, Teams tenant or the local demo."""
    ws = session.scalar(
        select(Workspace).where(
            Workspace.platform == Platform(platform), Workspace.external_id == tenant_id
        )
    )
    if ws is None:
        ws = Workspace(platform=Platform(platform), external_id=tenant_id, name=name or tenant_id)
        session.add(ws)
        session.flush()
    return ws


def find_identity(session: Session, actor: Actor) -> PlatformIdentity | None:
    return session.scalar(
        select(PlatformIdentity).where(
            PlatformIdentity.platform == Platform(actor.platform),
            PlatformIdentity.tenant_id == actor.tenant_id,
            PlatformIdentity.user_id == actor.user_id,
        )
    )


def resolve_person(session: Session, actor: Actor) -> Person:
    """The Person behind ``actor``: by identity, then by email, else a new person."""
    identity = find_identity(session, actor)
    if identity is not None:
        person = identity.person
        if actor.name and person.name == actor.user_id:
            person.name = actor.name
        return person
    ws = get_or_create_workspace(session, actor.platform, actor.tenant_id)
    person = None
    if actor.email:
        person = session.scalar(
            select(Person).where(
                Person.workspace_id == ws.id, func.lower(Person.email) == actor.email.lower()
            )
        )
    if person is None:
        person = Person(
            workspace_id=ws.id, name=actor.name or actor.user_id, email=actor.email or None
        )
        session.add(person)
        session.flush()
    session.add(
        PlatformIdentity(
            person_id=person.id,
            platform=Platform(actor.platform),
            tenant_id=actor.tenant_id,
            user_id=actor.user_id,
        )
    )
    session.flush()
    return person
