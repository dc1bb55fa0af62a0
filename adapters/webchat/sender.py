"""Delivers outbox messages to the web chat: an in-memory inbox per person, polled by the page."""

from __future__ import annotations

from collections import defaultdict

from adapters.webchat.render import message_html
from core.events import Delivery


class WebchatSender:
    """The page polls :meth:`drain`; the outbox row is the durable copy, this is just the wire."""

    # Bots cannot open a group chat here: group messages arrive one per person.
    supports_group_chat = False

    def __init__(self) -> None:
        self._inbox: dict[str, list[str]] = defaultdict(list)

    async def deliver(self, delivery: Delivery) -> None:
        """Queue a rendered message for the person's open page."""
        self._inbox[delivery.user_id].append(message_html(delivery.message))

    def drain(self, user_id: str) -> list[str]:
        """Everything delivered to ``user_id`` since the last poll."""
        return self._inbox.pop(user_id, [])
