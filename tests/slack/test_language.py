"""A Slack user reads the bot in the language Slack reports for them (users.info locale)."""

from __future__ import annotations

from sqlalchemy import select

from core.models import Person
from tests.factories import seed
from tests.slack.helpers import command_body, post


async def test_a_slack_user_reads_the_bot_in_their_slack_language(
        client, fake, slack_app) -> None:  # type: ignore[no-untyped-def]
    seed(slack_app.state.sessions, platform="slack", tenant="T1", people=[])
    fake.locales["U55"] = "de-DE"
    await post(client, command_body("status", f"{fake.url}response/1", user_id="U55"))
    [answer] = await fake.wait_for("response/1")
    [info] = fake.calls_to("users.info")
    assert info.body["include_locale"] in ("1", "true")
    assert answer.body["text"] == ("Du bist noch in keinem Programm angemeldet. "
                                   "Versuch es mit `/mentor join`.")
    with slack_app.state.sessions() as s:
        assert s.scalar(select(Person.platform_language)) == "de"
