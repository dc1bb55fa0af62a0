"""A Mentorbot app with Slack mounted against a fake Slack Web API, on each test database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from bot.app import create_app
from bot.migrate import upgrade
from bot.settings import Settings
from core.clock import FakeClock
from core.db import make_engine
from tests.factories import seed
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.helpers import SECRET


@pytest.fixture
def fake() -> Iterator[FakeSlackApi]:
    with FakeSlackApi() as api:
        yield api


@pytest.fixture
def admin_emails() -> str:
    """ADMIN_EMAILS for the app under test; a test file overrides it to name its admins."""
    return ""


@pytest.fixture
def slack_app(db_url: str, fake: FakeSlackApi, clock: FakeClock,
              admin_emails: str) -> Iterator[FastAPI]:
    engine = make_engine(db_url)
    upgrade(engine)
    engine.dispose()
    app = create_app(Settings(database_url=db_url, slack_bot_token="xoxb-test",
                              slack_signing_secret=SECRET, slack_api_url=fake.url,
                              webchat_enabled=False, teams_enabled=False,
                              admin_emails=admin_emails), clock=clock)
    yield app
    app.state.engine.dispose()


@pytest.fixture
def ids(slack_app: FastAPI) -> dict[str, Any]:
    return seed(slack_app.state.sessions, platform="slack", tenant="T1",
                people=[("Ana Lima", "U1")])


@pytest.fixture
async def client(slack_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=slack_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http
    # Listeners keep running after the ack; let them end before the database goes away.
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    if others:
        await asyncio.wait(others, timeout=5)
