"""Pure translation: activities to events, messages and forms to Adaptive Cards, and back."""

from __future__ import annotations

from typing import Any

from adapters.teams.markdown import to_teams
from adapters.teams.translate import (
    activity_from_dict,
    activity_to_event,
    form_to_card,
    message_to_card,
)
from core.events import ButtonAction, CommandEvent, FormSubmission, MemberJoined
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
)
from tests.teams.conftest import BOT, activity

SKILLS = [Option("a", "Alpha"), Option("b", "Beta"), Option("c", "Gamma")]
FORM = Form("enroll", "Join", context="42", fields=[
    FormField("role", "Role", FieldKind.SINGLE_SELECT, required=True,
              options=[Option("mentor", "Mentor"), Option("mentee", "Mentee")]),
    FormField("skills", "Skills", FieldKind.MULTI_SELECT, options=SKILLS, initial=["a"]),
    FormField("goals", "Goals", FieldKind.LONG_TEXT, max_length=500, placeholder="Why?"),
    FormField("capacity", "Capacity", FieldKind.NUMBER, min_value=1, max_value=5, initial=1),
    FormField("remote", "Remote ok", FieldKind.CHECKBOX),
])


def inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in card["body"] if e["type"].startswith("Input.")}


def submit(card: dict[str, Any], **typed: Any) -> dict[str, Any]:
    """What Teams posts back: the submit action's data plus every input's current value."""
    data = dict(card["actions"][0]["data"])
    data.update({k: e.get("value", "") for k, e in inputs(card).items()})
    data.update(typed)
    return data


def event_for(**fields: Any) -> Any:
    return activity_to_event(activity_from_dict(activity("http://127.0.0.1:1/", **fields)))


def test_form_card_has_every_input_kind_prefilled() -> None:
    card = form_to_card(FORM)
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    fields = inputs(card)
    assert fields["role"]["type"] == "Input.ChoiceSet" and fields["role"]["isRequired"] is True
    assert fields["skills"]["isMultiSelect"] is True and fields["skills"]["value"] == "a"
    assert fields["goals"].items() >= {"type": "Input.Text", "isMultiline": True,
                                       "maxLength": 500, "placeholder": "Why?"}.items()
    assert fields["capacity"].items() >= {"type": "Input.Number", "min": 1, "max": 5,
                                          "value": 1}.items()
    assert fields["remote"]["type"] == "Input.Toggle"
    [action] = card["actions"]
    assert action["type"] == "Action.Submit"
    assert action["data"]["mb_form"] == "enroll" and action["data"]["mb_context"] == "42"


def test_submission_round_trip_splits_multi_select() -> None:
    card = form_to_card(FORM)
    value = submit(card, role="mentor", skills="a,c", goals="Grow", capacity="3", remote="true")
    event = event_for(value=value)
    assert isinstance(event, FormSubmission)
    assert event.form_id == "enroll" and event.context == "42"
    assert event.values == {"role": "mentor", "skills": ["a", "c"], "goals": "Grow",
                            "capacity": "3", "remote": "true"}
    assert event.actor.tenant_id == "tenant-1" and event.actor.user_id == "aad-ana"
    empty = event_for(value=submit(card, skills=""))
    assert empty.values["skills"] == []


def test_errors_keep_the_users_values_and_show_under_the_field() -> None:
    values = {"role": "mentee", "skills": [], "goals": "Grow", "capacity": "2"}
    card = form_to_card(FORM, values, {"skills": "Pick at least one."})
    fields = inputs(card)
    assert fields["role"]["value"] == "mentee" and fields["goals"]["value"] == "Grow"
    assert fields["capacity"]["value"] == 2 and "value" not in fields["skills"]
    body = card["body"]
    after = body[body.index(fields["skills"]) + 1]
    assert after["text"] == "Pick at least one." and after["color"] == "Attention"


def test_message_card_blocks_and_bold() -> None:
    message = Message("fallback", [
        Section("*Hello* there"), Fields(["*Role*\nMentee", "*Learning*\nX"]),
        Context(["tip"]), Divider(), Buttons([Button("Yes", "leave.confirm", "7", "danger")]),
        Select("join.pick", "Choose", [Option("1", "One")]),
    ])
    body = message_to_card(message)["body"]
    assert body[0]["text"] == "**Hello** there" and body[0]["wrap"] is True
    assert body[1]["facts"][0] == {"title": "Role", "value": "Mentee"}
    assert body[2]["isSubtle"] is True and body[3]["separator"] is True
    assert body[4]["actions"][0]["data"] == {"mb_action": "leave.confirm", "mb_value": "7"}
    assert body[5]["id"] == "mb_value" and body[6]["actions"][0]["data"] == {
        "mb_action": "join.pick"}
    assert to_teams("**x** and * y and *a b*") == "**x** and * y and **a b**"


def test_buttons_select_mentions_and_joins() -> None:
    click = event_for(value={"mb_action": "leave.confirm", "mb_value": "7"})
    assert click == ButtonAction(click.actor, "leave.confirm", "7")
    pick = event_for(value={"mb_action": "join.pick", "mb_value": "3"})
    assert isinstance(pick, ButtonAction) and pick.value == "3"
    said = event_for(text="<at>Mentorbot</at> mentor join", entities=[
        {"type": "mention", "text": "<at>Mentorbot</at>", "mentioned": BOT}])
    assert isinstance(said, CommandEvent) and said.text == "mentor join"
    joined = event_for(type="conversationUpdate", membersAdded=[BOT])
    assert isinstance(joined, MemberJoined)
    tenant_fallback = event_for(text="help", channelData={})
    assert tenant_fallback.actor.tenant_id == "tenant-1"


def test_commands_in_backticks_read_as_bold_in_teams() -> None:
    from adapters.teams.markdown import to_teams

    assert to_teams("Type `mentor join` or *help*") == "Type **mentor join** or **help**"


def test_a_csv_shows_inline_and_long_files_say_where_the_rest_is() -> None:
    from adapters.teams.cards import FILE_TEXT_LIMIT, file_to_card

    small = file_to_card("m.csv", "status,mentor\nmatched,Ana\n", "Matches")
    assert small["body"][1]["fontType"] == "Monospace"
    # One row a paragraph, or Teams runs the rows together.
    assert small["body"][1]["text"] == "status,mentor\n\nmatched,Ana"
    big_content = "status,mentor\n" + "matched,Ana Lima\n" * 3000
    big = file_to_card("m.csv", big_content)
    shown = big["body"][1]["text"]
    assert len(shown) <= FILE_TEXT_LIMIT and shown.endswith("matched,Ana Lima")
    assert "more rows" in big["body"][2]["text"] and "--csv" in big["body"][2]["text"]


def test_date_time_inputs_and_calendar_link() -> None:
    from datetime import date

    from adapters.teams.cards import calendar_url, form_to_card
    from core.relationships.forms import schedule_form

    card = form_to_card(schedule_form("7", date(2027, 3, 3)))
    types = {e["id"]: e["type"] for e in card["body"] if e.get("id")}
    assert types["day"] == "Input.Date" and types["at"] == "Input.Time"
    link = calendar_url("BEGIN:VEVENT\r\nDTSTART:20270304T153000Z\r\n"
                        "DTEND:20270304T161500Z\r\nSUMMARY:Mentoring\r\nEND:VEVENT\r\n")
    assert link is not None and "startdt=2027-03-04T15%3A30%3A00Z" in link
