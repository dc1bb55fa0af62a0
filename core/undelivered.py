"""DMs the platform can't deliver because it won't open a chat with the person (Teams answers
403 to createConversation, the person's tenant has no install): nothing is lost and nobody is
left guessing.

The row is failed with an ``unreachable:`` reason and kept; whoever asked for the DM (an
admin's grant, a mentee's request) hears that it didn't arrive, and the workspace's admins
hear once per person what to fix. When the person can be reached later (they open the bot,
or a team's roster links them) their kept DMs of the last ``RESUME_WITHIN`` go out again.

A match's message to a group chat that can't be posted in any more goes to each person 1:1.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core import group_chats
from core.addresses import reachable
from core.admin.rights import admin_people
from core.i18n import gettext as _
from core.language import writing_to
from core.models import ChannelRef, Match, OutboxMessage, OutboxStatus, Person
from core.outbox.enqueue import enqueue_dm, enqueue_group
from core.relationships import lifecycle
from core.ui import Context, Message, Section, message_from_dict

log = logging.getLogger(__name__)

# What a failed row's last_error starts with when the person couldn't be reached.
UNREACHABLE = "unreachable"
# Older DMs are stale by the time someone becomes reachable (a nudge about last month).
RESUME_WITHIN = timedelta(days=14)


def undeliverable(session: Session, row: OutboxMessage, reason: str, now: datetime) -> None:
    """Tell who needs to know that ``row`` (a DM) can't reach its person; in the caller's
    transaction, so the failure and the notices are recorded together."""
    person = session.get(Person, row.person_id) if row.person_id is not None else None
    if person is None:
        return
    log.warning("outbox %s: can't reach person %s: %s", row.id, person.id, reason)
    admins = [a for a in admin_people(session, person.workspace_id)
              if a.id != person.id and reachable(session, a)]
    for admin in admins:
        with writing_to(admin):
            alert = admin_alert(person, reason)
        # Once per person and admin, shared with the "no account at all" alert.
        enqueue_dm(session, admin, alert, f"unreachable:{person.id}:{admin.id}",
                   kind="undelivered", now=now)
    requester = session.get(Person, row.requested_by_id) if row.requested_by_id else None
    # An admin who asked reads the alert above, which says more.
    if requester is not None and requester.id != person.id and requester not in admins \
            and reachable(session, requester):
        with writing_to(requester):
            note = undelivered_note(person)
        enqueue_dm(session, requester, note, f"undelivered:{row.id}", kind="undelivered",
                   now=now)


def resume(session: Session, person_ids: Collection[int], now: datetime) -> int:
    """Queue again the recent DMs kept for these people because they couldn't be reached
    (call when they become reachable); returns how many."""
    if not person_ids:
        return 0
    result = session.execute(
        update(OutboxMessage).where(
            OutboxMessage.person_id.in_(list(person_ids)),
            OutboxMessage.status == OutboxStatus.FAILED,
            OutboxMessage.last_error.like(f"{UNREACHABLE}:%"),
            OutboxMessage.created_at >= now - RESUME_WITHIN)
        .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now,
                last_error=None, sending_since=None)
        .execution_options(synchronize_session=False))
    resumed = int(getattr(result, "rowcount", 0) or 0)
    if resumed:
        log.info("outbox: %s kept message(s) queued again for people now reachable", resumed)
    return resumed


def undelivered_note(person: Person) -> Message:
    """What the person who caused a DM reads when it couldn't be delivered."""
    text = _("Heads-up: my message to *{name}* didn't reach them: I can't open a chat with "
             "them yet. I've let your Mentorbot admins know, and I'll send it as soon as I "
             "can reach them.").format(name=person.name)
    return Message(text=text, blocks=[Section(text)])


def admin_alert(person: Person, reason: str) -> Message:
    """What admins read once per person a chat can't be opened with; ``reason`` is the
    platform's answer, for whoever fixes the install."""
    who = f"*{person.name}*" + (f" ({person.email})" if person.email else "")
    text = _("Mentorbot can't open a chat with {who}, so messages for them are waiting. "
             "They go out once Mentorbot is installed for them (add it to a team they are "
             "in) or they open Mentorbot once.").format(who=who)
    return Message(text=text, blocks=[Section(text), Context([reason])])


def group_post_failed(session: Session, row: OutboxMessage, now: datetime) -> None:
    """A match's message to a group chat failed for good (the bot was removed unnoticed):
    forget the chat and send it to each person instead, so nothing is lost."""
    chat = session.scalar(select(ChannelRef).where(
        ChannelRef.platform == row.platform, ChannelRef.channel_id == row.channel_id,
        ChannelRef.member_ids.is_not(None)))
    if chat is None or row.match_id is None:
        return
    match = session.get(Match, row.match_id)
    people = [p for p in (session.get(Person, pid) for pid in lifecycle.members(match))
              if p is not None] if match is not None else []
    log.warning("group chat %s can't be posted in: forgotten; %s person(s) get the message "
                "1:1", chat.channel_id, len(people))
    group_chats.forget(session, chat.platform.value, chat.tenant_id, chat.channel_id)
    if people:
        enqueue_group(session, people, message_from_dict(row.payload),
                      f"{row.idempotency_key}:1:1", group_platforms=(), kind=row.kind,
                      match_id=row.match_id, now=now)
