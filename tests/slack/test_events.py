"""The events the manifest subscribes to: DMs, mentions, channel joins; and one team per token."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlencode

from tests.fakes.slack_api import FakeSlackApi
from tests.slack.helpers import post

JSON = "application/json"


def event(inner: dict[str, Any], team: str = "T1") -> str:
    return json.dumps({"token": "legacy", "team_id": team, "api_app_id": "A1",
                       "type": "event_callback", "event_id": f"Ev{id(inner)}",
                       "event_time": 1, "event": inner})


def dm(text: str, **extra: Any) -> str:
    return event({"type": "message", "channel_type": "im", "channel": "D1", "user": "U1",
                  "text": text, "ts": "1.1", **extra})


async def test_a_dm_works_like_the_slash_command(client, fake: FakeSlackApi, ids) -> None:  # type: ignore[no-untyped-def]
    assert (await post(client, dm("status"), content_type=JSON)).status_code == 200
    [answer] = await fake.wait_for("chat.postMessage")
    assert answer.body["channel"] == "D1" and "not enrolled" in answer.body["text"]
    # "/mentor help" typed out, or odd text: the help, in the DM.
    await post(client, dm("/mentor what is this?"), content_type=JSON)
    odd = (await fake.wait_for("chat.postMessage", 2))[-1]
    assert odd.body["channel"] == "D1" and "/mentor join" in odd.body["text"]
    # A form needs the slash command (a message has no trigger_id): it says so.
    await post(client, dm("join"), content_type=JSON)
    join = (await fake.wait_for("chat.postMessage", 3))[-1]
    assert "`/mentor join`" in join.body["text"] and fake.calls_to("views.open") == []


async def test_the_bots_own_messages_and_edits_are_not_answered(client, fake, ids) -> None:  # type: ignore[no-untyped-def]
    await post(client, dm("status", bot_id="B1"), content_type=JSON)
    await post(client, dm("status", subtype="message_changed"), content_type=JSON)
    await post(client, dm("status"), content_type=JSON)
    await fake.wait_for("chat.postMessage")
    assert len(fake.calls_to("chat.postMessage")) == 1


async def test_a_mention_is_answered_only_to_its_author(client, fake, ids) -> None:  # type: ignore[no-untyped-def]
    body = event({"type": "app_mention", "channel": "C7", "user": "U1",
                  "text": "<@UBOT> status", "ts": "1.1"})
    assert (await post(client, body, content_type=JSON)).status_code == 200
    [answer] = await fake.wait_for("chat.postEphemeral")
    assert answer.body["channel"] == "C7" and answer.body["user"] == "U1"
    assert "not enrolled" in answer.body["text"]
    assert fake.calls_to("chat.postMessage") == []  # nothing said in public


async def test_the_bot_joining_a_channel_says_hello_once(client, fake, ids) -> None:  # type: ignore[no-untyped-def]
    joined = {"type": "member_joined_channel", "channel": "C7", "channel_type": "C",
              "team": "T1"}
    await post(client, event({**joined, "user": "U1"}), content_type=JSON)  # a person: none
    await post(client, event({**joined, "user": "UBOT"}), content_type=JSON)
    [hello] = await fake.wait_for("chat.postMessage")
    assert hello.body["channel"] == "C7" and "/mentor join" in hello.body["text"]


async def test_one_token_answers_only_its_own_workspace(client, fake, ids, caplog) -> None:  # type: ignore[no-untyped-def]
    command = urlencode({"team_id": "T9", "user_id": "U90", "command": "/mentor",
                         "text": "help", "channel_id": "C1", "trigger_id": "t",
                         "response_url": f"{fake.url}response/9"})
    with caplog.at_level(logging.WARNING):
        response = await post(client, command)
    assert response.status_code == 403 and "T9" in caplog.text
    assert fake.calls_to("response/9") == []
