"""The Teams HTTP endpoint: our own FastAPI route in front of botbuilder's CloudAdapter."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from botbuilder.schema import Activity
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from adapters.teams.adapter import make_adapter
from adapters.teams.personal_chat import PersonalChats
from adapters.teams.sender import TeamsSender
from adapters.teams.translate import activity_from_dict
from adapters.teams.turn import TeamsTurn
from bot.settings import Settings
from core.addresses import AddressBook
from core.events import Sender
from core.mentorbot import Mentorbot

log = logging.getLogger(__name__)

ROUTE = "/api/messages"
_BEARER = re.compile(r"Bearer [A-Za-z0-9\-_.~+/]+=*")


def _problem(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"error": detail}, status_code=status)


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class _Account(_Open):
    # PlatformIdentity.user_id and people.name: PostgreSQL refuses longer values.
    id: str | None = Field(default=None, max_length=128)
    aadObjectId: str | None = Field(default=None, max_length=128)  # noqa: N815 - Teams' name
    name: str | None = Field(default=None, max_length=200)


class _Tenant(_Open):
    id: str | None = Field(default=None, max_length=64)


class _Team(_Open):
    id: str | None = Field(default=None, max_length=256)
    name: str | None = Field(default=None, max_length=200)


class _ChannelData(_Open):
    tenant: _Tenant | None = None
    team: _Team | None = None


class _Conversation(_Open):
    id: str | None = Field(default=None, max_length=1024)
    tenantId: str | None = Field(default=None, max_length=64)  # noqa: N815 - Teams' name


class _Activity(_Open):
    """The fields of an activity that end up in our columns, with those columns' limits."""

    type: str = Field(min_length=1, max_length=64)
    from_: _Account | None = Field(default=None, alias="from")
    conversation: _Conversation | None = None
    channelData: _ChannelData | None = None  # noqa: N815 - Teams' name
    text: str | None = Field(default=None, max_length=28_000)


def _parse_activity(body: bytes) -> Activity | None:
    try:
        data: Any = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str) or not data["type"]:
        return None
    try:
        _Activity.model_validate(data)
    except ValidationError:
        return None
    try:
        return activity_from_dict(data)
    except Exception:  # noqa: BLE001 - msrest raises several types for a malformed body
        return None


_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


def service_url_problem(url: object, *, authenticated: bool) -> str | None:
    """Why ``serviceUrl`` cannot be replied to, or None when it can.

    Without an app id nothing proves the activity came from Microsoft, so replies may only go
    to a local emulator or playground: never to an address a stranger chose.
    """
    if url is None:
        return None  # conversationUpdate and the like need no reply address
    if not isinstance(url, str) or not url or len(url) > 2048:
        return "serviceUrl must be a URL"
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return "serviceUrl must be a URL"
    if parts.scheme not in ("http", "https") or not host or parts.username or parts.password:
        return "serviceUrl must be an http(s) URL"
    if not authenticated and host.lower() not in _LOCAL_HOSTS:
        return "without MICROSOFT_APP_ID, serviceUrl must be on this machine (an emulator)"
    return None


def mount_teams(app: FastAPI, *, core: Mentorbot, kick: Callable[[], Awaitable[None]],
                settings: Settings) -> Sender:
    """Serve ``POST /api/messages`` and return the sender the outbox delivers Teams DMs with."""
    adapter = make_adapter(settings)
    app_id = settings.microsoft_app_id or ""
    chats = PersonalChats(adapter, app_id, AddressBook(core.sessions))
    turn = TeamsTurn(core, chats)
    auth_required = bool(settings.microsoft_app_id)

    @app.post(ROUTE, include_in_schema=False)
    async def teams_messages(request: Request) -> Response:
        """Receive one activity from the Bot Connector."""
        content_type = request.headers.get("content-type", "")
        if content_type and "json" not in content_type.lower():
            return _problem(415, "expected application/json")
        activity = _parse_activity(await request.body())
        if activity is None:
            return _problem(400, "body is not a Bot Framework activity")
        problem = service_url_problem(activity.service_url, authenticated=auth_required)
        if problem:
            return _problem(400, problem)
        auth_header = request.headers.get("authorization", "")
        # Checked here because botbuilder crashes on odd headers instead of refusing them.
        if auth_required and not _BEARER.fullmatch(auth_header):
            return _problem(401, "missing or malformed bearer token")
        try:
            auth = await adapter.bot_framework_authentication.authenticate_request(
                activity, auth_header
            )
        except Exception as exc:  # noqa: BLE001 - botbuilder signals bad tokens many ways
            log.info("teams: rejected token: %s", type(exc).__name__)
            return _problem(401, "invalid token")
        try:
            result = await adapter.process_activity(auth, activity, turn)
        except Exception as exc:
            if auth_required:
                raise
            # Emulator mode: the caller's own serviceUrl did not answer our reply.
            log.info("teams: reply to serviceUrl failed: %s", type(exc).__name__)
            return _problem(400, "could not reply to serviceUrl")
        finally:
            await kick()
        if result is None:
            return Response(status_code=200)
        if int(result.status) == 501:
            # botbuilder's answer to an invoke no handler knows: the caller's request, not a
            # server fault.
            return _problem(400, "unsupported invoke")
        if result.body is None:
            return Response(status_code=int(result.status))
        return JSONResponse(result.body, status_code=int(result.status))

    return TeamsSender(adapter, app_id, chats)

