"""Group chats the bot was added to (Teams), with their people, and the rule for posting a
group's message in one.

A bot can't open a group chat on Teams, but people can add it to one. A message for several
people (a match's introduction) is posted in a group chat the bot is in whose people are
*exactly* those people: anyone else there would read the introduction's goals and reasons.
With several such chats, the one the bot joined last. Otherwise each person gets it 1:1 with
a link to start the group chat themselves (``core.outbox.enqueue.enqueue_group``).

The chats are ``channel_refs`` rows with ``member_ids`` (the platform's user ids of the chat's
people), kept current by the adapter from the chat's member events.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import ChannelRef, Person, Platform, PlatformIdentity


def remember(session: Session, platform: str, tenant_id: str, chat_id: str,
             reference: dict[str, Any], member_ids: Sequence[str]) -> ChannelRef:
    """Store a group chat the bot is in and who is in it now (replacing what was stored)."""
    row = session.scalar(select(ChannelRef).where(
        ChannelRef.platform == Platform(platform), ChannelRef.tenant_id == tenant_id,
        ChannelRef.channel_id == chat_id))
    if row is None:
        row = ChannelRef(platform=Platform(platform), tenant_id=tenant_id, channel_id=chat_id)
        session.add(row)
    row.conversation_ref = reference
    row.member_ids = sorted(set(member_ids))
    session.flush()
    return row


def forget(session: Session, platform: str, tenant_id: str, chat_id: str) -> None:
    """The bot left the chat (or can't post there): never pick it again. The row stays, with
    no members: its reference still gives the tenant's service address."""
    row = session.scalar(select(ChannelRef).where(
        ChannelRef.platform == Platform(platform), ChannelRef.tenant_id == tenant_id,
        ChannelRef.channel_id == chat_id, ChannelRef.member_ids.is_not(None)))
    if row is not None:
        row.member_ids = []
        session.flush()


def chat_for(session: Session, people: Sequence[Person]) -> ChannelRef | None:
    """The group chat whose people are exactly ``people``, newest first; None if there is
    none (or they aren't all on one platform and tenant)."""
    wanted = {p.id for p in people}
    if len(wanted) < 2:
        return None
    accounts = session.execute(select(
        PlatformIdentity.person_id, PlatformIdentity.platform, PlatformIdentity.tenant_id,
        PlatformIdentity.user_id).where(PlatformIdentity.person_id.in_(wanted))).all()
    places = {(platform, tenant) for _, platform, tenant, _ in accounts}
    for platform, tenant in places:
        owner = {user: pid for pid, p, t, user in accounts if (p, t) == (platform, tenant)}
        if set(owner.values()) != wanted:
            continue
        for chat in session.scalars(select(ChannelRef).where(
                ChannelRef.platform == platform, ChannelRef.tenant_id == tenant,
                ChannelRef.member_ids.is_not(None)).order_by(ChannelRef.id.desc())):
            members = chat.member_ids or []
            # Everyone in the chat is one of them (nobody else reads it), and all are there.
            if members and all(m in owner for m in members) \
                    and {owner[m] for m in members} == wanted:
                return chat
    return None
