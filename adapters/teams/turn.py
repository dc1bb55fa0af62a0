"""One inbound turn: remember where the person is, run core, carry out its intents."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import Activity

from adapters.teams.install import (
    handle_group_chat_update,
    handle_team_update,
    sync_group_chat,
)
from adapters.teams.personal_chat import PersonalChats
from adapters.teams.reference import reference_to_dict
from adapters.teams.translate import (
    activity_to_event,
    actor_of,
    file_activity,
    form_activity,
    message_activity,
)
from core.events import (
    CloseForm,
    FormErrors,
    FormSubmission,
    InboundEvent,
    Intent,
    OpenForm,
    Privately,
    Reply,
    SendFile,
    Unreachable,
    UpdateMessage,
)
from core.mentorbot import Mentorbot

log = logging.getLogger(__name__)


class TeamsTurn:
    """The bot logic botbuilder calls for each inbound activity."""

    def __init__(self, core: Mentorbot, chats: PersonalChats) -> None:
        self.core = core
        self.chats = chats
        # Who already has a stored reference in this process; core skips unchanged writes,
        # this skips the database round trip on every message.
        self._remembered: set[tuple[str, str]] = set()
        # Accounts whose Teams profile was already read in this process.
        self._profiled: set[tuple[str, str]] = set()
        # Group chats whose people were read in this process.
        self._group_chats: set[str] = set()

    async def __call__(self, context: TurnContext) -> None:
        """Handle the turn in ``context``."""
        activity = context.activity
        # Team installs and channel changes are the adapter's business, not core's: a welcome
        # reply here would land in the team's General channel.
        if await handle_team_update(context, self.core) \
                or await handle_group_chat_update(context, self.core):
            return
        await self._remember(activity)
        await self._know_group_chat(context)
        event = activity_to_event(activity)
        if event is None:
            return
        event = await self._with_email(context, event)
        intents = await asyncio.to_thread(self.core.handle, event)
        for intent in intents:
            if isinstance(intent, Privately):
                await self._privately(context, intent, event)
            else:
                await self._carry_out(context, intent, event)

    async def _know_group_chat(self, context: TurnContext) -> None:
        """A group chat the bot was added to before it kept track of members (or whose
        events it missed): read its people, and link them as on being added, once per
        process, on the first message heard there."""
        activity = context.activity
        if getattr(activity.conversation, "conversation_type", None) != "groupChat":
            return
        key = str(activity.conversation.id)
        if key in self._group_chats:
            return
        self._group_chats.add(key)
        try:
            await sync_group_chat(context, self.core)
        except Exception as exc:  # noqa: BLE001 - the message itself must still be answered
            log.info("teams: could not read a group chat's members: %s", type(exc).__name__)

    async def _with_email(self, context: TurnContext, event: InboundEvent) -> InboundEvent:
        """On first contact, read the person's email (or UPN) from Teams, which puts none in
        the activity, so core links them to their HR record (merging a record made too early)
        and ADMIN_EMAILS applies. Asked once per account and process."""
        actor = getattr(event, "actor", None)
        sender = context.activity.from_property
        if actor is None or sender is None or actor.email:
            return event
        key = (actor.tenant_id, actor.user_id)
        if key in self._profiled or not await asyncio.to_thread(self.core.needs_email, actor):
            return event
        self._profiled.add(key)
        try:
            member = await TeamsInfo.get_member(context, sender.id)
        except Exception as exc:  # noqa: BLE001 - no profile is no reason to drop the message
            log.info("teams: no profile for a new member: %s", type(exc).__name__)
            return event
        email = str(member.email or member.user_principal_name or "")
        if not email:
            log.info("teams: a member without an email or UPN; they stay unlinked")
            return event
        # core links the account to the HR record with this email, or merges into it the
        # record made for the account before its email was known.
        return replace(event, actor=replace(actor, email=email))  # type: ignore[type-var]

    async def _privately(self, context: TurnContext, private: Privately,
                         event: InboundEvent) -> None:
        """Carry out answers in the person's 1:1 chat (they asked in a channel or group chat)."""
        activity = context.activity
        actor = actor_of(activity)
        if actor is None:
            return
        activities: list[Activity] = []
        for intent in private.intents:
            rendered = _render(intent, event)
            if rendered is not None:
                activities.append(rendered)
        if not activities:
            return
        address = {"serviceUrl": activity.service_url, "channelId": activity.channel_id,
                   "bot": {"id": activity.recipient.id, "name": activity.recipient.name}
                   if activity.recipient else None}
        try:
            await self.chats.send(actor.tenant_id, actor.user_id, activities, address=address,
                                  member_id=activity.from_property.id or "")
        except Unreachable as exc:  # Teams won't open the chat: say so where they asked
            log.warning("teams: no 1:1 chat for a private answer: %s", exc)
            await context.send_activity(message_activity(private.failed))
            return
        except Exception:  # noqa: BLE001 - never fall back to posting the answer in public
            log.exception("teams: could not open a 1:1 chat for a private answer")
            await context.send_activity(message_activity(private.failed))
            return
        await context.send_activity(message_activity(private.notice))

    async def _remember(self, activity: Activity) -> None:
        actor = actor_of(activity)
        if actor is None or not activity.service_url:
            return
        conversation_type = getattr(activity.conversation, "conversation_type", None)
        if conversation_type not in (None, "personal"):
            # A channel or group chat is no address for this person's DMs; storing it would
            # send their private messages into that conversation.
            return
        key = (actor.tenant_id, actor.user_id)
        if key in self._remembered:
            return
        await asyncio.to_thread(self.core.remember_conversation, actor,
                                reference_to_dict(activity))
        self._remembered.add(key)

    async def _carry_out(self, context: TurnContext, intent: Intent, event: InboundEvent) -> None:
        if isinstance(intent, Reply):
            await context.send_activity(message_activity(intent.message))
        elif isinstance(intent, UpdateMessage):
            await _replace_or_send(context, message_activity(intent.message))
        elif isinstance(intent, OpenForm):
            await context.send_activity(form_activity(intent.form))
        elif isinstance(intent, FormErrors):
            values = event.values if isinstance(event, FormSubmission) else None
            await _replace_or_send(context, form_activity(intent.form, values, intent.errors))
        elif isinstance(intent, SendFile):
            await context.send_activity(file_activity(intent.filename, intent.content,
                                                      intent.title))
        elif isinstance(intent, CloseForm):
            pass  # core DMs the confirmation through the outbox
        else:
            log.warning("teams: intent %s not supported here", type(intent).__name__)


def _render(intent: Intent, event: InboundEvent) -> Activity | None:
    """An answer as a new message (in another chat nothing can be updated in place)."""
    if isinstance(intent, Reply | UpdateMessage):
        return message_activity(intent.message)
    if isinstance(intent, OpenForm):
        return form_activity(intent.form)
    if isinstance(intent, FormErrors):
        values = event.values if isinstance(event, FormSubmission) else None
        return form_activity(intent.form, values, intent.errors)
    if isinstance(intent, SendFile):
        return file_activity(intent.filename, intent.content, intent.title)
    return None


async def _replace_or_send(context: TurnContext, activity: Activity) -> None:
    """Update the card the person clicked, or post a new one when there is none to update."""
    card_id = context.activity.reply_to_id
    if not card_id:
        await context.send_activity(activity)
        return
    activity.id = card_id
    await context.update_activity(activity)
