"""Fixtures for SCIM: the real app on a migrated database, a workspace and its bearer token."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from adapters.scim.tokens import create_token
from bot.app import create_app
from bot.migrate import upgrade
from bot.settings import Settings
from core.clock import FakeClock
from core.db import make_engine
from core.models import Workspace
from tests.factories import seed

ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2024, 5, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def app(db_url: str, clock: FakeClock) -> Iterator[FastAPI]:
    """The real app with web chat on, so seeded people can receive DMs in the outbox."""
    engine = make_engine(db_url)
    upgrade(engine)
    engine.dispose()
    application = create_app(Settings(database_url=db_url, teams_enabled=False,
                                      webchat_enabled=True, _env_file=None), clock=clock)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def seeded(app: FastAPI) -> dict[str, Any]:
    """Ana and Ben (with web chat identities) in one workspace with a 1:1 program."""
    return seed(app.state.sessions)


@pytest.fixture
def token(app: FastAPI, seeded: dict[str, Any]) -> str:
    with app.state.sessions() as s, s.begin():
        workspace = s.get(Workspace, seeded["workspace_id"])
        assert workspace is not None
        return create_token(s, workspace, "okta")


@pytest.fixture
async def client(app: FastAPI, token: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test/scim/v2",
                                 headers={"Authorization": f"Bearer {token}"}) as http:
        yield http


def user_body(email: str = "carla.diaz@example.com", external_id: str = "E100",
              **extra: Any) -> dict[str, Any]:
    """A User as Okta posts it, with the enterprise extension."""
    body: dict[str, Any] = {
        "schemas": [CORE, ENT],
        "userName": email,
        "externalId": external_id,
        "name": {"formatted": "Carla Diaz", "givenName": "Carla", "familyName": "Diaz"},
        "displayName": "Carla Diaz",
        "title": "Engineer",
        "active": True,
        "emails": [{"value": email, "type": "work", "primary": True}],
        ENT: {"employeeNumber": external_id, "department": "Engineering",
              "organization": "Acme"},
    }
    body.update(extra)
    return body
