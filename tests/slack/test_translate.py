"""Pure translation: Slack payloads to neutral events and neutral UI to Block Kit."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from adapters.slack.translate import (
    BadPayload,
    button_action,
    command_event,
    errors_to_ack,
    form_submission,
    form_to_view,
    message_to_blocks,
    to_event,
)
from core.events import Actor, ButtonAction, CommandEvent, FormErrors, MemberJoined
from core.ui import (
    Button,
    Buttons,
    Context,
    Divider,
    FieldKind,
    Fields,
    Form,
    FormField,
    Message,
    Option,
    Section,
    Select,
    validate,
)
from tests.slack.helpers import block_action, view_submission

OPTIONS = [Option("a", "Apple"), Option("b", "Banana"), Option("c", "Cherry")]
FORM = Form(
    form_id="survey", title="A very long title that Slack would refuse", context="ctx:42",
    intro="*Tell us*", submit_label="Send",
    fields=[
        FormField("fruit", "Fruit", FieldKind.SINGLE_SELECT, required=True, options=OPTIONS,
                  initial="b"),
        FormField("more", "More fruit", FieldKind.MULTI_SELECT, options=OPTIONS,
                  initial=["a", "c"], hint="Pick any"),
        FormField("name", "Name", FieldKind.SHORT_TEXT, max_length=40, initial="Ana"),
        FormField("story", "Story", FieldKind.LONG_TEXT, max_length=500, placeholder="Tell"),
        FormField("count", "Count", FieldKind.NUMBER, min_value=1, max_value=5, initial=2),
        FormField("agree", "I agree", FieldKind.CHECKBOX, initial=True),
    ],
)


def _submitted_element(block: dict[str, Any]) -> dict[str, Any]:
    """What Slack sends back for an input nobody touched: its initial value."""
    element = block["element"]
    kind = element["type"]
    if kind == "static_select":
        return {"type": kind, "selected_option": element.get("initial_option")}
    if kind in ("multi_static_select", "checkboxes"):
        return {"type": kind, "selected_options": element.get("initial_options", [])}
    return {"type": kind, "value": element.get("initial_value")}


def test_form_round_trips_through_a_view_submission() -> None:
    view = form_to_view(FORM)
    View(**view).validate_json()
    assert view["callback_id"] == "survey" and view["private_metadata"] == "ctx:42"
    assert len(view["title"]["text"]) <= 24 and view["submit"]["text"] == "Send"
    assert view["blocks"][0]["type"] == "section"
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    state = {b["block_id"]: {b["element"]["action_id"]: _submitted_element(b)} for b in inputs}
    event = form_submission(view_submission(view["private_metadata"], state, "survey"))
    assert event.form_id == "survey" and event.context == "ctx:42"
    assert event.actor == Actor("slack", "T1", "U1", "ana")
    assert event.values == {"fruit": "b", "more": ["a", "c"], "name": "Ana", "story": None,
                            "count": "2", "agree": True}
    clean, errors = validate(FORM, event.values)
    assert errors == {} and clean["count"] == 2


def test_form_fields_carry_limits_hints_and_optionality() -> None:
    inputs = {b["block_id"]: b for b in form_to_view(FORM)["blocks"] if b["type"] == "input"}
    assert inputs["fruit"]["optional"] is False and inputs["more"]["optional"] is True
    assert inputs["more"]["hint"]["text"] == "Pick any"
    assert inputs["name"]["element"]["max_length"] == 40
    assert inputs["story"]["element"]["multiline"] is True
    count = inputs["count"]["element"]
    assert (count["min_value"], count["max_value"], count["initial_value"]) == ("1", "5", "2")
    assert count["is_decimal_allowed"] is False


def test_form_errors_render_as_an_errors_ack() -> None:
    ack = errors_to_ack(FormErrors({"fruit": "Please pick"}, FORM))
    assert ack == {"response_action": "errors", "errors": {"fruit": "Please pick"}}
    view = form_to_view(FORM, {"fruit": "Please pick"})
    assert any("Please pick" in str(b) for b in view["blocks"] if b["type"] == "context")


def test_duplicate_action_ids_get_suffixes_and_are_stripped_back() -> None:
    message = Message("Which?", [Buttons([Button("One", "leave.ask", "1"),
                                          Button("Two", "leave.ask", "2"),
                                          Button("Three", "leave.ask", "3")])])
    [actions] = message_to_blocks(message)
    ids = [e["action_id"] for e in actions["elements"]]
    assert ids == ["leave.ask", "leave.ask#1", "leave.ask#2"]
    for action_id, value in zip(ids, ["1", "2", "3"], strict=True):
        event = button_action(block_action(action_id, value, "https://x/response/1"))
        assert event == ButtonAction(Actor("slack", "T1", "U1", "ana"), "leave.ask", value)


def test_every_message_block_renders_as_valid_block_kit() -> None:
    message = Message("hi", [
        Section("x" * 5000), Section(""), Fields(["*a*\n1", "*b*\n2"]), Context(["tip"]),
        Divider(), Buttons([Button("Go", "go", "1", "primary")]),
        Select("join.pick", "Choose", [Option("1", "P" * 100)]),
    ])
    blocks = message_to_blocks(message)
    assert [b["type"] for b in blocks] == ["section", "section", "context", "divider",
                                           "actions", "actions"]
    for block in blocks:
        Block.parse(block).validate_json()  # type: ignore[union-attr]
    assert len(blocks[0]["text"]["text"]) == 3000
    assert blocks[5]["elements"][0]["type"] == "static_select"


def test_select_choice_becomes_a_button_action_with_the_option_value() -> None:
    event = button_action(block_action("join.pick", "42", "https://x/r", select=True))
    assert event.action_id == "join.pick" and event.value == "42"


def test_command_and_home_events() -> None:
    body = {"team_id": "T1", "user_id": "U1", "user_name": "ana", "command": "/mentor",
            "text": "join", "channel_id": "C1"}
    assert command_event(body) == CommandEvent(Actor("slack", "T1", "U1", "ana"), "join", "C1")
    home = to_event({"type": "event_callback", "team_id": "T1",
                     "event": {"type": "app_home_opened", "user": "U1"}})
    assert home == MemberJoined(Actor("slack", "T1", "U1"))
    assert to_event({"type": "event_callback", "event": {"type": "reaction_added"}}) is None


@pytest.mark.parametrize("body", [
    [1, 2], {"type": "block_actions", "actions": []}, {"command": "/mentor"},
    {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U1"}, "view": {}},
    {"type": "block_actions", "team": None, "user": {"id": "U1"}, "actions": [{}]},
])
def test_malformed_payloads_raise_bad_payload(body: Any) -> None:
    with pytest.raises(BadPayload):
        to_event(body)


def test_date_and_time_fields_become_pickers_and_come_back_as_iso_strings() -> None:
    from datetime import date

    from slack_sdk.models.views import View

    from core.relationships.forms import schedule_form

    form = schedule_form("7", date(2027, 3, 3))
    view = form_to_view(form)
    View(**view).validate_json()
    elements = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert elements["day"]["type"] == "datepicker"
    assert elements["day"]["initial_date"] == "2027-03-03"
    assert elements["at"]["type"] == "timepicker" and elements["at"]["initial_time"] == "10:00"
    state = {"values": {
        "day": {"day": {"type": "datepicker", "selected_date": "2027-03-04"}},
        "at": {"at": {"type": "timepicker", "selected_time": "15:30"}},
        "duration": {"duration": {"type": "static_select",
                                  "selected_option": {"value": "45"}}}}}
    event = form_submission(view_submission("7", state["values"], callback_id="schedule"))
    assert event.form_id == "schedule"
    assert event.values["day"] == "2027-03-04" and event.values["at"] == "15:30"
    clean, errors = validate(form, event.values)
    assert not errors and str(clean["day"]) == "2027-03-04"
