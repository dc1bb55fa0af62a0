"""Write outgoing messages as outbox rows, in the caller's transaction, once per key."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import group_chats
from core.models import OutboxMessage, Person, Platform, PlatformIdentity
from core.ui import GroupChatLink, Message, message_to_dict

log = logging.getLogger(__name__)
T = TypeVar("T")
# Rows this thread queued: core runs an event on one thread, so an adapter can tell whether
# handling it queued anything and start delivery only then (most commands queue nothing).
_queued = threading.local()


def noting_queued(fn: Callable[..., T], *args: Any) -> tuple[T, bool]:
    """Call ``fn(*args)`` here; also say whether it queued an outgoing message (one from a
    transaction that then rolled back counts too: it costs one needless flush, nothing more)."""
    before = getattr(_queued, "count", 0)
    result = fn(*args)
    return result, getattr(_queued, "count", 0) != before


def _exists(session: Session, key: str) -> bool:
    return session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)) is not None


def latest_identity(session: Session, person_id: int) -> PlatformIdentity | None:
    """Where a person was last seen: that is where we reach them."""
    return session.scalar(
        select(PlatformIdentity).where(PlatformIdentity.person_id == person_id)
        .order_by(PlatformIdentity.id.desc()).limit(1))


def conversation_of(row: OutboxMessage) -> str | None:
    """The conversation a row goes to; rows to one conversation are delivered in queue order.

    Keep in step with migration 0011, which filled this in for rows queued before it.
    """
    platform = Platform(row.platform).value
    if row.group_person_ids:
        return f"{platform}:g:" + ",".join(str(i) for i in sorted(row.group_person_ids))
    if row.person_id is not None:
        return f"{platform}:p:{row.person_id}"
    if row.channel_id:
        return f"{platform}:c:{row.channel_id.lstrip('#').lower()}"
    return None


def _stamp(row: OutboxMessage, now: datetime | None) -> OutboxMessage:
    _queued.count = getattr(_queued, "count", 0) + 1
    row.target = conversation_of(row)
    # The injected clock's time, not the wall clock's: a test that moves time moves this too.
    if now is not None:
        row.created_at = now
        row.next_attempt_at = now
    return row


def enqueue_dm(session: Session, person: Person, message: Message, key: str, *,
               kind: str = "", match_id: int | None = None,
               now: datetime | None = None,
               requested_by: Person | None = None) -> OutboxMessage | None:
    """Queue a DM to ``person`` unless a message with ``key`` was queued before;
    ``requested_by`` (someone else who caused it) hears if it can't be delivered."""
    if _exists(session, key):
        return None
    identity = latest_identity(session, person.id)
    if identity is None:
        log.info("person %s has no platform identity; DM not queued", person.id)
        return None
    row = _stamp(OutboxMessage(idempotency_key=key, person_id=person.id,
                               platform=identity.platform, payload=message_to_dict(message),
                               kind=kind, match_id=match_id), now)
    if requested_by is not None and requested_by.id != person.id:
        row.requested_by_id = requested_by.id
    session.add(row)
    session.flush()
    return row


def enqueue_group(session: Session, people: Sequence[Person], message: Message, key: str, *,
                  group_platforms: Collection[str], kind: str = "",
                  match_id: int | None = None, link_label: str = "Open a group chat",
                  topic: str = "", now: datetime | None = None) -> list[OutboxMessage]:
    """Queue one message for several people: in a group chat the bot is in with exactly these
    people (``core.group_chats``), else one group conversation where the platform can open
    one, else one DM each with a link to start the group chat themselves."""
    chat = group_chats.chat_for(session, people)
    if chat is not None:
        posted = enqueue_channel(session, chat.platform.value, chat.channel_id, message, key,
                                 kind=kind, match_id=match_id, now=now)
        return [posted] if posted is not None else []
    identities = [latest_identity(session, p.id) for p in people]
    platforms = {i.platform.value for i in identities if i is not None}
    if len(platforms) == 1 and None not in identities and platforms <= set(group_platforms):
        if _exists(session, key):
            return []
        row = _stamp(OutboxMessage(idempotency_key=key, platform=Platform(platforms.pop()),
                                   group_person_ids=[p.id for p in people],
                                   payload=message_to_dict(message), kind=kind,
                                   match_id=match_id), now)
        session.add(row)
        session.flush()
        return [row]
    rows = []
    for person in people:
        others = [p.email for p in people if p.id != person.id and p.email]
        personal = replace(message, blocks=[*message.blocks,
                                            GroupChatLink(link_label, others, topic)])
        row = enqueue_dm(session, person, personal, f"{key}:{person.id}", kind=kind,
                         match_id=match_id, now=now)
        if row is not None:
            rows.append(row)
    return rows


def enqueue_channel(session: Session, platform: str, channel_id: str, message: Message,
                    key: str, *, kind: str = "", match_id: int | None = None,
                    now: datetime | None = None) -> OutboxMessage | None:
    """Queue a post to a channel (announcements) or a group chat (a match's introduction)."""
    if _exists(session, key):
        return None
    row = _stamp(OutboxMessage(idempotency_key=key, platform=Platform(platform),
                               channel_id=channel_id, payload=message_to_dict(message),
                               kind=kind, match_id=match_id), now)
    session.add(row)
    session.flush()
    return row
