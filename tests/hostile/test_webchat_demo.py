"""The web chat is a local demo: loopback only, or a password; each browser is one person."""

from __future__ import annotations

from collections.abc import AsyncIterator
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

REMOTE = ("203.0.113.7", 40000)
LOCAL = ("127.0.0.1", 40000)


def make_app(db_url: str, clock: FakeClock, **settings: Any) -> FastAPI:
    upgrade(make_engine(db_url))
    app = create_app(Settings(database_url=db_url, _env_file=None, webchat_enabled=True,
                              **settings), clock=clock)
    seed(app.state.sessions, platform="webchat", tenant="demo")
    return app


def client(app: FastAPI, peer: tuple[str, int] = LOCAL) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=peer),
                             base_url="http://test")


@pytest.fixture
async def local_app(db_url: str, clock: FakeClock) -> AsyncIterator[FastAPI]:
    app = make_app(db_url, clock)
    yield app
    app.state.engine.dispose()


async def test_without_a_password_other_addresses_are_refused(local_app: FastAPI) -> None:
    async with client(local_app, REMOTE) as far:
        assert (await far.get("/")).status_code == 403
        assert (await far.get("/webchat/api/people")).status_code == 403
        assert (await far.post("/webchat/api/me", json={"user": "U1"})).status_code == 403
        assert (await far.get("/webchat/api/inbox", params={"user": "U1"})).status_code == 403
    # A proxy not named in TRUSTED_PROXIES cannot claim to be loopback.
    async with client(local_app, REMOTE) as far:
        spoofed = await far.get("/webchat/api/people", headers={"X-Forwarded-For": "127.0.0.1"})
        assert spoofed.status_code == 403
    async with client(local_app) as near:
        assert (await near.get("/webchat/api/people")).status_code == 200


async def test_a_browser_reads_only_the_inbox_of_the_person_it_picked(
        local_app: FastAPI) -> None:
    async with client(local_app) as mine, client(local_app) as theirs:
        assert (await mine.post("/webchat/api/me", json={"user": "U1"})).status_code == 200
        joined = await mine.post("/webchat/api/command", json={"user": "U1", "text": "help"})
        assert joined.status_code == 200
        # Another browser that never picked U1 can neither act as them nor read their inbox.
        assert (await theirs.get("/webchat/api/inbox", params={"user": "U1"})).json() == \
            {"user": None, "items": []}
        acted = await theirs.post("/webchat/api/command", json={"user": "U1", "text": "help"})
        assert acted.status_code == 409
        await theirs.post("/webchat/api/me", json={"user": "U2"})
        assert (await theirs.get("/webchat/api/inbox",
                                 params={"user": "U1"})).status_code == 403
        assert (await theirs.post("/webchat/api/command",
                                  json={"user": "U1", "text": "help"})).status_code == 403


async def test_with_a_password_any_address_signs_in_first(db_url: str,
                                                          clock: FakeClock) -> None:
    app = make_app(db_url, clock, webchat_password="tulip-garden")
    async with client(app, REMOTE) as far:
        assert (await far.get("/webchat/api/people")).status_code == 401
        assert (await far.post("/webchat/api/me", json={"user": "U1"})).status_code == 401
        wrong = await far.post("/webchat/api/login", json={"password": "é" * 12})
        assert wrong.status_code == 401
        ok = await far.post("/webchat/api/login", json={"password": "tulip-garden"})
        assert ok.status_code == 200
        assert (await far.get("/webchat/api/people")).status_code == 200
        assert (await far.post("/webchat/api/me", json={"user": "U1"})).status_code == 200
    app.state.engine.dispose()


def test_the_docker_image_never_serves_the_web_chat_unless_asked() -> None:
    from pathlib import Path

    dockerfile = (Path(__file__).parents[2] / "Dockerfile").read_text()
    assert "WEBCHAT_ENABLED=false" in dockerfile
