"""Sending: one send, cut off when its lease would end (:func:`send`), and what a sender tells
the outbox about it while it is under way.

The :class:`~core.events.Sender` protocol returns only the platform's message id. Two more
facts help the outbox, and only the sender knows them:

- when the rate-limited request went out (a sender may first read history or open a chat)
  and when the platform says it took the message (Slack's ts): the next send to that
  conversation is paced from that arrival, not from the answer, so a platform that answers
  slowly does not slow every conversation down;
- where the message landed (Slack answers a DM posted to a user id with the DM's channel id):
  stored on the recipient's identity, so a later check of that conversation's history needs
  no call to open it.

A sender reports them with :func:`request_starting`, :func:`arrived_at` and
:func:`reached_at`; one that does not is paced from its answers. All three do nothing
outside a dispatcher's send.
"""

from __future__ import annotations

import asyncio
import logging
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.clock import Clock
from core.events import Delivery, Sender
from core.outbox.record import OutcomeUnknown

log = logging.getLogger(__name__)


@dataclass
class SendNotes:
    """What one send's sender reported (see the module's docstring)."""

    clock: Clock
    started: datetime | None = None
    arrived: datetime | None = None
    reached: dict[str, Any] | None = None


_current: ContextVar[SendNotes | None] = ContextVar("outbox_send_notes", default=None)


def begin(clock: Clock) -> SendNotes:
    """Start noting for the send about to run in this task (the dispatcher calls this)."""
    notes = SendNotes(clock)
    _current.set(notes)
    return notes


def request_starting() -> None:
    """The sender's rate-limited request goes out now (call it right before the request)."""
    notes = _current.get()
    if notes is not None:
        notes.started = notes.clock.now()


def arrived_at(when: datetime) -> None:
    """The platform says it took the message at ``when`` (by its own clock)."""
    notes = _current.get()
    if notes is not None:
        notes.arrived = when


def reached_at(reference: dict[str, Any]) -> None:
    """The platform named the conversation the message went to (a DM's channel)."""
    notes = _current.get()
    if notes is not None:
        notes.reached = reference


async def send(sender: Sender, delivery: Delivery, budget: float,
               ) -> tuple[str | None, Exception | None]:
    """Send ``delivery``, cut off after ``budget`` seconds (what is left of its lease for
    sending); returns the platform's message id, or what went wrong.

    No answer in time is :class:`OutcomeUnknown`: the message may have landed, so the row
    keeps its send mark and whoever sends it next looks for it first.
    """
    try:
        return await asyncio.wait_for(sender.deliver(delivery), timeout=budget), None
    except TimeoutError:
        log.warning("outbox %s: no answer within its lease; outcome unknown",
                    delivery.outbox_id)
        return None, OutcomeUnknown(f"no answer in {budget:.0f}s")
    except Exception as exc:  # noqa: BLE001 - any failure is retried, then parked
        log.warning("outbox %s failed: %r", delivery.outbox_id, exc)
        return None, exc
