"""One app with every HTTP surface on (Slack, Teams, SCIM, admin page, web chat), as a hostile
client finds it: a signed-in admin, a SCIM token, a demo person picked in the web chat."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from adapters.scim.tokens import create_token
from bot.app import create_app
from bot.migrate import upgrade
from bot.settings import Settings
from core.admin.rights import grant
from core.admin.web_links import issue_link
from core.clock import FakeClock
from core.db import make_engine
from core.models import Person, Workspace
from tests.factories import seed
from tests.fakes.connector import FakeConnector
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.helpers import SECRET


@dataclass
class Surfaces:
    """The app, an HTTP client on it, and the credentials each surface needs."""

    app: FastAPI
    http: httpx.AsyncClient
    connector: FakeConnector
    slack: FakeSlackApi
    ids: dict[str, Any]
    scim_token: str
    admin_cookie: str
    csrf: str

    @property
    def scim_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.scim_token}"}


def build(db_url: str, clock: FakeClock, connector: FakeConnector,
          slack: FakeSlackApi, **settings: Any) -> FastAPI:
    engine = make_engine(db_url)
    upgrade(engine)
    engine.dispose()
    return create_app(Settings(
        database_url=db_url, _env_file=None, slack_bot_token="xoxb-test",
        slack_signing_secret=SECRET, slack_api_url=slack.url, teams_enabled=True,
        webchat_enabled=True, **settings), clock=clock)


async def sign_in(http: httpx.AsyncClient, app: FastAPI, person_id: int,
                  clock: FakeClock) -> tuple[str, str]:
    """Redeem a fresh admin link; returns the cookie value and the page's CSRF token."""
    import re

    with app.state.sessions() as s:
        person = s.get(Person, person_id)
        assert person is not None
        token = issue_link(s, person, now=clock.now())
        s.commit()
    signed = await http.get("/admin/login", params={"token": token})
    assert signed.status_code == 303, signed.text
    cookie = http.cookies.get("mentorbot_admin")
    assert cookie
    page = await http.get("/admin")
    csrf = re.search(r'name="csrf"\s+value="([^"]+)"', page.text)
    assert csrf, page.text
    return cookie, csrf.group(1)


@pytest.fixture
def connector() -> Iterator[FakeConnector]:
    fake = FakeConnector().start()
    yield fake
    fake.stop()


@pytest.fixture
def slack_api() -> Iterator[FakeSlackApi]:
    with FakeSlackApi() as api:
        yield api


@pytest.fixture
async def surfaces(db_url: str, clock: FakeClock, connector: FakeConnector,
                   slack_api: FakeSlackApi) -> AsyncIterator[Surfaces]:
    app = build(db_url, clock, connector, slack_api)
    ids = seed(app.state.sessions, platform="slack", tenant="T1",
               people=[("Ana Lima", "U1"), ("Ben Okoro", "U2")])
    with app.state.sessions() as s, s.begin():
        workspace = s.get(Workspace, ids["workspace_id"])
        assert workspace is not None
        token = create_token(s, workspace, "okta")
        ana = s.get(Person, ids["people"]["U1"])
        assert ana is not None
        grant(s, ana)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        cookie, csrf = await sign_in(http, app, ids["people"]["U1"], clock)
        yield Surfaces(app, http, connector, slack_api, ids, token, cookie, csrf)
        # Slack listeners run after the ack; let them end before the database goes away.
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        if others:
            await asyncio.wait(others, timeout=5)
    app.state.engine.dispose()
