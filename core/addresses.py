"""Where the bot can reach people, and telling the truth when it can't.

A platform that opens a person's 1:1 chat itself (Teams: ``create_conversation``) needs only
the tenant's service address, which every stored reference of that tenant carries; the new
chat's reference is stored afterwards. A person with no account the bot knows (never wrote,
in no team where the app is installed) can't be reached at all: the person who asked for the
message is told so, and the workspace's admins once per person.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.i18n import gettext as _
from core.models import ChannelRef, Person, Platform, PlatformIdentity
from core.ui import Context, Message, Section

log = logging.getLogger(__name__)

# The parts of a stored reference that address the tenant rather than one conversation.
TENANT_KEYS = ("serviceUrl", "bot", "channelId")


def tenant_address(session: Session, platform: str, tenant_id: str) -> dict[str, Any] | None:
    """The service URL (and the bot's account) stored for a tenant at install or first
    contact, from the newest team channel or 1:1 reference; None when there is none."""
    refs: list[dict[str, Any] | None] = list(session.scalars(
        select(ChannelRef.conversation_ref).where(
            ChannelRef.platform == Platform(platform), ChannelRef.tenant_id == tenant_id,
            ChannelRef.conversation_ref.is_not(None)).order_by(ChannelRef.id.desc()).limit(1)))
    # Newest first; a roster member's address (no chat yet) has no service URL of its own.
    refs += list(session.scalars(
        select(PlatformIdentity.conversation_ref).where(
            PlatformIdentity.platform == Platform(platform),
            PlatformIdentity.tenant_id == tenant_id,
            PlatformIdentity.conversation_ref.is_not(None))
        .order_by(PlatformIdentity.id.desc()).limit(500)))
    for ref in refs:
        if isinstance(ref, dict) and ref.get("serviceUrl"):
            return {k: ref[k] for k in TENANT_KEYS if k in ref}
    return None


class AddressBook:
    """The adapter's view of stored addresses: one short transaction per call."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def tenant(self, platform: str, tenant_id: str) -> dict[str, Any] | None:
        """See :func:`tenant_address`."""
        with self.sessions() as session:
            return tenant_address(session, platform, tenant_id)

    def personal(self, platform: str, tenant_id: str, user_id: str) -> dict[str, Any] | None:
        """The stored 1:1 conversation reference of an account, if any."""
        with self.sessions() as session:
            return session.scalar(select(PlatformIdentity.conversation_ref).where(
                PlatformIdentity.platform == Platform(platform),
                PlatformIdentity.tenant_id == tenant_id, PlatformIdentity.user_id == user_id))

    def remember_members(self, platform: str, tenant_id: str,
                         members: list[tuple[str, str]]) -> int:
        """Remember the platform's member id of accounts with no chat yet ((account id,
        member id) pairs), stored as a reference without a conversation; returns how many."""
        stored = 0
        with self.sessions() as session, session.begin():
            for user_id, member_id in members:
                identity = session.scalar(select(PlatformIdentity).where(
                    PlatformIdentity.platform == Platform(platform),
                    PlatformIdentity.tenant_id == tenant_id,
                    PlatformIdentity.user_id == user_id))
                if identity is not None and not identity.conversation_ref:
                    identity.conversation_ref = {"user": {"id": member_id,
                                                          "aadObjectId": user_id}}
                    stored += 1
        return stored

    def remember(self, platform: str, tenant_id: str, user_id: str,
                 reference: dict[str, Any]) -> bool:
        """Store a newly opened 1:1 chat for an account the bot knows; False if unknown."""
        with self.sessions() as session, session.begin():
            identity = session.scalar(select(PlatformIdentity).where(
                PlatformIdentity.platform == Platform(platform),
                PlatformIdentity.tenant_id == tenant_id, PlatformIdentity.user_id == user_id))
            if identity is None:
                return False
            if identity.conversation_ref != reference:
                identity.conversation_ref = reference
            return True


def reachable(session: Session, person: Person) -> bool:
    """Whether any chat account of ``person`` is known, so a DM has somewhere to go."""
    return session.scalar(select(PlatformIdentity.id).where(
        PlatformIdentity.person_id == person.id).limit(1)) is not None


def unreachable_note(person: Person) -> Message:
    """What the person who caused a DM reads when its recipient can't be reached."""
    text = _("Heads-up: I couldn't message *{name}*. They haven't opened Mentorbot yet and "
             "aren't in a team or workspace where it's installed, so nothing reaches them until "
             "they do. I've let your Mentorbot admins know.").format(name=person.name)
    return Message(text=text, blocks=[Section(text)])


def admin_alert(person: Person) -> Message:
    """What admins read once per unreachable person (written in the admin's language: the
    caller writes it inside ``writing_to(admin)``)."""
    who = f"*{person.name}*" + (f" ({person.email})" if person.email else "")
    text = _("Mentorbot can't reach {who}: they have never opened Mentorbot and are in no team "
             "or workspace where it's installed. Messages for them are not sent.").format(who=who)
    return Message(text=text, blocks=[
        Section(text),
        Context([_("Add Mentorbot to a team they are in, or ask them to open Mentorbot once.")])])
