"""Building the Slack adapter touches no network: the HTTP app and the Socket Mode handler."""

from __future__ import annotations

from adapters.slack.mount import build_bolt_app, socket_mode_handler
from bot.settings import Settings
from core.db import make_engine, make_session_factory
from core.mentorbot import Mentorbot

SETTINGS = Settings(slack_bot_token="xoxb-test", slack_signing_secret="secret",
                    slack_app_token="xapp-test", slack_api_url="http://127.0.0.1:9/")


async def _kick() -> None:
    return None


def _core() -> Mentorbot:
    return Mentorbot(make_session_factory(make_engine("sqlite://")))


def test_bolt_app_uses_the_configured_api_url() -> None:
    app = build_bolt_app(core=_core(), kick=_kick, settings=SETTINGS)
    assert app.client.base_url == "http://127.0.0.1:9/" and app.client.token == "xoxb-test"


async def test_socket_mode_handler_is_built_without_connecting() -> None:
    handler = socket_mode_handler(core=_core(), kick=_kick, settings=SETTINGS)
    try:
        assert handler.app_token == "xapp-test"
        assert handler.client.web_client.base_url == "http://127.0.0.1:9/"
    finally:
        await handler.client.close()
