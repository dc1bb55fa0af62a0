"""Cards that read well in Teams: line breaks hold, lists stay lists, ``<placeholders>`` show,
commands read as Teams people type them, required inputs say what's missing, and the meeting
confirmation says what Teams really offers (an Outlook link, not an attachment)."""

from __future__ import annotations

from typing import Any

from adapters.teams.cards import file_to_card, form_to_card, message_to_card
from core import i18n
from core.help import help_message
from core.mentorbot import Mentorbot
from core.relationships.texts import calendar_button, schedule_confirmation
from core.ui import FieldKind, FileAttachment, Form, FormField, Message, Option, Section


def texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["text"]] if node.get("type") == "TextBlock" else []
        return own + [t for v in node.values() for t in texts(v)]
    if isinstance(node, list):
        return [t for v in node for t in texts(v)]
    return []


def test_each_line_of_a_section_is_its_own_line() -> None:
    card = message_to_card(Message("x", [Section("Your matches:\nline two\n• Ana\n• Ben\n\n"
                                                 "That's all.")]))
    [container] = card["body"]
    assert container["type"] == "Container"
    # A list is one TextBlock in Teams' own list syntax (one item a line, nothing before it).
    assert [b["text"] for b in container["items"]] == ["Your matches:", "line two",
                                                       "- Ana\n- Ben", "That's all."]
    assert [b.get("spacing") for b in container["items"]] == [None, "None", "None", "Medium"]


def test_help_shows_placeholders_and_teams_commands(sessions) -> None:  # type: ignore[no-untyped-def]
    routes = Mentorbot(sessions).routes
    shown = "\n".join(texts(message_to_card(help_message("slack", routes))))
    # Core wrote "/mentor pause <weeks>"; Teams gets "mentor pause &lt;weeks&gt;" (shows <weeks>).
    assert "mentor pause &lt;weeks&gt;" in shown
    assert "/mentor" not in shown and "<weeks>" not in shown
    # Every help line stays its own line.
    assert sum("**mentor " in t for t in texts(message_to_card(help_message("teams", routes)))) \
        >= len(routes.help_commands())


def _join_form() -> Form:
    return Form("f", "Join", [
        FormField("role", "Role", FieldKind.SINGLE_SELECT, required=True,
                  options=[Option("Mentor", "mentor")]),
        FormField("skills", "Skills", FieldKind.MULTI_SELECT, required=True,
                  options=[Option("Coaching", "coaching")]),
        FormField("goals", "Goals", FieldKind.LONG_TEXT, required=True),
        FormField("notes", "Notes", FieldKind.SHORT_TEXT)])


def test_required_inputs_carry_an_error_message_in_the_reader_s_language() -> None:
    inputs = {e["id"]: e for e in form_to_card(_join_form())["body"]
              if e["type"].startswith("Input.")}
    # The words core's own validation uses, so Teams and the server say the same thing.
    assert inputs["role"]["errorMessage"] == "This is required."
    assert inputs["skills"]["errorMessage"] == "Please choose at least one."
    assert inputs["goals"]["errorMessage"] == "This is required."
    assert "errorMessage" not in inputs["notes"]
    with i18n.reading("de"):
        form = _join_form()  # core makes its forms inside the reader's language
    german = {e["id"]: e for e in form_to_card(form)["body"] if e["type"].startswith("Input.")}
    assert german["goals"]["errorMessage"] == i18n.translations("de").gettext("This is required.")
    assert german["goals"]["errorMessage"] != "This is required."


def test_a_csv_keeps_one_row_per_line() -> None:
    card = file_to_card("m.csv", "mentor,mentee\nAna,Ben\nCy,<Dee>\n")
    assert card["body"][1]["text"] == "mentor,mentee\n\nAna,Ben\n\nCy,&lt;Dee&gt;"


def test_the_meeting_confirmation_says_what_teams_does_with_the_invite() -> None:
    class Program:
        name = "Leadership"

    ics = ("BEGIN:VCALENDAR\nDTSTART:20270301T100000Z\nDTEND:20270301T103000Z\n"
           "SUMMARY:Mentoring\nEND:VCALENDAR")
    for lang in ("en", "de"):
        with i18n.reading(lang):  # the text names the button the card shows, in one language
            text = schedule_confirmation(Program(), "Monday", "Ben", "teams")  # type: ignore[arg-type]
            button = calendar_button()
        assert "attached" not in text.text and f"*{button}*" in text.text
        card = message_to_card(Message(text.text, text.blocks,
                                       FileAttachment("m.ics", ics, "text/calendar", button)))
        [link] = [a for b in card["body"] if b["type"] == "ActionSet" for a in b["actions"]]
        assert link["title"] == button and "outlook.office.com" in link["url"]
    assert button == "Zum Kalender hinzufügen"
    assert "attached" in schedule_confirmation(Program(), "Monday", "Ben", "slack").text  # type: ignore[arg-type]
