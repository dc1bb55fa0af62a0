"""Neutral inbound events and outbound intents, the only language adapters and core share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from core.ui import FieldErrors, Form, Message


@dataclass(frozen=True)
class Actor:
    """Who did something, as the platform names them."""

    platform: str
    tenant_id: str
    user_id: str
    name: str = ""
    email: str = ""
    # The language the platform reports for them ("de-DE", "pt_BR"), when it says.
    locale: str = ""


# --- inbound -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommandEvent:
    """A slash command or a typed command: ``text`` is what followed ``/mentor``."""

    actor: Actor
    text: str
    channel_id: str = ""
    raw: Any = field(default=None, compare=False, repr=False)
    # Asked where others read along (a channel, a group chat): personal answers go private.
    public: bool = False
    # False where the platform can't open a form in answer (a Slack DM or mention has no
    # trigger_id): core then says how to get the form instead.
    opens_forms: bool = True


@dataclass(frozen=True)
class ButtonAction:
    """A button click or a select choice."""

    actor: Actor
    action_id: str
    value: str = ""
    raw: Any = field(default=None, compare=False, repr=False)
    public: bool = False


@dataclass(frozen=True)
class FormSubmission:
    """A submitted form; ``context`` is the form's own context string, echoed back."""

    actor: Actor
    form_id: str
    values: dict[str, Any]
    context: str = ""
    raw: Any = field(default=None, compare=False, repr=False)
    public: bool = False
    # Whom the form was shown to (``Form.owner`` echoed back) where anyone who sees a form
    # could submit it (Teams cards); None where the platform guarantees it (Slack modals).
    owner: str | None = None


@dataclass(frozen=True)
class MemberJoined:
    """First contact: the app was opened, installed for, or added by this person."""

    actor: Actor
    raw: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class AppInstalled:
    """The app was installed in a workspace (Slack team or Teams tenant)."""

    platform: str
    tenant_id: str
    name: str = ""
    raw: Any = field(default=None, compare=False, repr=False)


InboundEvent = CommandEvent | ButtonAction | FormSubmission | MemberJoined | AppInstalled


# --- outbound ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """Answer the person who acted, where they acted (ephemeral where the platform can)."""

    message: Message


@dataclass(frozen=True)
class UpdateMessage:
    """Replace the message whose button was clicked."""

    message: Message


@dataclass(frozen=True)
class OpenForm:
    form: Form


@dataclass(frozen=True)
class FormErrors:
    """Reject a submission: show these errors next to their fields and keep the form open."""

    errors: FieldErrors
    form: Form


@dataclass(frozen=True)
class CloseForm:
    """Accept a submission and close the form."""


@dataclass(frozen=True)
class SendFile:
    """Hand the actor a file (a CSV export) where they acted."""

    filename: str
    content: str
    title: str = ""


@dataclass(frozen=True)
class DirectMessage:
    """A DM to a person; core writes it to the outbox, never sends it directly.

    ``key`` makes it idempotent: a second DM with the same key is never queued.
    """

    person_id: int
    message: Message
    key: str


@dataclass(frozen=True)
class PostToChannel:
    channel_id: str
    message: Message


@dataclass(frozen=True)
class Privately:
    """Answers that must reach only the actor: carry them out in their 1:1 chat with the bot
    (the ask came from a channel or group chat), not where they asked."""

    intents: tuple[Intent, ...]
    # What to say where they asked once it is sent ("I've sent you a private message").
    notice: Message
    # What to say there if no 1:1 chat can be opened: never the answers themselves.
    failed: Message


Intent = (Reply | UpdateMessage | OpenForm | FormErrors | CloseForm | SendFile | DirectMessage
          | PostToChannel | Privately)


@dataclass(frozen=True)
class Delivery:
    """One outbox row, resolved to a platform address, ready for an adapter to send."""

    outbox_id: int
    platform: str
    tenant_id: str
    user_id: str
    channel_id: str
    conversation_ref: dict[str, Any] | None
    message: Message
    # A group message: every recipient's user id on this platform (the sender opens one chat).
    group_user_ids: tuple[str, ...] = ()
    # The outbox row's idempotency key: a sender that can tag messages (Slack metadata) does,
    # so that a retry whose first try may have landed can look before posting again.
    key: str = ""
    # An earlier try of this row may have reached the platform (a crash, a timeout, an outage
    # between send and record): look for ``key`` in the conversation before sending.
    maybe_sent: bool = False
    # The conversation the row belongs to (outbox.target): a worker that has just sent one
    # conversation's rows claims its next ones at once, without waiting for a batch.
    conversation: str = ""


class Sender(Protocol):
    """What every adapter implements so core's outbox can deliver through it."""

    # Whether one message can reach several people in one new conversation (Slack: yes).
    supports_group_chat: bool

    async def deliver(self, delivery: Delivery) -> str | None:
        """Send one message and return the platform's id for it; raise to retry later.

        Raise ``PermanentFailure`` when retrying cannot help (user deactivated, bot removed).
        """
        ...


class PermanentFailure(Exception):
    """The platform refused for good; the outbox marks the row failed and moves on."""


class Unreachable(PermanentFailure):
    """The person can't be reached on this platform: no chat with them is stored and the
    platform won't open one (the app isn't installed for them, their tenant is unknown).

    The outbox keeps the message, tells whoever asked for it and the admins, and sends it
    again once the person can be reached (they open the bot, or a roster links them)."""
