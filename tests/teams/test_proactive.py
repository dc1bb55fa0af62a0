"""Reaching people who never wrote to the bot: a 1:1 chat is opened for anyone the team roster
linked, its reference stored; only someone the bot knows no account of stays unreachable, and
then the person who asked and the admins are told so."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from core.clock import FakeClock
from core.models import OutboxMessage, OutboxStatus, Person, PlatformIdentity
from core.outbox import enqueue_dm
from core.ui import Message
from tests.factories import seed
from tests.fakes.connector import FakeConnector
from tests.teams.conftest import TENANT, activity, build_app
from tests.teams.test_team_install import add_people, install

CARLA = {"id": "29:carla", "aadObjectId": "aad-carla", "name": "Carla Diaz",
         "email": "carla@acme.test"}


@pytest.fixture
def app(db_url: str, clock: FakeClock) -> Iterator[FastAPI]:
    # Ana (already talking to the bot) is an admin by ADMIN_EMAILS.
    application = build_app(db_url, clock, admin_emails="ana.lima@acme.test")
    seed(application.state.sessions, platform="teams", tenant=TENANT,
         people=[("Ana Lima", "aad-ana")])
    yield application
    application.state.engine.dispose()


def outbox(app: FastAPI) -> list[OutboxMessage]:
    with app.state.sessions() as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def texts_to(connector: FakeConnector, conversation: str) -> list[str]:
    return [str(r.body.get("summary") or "") for r in connector.activities()
            if f"/v3/conversations/{conversation}/activities" in r.path]


async def test_a_roster_member_who_never_wrote_gets_the_dm_in_a_new_chat(
        app: FastAPI, client: httpx.AsyncClient, connector: FakeConnector) -> None:
    add_people(app, ("Carla Diaz", "carla@acme.test"))
    connector.members = [CARLA]
    await install(client, connector)
    await client.post("/api/messages", json=activity(connector.url,
                                                     text="mentor admin grant carla@acme.test"))
    await app.state.worker.drain()
    with app.state.sessions() as s, s.begin():  # a second message later reuses the chat
        carla_person = s.scalar(select(Person).where(Person.email == "carla@acme.test"))
        enqueue_dm(s, carla_person, Message("Your match is ready"), key="later")
    await app.state.worker.flush()

    # One chat opened, with Carla's Teams member id, in the tenant, as the team's bot.
    assert len(connector.created) == 1
    [created] = connector.created
    assert created["members"] == [{"id": "29:carla"}]  # her Teams id, from the roster
    # Teams reads the tenant from channelData (botbuilder also sends its own "tenantID").
    assert created["channelData"] == {"tenant": {"id": TENANT}}
    assert created["bot"]["id"] == "28:bot" and created["isGroup"] is False
    assert any("made you a Mentorbot admin" in t
               for t in texts_to(connector, "a:chat-29:carla"))
    assert texts_to(connector, "a:chat-29:carla")[-1] == "Your match is ready"
    assert [r.status for r in outbox(app)] == [OutboxStatus.SENT, OutboxStatus.SENT]
    with app.state.sessions() as s:
        carla = s.scalar(select(PlatformIdentity).where(PlatformIdentity.user_id == "aad-carla"))
        assert carla is not None and carla.conversation_ref is not None
        assert carla.conversation_ref["conversation"]["id"] == "a:chat-29:carla"
        assert carla.conversation_ref["serviceUrl"] == connector.url


async def test_a_chat_teams_refuses_to_open_fails_the_message_for_good(
        app: FastAPI, client: httpx.AsyncClient, connector: FakeConnector) -> None:
    add_people(app, ("Carla Diaz", "carla@acme.test"))
    connector.members = [CARLA]
    connector.unreachable = {"29:carla"}
    await install(client, connector)
    await client.post("/api/messages", json=activity(connector.url,
                                                     text="mentor admin grant carla@acme.test"))
    await app.state.worker.drain()
    [row] = [r for r in outbox(app) if r.idempotency_key.startswith("granted:")]
    assert row.status is OutboxStatus.FAILED and row.attempts == 1
    assert (row.last_error or "").startswith("unreachable:") and "403" in row.last_error


async def test_someone_in_no_team_who_never_wrote_is_reported_not_pretended(
        app: FastAPI, client: httpx.AsyncClient, connector: FakeConnector) -> None:
    add_people(app, ("Dora Quist", "dora@acme.test"))  # in the HR data, in no installed team
    await client.post("/api/messages", json=activity(connector.url, text="hi"))  # Ana's chat
    await app.state.worker.drain()
    before = len(connector.activities())
    response = await client.post("/api/messages", json=activity(
        connector.url, text="mentor admin grant dora@acme.test"))
    assert response.status_code == 200
    said = [str(r.body.get("summary")) for r in connector.activities()[before:]]
    assert any("Dora Quist is now an admin" in t for t in said)
    assert any("couldn't message *Dora Quist*" in t for t in said)
    await app.state.worker.drain()
    # The admins (Ana) hear once who can't be reached and what to do; nothing is sent to Dora.
    rows = outbox(app)
    alerts = [r for r in rows if r.idempotency_key.startswith("unreachable:")]
    assert len(alerts) == 1 and alerts[0].status is OutboxStatus.SENT
    assert "can't reach *Dora Quist* (dora@acme.test)" in alerts[0].payload["text"]
    assert not connector.created
