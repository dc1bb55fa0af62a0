"""Slack keeps personal answers private too: asked in a channel, they come back ephemeral (seen
only by the asker), a file lands in the person's DM, a form opens as a modal. Nothing personal
is ever posted ``in_channel``."""

from __future__ import annotations

from tests.fakes.slack_api import FakeSlackApi
from tests.slack.helpers import block_action, command_body, payload_body, post


async def test_personal_commands_in_a_channel_answer_only_the_asker(
        client, fake: FakeSlackApi, ids) -> None:
    # command_body is typed in #general (channel C1).
    for n, word in enumerate(("status", "home", "plan", "suggest", "training"), start=1):
        await post(client, command_body(word, f"{fake.url}response/{n}"))
        [call] = await fake.wait_for(f"response/{n}")
        assert call.body["response_type"] == "ephemeral", word
    assert not fake.calls_to("chat.postMessage")


async def test_my_data_in_a_channel_goes_to_the_dm(client, fake: FakeSlackApi, ids) -> None:
    await post(client, command_body("my-data", f"{fake.url}response/9"))
    [opened] = await fake.wait_for("conversations.open")
    assert opened.body["users"] == "U1"
    [done] = await fake.wait_for("files.completeUploadExternal")
    assert done.body["channel_id"] == "DU1"
    assert all(c.body.get("response_type") != "in_channel"
               for c in fake.calls_to("response/9"))


async def test_join_on_a_channel_post_opens_a_modal(client, fake: FakeSlackApi, ids) -> None:
    program = ids["programs"]["Leadership 1:1"]
    await post(client, payload_body(block_action("join.pick", str(program),
                                                 f"{fake.url}response/10")))
    [opened] = await fake.wait_for("views.open")
    assert opened.body["view"]["type"] == "modal"
    assert not fake.calls_to("response/10") and not fake.calls_to("chat.postMessage")
