"""Wires the Bolt app into FastAPI at POST /slack/events, or into Socket Mode."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import PlainTextResponse
from slack_bolt import BoltResponse
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.internals import (
    extract_enterprise_id,
    extract_is_enterprise_install,
    extract_team_id,
    parse_body,
)
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.orm import Session, sessionmaker

from adapters.slack.edge import body_problem
from adapters.slack.installations import (
    BOT_SCOPES,
    DbInstallationStore,
    DbOAuthStateStore,
    TokenCipher,
)
from adapters.slack.listeners import Kick, Listeners, register
from adapters.slack.sender import SlackSender, make_client
from bot.settings import Settings
from core.events import PermanentFailure, Sender
from core.mentorbot import Mentorbot

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"


def _secret(settings: Settings, name: str) -> str:
    value = getattr(settings, name)
    if value is None:
        raise ValueError(f"{name.upper()} is not set")
    return value.get_secret_value()


class InstalledClients:
    """The Web API client that speaks in a workspace, from its install (tokens rotated when
    they are about to expire); a workspace with no install is a permanent failure."""

    def __init__(self, store: DbInstallationStore, base_url: str,
                 rotator: AsyncTokenRotator | None) -> None:
        self.store = store
        self.base_url = base_url
        self.rotator = rotator
        self._by_token: dict[str, AsyncWebClient] = {}

    async def __call__(self, team_id: str) -> AsyncWebClient:
        bot = await self.store.bot_for_team(team_id)
        if bot is None:
            raise PermanentFailure("not_installed")
        if bot.bot_refresh_token and self.rotator is not None:
            refreshed = await self.rotator.perform_bot_token_rotation(
                bot=bot, minutes_before_expiration=ROTATE_MINUTES_EARLY)
            if refreshed is not None:
                await self.store.async_save_bot(refreshed)
                bot = refreshed
        client = self._by_token.get(bot.bot_token)
        if client is None:
            client = self._by_token[bot.bot_token] = make_client(bot.bot_token, self.base_url)
        return client


@dataclass
class SlackParts:
    """What the Slack adapter is made of; the store only for a distributed app."""

    bolt: AsyncApp
    listeners: Listeners
    store: DbInstallationStore | None = None


def build_slack(*, core: Mentorbot, kick: Kick, settings: Settings,
                sessions: sessionmaker[Session] | None = None) -> SlackParts:
    """The Bolt app with Mentorbot's listeners; makes no network call while being built.

    With SLACK_CLIENT_ID and SLACK_CLIENT_SECRET it is a distributed app: OAuth install at
    /slack/install, one encrypted install per workspace or org in the database. Otherwise the
    one SLACK_BOT_TOKEN answers its own workspace and refuses any other.
    """
    signing_secret = _secret(settings, "slack_signing_secret")
    if settings.slack_oauth_on:
        if sessions is None:
            raise ValueError("a distributed Slack app needs the database")
        store = DbInstallationStore(sessions, TokenCipher(
            _secret(settings, "slack_token_encryption_key")))
        client_id = settings.slack_client_id
        client_secret = _secret(settings, "slack_client_secret")
        oauth = AsyncOAuthSettings(
            client_id=client_id, client_secret=client_secret, scopes=list(BOT_SCOPES),
            installation_store=store, state_store=DbOAuthStateStore(sessions),
            install_path=INSTALL_PATH, redirect_uri_path=REDIRECT_PATH,
            token_rotation_expiration_minutes=ROTATE_MINUTES_EARLY)
        app = AsyncApp(signing_secret=signing_secret, oauth_settings=oauth,
                       installation_store=store,
                       client=make_client(None, settings.slack_api_url))
        # Bolt would call auth.test on every request before the ack; its result for a token
        # never changes, so remember it (an uninstalled workspace is refused before Bolt).
        authorize = getattr(app, "_async_authorize", None)
        if authorize is not None and hasattr(authorize, "cache_enabled"):
            authorize.cache_enabled = True
        listeners = register(app, core=core, kick=kick, on_gone=store.async_delete_all)
        return SlackParts(app, listeners, store)
    # AsyncApp defers auth.test to the first request, unlike the sync App. The token rides on
    # the client only: Bolt ignores (and warns about) a second copy passed as token=.
    app = AsyncApp(signing_secret=signing_secret,
                   client=make_client(_secret(settings, "slack_bot_token"),
                                      settings.slack_api_url))
    listeners = register(app, core=core, kick=kick, on_gone=None, refuse=only_own_team)
    return SlackParts(app, listeners)


def build_bolt_app(*, core: Mentorbot, kick: Kick, settings: Settings,
                   sessions: sessionmaker[Session] | None = None) -> AsyncApp:
    return build_slack(core=core, kick=kick, settings=settings, sessions=sessions).bolt


def only_own_team(context: AsyncBoltContext) -> BoltResponse | None:
    """One bot token serves one workspace (or its org): a request from another team is
    refused, never answered with this workspace's token."""
    own = context.authorize_result
    if own is None or not context.team_id or context.team_id == own.team_id or (
            context.enterprise_id and context.enterprise_id == own.enterprise_id):
        return None
    log.warning("refused a Slack request from team %s: SLACK_BOT_TOKEN belongs to %s",
                context.team_id, own.team_id)
    return BoltResponse(status=403, body="this workspace has not installed the app")


def _workspace_of(body: dict[str, Any]) -> tuple[str | None, str | None, bool]:
    """(enterprise id, team id, org-wide install) of a parsed Slack request body."""
    return (extract_enterprise_id(body), extract_team_id(body),
            extract_is_enterprise_install(body) or False)


