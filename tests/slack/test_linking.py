"""HRIS people are linked to their Slack accounts by email, so the bot can reach them first."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from adapters.slack.linking import link_by_email
from core.models import Person, PlatformIdentity, Workspace
from tests.factories import seed
from tests.fakes.slack_api import FakeSlackApi


async def test_people_are_linked_by_email_and_strangers_skipped(sessions) -> None:  # type: ignore[no-untyped-def]
    seed(sessions, platform="slack", tenant="T1", people=[("Ana Lima", "U1")])
    with sessions() as s, s.begin():
        ws = s.scalar(select(Workspace))
        s.add_all([Person(workspace_id=ws.id, name="Ben Okoro", email="ben.okoro@acme.test"),
                   Person(workspace_id=ws.id, name="Cleo Park", email="cleo@acme.test")])
    with FakeSlackApi() as fake:
        fake.directory = {"ben.okoro@acme.test": "U2"}
        client = AsyncWebClient(token="xoxb-test", base_url=fake.url)
        result = await link_by_email(client, sessions, ws.id, pace=0)
        asked = [c.body["email"] for c in fake.calls_to("users.lookupByEmail")]
    assert (result.linked, result.not_in_slack) == (1, 1)
    assert sorted(asked) == ["ben.okoro@acme.test", "cleo@acme.test"]  # Ana was linked already
    with sessions() as s:
        ben = s.scalar(select(PlatformIdentity).where(PlatformIdentity.user_id == "U2"))
        assert ben is not None and s.get(Person, ben.person_id).name == "Ben Okoro"


async def test_a_new_slack_user_is_linked_to_their_hris_record_by_email(
        client, fake: FakeSlackApi, slack_app) -> None:  # type: ignore[no-untyped-def]
    from tests.slack.helpers import command_body, post

    seed(slack_app.state.sessions, platform="slack", tenant="T1", people=[])
    with slack_app.state.sessions() as s, s.begin():
        ws = s.scalar(select(Workspace))
        s.add(Person(workspace_id=ws.id, name="Dana Imported", email="dana@acme.test",
                     title="Director", department="Sales"))
    fake.directory = {"dana@acme.test": "U77"}
    await post(client, command_body("status", f"{fake.url}response/1", user_id="U77"))
    await fake.wait_for("response/1")
    [info] = fake.calls_to("users.info")
    assert info.body["user"] == "U77"
    with slack_app.state.sessions() as s:
        people = s.scalars(select(Person)).all()
        assert [p.name for p in people] == ["Dana Imported"]  # linked, not duplicated
        assert s.scalar(select(PlatformIdentity.user_id)) == "U77"
    await post(client, command_body("status", f"{fake.url}response/2", user_id="U77"))
    await fake.wait_for("response/2")
    assert len(fake.calls_to("users.info")) == 1  # known now: no second lookup
