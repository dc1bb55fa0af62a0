"""Builders for signed Slack requests, so each test states only the payload it cares about."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlencode

import httpx

SECRET = "secret"
FORM = "application/x-www-form-urlencoded"


def signed_headers(body: str | bytes, *, timestamp: int | None = None,
                   content_type: str = FORM) -> dict[str, str]:
    """Slack's v0 signature headers for ``body`` (bytes are signed as they are, so a fuzzed
    body that isn't valid UTF-8 is still correctly signed)."""
    # Bolt measures a signature's age against the real clock, so requests are signed with
    # it: only the age (seconds) matters here, never the date or the hour.
    ts = str(int(time.time()) if timestamp is None else timestamp)
    raw = body if isinstance(body, bytes) else body.encode("utf-8")
    signature = "v0=" + hmac.new(SECRET.encode(), f"v0:{ts}:".encode() + raw,
                                 hashlib.sha256).hexdigest()
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature}


async def post(client: httpx.AsyncClient, body: str, *, signed: bool = True,
               timestamp: int | None = None, content_type: str = FORM) -> httpx.Response:
    headers = (signed_headers(body, timestamp=timestamp, content_type=content_type) if signed
               else {"Content-Type": content_type})
    return await client.post("/slack/events", content=body.encode(), headers=headers)


def command_body(text: str, response_url: str, user_id: str = "U1") -> str:
    return urlencode({
        "token": "legacy", "team_id": "T1", "team_domain": "acme", "channel_id": "C1",
        "channel_name": "general", "user_id": user_id, "user_name": "ana", "command": "/mentor",
        "text": text, "api_app_id": "A1", "response_url": response_url, "trigger_id": "trig.1",
    })


def payload_body(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


def block_action(action_id: str, value: str, response_url: str, *,
                 select: bool = False) -> dict[str, Any]:
    action: dict[str, Any] = {"action_id": action_id, "block_id": "b1", "action_ts": "1.2"}
    if select:
        action |= {"type": "static_select",
                   "selected_option": {"value": value, "text": {"type": "plain_text",
                                                                "text": value}}}
    else:
        action |= {"type": "button", "value": value}
    return {
        "type": "block_actions", "api_app_id": "A1", "team": {"id": "T1", "domain": "acme"},
        "user": {"id": "U1", "username": "ana", "name": "ana", "team_id": "T1"},
        "trigger_id": "trig.2", "response_url": response_url,
        "container": {"type": "message", "message_ts": "1.1", "channel_id": "C1"},
        "channel": {"id": "C1"}, "message": {"ts": "1.1", "text": "hi"}, "actions": [action],
    }


def view_submission(context: str, values: dict[str, Any],
                    callback_id: str = "enroll") -> dict[str, Any]:
    return {
        "type": "view_submission", "api_app_id": "A1", "team": {"id": "T1", "domain": "acme"},
        "user": {"id": "U1", "username": "ana", "name": "ana", "team_id": "T1"},
        "trigger_id": "trig.3",
        "view": {"id": "V1", "type": "modal", "callback_id": callback_id,
                 "private_metadata": context, "state": {"values": values}},
    }


def select(value: str | None) -> dict[str, Any]:
    option = {"value": value, "text": {"type": "plain_text", "text": value}} if value else None
    return {"type": "static_select", "selected_option": option}


def multi(*values: str) -> dict[str, Any]:
    return {"type": "multi_static_select",
            "selected_options": [{"value": v, "text": {"type": "plain_text", "text": v}}
                                 for v in values]}


def text(value: str | None, kind: str = "plain_text_input") -> dict[str, Any]:
    return {"type": kind, "value": value}


def mentee_state(skills: tuple[str, ...] = ("Negotiation",)) -> dict[str, Any]:
    """view.state.values of a filled-in enrollment form, keyed block id -> action id."""
    fields = {"role": select("mentee"), "skills_offered": multi(),
              "skills_wanted": multi(*skills), "goals": text("Lead a team"),
              "capacity": text("1", "number_input"), "availability": select("mornings")}
    return {name: {name: element} for name, element in fields.items()}
