"""`mentorbot demo --workspace slack:T1`: a trial in a real Slack workspace has data, and whoever
uses the bot there with a demo person's email becomes that person."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.cli import app
from core.models import Enrollment, Person, PlatformIdentity
from tests.cli_runner import runner
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.helpers import command_body, post


async def test_demo_loads_into_slack_and_links_people_by_email(
        client, fake: FakeSlackApi, slack_app, db_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", db_url)
    from bot.settings import get_settings

    get_settings.cache_clear()
    try:
        loaded = runner.invoke(app, ["demo", "--workspace", "slack:T1"])
    finally:
        get_settings.cache_clear()
    assert loaded.exit_code == 0, loaded.output
    assert "217 new people" in loaded.output and "slack:T1" in loaded.output
    assert runner.invoke(app, ["demo", "--workspace", "slack"]).exit_code == 2
    sessions = slack_app.state.sessions
    with sessions() as s:
        # No made-up Slack accounts: people are linked as they appear.
        assert s.scalar(select(func.count()).select_from(PlatformIdentity)) == 0
        enrolled = s.scalar(select(Person).join(Enrollment, Enrollment.person_id == Person.id)
                            .order_by(Person.id).limit(1))
        assert enrolled is not None
    fake.directory[enrolled.email] = "U77"
    fake.names["U77"] = enrolled.name
    await post(client, command_body("status", f"{fake.url}response/1", user_id="U77"))
    [answer] = await fake.wait_for("response/1")
    assert "not enrolled" not in answer.body["text"]  # they see the demo person's enrollment
    with sessions() as s:
        [identity] = s.scalars(select(PlatformIdentity))
        assert identity.user_id == "U77" and identity.person_id == enrolled.id
        assert s.scalar(select(func.count()).select_from(Person)) == 217  # nobody new
