"""The admin's report digest in chat: on demand through Slack, and monthly through the outbox."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from adapters.teams.cards import message_to_card
from adapters.webchat.render import message_html
from bot.app import create_app
from bot.migrate import upgrade
from bot.settings import Settings
from core.clock import FakeClock
from core.db import make_engine
from core.events import Actor, CommandEvent
from core.models import (
    Admin,
    AuditEntry,
    Enrollment,
    OutboxMessage,
    Person,
    Program,
    Role,
)
from core.ui import message_from_dict
from tests.factories import seed
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.helpers import SECRET, command_body, post

NOW = datetime(2027, 3, 3, 12, tzinfo=UTC)  # a Wednesday
PEOPLE = [("Ana Lima", "U1"), *[(f"Mentee {i}", f"U{i + 10}") for i in range(8)]]
PNG = b"\x89PNG\r\n\x1a\n"


def _enrol(sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions() as s, s.begin():
        program = s.scalar(select(Program))
        for person in s.scalars(select(Person)):
            role = Role.MENTOR if person.name == "Ana Lima" else Role.MENTEE
            s.add(Enrollment(person_id=person.id, program_id=program.id, role=role))


@pytest.fixture
def fake() -> Iterator[FakeSlackApi]:
    with FakeSlackApi() as api:
        yield api


@pytest.fixture
def slack_app(db_url: str, fake: FakeSlackApi):  # type: ignore[no-untyped-def]
    engine = make_engine(db_url)
    upgrade(engine)
    engine.dispose()
    app = create_app(Settings(database_url=db_url, slack_bot_token="xoxb-test",
                              slack_signing_secret=SECRET, slack_api_url=fake.url,
                              admin_emails="ana.lima@acme.test", webchat_enabled=False,
                              teams_enabled=False, _env_file=None),
                     clock=FakeClock(NOW))
    seed(app.state.sessions, platform="slack", tenant="T1", people=PEOPLE)
    _enrol(app.state.sessions)
    yield app
    app.state.engine.dispose()


async def test_admin_report_sends_a_digest_with_a_chart_in_slack(slack_app, fake) -> None:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=slack_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await post(client, command_body("admin report Leadership",
                                                   f"{fake.url}response/1"))
        assert response.status_code == 200
        [reply] = await fake.wait_for("response/1")
        assert "digest in a direct message" in json.dumps(reply.body)
        await slack_app.state.worker.drain()
        await slack_app.state.worker.flush()
    [done] = fake.calls_to("files.completeUploadExternal")
    assert done.body["channel_id"] == "DU1"  # the admin's own DM
    comment = done.body["initial_comment"]
    assert "Leadership 1:1: report digest" in comment and "Enrolled: 9" in comment
    [upload] = [c for c in fake.calls if c.method.startswith("upload/")]
    assert upload.body["bytes"].startswith(PNG)  # the chart itself, not base64 text
    with slack_app.state.sessions() as s:
        assert s.scalar(select(AuditEntry.action).where(
            AuditEntry.action == "report digest")) == "report digest"


async def test_someone_not_an_admin_gets_no_report(slack_app, fake) -> None:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=slack_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        await post(client, command_body("admin report Leadership", f"{fake.url}response/2",
                                        user_id="U10"))
        [reply] = await fake.wait_for("response/2")
    assert "for program admins" in json.dumps(reply.body)
    with slack_app.state.sessions() as s:
        assert s.scalar(select(OutboxMessage.id).where(OutboxMessage.kind == "digest")) is None


def _core_world(sessions):  # type: ignore[no-untyped-def]
    ids = seed(sessions, people=PEOPLE,
               programs=[{"name": "Leadership 1:1"}, {"name": "Peer circles"}])
    _enrol(sessions)
    with sessions() as s, s.begin():
        s.add(Admin(workspace_id=ids["workspace_id"], person_id=ids["people"]["U1"]))
    return ids


def _digests(sessions) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    with sessions() as s:
        return list(s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "digest")))


def test_monthly_digest_arrives_once_on_the_first_weekday_morning(sessions) -> None:  # type: ignore[no-untyped-def]
    from core.mentorbot import Mentorbot

    _core_world(sessions)
    clock = FakeClock(datetime(2027, 4, 30, 9, 30, tzinfo=UTC))
    bot = Mentorbot(sessions, clock=clock)
    admin = Actor("webchat", "T1", "U1", "Ana Lima")
    bot.handle(CommandEvent(admin, "admin report Leadership monthly on"))
    with sessions() as s:
        assert s.scalar(select(Program.monthly_digest).where(
            Program.name == "Leadership 1:1")) is True
    bot.tick()
    assert _digests(sessions) == []  # not the first of the month yet

    # 1 May 2027 is a Saturday: the digest waits for Monday morning.
    for moment in (datetime(2027, 5, 1, 9, 30, tzinfo=UTC), datetime(2027, 5, 3, 7, tzinfo=UTC)):
        clock.set(moment)
        bot.tick()
        assert _digests(sessions) == []
    clock.set(datetime(2027, 5, 3, 9, 5, tzinfo=UTC))
    bot.tick()
    bot.tick()
    clock.advance(timedelta(days=1))
    bot.tick()
    [digest] = _digests(sessions)
    assert digest.idempotency_key.endswith(":2027-05:" + str(digest.person_id))
    message = message_from_dict(digest.payload)
    assert message.text.startswith("Leadership 1:1: monthly digest, May 2027")
    assert message.file is not None and message.file.data().startswith(PNG)

    # The same digest as a Teams card (inline image, under Teams' message size limit) and
    # in the web chat.
    card = message_to_card(message)
    images = [b for b in card["body"] if b["type"] == "Image"]
    assert len(images) == 1 and images[0]["url"].startswith("data:image/png;base64,")
    assert len(json.dumps(card)) < 28_000
    assert '<img class="chart"' in message_html(message)

    clock.set(datetime(2027, 6, 1, 9, 10, tzinfo=UTC))  # a Tuesday
    bot.tick()
    assert len(_digests(sessions)) == 2

    bot.handle(CommandEvent(admin, "admin report Leadership monthly off"))
    clock.set(datetime(2027, 7, 1, 9, 10, tzinfo=UTC))
    bot.tick()
    assert len(_digests(sessions)) == 2


def test_unknown_program_lists_the_programs(sessions) -> None:  # type: ignore[no-untyped-def]
    from core.mentorbot import Mentorbot

    _core_world(sessions)
    bot = Mentorbot(sessions, clock=FakeClock(NOW))
    [reply] = bot.handle(CommandEvent(Actor("webchat", "T1", "U1", "Ana Lima"),
                                      "admin report Nonesuch"))
    text = reply.message.text  # type: ignore[union-attr]
    assert "Leadership 1:1" in text and "Peer circles" in text
    assert _digests(sessions) == []


def test_each_admin_reads_the_monthly_digest_in_their_own_language(sessions) -> None:  # type: ignore[no-untyped-def]
    from core.mentorbot import Mentorbot

    ids = _core_world(sessions)
    with sessions() as s, s.begin():
        mentee = s.get(Person, ids["people"]["U10"])
        mentee.language = "de"
        s.add(Admin(workspace_id=ids["workspace_id"], person_id=mentee.id))
    clock = FakeClock(datetime(2027, 5, 3, 9, 5, tzinfo=UTC))
    bot = Mentorbot(sessions, clock=clock)
    bot.handle(CommandEvent(Actor("webchat", "T1", "U1", "Ana Lima"),
                            "admin report Leadership monthly on"))
    bot.tick()
    said = {d.person_id: message_from_dict(d.payload) for d in _digests(sessions)}
    english, german = said[ids["people"]["U1"]], said[ids["people"]["U10"]]
    assert english.text.startswith("Leadership 1:1: monthly digest, May 2027\nEnrolled: ")
    assert german.text.startswith("Leadership 1:1: Monatsüberblick, Mai 2027\nAngemeldet: ")
    assert "Zahlen zu weniger als 5 Personen werden nicht gezeigt" in repr(german.blocks)
