"""Installing Mentorbot in a team: its channels become announcement targets, its members
are linked to HRIS people by email, and "#General" posts reach the channel."""

from __future__ import annotations

import itertools
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from core.identity import get_or_create_workspace
from core.models import ChannelRef, OutboxMessage, OutboxStatus, Person, PlatformIdentity
from core.outbox import enqueue_channel
from core.ui import Message
from tests.fakes.connector import FakeConnector
from tests.teams.conftest import ANA, BOT, TENANT

TEAM = {"id": "19:team", "name": "Acme"}
_ids = itertools.count(1)


def team_update(service_url: str, **fields: Any) -> dict[str, Any]:
    """A team-scope conversationUpdate from Ana, as Teams posts it (General's conversation)."""
    return {
        "type": "conversationUpdate",
        "id": f"upd-{next(_ids)}",
        "timestamp": "2024-05-01T10:00:00.000Z",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": ANA,
        "recipient": BOT,
        "conversation": {"id": TEAM["id"], "conversationType": "channel", "isGroup": True,
                         "tenantId": TENANT},
        "channelData": {"tenant": {"id": TENANT}, "team": TEAM, "eventType": "teamMemberAdded"},
        **fields,
    }


def add_people(app: FastAPI, *people: tuple[str, str]) -> None:
    """HRIS people (name, email) in the Teams tenant's workspace, not yet linked."""
    with app.state.sessions() as s, s.begin():
        ws = get_or_create_workspace(s, "teams", TENANT)
        s.add_all(Person(workspace_id=ws.id, name=name, email=email) for name, email in people)


def linked(app: FastAPI) -> dict[str, str]:
    """Email -> Teams user id of every linked person."""
    with app.state.sessions() as s:
        rows = s.execute(select(Person.email, PlatformIdentity.user_id)
                         .join(PlatformIdentity, PlatformIdentity.person_id == Person.id)).all()
    return {str(email): user_id for email, user_id in rows}


async def install(client: httpx.AsyncClient, connector: FakeConnector) -> None:
    response = await client.post("/api/messages", json=team_update(
        connector.url, membersAdded=[{"id": BOT["id"]}]))
    assert response.status_code == 200


async def test_install_stores_every_channel_with_the_tenant(
        app: FastAPI, client: httpx.AsyncClient, connector: FakeConnector) -> None:
    await install(client, connector)
    with app.state.sessions() as s:
        refs = {r.name: r for r in s.scalars(select(ChannelRef))}
    assert set(refs) == {"General", "Random"}
    assert refs["General"].channel_id == "19:team" and refs["Random"].channel_id == "19:random"
    for ref in refs.values():
        assert ref.tenant_id == TENANT and ref.team_name == "Acme"
        conversation = ref.conversation_ref["conversation"]
        assert conversation["id"] == ref.channel_id and conversation["tenantId"] == TENANT
        assert ref.conversation_ref["serviceUrl"] == connector.url
    # The installer's DM address is untouched: a channel is no place for private messages.
    with app.state.sessions() as s:
        ana = s.scalar(select(PlatformIdentity).where(PlatformIdentity.user_id == "aad-ana"))
        assert ana is not None and ana.conversation_ref is None
    assert connector.activities() == []  # no welcome card posted into General


async def test_install_links_members_of_every_page_by_email(
        app: FastAPI, client: httpx.AsyncClient, connector: FakeConnector) -> None:
    add_people(app, ("Carla Diaz", "carla@acme.test"), ("Dan Wu", "dan@acme.test"),
               ("Eve Stone", "eve@acme.test"))
    connector.members = [
        {"id": "29:carla", "aadObjectId": "aad-carla", "name": "Carla Diaz",
         "email": "Carla@Acme.test", "userPrincipalName": "carla@acme.onmicrosoft.com"},
        {"id": "29:stranger", "aadObjectId": "aad-x", "name": "Not in HRIS",
         "email": "x@elsewhere.test"},
        # Guests and some tenants have no email field: the UPN is the address then.
        {"id": "29:dan", "aadObjectId": "aad-dan", "name": "Dan Wu",
         "userPrincipalName": "dan@acme.test"},
    ]
    await install(client, connector)
    links = linked(app)
    assert links["carla@acme.test"] == "aad-carla"  # first page, email matched case-blind
    assert links["dan@acme.test"] == "aad-dan"  # second page, by UPN
    assert "eve@acme.test" not in links  # not a team member
    assert any("continuationToken=page-2" in r.path for r in connector.requests)


async def test_new_team_member_is_linked(
        app: FastAPI, client: httpx.AsyncClient, connector: FakeConnector) -> None:
    add_people(app, ("Carla Diaz", "carla@acme.test"))
    connector.members = [{"id": "29:carla", "aadObjectId": "aad-carla", "name": "Carla Diaz",
                          "email": "carla@acme.test"}]
    response = await client.post("/api/messages", json=team_update(
        connector.url, membersAdded=[{"id": "29:carla", "aadObjectId": "aad-carla"}]))
    assert response.status_code == 200
    assert linked(app)["carla@acme.test"] == "aad-carla"
    assert connector.activities() == []


async def test_channel_created_is_stored(
        app: FastAPI, client: httpx.AsyncClient, connector: FakeConnector) -> None:
    await install(client, connector)
    connector.channels = [*connector.channels, {"id": "19:mentors", "name": "Mentors"}]
    response = await client.post("/api/messages", json=team_update(
        connector.url, channelData={"tenant": {"id": TENANT}, "team": {"id": TEAM["id"]},
                                    "eventType": "channelCreated",
                                    "channel": {"id": "19:mentors", "name": "Mentors"}}))
    assert response.status_code == 200
    with app.state.sessions() as s:
        ref = s.scalar(select(ChannelRef).where(ChannelRef.channel_id == "19:mentors"))
    # The event names no team: its name comes from the team details.
    assert ref is not None and ref.name == "Mentors" and ref.team_name == "Acme"


async def test_announcement_to_general_reaches_the_channel(
        app: FastAPI, client: httpx.AsyncClient, connector: FakeConnector) -> None:
    await install(client, connector)
    with app.state.sessions() as s, s.begin():
        enqueue_channel(s, "teams", "#General", Message("Applications open Monday"),
                        "announce-1", kind="announcement")
    assert await app.state.worker.flush() == 1
    [post] = connector.activities()
    assert post.method == "POST" and post.path == "/v3/conversations/19:team/activities"
    assert post.body["conversation"]["id"] == "19:team"
    assert post.body["channelData"]["tenant"]["id"] == TENANT
    assert "Applications open Monday" in str(post.body["attachments"][0]["content"])
    with app.state.sessions() as s:
        row = s.scalar(select(OutboxMessage))
        assert row.status is OutboxStatus.SENT and row.platform_message_id == "activity-1"


async def test_channel_without_install_fails_with_a_clear_reason(
        app: FastAPI, client: httpx.AsyncClient, connector: FakeConnector) -> None:
    with app.state.sessions() as s, s.begin():
        enqueue_channel(s, "teams", "#Mentors", Message("Hello"), "announce-2",
                        kind="announcement")
    await app.state.worker.flush()
    with app.state.sessions() as s:
        row = s.scalar(select(OutboxMessage))
        assert row.status is OutboxStatus.FAILED
        assert "install Mentorbot in that team" in (row.last_error or "")
    assert connector.activities() == []
