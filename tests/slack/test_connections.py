"""Replies to commands reuse one kept-alive connection to Slack.

On real Slack every new connection is a TCP and TLS handshake; under load that cost was paid
per command (`mentorbot bench acks`). The limit-enforcing fake speaks HTTP/1.1 as Slack does
and counts the connections callers open.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

from bot.app import create_app
from bot.bench.fake_slack import SlackLimitsFake
from bot.migrate import upgrade
from bot.settings import Settings
from core.clock import FakeClock
from core.db import make_engine
from tests.factories import seed
from tests.slack.helpers import SECRET, command_body, post


@pytest.fixture
def limits() -> Iterator[SlackLimitsFake]:
    with SlackLimitsFake() as api:
        yield api


@pytest.fixture
def app(db_url: str, limits: SlackLimitsFake, clock: FakeClock) -> Iterator[FastAPI]:
    engine = make_engine(db_url)
    upgrade(engine)
    engine.dispose()
    web = create_app(Settings(database_url=db_url, slack_bot_token="xoxb-test",
                              slack_signing_secret=SECRET, slack_api_url=limits.url,
                              webchat_enabled=False, teams_enabled=False), clock=clock)
    seed(web.state.sessions, platform="slack", tenant="T1", people=[("Ana Lima", "U1")])
    yield web
    web.state.engine.dispose()


async def _answered() -> None:
    """Wait until every command's work after its ack is done (its reply posted and Slack's
    answer read), as Bolt runs it in a task of its own."""
    mine = asyncio.current_task()
    work = [t for t in asyncio.all_tasks() if t is not mine
            and "run_ack_function" in getattr(t.get_coro(), "__qualname__", "")]
    if work:
        await asyncio.wait(work, timeout=5)


async def test_replies_to_commands_share_one_connection(app: FastAPI,
                                                        limits: SlackLimitsFake) -> None:
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        # The first command also looks the bot up (auth.test) on a connection of its own.
        await post(client, command_body("help", f"{limits.url}response/0"))
        await _answered()
        opened = limits.connections()
        for i in range(1, 21):
            await post(client, command_body("status" if i % 2 else "help",
                                            f"{limits.url}response/{i}"))
            await _answered()
        assert len(limits.replies) == 21
        assert ["not enrolled" in r["text"] for r in limits.replies[1:5]] == \
            [True, False, True, False]
        # Twenty more replies, one after another: not one new connection between them.
        assert limits.connections() == opened
