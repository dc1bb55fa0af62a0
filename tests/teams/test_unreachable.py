"""A 1:1 chat Teams won't open (createConversation answers 403, a tenant with no install, a
member without an email): the message is kept, not retried in vain; whoever asked for it and
the admins are told in words; a log line says why; it goes out once the person can be reached;
and Teams always gets its 200."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from core.clock import FakeClock
from core.models import OutboxMessage, OutboxStatus, Person
from core.outbox import enqueue_dm
from core.ui import Message
from tests.factories import seed
from tests.fakes.connector import FakeConnector
from tests.teams.conftest import TENANT, activity, build_app
from tests.teams.test_proactive import CARLA, outbox, texts_to
from tests.teams.test_team_install import add_people, install, linked

CARLAS_CHAT = {"id": "a:carla-own", "conversationType": "personal", "tenantId": TENANT}


@pytest.fixture
def app(db_url: str, clock: FakeClock) -> Iterator[FastAPI]:
    # Ana (already talking to the bot) is an admin by ADMIN_EMAILS; Bob is not.
    application = build_app(db_url, clock, admin_emails="ana.lima@acme.test")
    seed(application.state.sessions, platform="teams", tenant=TENANT,
         people=[("Ana Lima", "aad-ana"), ("Bob Stone", "aad-bob")])
    yield application
    application.state.engine.dispose()


def person(app: FastAPI, email: str) -> Person:
    with app.state.sessions() as s:
        found = s.scalar(select(Person).where(Person.email == email))
        assert found is not None
        s.expunge(found)
        return found


def row_for(app: FastAPI, key: str) -> OutboxMessage:
    [row] = [r for r in outbox(app) if r.idempotency_key == key]
    return row


async def test_a_chat_teams_refuses_to_open_is_kept_and_the_admin_is_told(
        app: FastAPI, client: httpx.AsyncClient, connector: FakeConnector,
        caplog: pytest.LogCaptureFixture) -> None:
    add_people(app, ("Carla Diaz", "carla@acme.test"))
    connector.members = [CARLA]
    connector.unreachable = {"29:carla"}  # the app isn't installed for her: 403
    await install(client, connector)
    caplog.set_level(logging.INFO)
    response = await client.post("/api/messages", json=activity(
        connector.url, text="mentor admin grant carla@acme.test"))
    assert response.status_code == 200
    await app.state.worker.drain()

    carla = person(app, "carla@acme.test")
    [kept] = [r for r in outbox(app) if r.person_id == carla.id]
    # Failed once, not eight times: asking again can't open the chat.
    assert kept.status is OutboxStatus.FAILED and kept.attempts == 1
    assert kept.last_error and kept.last_error.startswith("unreachable:")
    assert "403" in kept.last_error
    # Ana, the admin who asked, reads in her chat what happened and what to do about it.
    told = texts_to(connector, "a:conv1")
    assert any("can't open a chat with *Carla Diaz* (carla@acme.test)" in t
               and "add it to a team they are in" in t for t in told)
    assert any("can't reach person" in r.getMessage() and "403" in r.getMessage()
               for r in caplog.records)

    # Nothing lost: once Carla opens the bot, the grant reaches her.
    connector.unreachable = set()
    await client.post("/api/messages", json={
        **activity(connector.url, text="hi"), "from": CARLA, "conversation": CARLAS_CHAT})
    await app.state.worker.drain()
    assert any("made you a Mentorbot admin" in t for t in texts_to(connector, CARLAS_CHAT["id"]))
    assert [r.status for r in outbox(app) if r.person_id == carla.id] == [OutboxStatus.SENT]
    # The admin was told once, not again when the grant went out.
    assert sum("can't open a chat" in t for t in texts_to(connector, "a:conv1")) == 1


async def test_who_asked_hears_their_message_did_not_arrive(
        app: FastAPI, client: httpx.AsyncClient, connector: FakeConnector) -> None:
    add_people(app, ("Carla Diaz", "carla@acme.test"))
    connector.members = [CARLA]
    connector.unreachable = {"29:carla"}
    await install(client, connector)
    await client.post("/api/messages", json=activity(connector.url, text="hi"))  # Ana, admin
    bob_chat = {"id": "a:bob", "conversationType": "personal", "tenantId": TENANT}
    await client.post("/api/messages", json={
        **activity(connector.url, text="hi"), "from": {"id": "29:bob", "aadObjectId": "aad-bob",
                                                      "name": "Bob Stone"},
        "conversation": bob_chat})
    # Bob (no admin) caused a DM to Carla, as a mentor request does.
    with app.state.sessions() as s, s.begin():
        bob = s.scalar(select(Person).where(Person.name == "Bob Stone"))
        target = s.scalar(select(Person).where(Person.email == "carla@acme.test"))
        enqueue_dm(s, target, Message("Bob would like you as his mentor"), key="request:1",
                   requested_by=bob)
    await app.state.worker.flush()

    assert row_for(app, "request:1").status is OutboxStatus.FAILED
    assert any("my message to *Carla Diaz* didn't reach them" in t
               for t in texts_to(connector, "a:bob"))
    # The admin hears too, with what to fix.
    assert any("can't open a chat with *Carla Diaz*" in t for t in texts_to(connector, "a:conv1"))


async def test_a_tenant_with_no_install_keeps_the_message_until_the_team_install(
        app: FastAPI, client: httpx.AsyncClient, connector: FakeConnector) -> None:
    # Carla is linked (her AAD id is known) but nothing of this tenant is stored: no team
    # install, nobody ever wrote. There is no service URL to open a chat at.
    add_people(app, ("Carla Diaz", "carla@acme.test"))
    assert app.state.core.link_members("teams", TENANT, [("aad-carla", "carla@acme.test")]) == 1
    with app.state.sessions() as s, s.begin():
        carla = s.scalar(select(Person).where(Person.email == "carla@acme.test"))
        enqueue_dm(s, carla, Message("Your match is ready"), key="match:1")
    await app.state.worker.flush()
    kept = row_for(app, "match:1")
    assert kept.status is OutboxStatus.FAILED and kept.attempts == 1
    assert "no service URL stored for tenant" in (kept.last_error or "")
    assert not connector.created

    # Installing the app in her team links her again and gives the tenant's address.
    connector.members = [CARLA]
    await install(client, connector)
    await app.state.worker.flush()
    assert row_for(app, "match:1").status is OutboxStatus.SENT
    assert texts_to(connector, "a:chat-29:carla") == ["Your match is ready"]


async def test_a_member_without_an_email_stays_unlinked_and_the_admin_is_told(
        app: FastAPI, client: httpx.AsyncClient, connector: FakeConnector,
        caplog: pytest.LogCaptureFixture) -> None:
    add_people(app, ("Carla Diaz", "carla@acme.test"))
    # Teams lists her with neither an email nor a UPN (a guest, some tenants).
    connector.members = [{"id": "29:carla", "aadObjectId": "aad-carla", "name": "Carla Diaz"}]
    caplog.set_level(logging.INFO)
    await install(client, connector)
    assert "carla@acme.test" not in linked(app)
    assert any("without an email or UPN" in r.getMessage() for r in caplog.records)

    response = await client.post("/api/messages", json=activity(
        connector.url, text="mentor admin grant carla@acme.test"))
    assert response.status_code == 200
    said = [str(r.body.get("summary")) for r in connector.activities()]
    assert any("couldn't message *Carla Diaz*" in t for t in said)
    await app.state.worker.drain()
    assert any("can't reach *Carla Diaz* (carla@acme.test)" in t
               for t in texts_to(connector, "a:conv1"))
    assert not connector.created


async def test_a_private_answer_with_no_chat_to_go_to_is_refused_in_public_not_shown(
        app: FastAPI, client: httpx.AsyncClient, connector: FakeConnector,
        caplog: pytest.LogCaptureFixture) -> None:
    add_people(app, ("Carla Diaz", "carla@acme.test"))
    connector.members = [CARLA]
    connector.unreachable = {"29:carla"}
    caplog.set_level(logging.INFO)
    group = {"id": "19:group@thread.v2", "conversationType": "groupChat", "isGroup": True,
             "tenantId": TENANT}
    response = await client.post("/api/messages", json={
        **activity(connector.url, text="<at>Mentorbot</at> mentor my-data"), "from": CARLA,
        "conversation": group})
    assert response.status_code == 200
    said = texts_to(connector, group["id"])
    assert said == ["That answer is only for you, and I couldn't open a private chat with you. "
                    "Open Mentorbot's personal chat and ask me there."]
    assert any("no 1:1 chat for a private answer" in r.getMessage() and "403" in r.getMessage()
               for r in caplog.records)
