"""Installing the app in a team: remember its channels for announcements, link its members."""

from __future__ import annotations

import asyncio
import copy
import logging
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import Activity, ActivityTypes

from adapters.teams.reference import reference_to_dict
from adapters.teams.translate import PLATFORM, activity_tenant_id
from core.addresses import AddressBook
from core.mentorbot import Mentorbot

log = logging.getLogger(__name__)

# Teams leaves the General channel nameless in the channel list; admins call it "#General".
GENERAL = "General"
# Channel events that change what "#name" means; a full re-sync is one cheap call.
CHANNEL_EVENTS = frozenset({"channelCreated", "channelRenamed", "channelRestored"})


def team_of(activity: Activity) -> dict[str, Any] | None:
    """The ``channelData.team`` of a team-scope activity, or None outside a team."""
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    team = channel_data.get("team")
    return team if isinstance(team, dict) and team.get("id") else None


def _event_type(activity: Activity) -> str:
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    return str(channel_data.get("eventType") or "")


def channel_reference(base: dict[str, Any], channel_id: str, tenant: str) -> dict[str, Any]:
    """``base`` (a reference from this team's activity) pointed at one channel conversation."""
    reference = copy.deepcopy(base)
    # The installer is no recipient of channel posts; a proactive post is addressed by the
    # conversation alone.
    reference.pop("user", None)
    reference["conversation"] = {"id": channel_id, "isGroup": True,
                                 "conversationType": "channel"}
    if tenant:
        reference["conversation"]["tenantId"] = tenant
    return reference


async def handle_team_update(context: TurnContext, core: Mentorbot) -> bool:
    """Handle a team-scope conversationUpdate; returns whether it was one.

    The bot joining the team stores every channel and links every member; a channel being
    created or renamed re-stores the channels; people joining the team are linked.
    """
    activity = context.activity
    team = team_of(activity)
    if activity.type != ActivityTypes.conversation_update or team is None:
        return False
    bot_id = activity.recipient.id if activity.recipient else None
    added = activity.members_added or []
    bot_added = any(m.id == bot_id for m in added)
    try:
        if bot_added or _event_type(activity) in CHANNEL_EVENTS:
            await sync_channels(context, core, team)
        if bot_added:
            await link_team_members(context, core, str(team["id"]))
        else:
            newcomers = [m.id for m in added if m.id and m.id != bot_id]
            if newcomers:
                await link_newcomers(context, core, str(team["id"]), newcomers)
    except Exception:  # noqa: BLE001 - the turn must still answer 200 or Teams resends it
        # Announcements to a channel we missed fail later with a clear "install first".
        log.exception("teams: could not read team %s", team["id"])
    return True


async def sync_channels(context: TurnContext, core: Mentorbot, team: dict[str, Any]) -> int:
    """Store a conversation reference for every channel of ``team``; returns how many."""
    activity = context.activity
    team_id = str(team["id"])
    tenant = activity_tenant_id(activity)
    client = await TeamsInfo.get_teams_connector_client(context)
    # The Teams operations client is synchronous msrest: keep its HTTP off the event loop.
    channels = (await asyncio.to_thread(client.teams.get_teams_channels, team_id)).conversations
    team_name = str(team.get("name") or "")
    if not team_name:
        # Channel events carry only the team id; the name comes from the team itself.
        details = await asyncio.to_thread(client.teams.get_team_details, team_id)
        team_name = details.name or ""
    base = reference_to_dict(activity)
    for channel in channels or []:
        if not channel.id:
            continue
        await asyncio.to_thread(
            core.remember_channel, PLATFORM, tenant, channel.id, channel.name or GENERAL,
            team_name, channel_reference(base, channel.id, tenant))
    return len(channels or [])


def _aad(member: Any) -> str:
    # Teams' member APIs name the AAD id "objectId"; botbuilder only maps "aadObjectId".
    extra = getattr(member, "additional_properties", None) or {}
    return str(member.aad_object_id or extra.get("objectId") or "")


def _pair(member: Any) -> tuple[str, str] | None:
    email = member.email or member.user_principal_name
    aad_id = _aad(member)
    if not aad_id or not email:
        return None
    return str(aad_id), str(email)


