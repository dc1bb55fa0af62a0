"""Slash commands and buttons end to end: signed HTTP in, Slack Web API calls out."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.views import View

from tests.fakes.slack_api import FakeSlackApi
from tests.slack.helpers import block_action, command_body, payload_body, post


def assert_valid_modal(view: dict[str, Any]) -> None:
    """Rebuilding through slack_sdk's models raises on anything Slack would reject."""
    View(**view).validate_json()
    assert view["type"] == "modal" and len(view["title"]["text"]) <= 24


async def test_join_opens_a_valid_enrollment_modal(client, fake: FakeSlackApi, ids) -> None:
    response = await post(client, command_body("join", f"{fake.url}response/1"))
    assert response.status_code == 200 and response.text == ""
    # The modal opens at once, while the trigger is fresh; the form then takes its place.
    [opened] = await fake.wait_for("views.open")
    assert opened.body["trigger_id"] == "trig.1"
    assert_valid_modal(opened.body["view"])
    assert opened.body["view"].get("submit") is None  # loading: nothing to submit yet
    [call] = await fake.wait_for("views.update")
    assert call.body["view_id"] == "V1"
    view = call.body["view"]
    assert_valid_modal(view)
    assert view["callback_id"] == "enroll"
    assert view["private_metadata"] == str(ids["programs"]["Leadership 1:1"])
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert [b["block_id"] for b in inputs] == ["role", "skills_offered", "skills_wanted", "goals",
                                               "capacity", "availability"]
    assert all(b["element"]["action_id"] == b["block_id"] for b in inputs)
    by_id = {b["block_id"]: b for b in inputs}
    assert by_id["goals"]["element"]["max_length"] == 500
    assert by_id["capacity"]["element"]["max_value"] == "5"
    assert by_id["role"].get("optional") is False
    assert by_id["skills_wanted"]["optional"] is True


async def test_help_and_status_reply_through_response_url(client, fake, ids) -> None:
    await post(client, command_body("", f"{fake.url}response/1"))
    [help_call] = await fake.wait_for("response/1")
    assert help_call.body["response_type"] == "ephemeral"
    assert "/mentor join" in help_call.body["text"] and help_call.body["blocks"]
    await post(client, command_body("status", f"{fake.url}response/2"))
    [status_call] = await fake.wait_for("response/2")
    assert "not enrolled" in status_call.body["text"]


async def test_oversized_command_text_gets_help_not_a_crash(client, fake, ids) -> None:
    response = await post(client, command_body("x" * 10_000, f"{fake.url}response/1"))
    assert response.status_code == 200
    [call] = await fake.wait_for("response/1")
    assert "don't know" in call.body["text"] and "/mentor join" in call.body["text"]
    # Measured as the person reads it: "<" and ">" travel as Slack's &lt; and &gt; entities.
    shown = call.body["text"].replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    # The unknown word is echoed clipped; the rest is the help, whatever its length.
    assert "x" * 41 not in shown and len(shown) < 2_000


async def test_unknown_action_gets_a_friendly_ephemeral_reply(client, fake, ids) -> None:
    body = payload_body(block_action("nope.unknown", "1", f"{fake.url}response/7"))
    response = await post(client, body)
    assert response.status_code == 200
    [call] = await fake.wait_for("response/7")
    assert call.body["response_type"] == "ephemeral" and "out of date" in call.body["text"]


async def test_picking_a_program_from_the_select_opens_the_modal(client, fake, ids) -> None:
    program_id = str(ids["programs"]["Leadership 1:1"])
    body = payload_body(block_action("join.pick", program_id, f"{fake.url}response/3",
                                     select=True))
    assert (await post(client, body)).status_code == 200
    [call] = await fake.wait_for("views.open")
    assert call.body["trigger_id"] == "trig.2"
    assert_valid_modal(call.body["view"])
    assert call.body["view"]["private_metadata"] == program_id


async def test_opening_app_home_publishes_help_and_welcomes_once(client, fake, ids) -> None:
    event = {"token": "legacy", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
             "event_id": "Ev1", "event_time": 1,
             "event": {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"}}
    body = json.dumps(event)
    assert (await post(client, body, content_type="application/json")).status_code == 200
    [home] = await fake.wait_for("views.publish")
    assert home.body["user_id"] == "U1" and home.body["view"]["type"] == "home"
    View(**home.body["view"]).validate_json()
    [dm] = await fake.wait_for("chat.postMessage")
    assert dm.body["channel"] == "U1" and "Mentorbot" in dm.body["text"]
