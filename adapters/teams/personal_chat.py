"""A person's 1:1 chat with the bot: continue the stored one, or open it with
``create_conversation`` (the member's AAD object id, the tenant, the tenant's service URL)
and store its reference, so people who never wrote to the bot can be reached."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ChannelAccount, ConversationParameters

from adapters.teams.reference import reference_from_dict, reference_to_dict, restore_tenant
from adapters.teams.translate import PLATFORM
from core.addresses import AddressBook
from core.events import Unreachable

log = logging.getLogger(__name__)

Send = Callable[[TurnContext], Awaitable[None]]
# What createConversation answers when Teams won't open the chat, however often we ask: 400
# (no such member in the tenant), 403 (the app isn't installed for them, or blocked), 404.
REFUSED = frozenset({400, 403, 404})

__all__ = ["PersonalChats", "Unreachable"]


class PersonalChats:
    """Send activities into people's 1:1 chats, opening a chat when none is stored."""

    def __init__(self, adapter: CloudAdapter, app_id: str, book: AddressBook) -> None:
        self.adapter = adapter
        self.app_id = app_id
        self.book = book

    async def send(self, tenant: str, user_id: str, activities: list[Activity], *,
                   reference: dict[str, Any] | None = None,
                   address: dict[str, Any] | None = None,
                   member_id: str = "") -> list[str]:
        """Send ``activities`` to ``user_id``'s 1:1 chat; returns the sent activity ids.

        ``reference`` is the stored chat, if the caller has it; ``address`` the tenant's
        service URL and bot account (else the stored one is looked up). Raises
        :class:`Unreachable` when neither a chat nor the tenant's address is known.
        """
        sent: list[str] = []

        async def deliver(context: TurnContext) -> None:
            for activity in activities:
                restore_tenant(activity, tenant)
                response = await context.send_activity(activity)
                if response is not None and getattr(response, "id", None):
                    sent.append(str(response.id))

        if reference is None:
            reference = await asyncio.to_thread(self.book.personal, PLATFORM, tenant, user_id)
        if reference and (reference.get("conversation") or {}).get("id"):
            await self.adapter.continue_conversation(reference_from_dict(reference), deliver,
                                                     self.app_id)
            return sent
        # No chat yet; a roster stored the member's Teams id ("29:…"), else the AAD id serves.
        member = member_id or ((reference or {}).get("user") or {}).get("id") or user_id
        await self.open(tenant, user_id, deliver, address=address, member_id=member)
        return sent

    async def open(self, tenant: str, user_id: str, then: Send, *,
                   address: dict[str, Any] | None = None,
                   member_id: str = "") -> dict[str, Any]:
        """Create the 1:1 chat, store its reference, and run ``then`` in it."""
        if address is None:
            address = await asyncio.to_thread(self.book.tenant, PLATFORM, tenant)
        if not address or not address.get("serviceUrl"):
            raise Unreachable(f"no 1:1 chat with {user_id} and no service URL stored for tenant "
                              f"{tenant}: install Mentorbot in a team they are in")
        bot = address.get("bot") or {}
        parameters = ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=bot.get("id") or f"28:{self.app_id}", name=bot.get("name")),
            # Teams opens a chat by the member's id or AAD object id (our account id).
            members=[ChannelAccount(id=member_id or user_id)],
            tenant_id=tenant or None,
            channel_data={"tenant": {"id": tenant}} if tenant else None)
        stored: dict[str, Any] = {}

        async def created(context: TurnContext) -> None:
            reference = reference_to_dict(context.activity)
            reference["user"] = {"id": member_id or user_id, "aadObjectId": user_id}
            reference.setdefault("channelId", address.get("channelId") or "msteams")
            stored.update(reference)
            await then(context)

        try:
            await self.adapter.create_conversation(
                self.app_id, created, parameters,
                channel_id=address.get("channelId") or "msteams",
                service_url=str(address["serviceUrl"]))
        except Exception as exc:
            # botbuilder raises msrest's HttpOperationError; read it duck-typed.
            status = getattr(getattr(exc, "response", None), "status_code", None)
            if status not in REFUSED or stored:
                raise  # a 429 or an outage: retried; a failure after opening: not this
            raise Unreachable(f"Teams answered {status} to opening a chat with {user_id} "
                              f"in tenant {tenant}") from exc
        if stored:
            remembered = await asyncio.to_thread(self.book.remember, PLATFORM, tenant, user_id,
                                                 stored)
            if not remembered:
                log.info("teams: opened a chat with an account not linked to anyone")
        return stored
