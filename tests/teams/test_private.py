"""In Teams, a personal answer asked for in a group chat or a channel arrives in the person's
1:1 chat with the bot; the group only reads "I've sent you a private message"."""

from __future__ import annotations

import json
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from core.models import Program
from tests.fakes.connector import FakeConnector
from tests.teams.conftest import activity
from tests.teams.test_endpoint import SUBMISSION, card_text, enrollments
from tests.teams.test_team_install import add_people, linked

GROUP = {"id": "19:group@thread.v2", "conversationType": "groupChat", "isGroup": True,
         "tenantId": "tenant-1"}
CHANNEL = {"id": "19:team;messageid=1", "conversationType": "channel", "isGroup": True,
           "tenantId": "tenant-1"}
CARLA = {"id": "29:carla", "aadObjectId": "aad-carla", "name": "Carla Diaz"}


async def post(client: httpx.AsyncClient, connector: FakeConnector, conversation: dict[str, Any],
               **fields: Any) -> None:
    body = activity(connector.url, **fields)
    body["conversation"] = conversation
    response = await client.post("/api/messages", json=body)
    assert response.status_code == 200, response.text


def sent_to(connector: FakeConnector, conversation_id: str) -> list[dict[str, Any]]:
    """Every card the bot sent into one conversation."""
    return [a["content"] for r in connector.activities()
            if r.path.startswith(f"/v3/conversations/{conversation_id}/activities")
            for a in r.body.get("attachments") or []]


async def test_my_data_in_a_group_chat_goes_to_the_1_1_chat_only(
        app: FastAPI, client: httpx.AsyncClient, connector: FakeConnector) -> None:
    await post(client, connector, GROUP, text="<at>Mentorbot</at> mentor my-data")
    public = sent_to(connector, GROUP["id"])
    assert [card_text(c).strip() for c in public] == ["I've sent you a private message."]
    assert "acme.test" not in json.dumps(public)
    private = sent_to(connector, "a:chat-29:abc")
    assert "ana.lima@acme.test" in json.dumps(private)


async def test_status_in_a_channel_is_answered_privately(
        app: FastAPI, client: httpx.AsyncClient, connector: FakeConnector) -> None:
    await post(client, connector, {"id": "a:conv1", "conversationType": "personal",
                                   "tenantId": "tenant-1"}, text="hello")  # her 1:1 chat
    await post(client, connector, CHANNEL, text="<at>Mentorbot</at> mentor status")
    assert [card_text(c).strip() for c in sent_to(connector, CHANNEL["id"])] == [
        "I've sent you a private message."]
    # Her stored 1:1 chat is used: no new chat is opened.
    assert not connector.created and sent_to(connector, "a:conv1")[1:]


async def test_help_in_a_group_chat_is_answered_there(
        app: FastAPI, client: httpx.AsyncClient, connector: FakeConnector) -> None:
    await post(client, connector, GROUP, text="<at>Mentorbot</at> mentor help")
    [card] = sent_to(connector, GROUP["id"])
    assert "mentor join" in card_text(card)
    assert not connector.created


async def test_join_on_a_channel_post_opens_the_form_privately_for_the_clicker_only(
        app: FastAPI, client: httpx.AsyncClient, connector: FakeConnector) -> None:
    with app.state.sessions() as s:
        program = s.scalars(select(Program)).one()
    await post(client, connector, CHANNEL, text="",
               value={"mb_action": "join.pick", "mb_value": str(program.id)})
    assert [card_text(c).strip() for c in sent_to(connector, CHANNEL["id"])] == [
        "I've sent you a private message."]
    [form] = sent_to(connector, "a:chat-29:abc")
    data = form["actions"][0]["data"]
    assert data["mb_owner"] == "aad-ana"
    # Someone else who got hold of the card can't submit it as theirs.
    await post(client, connector, CHANNEL, text="", value={**data, **SUBMISSION},
               **{"from": CARLA})
    assert enrollments(app) == 0
    assert "opened for someone else" in card_text(sent_to(connector, CHANNEL["id"])[-1])
    await post(client, connector, {"id": "a:chat-29:abc", "conversationType": "personal",
                                   "tenantId": "tenant-1"}, text="",
               value={**data, **SUBMISSION})
    assert enrollments(app) == 1


async def test_added_to_a_group_chat_the_bot_links_its_members_and_posts_nothing(
        app: FastAPI, client: httpx.AsyncClient, connector: FakeConnector) -> None:
    add_people(app, ("Carla Diaz", "carla@acme.test"))
    # As Teams' members API answers: the AAD id is "objectId" there.
    connector.members = [{"id": "29:carla", "objectId": "aad-carla", "name": "Carla Diaz",
                          "email": "carla@acme.test"}]
    await post(client, connector, GROUP, type="conversationUpdate", text=None,
               membersAdded=[{"id": "28:bot"}])
    assert sent_to(connector, GROUP["id"]) == []
    # Carla never wrote, but as a member of the chat she can now be reached in a 1:1 chat.
    assert linked(app)["carla@acme.test"] == "aad-carla"
