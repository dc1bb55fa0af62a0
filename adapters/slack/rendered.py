"""Block Kit renderings remembered by content: most answers repeat word for word.

Help, menus, the enrollment form and "you are not enrolled" are the same for everyone who
reads the same language, and turning core's Markdown into mrkdwn and Block Kit costs more CPU
than the rest of a command (`mentorbot bench acks`). A rendering is a pure function of the
message or form, so one rendered before is reused; the key is the object's ``repr`` (core's
UI types are dataclasses, so equal content gives an equal key). The returned dicts are shared:
callers hand them to slack_sdk, which serialises them, and never change them.
"""

from __future__ import annotations

from typing import Any

from adapters.slack.render import fallback_text, form_to_view, message_to_blocks, reply_view
from core.ui import Form, Message

# Distinct renderings kept (per process); past this the memory starts over.
KEEP = 512

_blocks: dict[str, list[dict[str, Any]]] = {}
_texts: dict[str, str] = {}
_forms: dict[str, dict[str, Any]] = {}
_replies: dict[str, dict[str, Any]] = {}


def _keep(memory: dict[str, Any], key: str, value: Any) -> Any:
    if len(memory) >= KEEP:
        memory.clear()
    memory[key] = value
    return value


def blocks_of(message: Message) -> list[dict[str, Any]]:
    """:func:`message_to_blocks`, remembered."""
    key = repr(message)
    found = _blocks.get(key)
    return found if found is not None else _keep(_blocks, key, message_to_blocks(message))


def text_of(message: Message) -> str:
    """:func:`fallback_text`, remembered."""
    found = _texts.get(message.text)
    return found if found is not None else _keep(_texts, message.text, fallback_text(message))


def form_view(form: Form) -> dict[str, Any]:
    """:func:`form_to_view` (no errors shown), remembered."""
    key = repr(form)
    found = _forms.get(key)
    return found if found is not None else _keep(_forms, key, form_to_view(form))


def reply_modal(message: Message) -> dict[str, Any]:
    """:func:`reply_view`, remembered."""
    key = repr(message)
    found = _replies.get(key)
    return found if found is not None else _keep(_replies, key, reply_view(message))
