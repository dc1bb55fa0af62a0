"""`mentorbot demo --workspace teams:<tenant>`: a trial in a real Teams tenant has data, and
whoever writes to the bot there with a demo person's email becomes that person."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from bot.cli import app as cli
from core.clock import FakeClock
from core.models import Enrollment, Person, PlatformIdentity
from tests.cli_runner import runner
from tests.fakes.connector import FakeConnector
from tests.teams.conftest import TENANT, activity, build_app


@pytest.fixture
def app(db_url: str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> Iterator[FastAPI]:
    application = build_app(db_url, clock)
    monkeypatch.setenv("DATABASE_URL", db_url)
    from bot.settings import get_settings

    get_settings.cache_clear()
    try:
        loaded = runner.invoke(cli, ["demo", "--workspace", f"teams:{TENANT}"])
    finally:
        get_settings.cache_clear()
    assert loaded.exit_code == 0, loaded.output
    assert f"teams:{TENANT}" in loaded.output
    yield application
    application.state.engine.dispose()


async def test_demo_loads_into_teams_and_links_people_by_email(
        app: FastAPI, client: httpx.AsyncClient, connector: FakeConnector) -> None:
    sessions = app.state.sessions
    with sessions() as s:
        # No made-up Teams accounts: people are linked as they write.
        assert s.scalar(select(func.count()).select_from(PlatformIdentity)) == 0
        demo = s.scalar(select(Person).join(Enrollment, Enrollment.person_id == Person.id)
                        .order_by(Person.id).limit(1))
        assert demo is not None and demo.email
    member = {"id": "29:demo", "aadObjectId": "aad-demo", "name": demo.name}
    connector.members = [{**member, "email": demo.email.upper()}]
    body = activity(connector.url, **{"from": member, "text": "mentor status"})
    body["conversation"] = {**body["conversation"], "id": "a:demo"}
    response = await client.post("/api/messages", json=body)
    assert response.status_code == 200, response.text
    await app.state.worker.drain()
    with sessions() as s:
        identity = s.scalar(select(PlatformIdentity).where(
            PlatformIdentity.user_id == "aad-demo"))
        assert identity is not None and identity.person_id == demo.id
    answer = json.dumps([r.body for r in connector.activities()])
    assert answer != "[]" and "not enrolled" not in answer  # they see the demo person's own
