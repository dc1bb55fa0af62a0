"""Delivers outbox messages to the web chat: an in-memory inbox per person, polled by the page."""

from __future__ import annotations

from collections import defaultdict

from adapters.webchat.render import message_html
from core.events import Delivery
from core.ui import Message


class WebchatSender:
    """The page polls :meth:`drain`; the outbox row is the durable copy, this is just the wire."""

    # Bots cannot open a group chat here: group messages arrive one per person.
    supports_group_chat = False

    def __init__(self) -> None:
        # Messages, not HTML: the page draws them when it polls, in the language of whoever
        # reads (a post in the shared room has many readers).
        self._inbox: dict[str, list[Message]] = defaultdict(list)
        self.room: list[Message] = []

    async def deliver(self, delivery: Delivery) -> None:
        """Queue a message for the person's open page; a channel post (the web chat has one
        shared room) reaches everyone a page has picked."""
        if delivery.channel_id and not delivery.user_id:
            self.room.append(delivery.message)
            for inbox in self._inbox.values():
                inbox.append(delivery.message)
            return
        self._inbox[delivery.user_id].append(delivery.message)

    def open(self, user_id: str) -> None:
        """Give ``user_id`` an inbox as soon as a page picks them: a channel post made before
        their page first polls (an admin posting within a second of picking) still reaches
        them."""
        self._inbox.setdefault(user_id, [])

    def waiting(self, user_id: str) -> bool:
        """Whether anything waits for ``user_id`` (most polls: no)."""
        return bool(self._inbox.get(user_id))

    def drain(self, user_id: str) -> list[str]:
        """Everything delivered to ``user_id`` since the last poll, as HTML in the language
        being written (the caller's reader's)."""
        items, self._inbox[user_id] = self._inbox[user_id], []
        return [message_html(m) for m in items]
