"""Proactive delivery of outbox messages through the Bot Connector."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ResourceResponse

from adapters.teams.personal_chat import PersonalChats
from adapters.teams.reference import reference_from_dict, restore_tenant
from adapters.teams.translate import message_activity
from core.events import Delivery, PermanentFailure
from core.outbox import RetryLater

DEFAULT_RETRY_SECONDS = 5.0
# 403: the user blocked the bot or an admin disabled it; 404: the conversation is gone.
PERMANENT_STATUSES = frozenset({403, 404})


class NoConversationReference(LookupError):
    """The person never talked to the bot, so Teams gives us no address for them yet."""


def _retry_after(exc: Exception) -> RetryLater | None:
    # botbuilder raises msrest's HttpOperationError; read it duck-typed to keep msrest out.
    response = getattr(exc, "response", None)
    if getattr(response, "status_code", None) != 429:
        return None
    header = (getattr(response, "headers", None) or {}).get("Retry-After", "")
    try:
        seconds = float(header)
    except ValueError:
        seconds = DEFAULT_RETRY_SECONDS
    return RetryLater(seconds)


def _permanent(exc: Exception) -> PermanentFailure | None:
    status = getattr(getattr(exc, "response", None), "status_code", None)
    if status in PERMANENT_STATUSES:
        return PermanentFailure(f"Bot Connector answered {status}")
    return None


async def _new_thread(context: TurnContext, activities: list[Activity],
                      next_send: Callable[[], Awaitable[list[ResourceResponse]]],
                      ) -> list[ResourceResponse]:
    """Post channel messages as new threads rather than replies.

    botbuilder addresses a proactive message as a reply to its made-up continuation activity
    id; a channel has no such message to reply to, so the post goes to the channel itself.
    """
    for activity in activities:
        activity.reply_to_id = None
    return await next_send()


class TeamsSender:
    """Implements core.events.Sender for Teams."""

    # Bots cannot open a group chat here: a group's message is posted in a group chat the bot
    # was added to with exactly those people (core.group_chats), else one per person.
    supports_group_chat = False

    def __init__(self, adapter: CloudAdapter, app_id: str, chats: PersonalChats) -> None:
        self.adapter = adapter
        self.app_id = app_id
        self.chats = chats

    async def deliver(self, delivery: Delivery) -> str | None:
        """Send one outbox message; returns the activity id.

        A DM goes to the person's stored 1:1 chat, or to one opened for them now (people
        linked from a team's roster never wrote to the bot). A channel post goes to the
        channel's stored reference and starts a new thread there.

        Raises RetryLater on 429, Unreachable when no chat with the person can be opened,
        PermanentFailure when the bot was blocked or the conversation is gone, anything else
        so the outbox retries.
        """
        if delivery.channel_id and not delivery.user_id and not delivery.conversation_ref:
            # A team channel is reachable only through the reference stored when the app was
            # installed in its team; retrying cannot help until someone installs it there.
            raise PermanentFailure(f"team channel {delivery.channel_id} is not reachable: "
                                   "install Mentorbot in that team first")
        try:
            if delivery.channel_id and not delivery.user_id:
                return await self._post(delivery)
            if not delivery.user_id:
                raise NoConversationReference("a DM without a recipient")
            ids = await self.chats.send(delivery.tenant_id, delivery.user_id,
                                        [message_activity(delivery.message)],
                                        reference=delivery.conversation_ref)
        except Exception as exc:
            retry = _retry_after(exc)
            if retry is not None:
                raise retry from exc
            permanent = _permanent(exc)
            if permanent is not None:
                raise permanent from exc
            raise
        return ids[0] if ids else None

    async def _post(self, delivery: Delivery) -> str | None:
        assert delivery.conversation_ref is not None
        reference = reference_from_dict(delivery.conversation_ref)
        tenant = delivery.tenant_id or (
            reference.conversation.tenant_id if reference.conversation else None)
        sent_ids: list[str] = []

        async def send(context: TurnContext) -> None:
            context.on_send_activities(_new_thread)
            activity = message_activity(delivery.message)
            restore_tenant(activity, tenant)
            response = await context.send_activity(activity)
            if response is not None and getattr(response, "id", None):
                sent_ids.append(str(response.id))

        await self.adapter.continue_conversation(reference, send, self.app_id)
        return sent_ids[0] if sent_ids else None
