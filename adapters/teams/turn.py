"""One inbound turn: remember where the person is, run core, carry out its intents."""

from __future__ import annotations

import asyncio
import logging

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from adapters.teams.install import handle_team_update
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
    Reply,
    SendFile,
    UpdateMessage,
)
from core.mentorbot import Mentorbot

log = logging.getLogger(__name__)


class TeamsTurn:
    """The bot logic botbuilder calls for each inbound activity."""

    def __init__(self, core: Mentorbot) -> None:
        self.core = core
        # Who already has a stored reference in this process; core skips unchanged writes,
        # this skips the database round trip on every message.
        self._remembered: set[tuple[str, str]] = set()

    async def __call__(self, context: TurnContext) -> None:
        """Handle the turn in ``context``."""
        activity = context.activity
        # Team installs and channel changes are the adapter's business, not core's: a welcome
        # reply here would land in the team's General channel.
        if await handle_team_update(context, self.core):
            return
        await self._remember(activity)
        event = activity_to_event(activity)
        if event is None:
            return
        intents = await asyncio.to_thread(self.core.handle, event)
        for intent in intents:
            await self._carry_out(context, intent, event)

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


async def _replace_or_send(context: TurnContext, activity: Activity) -> None:
    """Update the card the person clicked, or post a new one when there is none to update."""
    card_id = context.activity.reply_to_id
    if not card_id:
        await context.send_activity(activity)
        return
    activity.id = card_id
    await context.update_activity(activity)
