"""Buttons on every Slack surface: in a message, inside a modal, on App Home.

A button inside a modal or on Home carries no response_url (Bolt still passes a `respond`):
the modal is updated with views.update, the Home with views.publish, and the ack is never lost.
"""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.views import View
from sqlalchemy import select

from core.models import Enrollment, EnrollmentStatus, OutboxMessage, Role
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.helpers import command_body, multi, payload_body, post
from tests.slack.helpers import select as pick
from tests.slack.helpers import text as typed

USER = {"id": "U1", "username": "ana", "name": "ana", "team_id": "T1"}


def surface_action(action_id: str, value: str, view: dict[str, Any]) -> dict[str, Any]:
    """A block_actions payload as Slack sends it for a button in a view: no response_url."""
    return {
        "type": "block_actions", "api_app_id": "A1", "team": {"id": "T1", "domain": "acme"},
        "user": USER, "trigger_id": "trig.9",
        "container": {"type": "view", "view_id": view["id"]}, "view": view,
        "actions": [{"action_id": action_id, "block_id": "b1", "type": "button",
                     "value": value, "action_ts": "1.2"}],
    }


def buttons(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["text"]["text"]: e for b in view["blocks"] if b["type"] == "actions"
            for e in b["elements"]}


def state_for(view: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """view.state.values for the modal's inputs: ``given`` values, the rest left empty."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        name, kind = block["block_id"], block["element"]["type"]
        value = given.get(name)
        if kind == "static_select":
            element = pick(value)
        elif kind == "multi_static_select":
            element = multi(*(value or ()))
        elif kind in ("datepicker", "timepicker"):
            element = {"type": kind, f"selected_{kind[:4]}": value}
        else:
            element = typed(value, kind)
        values[name] = {block["element"]["action_id"]: element}
    return values


async def _announce_preview(client, fake: FakeSlackApi) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """/mentor admin announce, fill the modal: the preview modal Slack now shows."""
    count = len(fake.calls_to("views.open"))
    await post(client, command_body("admin announce", f"{fake.url}response/1"))
    form = (await fake.wait_for("views.open", count + 1))[-1].body["view"]
    program = form["blocks"][2]["element"]["options"][0]["value"]
    state = state_for(form, {"channels": "#general", "text": "Mentoring is open!",
                             "program": program, "when": "now"})
    submission = {"type": "view_submission", "api_app_id": "A1",
                  "team": {"id": "T1", "domain": "acme"}, "user": USER, "trigger_id": "trig.3",
                  "view": {"id": "V1", "type": "modal", "callback_id": form["callback_id"],
                           "private_metadata": form["private_metadata"],
                           "state": {"values": state}}}
    response = await post(client, payload_body(submission))
    answer = response.json()
    assert answer["response_action"] == "update", answer
    preview = answer["view"]
    View(**preview).validate_json()
    assert "Preview" in json.dumps(preview)
    return {**preview, "id": "V1"}


async def _click(client, fake: FakeSlackApi, payload: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    """Click with Slack's views.* calls held: the ack must not wait on any of them."""
    with fake.holding("views."):
        response = await post(client, payload_body(payload))
        assert response.status_code == 200, response.text
        assert fake.answered_while_held == 0, "the ack waited for a Slack call"


async def test_announce_post_inside_the_modal_updates_the_modal(
        client, fake: FakeSlackApi, slack_app, ids, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(slack_app.state.core, "admin_emails", frozenset({"ana.lima@acme.test"}))
    preview = await _announce_preview(client, fake)
    post_button = buttons(preview)["Post"]
    await _click(client, fake, surface_action(post_button["action_id"],
                                              post_button["value"], preview))
    [update] = await fake.wait_for("views.update")
    assert update.body["view_id"] == "V1"
    View(**update.body["view"]).validate_json()
    assert "Posting to #general" in json.dumps(update.body["view"])
    assert fake.calls_to("response/1") == []  # nothing went to a stale response_url
    with slack_app.state.sessions() as s:
        kinds = [m.kind for m in s.scalars(select(OutboxMessage))]
    assert "announcement" in kinds


async def test_announce_cancel_inside_the_modal_updates_the_modal(
        client, fake: FakeSlackApi, slack_app, ids, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(slack_app.state.core, "admin_emails", frozenset({"ana.lima@acme.test"}))
    preview = await _announce_preview(client, fake)
    cancel = buttons(preview)["Cancel"]
    await _click(client, fake, surface_action(cancel["action_id"], cancel["value"], preview))
    [update] = await fake.wait_for("views.update")
    assert update.body["view_id"] == "V1" and "ancel" in json.dumps(update.body["view"])
    with slack_app.state.sessions() as s:
        assert "announcement" not in [m.kind for m in s.scalars(select(OutboxMessage))]


async def test_home_buttons_update_the_home(client, fake: FakeSlackApi, slack_app, ids) -> None:  # type: ignore[no-untyped-def]
    program_id = ids["programs"]["Leadership 1:1"]
    with slack_app.state.sessions() as s, s.begin():
        s.add(Enrollment(person_id=ids["people"]["U1"], program_id=program_id,
                         role=Role.MENTEE, skills_wanted=["Negotiation"],
                         availability="flexible"))
    event = {"token": "legacy", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
             "event_id": "Ev1", "event_time": 1,
             "event": {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"}}
    await post(client, json.dumps(event), content_type="application/json")
    [published] = await fake.wait_for("views.publish")
    home = {**published.body["view"], "id": "VHOME"}
    View(**home).validate_json()
    leave = buttons(home)["Leave Leadership 1:1"]

    await _click(client, fake, surface_action(leave["action_id"], leave["value"], home))
    asked = (await fake.wait_for("views.publish", 2))[-1].body
    assert asked["user_id"] == "U1" and asked["view"]["type"] == "home"
    View(**asked["view"]).validate_json()
    confirm = next(b for label, b in buttons(asked["view"]).items() if "eave" in label
                   and b["action_id"].startswith("leave.confirm"))

    await _click(client, fake, surface_action(confirm["action_id"], confirm["value"],
                                              {**asked["view"], "id": "VHOME"}))
    left = (await fake.wait_for("views.publish", 3))[-1].body["view"]
    assert "Leave Leadership 1:1" not in buttons(left)  # the Home shows them out of it
    with slack_app.state.sessions() as s:
        [enrollment] = s.scalars(select(Enrollment))
        assert enrollment.status is EnrollmentStatus.WITHDRAWN
