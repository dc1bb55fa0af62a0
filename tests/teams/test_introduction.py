"""Teams bots cannot open a group chat: each person gets the introduction 1:1, with a deep
link that starts the group chat with the others."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from core.clock import FakeClock
from core.models import Match, MatchMentee, Person, Program
from core.outbox import deliver_due
from core.relationships.lifecycle import activate
from tests.fakes.connector import FakeConnector
from tests.teams.conftest import TENANT, activity


async def test_introduction_falls_back_to_one_dm_each_with_a_group_chat_link(
        app: FastAPI, client: httpx.AsyncClient, connector: FakeConnector) -> None:
    # Ana is seeded; Ben says hello so Teams gives us his conversation reference too.
    ben = {"id": "29:ben", "aadObjectId": "aad-ben", "name": "Ben Okoro"}
    await client.post("/api/messages", json=activity(connector.url, text="mentor help"))
    await client.post("/api/messages", json=activity(
        connector.url, text="mentor help", **{"from": ben},
        conversation={"id": "a:conv2", "conversationType": "personal", "tenantId": TENANT}))
    await app.state.worker.drain()
    before = len(connector.activities())
    now = datetime(2027, 3, 3, 12, tzinfo=UTC)  # a Wednesday, daytime in UTC
    with app.state.sessions() as s, s.begin():
        ana = s.scalar(select(Person).where(Person.name == "Ana Lima"))
        ben_person = s.scalar(select(Person).where(Person.name == "Ben Okoro"))
        ben_person.email = "ben.okoro@acme.test"
        program = s.scalar(select(Program))
        match = Match(program_id=program.id, mentor_id=ana.id, reasons=["Ana offers Negotiation"])
        match.mentees = [MatchMentee(person_id=ben_person.id)]
        s.add(match)
        s.flush()
        activate(s, match, now=now)
    core = app.state.core
    core.clock = FakeClock(now)
    assert core.tick() == 2  # two personal introductions, not one group message
    await deliver_due(app.state.sessions, app.state.worker.senders, now=now)

    intros = connector.activities()[before:]
    assert {a.path.split("/")[3] for a in intros} == {"a:conv1", "a:conv2"}
    for sent in intros:
        card = sent.body["attachments"][0]["content"]
        links = [a for block in card["body"] if block["type"] == "ActionSet"
                 for a in block["actions"] if a["type"] == "Action.OpenUrl"]
        [link] = links
        url = urlparse(link["url"])
        assert url.netloc == "teams.microsoft.com" and url.path == "/l/chat/0/0"
        other = "ben.okoro@acme.test" if sent.path.split("/")[3] == "a:conv1" \
            else "ana.lima@acme.test"
        assert parse_qs(url.query)["users"] == [other]
        assert "meet each other" in str(card)
