"""Fixtures for the Teams adapter: a fake Bot Connector and the app wired to it."""

from __future__ import annotations

import itertools
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
from tests.fakes.connector import FakeConnector

TENANT = "tenant-1"
ANA = {"id": "29:abc", "aadObjectId": "aad-ana", "name": "Ana Lima"}
BOT = {"id": "28:bot", "name": "Mentorbot"}
_ids = itertools.count(1)


@pytest.fixture
def connector() -> Iterator[FakeConnector]:
    fake = FakeConnector().start()
    yield fake
    fake.stop()


def build_app(db_url: str, clock: FakeClock, **settings: Any) -> FastAPI:
    """The real app on a migrated database with Teams on and web chat off."""
    engine = make_engine(db_url)
    upgrade(engine)
    engine.dispose()
    return create_app(Settings(database_url=db_url, teams_enabled=True, webchat_enabled=False,
                               _env_file=None, **settings), clock=clock)


@pytest.fixture
def app(db_url: str, clock: FakeClock) -> Iterator[FastAPI]:
    application = build_app(db_url, clock)
    seed(application.state.sessions, platform="teams", tenant=TENANT,
         people=[("Ana Lima", "aad-ana")])
    yield application
    application.state.engine.dispose()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


def activity(service_url: str, **fields: Any) -> dict[str, Any]:
    """A personal-chat activity from Ana, as Teams would post it."""
    return {
        "type": "message",
        "id": f"in-{next(_ids)}",
        "timestamp": "2024-05-01T10:00:00.000Z",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": ANA,
        "recipient": BOT,
        "conversation": {"id": "a:conv1", "conversationType": "personal", "tenantId": TENANT},
        "channelData": {"tenant": {"id": TENANT}},
        "locale": "en-US",
        **fields,
    }
