"""Platform-neutral message blocks; adapters render them as Block Kit, Adaptive Cards or HTML."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import Field, TypeAdapter


@dataclass(frozen=True)
class Option:
    """One choice in a select or form field."""

    value: str
    label: str


@dataclass(frozen=True)
class Button:
    """A clickable button; ``action_id`` routes it back to core, ``value`` carries its data.

    With ``url`` it opens that page instead (use LINK_ACTION: core ignores the click).
    """

    label: str
    action_id: str
    value: str = ""
    style: Literal["primary", "danger"] | None = None
    url: str = ""


# Slack reports clicks on link buttons too; this action id tells core there is nothing to do.
LINK_ACTION = "link.open"


@dataclass(frozen=True)
class Section:
    """Text in core's Markdown (:mod:`core.ui.markdown`). ``links`` draws ``[label](url)``
    links: only for text an admin wrote (an announcement); in people's words a label could
    disguise where a link goes, so there only bare addresses are links."""

    text: str
    links: bool = False
    kind: Literal["section"] = "section"


@dataclass(frozen=True)
class Fields:
    items: list[str]
    kind: Literal["fields"] = "fields"


@dataclass(frozen=True)
class Context:
    items: list[str]
    kind: Literal["context"] = "context"


@dataclass(frozen=True)
class Divider:
    kind: Literal["divider"] = "divider"


@dataclass(frozen=True)
class Buttons:
    buttons: list[Button]
    kind: Literal["buttons"] = "buttons"


@dataclass(frozen=True)
class Select:
    """A drop-down whose choice is sent back as a button action with the option's value."""

    action_id: str
    placeholder: str
    options: list[Option]
    kind: Literal["select"] = "select"


@dataclass(frozen=True)
class GroupChatLink:
    """A way to open a chat with these people, where the bot could not open one itself.

    Teams renders a deep link (bots cannot create group chats there); elsewhere it is a list.
    """

    label: str
    emails: list[str]
    topic: str = ""
    kind: Literal["group_chat_link"] = "group_chat_link"


Block = Annotated[
    Section | Fields | Context | Divider | Buttons | Select | GroupChatLink,
    Field(discriminator="kind"),
]


@dataclass(frozen=True)
class FileAttachment:
    """A small file that travels with a message (a calendar invite, a chart).

    ``content`` is the text itself, or base64 for images (the outbox stores JSON).
    """

    filename: str
    content: str
    mime: str = "text/plain"
    # The words on the button that opens it where a platform can't attach it (Teams' calendar
    # link), written by core in the reader's language like every other word.
    label: str = ""

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/")

    def data(self) -> bytes:
        """The file's bytes, whatever way it travels."""
        return base64.b64decode(self.content) if self.is_image else self.content.encode()


@dataclass(frozen=True)
class Message:
    """Text (the notification fallback, Markdown-lite) plus optional rich blocks and a file."""

    text: str
    blocks: list[Block] = field(default_factory=list)
    file: FileAttachment | None = None


_MESSAGE = TypeAdapter(Message)


def message_to_dict(message: Message) -> dict:
    """Serialise a message to JSON-safe data, for the outbox."""
    return _MESSAGE.dump_python(message, mode="json")


def message_from_dict(data: dict) -> Message:
    """Rebuild a message from :func:`message_to_dict` output."""
    return _MESSAGE.validate_python(data)
