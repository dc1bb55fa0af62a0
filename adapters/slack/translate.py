"""Slack payloads in, neutral events out; the renderers for the way back live in render.py."""

from __future__ import annotations

import re
from typing import Any

from adapters.slack.render import (
    errors_to_ack,
    form_to_view,
    home_view,
    message_to_blocks,
    reply_view,
    strip_action_suffix,
)
from core.events import (
    Actor,
    ButtonAction,
    CommandEvent,
    FormSubmission,
    InboundEvent,
    MemberJoined,
)

__all__ = [
    "BadPayload", "button_action", "command_event", "errors_to_ack", "form_submission",
    "form_to_view", "form_values", "home_view", "member_joined", "message_to_blocks",
    "reply_view", "strip_action_suffix", "to_event", "typed_command", "typed_text",
]

PLATFORM = "slack"


class BadPayload(ValueError):
    """A Slack payload that lacks what we need to understand it."""


def _actor(team_id: Any, user: dict[str, Any]) -> Actor:
    name = user.get("name") or user.get("username") or ""
    return Actor(platform=PLATFORM, tenant_id=str(team_id), user_id=str(user["id"]),
                 name=str(name))


def _team_id(body: dict[str, Any]) -> str:
    team = body.get("team") or {}
    # Org-wide installs can send team=null; the user still carries their home team.
    team_id = team.get("id") or (body.get("user") or {}).get("team_id")
    if not team_id:
        raise BadPayload("no team id")
    return str(team_id)


def command_event(body: dict[str, Any]) -> CommandEvent:
    """A slash command body -> CommandEvent."""
    actor = Actor(platform=PLATFORM, tenant_id=str(body["team_id"]),
                  user_id=str(body["user_id"]), name=str(body.get("user_name") or ""))
    return CommandEvent(actor=actor, text=str(body.get("text") or ""),
                        channel_id=str(body.get("channel_id") or ""), raw=body)


def button_action(body: dict[str, Any]) -> ButtonAction:
    """A block_actions payload -> ButtonAction (button value or selected option value)."""
    action = body["actions"][0]
    if action.get("selected_option"):
        value = action["selected_option"]["value"]
    else:
        value = action.get("value") or ""
    return ButtonAction(actor=_actor(_team_id(body), body["user"]),
                        action_id=strip_action_suffix(str(action["action_id"])),
                        value=str(value), raw=body)


def _element_value(element: dict[str, Any]) -> Any:
    kind = element.get("type")
    if kind == "static_select":
        selected = element.get("selected_option")
        return str(selected["value"]) if selected else None
    if kind == "multi_static_select":
        return [str(o["value"]) for o in element.get("selected_options") or []]
    if kind == "checkboxes":
        return bool(element.get("selected_options"))
    if kind == "datepicker":
        return element.get("selected_date")
    if kind == "timepicker":
        return element.get("selected_time")
    return element.get("value")  # plain_text_input and number_input both send a string


def form_values(state_values: dict[str, Any]) -> dict[str, Any]:
    """view.state.values -> {field name: value}; the block id is the field name."""
    values: dict[str, Any] = {}
    for block_id, actions in state_values.items():
        for element in actions.values():
            values[str(block_id)] = _element_value(element)
    return values


def form_submission(body: dict[str, Any]) -> FormSubmission:
    """A view_submission payload -> FormSubmission."""
    view = body["view"]
    return FormSubmission(actor=_actor(_team_id(body), body["user"]),
                          form_id=str(view["callback_id"]),
                          values=form_values(view["state"]["values"]),
                          context=str(view.get("private_metadata") or ""), raw=body)


def member_joined(body: dict[str, Any]) -> MemberJoined:
    """An app_home_opened event callback -> MemberJoined."""
    event = body["event"]
    user = event.get("user")
    # app_home_opened names the user by id; some events carry the whole user object.
    user_id = user.get("id") if isinstance(user, dict) else user
    if not isinstance(user_id, str) or not user_id:
        raise BadPayload("no user id")
    actor = Actor(platform=PLATFORM, tenant_id=str(body["team_id"]), user_id=user_id)
    return MemberJoined(actor=actor, raw=body)


_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
_COMMAND_WORD = re.compile(r"^/?mentor\b\s*", re.IGNORECASE)


def typed_text(text: str) -> str:
    """What someone typed to the bot -> the words after ``/mentor`` (mentions and an
    optional leading ``mentor`` or ``/mentor`` dropped), so a DM reads like the command."""
    return _COMMAND_WORD.sub("", _MENTION.sub(" ", text).strip()).strip()


def typed_command(body: dict[str, Any]) -> CommandEvent | None:
    """A DM to the bot (message.im) or an @mention (app_mention) -> CommandEvent; None for
    the bot's own messages, edits and other message subtypes."""
    event = body["event"]
    if event.get("bot_id") or event.get("subtype"):
        return None
    user, channel, text = event.get("user"), event.get("channel"), event.get("text")
    if not (isinstance(user, str) and user and isinstance(channel, str) and channel):
        return None
    actor = Actor(platform=PLATFORM, tenant_id=str(body["team_id"]), user_id=user)
    # A message has no trigger_id, so no modal can open in answer to it.
    return CommandEvent(actor=actor, text=typed_text(text if isinstance(text, str) else ""),
                        channel_id=channel, raw=body, opens_forms=False)


def to_event(body: Any) -> InboundEvent | None:
    """Any Slack request body -> a neutral event, None if core has no use for it."""
    if not isinstance(body, dict):
        raise BadPayload("body is not an object")
    try:
        if "command" in body:
            return command_event(body)
        kind = body.get("type")
        if kind == "block_actions":
            return button_action(body)
        if kind == "view_submission":
            return form_submission(body)
        event_type = (body.get("event") or {}).get("type") if kind == "event_callback" else None
        if event_type == "app_home_opened":
            return member_joined(body)
        if event_type == "app_mention" or (
                event_type == "message" and body["event"].get("channel_type") == "im"):
            return typed_command(body)
    except (KeyError, IndexError, TypeError, AttributeError) as exc:
        raise BadPayload(f"malformed {body.get('type') or 'command'} payload") from exc
    return None