async def _installed(store: DbInstallationStore, raw: bytes, content_type: str) -> bool | None:
    """Whether the request's workspace has installed the app (None: the request names none,
    or is one that needs no install: URL checks, uninstall and revocation events)."""
    body = parse_body(raw.decode("utf-8"), content_type)
    if not isinstance(body, dict) or body.get("type") in ("url_verification", "ssl_check"):
        return None
    if ((body.get("event") or {}).get("type")) in ("app_uninstalled", "tokens_revoked"):
        return None
    enterprise_id, team_id, org_wide = _workspace_of(body)
    if not (enterprise_id or team_id):
        return None
    found = await store.async_find_installation(enterprise_id=enterprise_id, team_id=team_id,
                                                is_enterprise_install=org_wide)
    if found is None:
        log.warning("refused a Slack request from enterprise %s team %s: not installed",
                    enterprise_id, team_id)
        return False
    # The workspace the person acts in (for an org-wide install, authorizations name no team).
    home = body.get("team_id") or (body.get("team") or {}).get("id") or \
        (body.get("user") or {}).get("team_id")
    if found.is_enterprise_install and enterprise_id and isinstance(home, str) and home:
        await store.remember_team(enterprise_id, home)
    return True


def mount_slack(app: FastAPI, *, core: Mentorbot, kick: Kick, settings: Settings,
                sessions: sessionmaker[Session] | None = None) -> Sender:
    """Serve commands, interactivity and events at POST /slack/events (and the OAuth install
    at /slack/install and /slack/oauth_redirect for a distributed app); return the sender."""
    parts = build_slack(core=core, kick=kick, settings=settings, sessions=sessions)
    handler = AsyncSlackRequestHandler(parts.bolt)
    store = parts.store
    # Closed by the app's lifespan at shutdown (the kept-alive reply session).
    app.state.closers = [*getattr(app.state, "closers", []), parts.listeners.close]
    verifier = SignatureVerifier(_secret(settings, "slack_signing_secret"))

    @app.post(EVENTS_PATH, include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        """Hand the request to Bolt; a body Bolt cannot even parse is the sender's fault."""
        # Bolt turns the timestamp into an int before checking the signature, and crashes on
        # anything else: an unsigned request must be refused before it gets that far.
        timestamp = request.headers.get("x-slack-request-timestamp", "")
        if not (timestamp.isascii() and timestamp.isdecimal() and len(timestamp) <= 12):
            return PlainTextResponse("invalid request", status_code=401)
        # Checked here, not by Bolt: a signed body of the wrong shape crashes its middleware.
        raw = await request.body()
        content_type = request.headers.get("content-type", "")
        problem = body_problem(raw, content_type)
        if problem:
            return PlainTextResponse(problem, status_code=400)
        if store is not None and not verifier.is_valid(
                body=raw, timestamp=timestamp,
                signature=request.headers.get("x-slack-signature", "")):
            # Only a signed request may cost a database lookup of its workspace.
            return PlainTextResponse("invalid request", status_code=401)
        try:
            if store is not None and await _installed(store, raw, content_type) is False:
                return PlainTextResponse("this workspace has not installed the app",
                                         status_code=401)
            return await handler.handle(request)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            log.info("rejected malformed Slack request: %s", type(exc).__name__)
            return PlainTextResponse("bad request", status_code=400)

    # Slack's route is the busiest, and routes are matched in order: it goes first (mounted
    # after the admin pages and SCIM, each command was compared with some thirty routes).
    routes = app.router.routes
    routes.insert(0, routes.pop(next(i for i, r in enumerate(routes)
                                     if getattr(r, "path", None) == EVENTS_PATH)))

    if store is None:
        return _closed_at_shutdown(app, SlackSender(make_client(
            _secret(settings, "slack_bot_token"), settings.slack_api_url)))

    @app.get(INSTALL_PATH, include_in_schema=False)
    async def slack_install(request: Request) -> Response:
        """The "Add to Slack" page: a fresh state, also set as a cookie for this browser."""
        return await handler.handle(request)

    @app.get(REDIRECT_PATH, include_in_schema=False)
    async def slack_oauth_redirect(request: Request) -> Response:
        """Slack sends the installer back here: state checked, code exchanged, install saved."""
        return await handler.handle(request)

    rotator = AsyncTokenRotator(client_id=settings.slack_client_id or "",
                                client_secret=_secret(settings, "slack_client_secret"),
                                client=make_client(None, settings.slack_api_url))
    return _closed_at_shutdown(
        app, SlackSender(clients=InstalledClients(store, settings.slack_api_url, rotator)))


def _closed_at_shutdown(app: FastAPI, sender: SlackSender) -> SlackSender:
    """``sender``, its kept-alive session closed by the app's lifespan."""
    app.state.closers.append(sender.close)
    return sender


def socket_mode_handler(
    *, core: Mentorbot, kick: Kick, settings: Settings
) -> AsyncSocketModeHandler:
    """For `mentorbot serve --socket-mode`: the same listeners over a websocket.

    Call it inside the running event loop: the socket client opens its aiohttp session here.
    """
    bolt = build_bolt_app(core=core, kick=kick, settings=settings)
    return AsyncSocketModeHandler(bolt, _secret(settings, "slack_app_token"))


INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# Bolt and the sender rotate a bot token this many minutes before it expires.
ROTATE_MINUTES_EARLY = 120
