"""The Teams HTTP endpoint: our own FastAPI route in front of botbuilder's CloudAdapter."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.schema import Activity
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from adapters.teams.adapter import make_adapter
from adapters.teams.sender import TeamsSender
from adapters.teams.translate import activity_from_dict
from adapters.teams.turn import TeamsTurn
from bot.settings import Settings
from core.events import Sender
from core.mentorbot import Mentorbot

log = logging.getLogger(__name__)

ROUTE = "/api/messages"
_BEARER = re.compile(r"Bearer [A-Za-z0-9\-_.~+/]+=*")


def _problem(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"error": detail}, status_code=status)


def _parse_activity(body: bytes) -> Activity | None:
    try:
        data: Any = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str) or not data["type"]:
        return None
    try:
        return activity_from_dict(data)
    except Exception:  # noqa: BLE001 - msrest raises several types for a malformed body
        return None


def mount_teams(app: FastAPI, *, core: Mentorbot, kick: Callable[[], Awaitable[None]],
                settings: Settings) -> Sender:
    """Serve ``POST /api/messages`` and return the sender the outbox delivers Teams DMs with."""
    adapter = make_adapter(settings)
    turn = TeamsTurn(core)
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
        finally:
            await kick()
        if result is None:
            return Response(status_code=200)
        if result.body is None:
            return Response(status_code=int(result.status))
        return JSONResponse(result.body, status_code=int(result.status))

    return TeamsSender(adapter, settings.microsoft_app_id or "")

