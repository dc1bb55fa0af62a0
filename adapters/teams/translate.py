"""Pure translation between Bot Framework activities and core's neutral events and cards."""

from __future__ import annotations

import re
from typing import Any

from botbuilder.schema import Activity, ActivityTypes, Attachment

from adapters.teams.cards import (
    ACTION_KEY,
    CARD_CONTENT_TYPE,
    CONTEXT_KEY,
    FORM_KEY,
    MULTI_KEY,
    OWNER_KEY,
    VALUE_KEY,
    file_to_card,
    form_to_card,
    message_to_card,
)
from core.events import (
    Actor,
    ButtonAction,
    CommandEvent,
    FormSubmission,
    InboundEvent,
    MemberJoined,
)
from core.ui import FieldErrors, Form, Message

PLATFORM = "teams"
_AT_TAG = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)
_ROUTING_KEYS = {FORM_KEY, CONTEXT_KEY, MULTI_KEY, ACTION_KEY, VALUE_KEY, OWNER_KEY, "msteams"}
# Conversations others read along: a personal answer asked for there goes to the 1:1 chat.
PUBLIC_CONVERSATIONS = frozenset({"channel", "groupChat"})

def activity_from_dict(data: dict[str, Any]) -> Activity:
    """Deserialize an activity posted by the Bot Connector."""
    activity: Activity = Activity.deserialize(data)
    return activity


def activity_tenant_id(activity: Activity) -> str:
    """The tenant from channelData, where Teams reliably puts it, else from the conversation."""
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = channel_data.get("tenant")
    if isinstance(tenant, dict) and tenant.get("id"):
        return str(tenant["id"])
    conversation = activity.conversation
    if conversation is None:
        return ""
    # botbuilder's schema maps the field to "tenantID", so Teams' "tenantId" lands in extras.
    extra = conversation.additional_properties or {}
    return str(conversation.tenant_id or extra.get("tenantId") or "")


def actor_of(activity: Activity) -> Actor | None:
    """Who sent the activity; None when the sender is unknown."""
    sender = activity.from_property
    if sender is None or not (sender.aad_object_id or sender.id):
        return None
    return Actor(platform=PLATFORM, tenant_id=activity_tenant_id(activity),
                 user_id=sender.aad_object_id or sender.id, name=sender.name or "",
                 locale=activity.locale or "")


def _strip_mentions(activity: Activity) -> str:
    text = activity.text or ""
    bot_id = activity.recipient.id if activity.recipient else None
    for entity in activity.entities or []:
        props = entity.additional_properties or {}
        mentioned = props.get("mentioned") or {}
        if entity.type == "mention" and mentioned.get("id") == bot_id and props.get("text"):
            text = text.replace(props["text"], " ")
    return " ".join(_AT_TAG.sub(" ", text).split())


def submission_values(data: dict[str, Any]) -> dict[str, Any]:
    """The user's inputs from a card submission, multi-selects split back into lists."""
    multi = {n for n in str(data.get(MULTI_KEY) or "").split(",") if n}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key in _ROUTING_KEYS:
            continue
        if key in multi:
            # Teams returns a multi-select as "a,b"; option values never contain commas.
            raw = value if isinstance(value, list) else str(value or "").split(",")
            value = [str(v).strip() for v in raw if str(v).strip()]
        values[key] = value
    return values


def is_public(activity: Activity) -> bool:
    """Whether the activity came from a channel or a group chat rather than a 1:1 chat."""
    conversation = activity.conversation
    kind = getattr(conversation, "conversation_type", None)
    if kind:
        return kind in PUBLIC_CONVERSATIONS
    return bool(getattr(conversation, "is_group", False))


def _from_value(actor: Actor, data: dict[str, Any], activity: Activity) -> InboundEvent | None:
    public = is_public(activity)
    if data.get(FORM_KEY):
        # Anyone who sees a card can submit it: the card names whom it was shown to.
        return FormSubmission(actor, str(data[FORM_KEY]), submission_values(data),
                              str(data.get(CONTEXT_KEY) or ""), raw=activity, public=public,
                              owner=str(data.get(OWNER_KEY) or ""))
    if data.get(ACTION_KEY):
        return ButtonAction(actor, str(data[ACTION_KEY]), str(data.get(VALUE_KEY) or ""),
                            raw=activity, public=public)
    return None


def _joined(activity: Activity) -> bool:
    bot_id = activity.recipient.id if activity.recipient else None
    added = activity.members_added or []
    if any(m.id != bot_id for m in added):
        return True
    # In a personal chat, the bot being added means this person just installed the app.
    personal = getattr(activity.conversation, "conversation_type", None) == "personal"
    return personal and any(m.id == bot_id for m in added)


def activity_to_event(activity: Activity) -> InboundEvent | None:
    """Translate one activity to a neutral event; None for anything core does not handle."""
    actor = actor_of(activity)
    if actor is None:
        return None
    if activity.type == ActivityTypes.message:
        if isinstance(activity.value, dict):
            event = _from_value(actor, activity.value, activity)
            if event is not None:
                return event
        return CommandEvent(actor, _strip_mentions(activity),
                            channel_id=activity.conversation.id if activity.conversation else "",
                            raw=activity, public=is_public(activity))
    if activity.type == ActivityTypes.conversation_update and _joined(activity):
        return MemberJoined(actor, raw=activity)
    return None


def as_attachment(card: dict[str, Any]) -> Attachment:
    """Wrap an Adaptive Card dict as a Bot Framework attachment."""
    return Attachment(content_type=CARD_CONTENT_TYPE, content=card)


def message_activity(message: Message) -> Activity:
    """A message activity carrying ``message`` as a card, its text as the notification."""
    return Activity(type=ActivityTypes.message, summary=message.text[:200],
                    attachments=[as_attachment(message_to_card(message))])


def file_activity(filename: str, content: str, title: str = "") -> Activity:
    """A message activity showing a CSV export inline (see cards.file_to_card)."""
    return Activity(type=ActivityTypes.message, summary=title or filename,
                    attachments=[as_attachment(file_to_card(filename, content, title))])


def form_activity(form: Form, values: dict[str, Any] | None = None,
                  errors: FieldErrors | None = None) -> Activity:
    """A message activity carrying ``form`` as a card."""
    return Activity(type=ActivityTypes.message, summary=form.title,
                    attachments=[as_attachment(form_to_card(form, values, errors))])
