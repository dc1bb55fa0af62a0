"""Conversation references for proactive DMs, with the tenant id botbuilder forgets."""

from __future__ import annotations

from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ConversationReference

from adapters.teams.translate import activity_tenant_id


def reference_to_dict(activity: Activity) -> dict[str, Any]:
    """A JSON-safe reference to the activity's conversation, including tenant and service URL."""
    reference: dict[str, Any] = TurnContext.get_conversation_reference(activity).serialize()
    # The id of the message that happened to come first is no address; leaving it out also
    # keeps the stored reference identical from one message to the next.
    reference.pop("activityId", None)
    reference["serviceUrl"] = activity.service_url
    tenant = activity_tenant_id(activity)
    if tenant:
        # botbuilder copies the conversation but not channelData's tenant, and Teams refuses
        # proactive messages without it.
        reference.setdefault("conversation", {})["tenantId"] = tenant
    return reference


def reference_from_dict(data: dict[str, Any]) -> ConversationReference:
    """Rebuild a reference stored by :func:`reference_to_dict`."""
    reference: ConversationReference = ConversationReference.deserialize(data)
    tenant = (data.get("conversation") or {}).get("tenantId")
    if tenant and reference.conversation is not None:
        reference.conversation.tenant_id = tenant
    return reference


def restore_tenant(activity: Activity, tenant: str | None) -> None:
    """Put the tenant back where Teams looks for it on an outgoing proactive activity."""
    if not tenant:
        return
    if activity.conversation is not None:
        activity.conversation.tenant_id = tenant
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    activity.channel_data = {**channel_data, "tenant": {"id": tenant}}
