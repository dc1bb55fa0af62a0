"""A Slack pair: one group DM introduces them, and a scheduled meeting uploads an invite."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.app import create_app
from bot.migrate import upgrade
from bot.settings import Settings
from core.clock import FakeClock
from core.db import make_engine
from core.models import Match, MatchMentee, Person, Program
from core.relationships.lifecycle import activate
from tests.factories import seed
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.helpers import SECRET, block_action, payload_body, post, view_submission

NOW = datetime(2027, 3, 3, 12, tzinfo=UTC)  # a Wednesday noon; everyone is in UTC


@pytest.fixture
def pair_app(db_url: str, fake: FakeSlackApi):  # type: ignore[no-untyped-def]
    engine = make_engine(db_url)
    upgrade(engine)
    engine.dispose()
    app = create_app(Settings(database_url=db_url, slack_bot_token="xoxb-test",
                              slack_signing_secret=SECRET, slack_api_url=fake.url,
                              webchat_enabled=False, teams_enabled=False, _env_file=None),
                     clock=FakeClock(NOW))
    seed(app.state.sessions, platform="slack", tenant="T1",
         people=[("Ana Lima", "U1"), ("Ben Okoro", "U2")])
    with app.state.sessions() as s, s.begin():
        ana, ben = (s.scalar(select(Person).where(Person.name == n))
                    for n in ("Ana Lima", "Ben Okoro"))
        match = Match(program_id=s.scalar(select(Program.id)), mentor_id=ana.id,
                      reasons=["Ana offers Negotiation, which Ben wants to learn"])
        match.mentees = [MatchMentee(person_id=ben.id)]
        s.add(match)
        s.flush()
        activate(s, match, now=NOW)
        app.state.match_id = match.id
    yield app
    app.state.engine.dispose()


async def test_one_group_dm_introduces_the_pair(pair_app, fake: FakeSlackApi) -> None:  # type: ignore[no-untyped-def]
    assert pair_app.state.core.tick() == 1  # one group message, not one per person
    await pair_app.state.worker.flush()
    [opened] = fake.calls_to("conversations.open")
    assert sorted(opened.body["users"].split(",")) == ["U1", "U2"]
    [intro] = fake.calls_to("chat.postMessage")
    assert intro.body["channel"] == f"D{opened.body['users']}"  # the group DM it opened
    assert "meet each other" in intro.body["text"]
    labels = [e["text"]["text"] for b in intro.body["blocks"] if b["type"] == "actions"
              for e in b["elements"]]
    assert labels == ["Schedule first meeting", "We met", "Not a good fit"]


async def test_scheduling_uploads_a_calendar_invite_to_both(pair_app, fake) -> None:  # type: ignore[no-untyped-def]
    import httpx

    transport = httpx.ASGITransport(app=pair_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        match = str(pair_app.state.match_id)
        await post(client, payload_body(block_action("rel.schedule", match,
                                                     f"{fake.url}response/1")))
        [opened] = await fake.wait_for("views.open")
        view = opened.body["view"]
        assert view["callback_id"] == "schedule"
        values = {"day": {"day": {"type": "datepicker", "selected_date": "2027-03-04"}},
                  "at": {"at": {"type": "timepicker", "selected_time": "15:30"}},
                  "duration": {"duration": {"type": "static_select",
                                            "selected_option": {"value": "45"}}}}
        response = await post(client, payload_body(view_submission(
            view["private_metadata"], values, callback_id="schedule")))
        assert response.status_code == 200 and response.text == ""
        await pair_app.state.worker.drain()
        await pair_app.state.worker.flush()
    done = fake.calls_to("files.completeUploadExternal")
    assert len(done) == 2
    comments = [d.body.get("initial_comment", "") for d in done]
    assert all("First meeting" in c for c in comments)
    uploads = [c.body["raw"] for c in fake.calls if c.method.startswith("upload/")]
    assert len(uploads) == 2 and all("DTSTART:20270304T153000Z" in u for u in uploads)
    assert {d.body["channel_id"] for d in done} == {"DU1", "DU2"}  # each person's own DM
