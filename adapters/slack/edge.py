"""The shape of a Slack request body, checked before Bolt reads it.

Bolt trusts Slack's payloads: a signed body whose ``event``, ``team``, ``user`` or ``actions``
has the wrong JSON type crashes its middleware with a traceback instead of a refusal. These
pydantic models state what Bolt and our translation rely on; anything else is a 400.
"""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import parse_qsl

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class _Open(BaseModel):
    """Slack adds fields freely: only the ones we read are typed, the rest pass through."""

    model_config = ConfigDict(extra="allow")


class Ref(_Open):
    # Our columns: platform user ids hold 128 characters, workspace ids 64 and names 200
    # (PostgreSQL refuses longer ones, so they are refused here first).
    id: str | None = Field(default=None, max_length=128)
    name: str | None = Field(default=None, max_length=200)
    username: str | None = Field(default=None, max_length=200)
    team_id: str | None = Field(default=None, max_length=64)


class TeamRef(_Open):
    id: str | None = Field(default=None, max_length=64)


class Action(_Open):
    action_id: str | None = None
    value: str | None = None
    selected_option: dict[str, Any] | None = None
    selected_options: list[dict[str, Any]] | None = None


class ViewState(_Open):
    values: dict[str, dict[str, dict[str, Any]]] = {}


class View(_Open):
    id: str | None = None
    callback_id: str | None = None
    private_metadata: str | None = None
    state: ViewState | None = None


class Event(_Open):
    type: str | None = None
    user: Annotated[str, Field(max_length=128)] | Ref | None = None
    channel: str | dict[str, Any] | None = None


class Envelope(_Open):
    """An Events API body or an interactivity payload.

    The nested objects default to absent but are never ``null`` (Bolt calls ``.get`` on
    them), and ``actions`` is never empty (Bolt reads ``actions[0]``).
    """

    type: str | None = None
    team_id: str | None = Field(default=None, max_length=64)
    # Org-wide installs may send team=null (the user carries their team then).
    team: TeamRef | None = None
    user: Ref = None  # type: ignore[assignment]
    enterprise: TeamRef | None = None
    channel: Ref = None  # type: ignore[assignment]
    container: dict[str, Any] = None  # type: ignore[assignment]
    message: dict[str, Any] = None  # type: ignore[assignment]
    actions: list[Action] = Field(default=None, min_length=1)  # type: ignore[arg-type]
    view: View = None  # type: ignore[assignment]
    event: Event = None  # type: ignore[assignment]
    authorizations: list[dict[str, Any]] | None = None
    response_url: str | None = None
    trigger_id: str | None = None


class Command(_Open):
    """A slash command's form fields (each one string, as Slack sends them)."""

    command: str | None = None
    text: str | None = None
    user_id: str | None = Field(default=None, max_length=128)
    user_name: str | None = Field(default=None, max_length=200)
    team_id: str | None = Field(default=None, max_length=64)


def body_problem(body: bytes, content_type: str) -> str | None:
    """Why this body is not something Slack sends, or None when it has the right shape."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "the body is not UTF-8"
    try:
        if "json" in content_type.lower():
            data = json.loads(text)
            if not isinstance(data, dict):
                return "the body must be a JSON object"
            # Bolt reads a JSON body as either kind, so it must fit both.
            Envelope.model_validate(data)
            Command.model_validate(data)
            return None
        fields = dict(parse_qsl(text, keep_blank_values=True))
        if "payload" in fields:
            data = json.loads(fields["payload"])
            if not isinstance(data, dict):
                return "payload must be a JSON object"
            Envelope.model_validate(data)
            Command.model_validate(data)
        else:
            Command.model_validate(fields)
    except (ValueError, ValidationError):
        return "the body is not a Slack request"
    return None
