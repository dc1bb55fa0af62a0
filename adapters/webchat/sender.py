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
        self.room: list[str] = []

    async def deliver(self, delivery: Delivery) -> None:
        """Queue a rendered message for the person's open page; a channel post (the web chat
        has one shared room) reaches everyone a page has picked."""
        html = message_html(delivery.message)
        if delivery.channel_id and not delivery.user_id:
            self.room.append(html)
            for inbox in self._inbox.values():
                inbox.append(html)
            return
        self._inbox[delivery.user_id].append(html)

    def open(self, user_id: str) -> None:
        """Give ``user_id`` an inbox as soon as a page picks them: a channel post made before
        their page first polls (an admin posting within a second of picking) still reaches
        them."""
        self._inbox.setdefault(user_id, [])

    def drain(self, user_id: str) -> list[str]:
        """Everything delivered to ``user_id`` since the last poll."""
        items, self._inbox[user_id] = self._inbox[user_id], []
        return items
