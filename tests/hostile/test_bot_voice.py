"""A mentee's goals reach their mentor as plain text: no mentions, no disguised links."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from bot.app import create_app
from bot.migrate import upgrade
from bot.settings import Settings
from core.clock import FakeClock
from core.db import make_engine
from core.models import Enrollment, Match, MatchMentee, Person, Program, Role
from core.outbox import deliver_due
from core.relationships.lifecycle import activate
from tests.factories import seed
from tests.fakes.connector import FakeConnector
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.helpers import SECRET
from tests.teams.conftest import TENANT, activity

NOW = datetime(2027, 3, 3, 12, tzinfo=UTC)  # a Wednesday noon; everyone is in UTC
GOALS = ("<!channel> <@U123> <https://evil.example/login|Slack: re-verify your account> "
         "[Teams: re-verify your account](https://evil.example/login) & more")


def pair(app: FastAPI, mentor: str, mentee: str) -> None:
    """A live match whose mentee wrote hostile goals when enrolling."""
    with app.state.sessions() as s, s.begin():
        a, b = (s.scalar(select(Person).where(Person.name == n)) for n in (mentor, mentee))
        program = s.scalar(select(Program))
        s.add(Enrollment(person_id=b.id, program_id=program.id, role=Role.MENTEE,
                         goals=GOALS))
        match = Match(program_id=program.id, mentor_id=a.id, reasons=["shared skills"])
        match.mentees = [MatchMentee(person_id=b.id)]
        s.add(match)
        s.flush()
        activate(s, match, now=NOW)


@pytest.fixture
def slack_pair(db_url: str) -> Iterator[tuple[FastAPI, FakeSlackApi]]:
    upgrade(make_engine(db_url))
    with FakeSlackApi() as fake:
        app = create_app(Settings(database_url=db_url, slack_bot_token="xoxb-test",
                                  slack_signing_secret=SECRET, slack_api_url=fake.url,
                                  webchat_enabled=False, teams_enabled=False, _env_file=None),
                         clock=FakeClock(NOW))
        seed(app.state.sessions, platform="slack", tenant="T1",
             people=[("Ana Lima", "U1"), ("Ben Okoro", "U2")])
        pair(app, "Ana Lima", "Ben Okoro")
        yield app, fake
        app.state.engine.dispose()


async def test_slack_shows_the_goals_as_text(slack_pair: tuple[FastAPI, FakeSlackApi]) -> None:
    app, fake = slack_pair
    assert app.state.core.tick() == 1
    await app.state.worker.flush()
    [intro] = fake.calls_to("chat.postMessage")
    sent = json.dumps(intro.body)
    # Nothing Slack would turn into a mention or a link survives...
    for live in ("<!channel>", "<@U123>", "<https://evil"):
        assert live not in sent and live not in intro.body["text"]
    # ...yet the mentor reads every character the mentee wrote.
    shown = [b["text"]["text"] for b in intro.body["blocks"] if b["type"] == "section"]
    goals = next(t for t in shown if "re-verify" in t)
    assert ("&lt;!channel&gt; &lt;@U123&gt; &lt;https://evil.example/login|Slack: re-verify "
            "your account&gt;") in goals
    assert "&amp; more" in goals


async def test_teams_shows_the_goals_as_text(db_url: str, clock: FakeClock) -> None:
    from tests.teams.conftest import build_app

    fake = FakeConnector().start()
    app = build_app(db_url, clock)
    try:
        seed(app.state.sessions, platform="teams", tenant=TENANT,
             people=[("Ana Lima", "aad-ana"), ("Ben Okoro", "aad-ben")])
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            # Ana says hello, so Teams gives the bot her conversation reference.
            await http.post("/api/messages", json=activity(fake.url, text="mentor help"))
        await app.state.worker.drain()
        before = len(fake.activities())
        pair(app, "Ana Lima", "Ben Okoro")
        app.state.core.clock = FakeClock(NOW)
        app.state.core.tick()
        await deliver_due(app.state.sessions, app.state.worker.senders, now=NOW)
        [intro] = [a for a in fake.activities()[before:] if "a:conv1" in a.path]
        def text_blocks(node: Any) -> list[str]:  # each line of a section is a TextBlock
            if isinstance(node, dict):
                own = [node["text"]] if node.get("type") == "TextBlock" else []
                return own + [t for v in node.values() for t in text_blocks(v)]
            return [t for v in node for t in text_blocks(v)] if isinstance(node, list) else []

        texts = text_blocks(intro.body["attachments"][0]["content"]["body"])
        goals = next(t for t in texts if "re-verify" in t)
        assert "](https://evil" not in goals  # no Markdown link for Teams to draw
        assert "[Teams: re-verify your account]\u200b(https://evil.example/login)" in goals
        # Plain characters: as entities, so Teams shows them rather than dropping a "tag".
        assert "&lt;!channel&gt; &lt;@U123&gt;" in goals
    finally:
        fake.stop()
        app.state.engine.dispose()