async def _link(core: Mentorbot, tenant: str, members: list[Any]) -> int:
    """Link members to HR records by email, and remember each one's Teams member id: a 1:1
    chat is opened with it (the simulator, like Teams, knows people by that id)."""
    pairs = [p for p in map(_pair, members) if p is not None]
    if len(pairs) < len(members):
        # Their HR record can't be found: messages for it are reported as undeliverable.
        log.info("teams: %s member(s) without an email or UPN (or AAD id) stay unlinked",
                 len(members) - len(pairs))
    linked = await asyncio.to_thread(core.link_members, PLATFORM, tenant, pairs)
    ids = [(_pair(m) or ("", ""))[0] for m in members]
    await asyncio.to_thread(AddressBook(core.sessions).remember_members, PLATFORM, tenant,
                            [(aad, str(m.id)) for aad, m in zip(ids, members, strict=True)
                             if aad and m.id])
    return linked


async def link_team_members(context: TurnContext, core: Mentorbot, team_id: str) -> int:
    """Link every member of the team (all pages) to HRIS people by email; returns how many."""
    members: list[Any] = []
    token: str | None = None
    while True:
        page = await TeamsInfo.get_paged_team_members(context, team_id, token)
        members.extend(page.members or [])
        token = page.continuation_token
        if not token:
            break
    return await _link(core, activity_tenant_id(context.activity), members)


async def link_newcomers(context: TurnContext, core: Mentorbot, team_id: str,
                         member_ids: list[str]) -> int:
    """Link people who just joined the team; the event names them without an email."""
    members = [await TeamsInfo.get_team_member(context, team_id, member_id)
               for member_id in member_ids]
    return await _link(core, activity_tenant_id(context.activity), members)


async def handle_group_chat_update(context: TurnContext, core: Mentorbot) -> bool:
    """Handle a group chat's conversationUpdate; returns whether it was one.

    The bot being added links every member of the chat to their HR record by email (as a
    team's roster does), so they can be reached in a 1:1 chat before they ever write; people
    added later are linked too. Who is in the chat is stored on every change, so a group's
    introduction can be posted there when its people are exactly the group; the bot being
    removed forgets the chat. Nothing is posted into the group chat.
    """
    activity = context.activity
    kind = getattr(activity.conversation, "conversation_type", None)
    if activity.type != ActivityTypes.conversation_update or kind != "groupChat":
        return False
    bot_id = activity.recipient.id if activity.recipient else None
    added = [m.id for m in activity.members_added or [] if m.id]
    removed = [m.id for m in activity.members_removed or [] if m.id]
    tenant = activity_tenant_id(activity)
    chat_id = str(activity.conversation.id)
    if bot_id in removed:
        await asyncio.to_thread(core.forget_group_chat, PLATFORM, tenant, chat_id)
        return True
    if not added and not removed:
        return True
    try:
        await sync_group_chat(context, core, link=None if bot_id in added else added)
    except Exception:  # noqa: BLE001 - the turn must still answer 200 or Teams resends it
        log.exception("teams: could not read a group chat's members")
    return True


async def sync_group_chat(context: TurnContext, core: Mentorbot,
                          link: list[str] | None = None) -> None:
    """Store who is in the activity's group chat now, and link its members (all of them, or
    only the Teams ids in ``link``) to their HR records."""
    activity = context.activity
    tenant = activity_tenant_id(activity)
    bot_id = activity.recipient.id if activity.recipient else None
    # The whole list each time: one call, and the stored people can't drift from it.
    members = list(await TeamsInfo.get_members(context))
    await _link(core, tenant, members if link is None else [m for m in members if m.id in link])
    reference = reference_to_dict(activity)
    reference.pop("user", None)  # whoever added someone is no recipient of posts here
    # People by AAD id (our account id); anyone without one by Teams id, so that they count
    # as someone else in the chat.
    ids = [_aad(m) or str(m.id) for m in members if m.id != bot_id]
    await asyncio.to_thread(core.remember_group_chat, PLATFORM, tenant,
                            str(activity.conversation.id), reference, ids)
