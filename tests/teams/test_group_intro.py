"""A match's introduction in a Teams group chat the bot is in: posted there when the chat's
people are exactly the match's, else one 1:1 introduction each with a link to start the group
chat (nobody else may read the goals and reasons). The bot tracks who is in each chat from its
member events, forgets a chat it was removed from, and falls back to 1:1 when a post is
refused."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from core.clock import FakeClock
from core.models import ChannelRef, Match, MatchMentee, OutboxStatus, Person, Program
from core.relationships.lifecycle import activate
from tests.fakes.connector import FakeConnector
from tests.teams.conftest import BOT
from tests.teams.test_private import GROUP, post, sent_to
from tests.teams.test_proactive import outbox
from tests.teams.test_team_install import add_people

NOW = datetime(2027, 3, 3, 12, tzinfo=UTC)  # the app's clock: a Wednesday, daytime in UTC
# Teams' members API: the AAD id is "objectId" there.
ANA_M = {"id": "29:abc", "objectId": "aad-ana", "name": "Ana Lima", "email": "ana.lima@acme.test"}
CARLA_M = {"id": "29:carla", "objectId": "aad-carla", "name": "Carla Diaz",
           "email": "carla@acme.test"}
DORA_M = {"id": "29:dora", "objectId": "aad-dora", "name": "Dora Quist",
          "email": "dora@acme.test"}


async def chat_update(client: httpx.AsyncClient, connector: FakeConnector,
                      members: list[dict[str, Any]], **change: Any) -> None:
    """The group chat's conversationUpdate, with the member list Teams then answers."""
    connector.members = members
    await post(client, connector, GROUP, type="conversationUpdate", text=None, **change)


def introduce(app: FastAPI) -> None:
    """Ana mentors Carla from now: the planner queues the introduction."""
    with app.state.sessions() as s, s.begin():
        ana = s.scalar(select(Person).where(Person.name == "Ana Lima"))
        carla = s.scalar(select(Person).where(Person.email == "carla@acme.test"))
        match = Match(program_id=s.scalar(select(Program.id)), mentor_id=ana.id,
                      reasons=["Ana offers Negotiation"])
        match.mentees = [MatchMentee(person_id=carla.id)]
        s.add(match)
        s.flush()
        activate(s, match, now=NOW)
    app.state.core.clock = FakeClock(NOW)
    app.state.core.tick()


async def deliver(app: FastAPI) -> None:
    await app.state.worker.drain()  # the flushes the member events kicked
    await app.state.worker.flush()


def intro_cards(connector: FakeConnector, conversation: str) -> list[str]:
    return [str(c) for c in sent_to(connector, conversation) if "meet each other" in str(c)]


async def test_the_introduction_is_posted_in_the_group_chat_of_exactly_the_pair(
        app: FastAPI, client: httpx.AsyncClient, connector: FakeConnector) -> None:
    add_people(app, ("Carla Diaz", "carla@acme.test"))
    await chat_update(client, connector, [ANA_M, CARLA_M], membersAdded=[BOT])
    introduce(app)
    await deliver(app)

    [card] = intro_cards(connector, GROUP["id"])
    assert "Ana" in card and "Carla" in card
    assert "Open a group chat" not in card  # they are in it already
    # Nobody got it 1:1, and no chat had to be opened.
    assert not intro_cards(connector, "a:chat-29:carla") and not connector.created
    [row] = [r for r in outbox(app) if r.kind == "intro"]
    assert row.status is OutboxStatus.SENT and row.channel_id == GROUP["id"]


async def test_a_chat_with_someone_else_in_it_is_not_used_until_they_leave(
        app: FastAPI, client: httpx.AsyncClient, connector: FakeConnector) -> None:
    add_people(app, ("Carla Diaz", "carla@acme.test"), ("Dora Quist", "dora@acme.test"))
    await chat_update(client, connector, [ANA_M, CARLA_M, DORA_M], membersAdded=[BOT])
    introduce(app)
    await deliver(app)
    # Dora would read Carla's goals: each of the pair gets it 1:1, with the group chat link.
    assert intro_cards(connector, GROUP["id"]) == []
    for chat in ("a:chat-29:abc", "a:chat-29:carla"):
        [card] = intro_cards(connector, chat)
        assert "Open a group chat" in card

    # Dora leaves; the chat now holds exactly the pair, and the next match's intro goes there.
    await chat_update(client, connector, [ANA_M, CARLA_M], membersRemoved=[{"id": "29:dora"}])
    with app.state.sessions() as s, s.begin():
        for row in s.scalars(select(Match)):
            s.delete(row)
    introduce(app)
    await deliver(app)
    assert len(intro_cards(connector, GROUP["id"])) == 1


async def test_a_chat_the_bot_was_removed_from_is_forgotten(
        app: FastAPI, client: httpx.AsyncClient, connector: FakeConnector) -> None:
    add_people(app, ("Carla Diaz", "carla@acme.test"))
    await chat_update(client, connector, [ANA_M, CARLA_M], membersAdded=[BOT])
    await chat_update(client, connector, [ANA_M, CARLA_M], membersRemoved=[BOT])
    introduce(app)
    await deliver(app)
    assert intro_cards(connector, GROUP["id"]) == []
    assert len(intro_cards(connector, "a:chat-29:carla")) == 1


async def test_a_refused_post_in_the_chat_falls_back_to_one_introduction_each(
        app: FastAPI, client: httpx.AsyncClient, connector: FakeConnector) -> None:
    add_people(app, ("Carla Diaz", "carla@acme.test"))
    await chat_update(client, connector, [ANA_M, CARLA_M], membersAdded=[BOT])
    connector.closed = {GROUP["id"]}  # removed from the chat without Teams telling the bot
    introduce(app)
    await deliver(app)
    await deliver(app)  # the 1:1 introductions queued when the post failed
    [refused] = [r for r in outbox(app) if r.channel_id == GROUP["id"]]
    assert refused.status is OutboxStatus.FAILED
    for chat in ("a:chat-29:abc", "a:chat-29:carla"):
        assert len(intro_cards(connector, chat)) == 1
    # The chat is forgotten: the next introduction doesn't try it again.
    with app.state.sessions() as s:
        chat = s.scalar(select(ChannelRef).where(ChannelRef.channel_id == GROUP["id"]))
        assert chat is not None and chat.member_ids == []


async def test_a_chat_joined_before_members_were_tracked_is_learnt_from_a_message(
        app: FastAPI, client: httpx.AsyncClient, connector: FakeConnector) -> None:
    add_people(app, ("Carla Diaz", "carla@acme.test"))
    connector.members = [ANA_M, CARLA_M]
    # No membersAdded was ever seen for this chat; someone @mentions the bot there.
    await post(client, connector, GROUP, text="<at>Mentorbot</at> mentor help")
    introduce(app)
    await deliver(app)
    assert len(intro_cards(connector, GROUP["id"])) == 1
