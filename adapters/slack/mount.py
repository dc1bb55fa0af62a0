"""Wires the Bolt app into FastAPI at POST /slack/events, or into Socket Mode."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, Response
from fastapi.responses import PlainTextResponse
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from adapters.slack.edge import body_problem
from adapters.slack.listeners import Kick, register
from adapters.slack.sender import SlackSender, make_client
from bot.settings import Settings
from core.events import Sender
from core.mentorbot import Mentorbot

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"


def _secret(settings: Settings, name: str) -> str:
    value = getattr(settings, name)
    if value is None:
        raise ValueError(f"{name.upper()} is not set")
    return value.get_secret_value()


def build_bolt_app(*, core: Mentorbot, kick: Kick, settings: Settings) -> AsyncApp:
    """The Bolt app with Mentorbot's listeners; makes no network call while being built."""
    # AsyncApp defers auth.test to the first request, unlike the sync App. The token rides on
    # the client only: Bolt ignores (and warns about) a second copy passed as token=.
    token = _secret(settings, "slack_bot_token")
    app = AsyncApp(
        signing_secret=_secret(settings, "slack_signing_secret"),
        client=make_client(token, settings.slack_api_url),
    )
    register(app, core=core, kick=kick)
    return app


def mount_slack(app: FastAPI, *, core: Mentorbot, kick: Kick, settings: Settings) -> Sender:
    """Serve commands, interactivity and events at POST /slack/events; return the sender."""
    handler = AsyncSlackRequestHandler(build_bolt_app(core=core, kick=kick, settings=settings))

    @app.post(EVENTS_PATH, include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        """Hand the request to Bolt; a body Bolt cannot even parse is the sender's fault."""
        # Bolt turns the timestamp into an int before checking the signature, and crashes on
        # anything else: an unsigned request must be refused before it gets that far.
        timestamp = request.headers.get("x-slack-request-timestamp", "")
        if not (timestamp.isascii() and timestamp.isdecimal() and len(timestamp) <= 12):
            return PlainTextResponse("invalid request", status_code=401)
        # Checked here, not by Bolt: a signed body of the wrong shape crashes its middleware.
        problem = body_problem(await request.body(), request.headers.get("content-type", ""))
        if problem:
            return PlainTextResponse(problem, status_code=400)
        try:
            return await handler.handle(request)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            log.info("rejected malformed Slack request: %s", type(exc).__name__)
            return PlainTextResponse("bad request", status_code=400)

    return SlackSender(make_client(_secret(settings, "slack_bot_token"), settings.slack_api_url))


def socket_mode_handler(
    *, core: Mentorbot, kick: Kick, settings: Settings
) -> AsyncSocketModeHandler:
    """For `mentorbot serve --socket-mode`: the same listeners over a websocket.

    Call it inside the running event loop: the socket client opens its aiohttp session here.
    """
    bolt = build_bolt_app(core=core, kick=kick, settings=settings)
    return AsyncSocketModeHandler(bolt, _secret(settings, "slack_app_token"))
