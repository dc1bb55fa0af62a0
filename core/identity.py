"""Map a platform actor to a Person, creating the workspace and person on first contact.

A person is looked up by account, then by email; a record made from an account whose email
was not known yet is merged into the HR record as soon as the email arrives with a contact.
"""

from __future__ import annotations

import logging

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, joinedload

from core.events import Actor
from core.i18n import gettext as _
from core.identity_merge import MergeRefused, merge_people
from core.models import Person, Platform, PlatformIdentity, Workspace
from core.ui import Message, Section

log = logging.getLogger(__name__)


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


# Built once: every command looks its sender up, and building this statement cost more CPU
# than running it (about a quarter of core's time per command under `bench acks`).
_IDENTITY_BY_ACCOUNT = select(PlatformIdentity).options(
    joinedload(PlatformIdentity.person)
).where(
    PlatformIdentity.platform == bindparam("platform"),
    PlatformIdentity.tenant_id == bindparam("tenant_id"),
    PlatformIdentity.user_id == bindparam("user_id"),
)


def find_identity(session: Session, actor: Actor) -> PlatformIdentity | None:
    """The account ``actor`` writes from, with its person loaded in the same query."""
    return session.scalar(_IDENTITY_BY_ACCOUNT, {
        "platform": Platform(actor.platform),
        "tenant_id": actor.tenant_id,
        "user_id": actor.user_id,
    })


def needs_email(session: Session, actor: Actor) -> bool:
    """Whether the bot has no email for this account yet: unknown, or known without one."""
    identity = find_identity(session, actor)
    return identity is None or not identity.person.email


def resolve_person(session: Session, actor: Actor) -> Person:
    """The Person behind ``actor``: by identity, then by email, else a new person."""
    identity = find_identity(session, actor)
    if identity is not None:
        person = identity.person
        if actor.name and person.name == actor.user_id:
            person.name = actor.name
        if actor.email and not person.email:
            person = take_email(session, person, actor.email,
                                why=f"{actor.platform} account {actor.user_id} has this email")
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


def person_with_email(session: Session, workspace_id: int, email: str) -> Person | None:
    return session.scalar(select(Person).where(
        Person.workspace_id == workspace_id, func.lower(Person.email) == email.strip().lower()))


def take_email(session: Session, person: Person, email: str, *, why: str) -> Person:
    """``person`` (a record without an email) turns out to have ``email``: merge it into the
    HR record with that email, or, when there is none, give it the email. A merge that would
    break a rule is refused, the admins are told, and the person goes on as they were."""
    email = email.strip()
    hr = person_with_email(session, person.workspace_id, email)
    if hr is None:
        person.email = email
        session.flush()
        return person
    if hr.id == person.id:
        return person
    try:
        merge_people(session, keep=hr, absorb=person, actor_note=f"{email}: {why}")
    except MergeRefused as exc:
        log.warning("a record could not be merged into its HR record: %s", exc)
        tell_admins_merge_refused(session, hr, person, exc)
        return person
    return hr


def tell_admins_merge_refused(session: Session, hr: Person, other: Person,
                              why: MergeRefused | str) -> None:
    """Once per pair: the admins read why two records of one person stay apart for now, each
    in their own language (a ``MergeRefused`` is written out in it)."""
    from core.admin.rights import admin_people
    from core.language import writing_to
    from core.outbox import enqueue_dm

    for admin in admin_people(session, hr.workspace_id):
        with writing_to(admin):
            text = _("I couldn't join two records of {name} ({email}) into one: {why} They stay "
                     "apart until that is resolved; the next time they write to me, I try "
                     "again.").format(name=hr.name, email=hr.email, why=str(why))
        enqueue_dm(session, admin, Message(text, [Section(text)]),
                   f"merge-refused:{hr.id}:{other.id}:{admin.id}", kind="admin")
