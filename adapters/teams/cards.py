"""Neutral messages and forms rendered as Adaptive Cards (plain dicts, schema 1.5)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from adapters.teams.markdown import escape_links, show_angles, text_blocks, to_teams
from core.ui import (
    Buttons,
    Context,
    Divider,
    FieldErrors,
    FieldKind,
    Fields,
    Form,
    FormField,
    GroupChatLink,
    Message,
    Section,
    Select,
)

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"

# Keys the card puts into Action.Submit data so a submission can be routed back to core.
FORM_KEY = "mb_form"
CONTEXT_KEY = "mb_context"
MULTI_KEY = "mb_multi"
ACTION_KEY = "mb_action"
VALUE_KEY = "mb_value"
OWNER_KEY = "mb_owner"


def _card(body: list[dict[str, Any]], actions: list[dict[str, Any]] | None = None,
          fallback: str = "") -> dict[str, Any]:
    card: dict[str, Any] = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION,
                            "body": body}
    if actions:
        card["actions"] = actions
    if fallback:
        card["fallbackText"] = fallback
    return card


def _text(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": to_teams(text), "wrap": True, **extra}


def _fields(items: list[str]) -> dict[str, Any]:
    # "*Title*\nvalue" items read best as a FactSet; anything else as a two-column grid.
    facts = [item.split("\n", 1) for item in items]
    if all(len(f) == 2 and f[0].startswith("*") and f[0].endswith("*") for f in facts):
        return {"type": "FactSet",
                "facts": [{"title": to_teams(f[0].strip("*")), "value": to_teams(f[1])}
                          for f in facts]}
    columns = [{"type": "Column", "width": "stretch", "items": [text_blocks(i)]}
               for i in items]
    return {"type": "ColumnSet", "columns": columns}


# Teams caps a message near 28 KB; leave room for the card around the text.
FILE_TEXT_LIMIT = 20_000


def file_to_card(filename: str, content: str, title: str = "") -> dict[str, Any]:
    """Bots cannot attach files in a personal chat without a consent flow: show the CSV inline."""
    # One row a paragraph: a single line break would run the rows together. Whole rows only,
    # up to the limit.
    rows: list[str] = []
    size = 0
    lines = content.splitlines()
    for line in lines:
        row = show_angles(escape_links(line))
        if size + len(row) + 2 > FILE_TEXT_LIMIT:
            break
        rows.append(row)
        size += len(row) + 2
    body = [_text(f"**{title or filename}**"),
            {"type": "TextBlock", "text": "\n\n".join(rows), "wrap": True,
             "fontType": "Monospace", "size": "Small"}]
    if len(rows) < len(lines):
        body.append(_text(f"…{len(lines) - len(rows)} more rows. For the whole file run "
                          "`mentorbot match` with `--csv`, or download it from the web chat.",
                          isSubtle=True))
    return _card(body, fallback=filename)


def _submit(title: str, data: dict[str, Any], style: str | None = None) -> dict[str, Any]:
    action: dict[str, Any] = {"type": "Action.Submit", "title": title, "data": data}
    if style == "primary":
        action["style"] = "positive"
    elif style == "danger":
        action["style"] = "destructive"
    return action


def _blocks(message: Message) -> list[dict[str, Any]]:
    body: list[dict[str, Any]] = []
    for block in message.blocks:
        if isinstance(block, Section):
            body.append(text_blocks(block.text, links=block.links))
        elif isinstance(block, Fields):
            body.append(_fields(block.items))
        elif isinstance(block, Context):
            body.append(_text(" · ".join(block.items), size="Small", isSubtle=True))
        elif isinstance(block, Divider):
            # An empty container is the only way to draw a line on its own.
            body.append({"type": "Container", "separator": True, "items": []})
        elif isinstance(block, Buttons):
            actions = [{"type": "Action.OpenUrl", "title": b.label, "url": b.url} if b.url
                       else _submit(b.label, {ACTION_KEY: b.action_id, VALUE_KEY: b.value},
                                    b.style)
                       for b in block.buttons]
            body.append({"type": "ActionSet", "actions": actions})
        elif isinstance(block, Select):
            body.append({"type": "Input.ChoiceSet", "id": VALUE_KEY, "style": "compact",
                         "placeholder": block.placeholder,
                         "choices": [{"title": o.label, "value": o.value} for o in block.options]})
            body.append({"type": "ActionSet",
                         "actions": [_submit("Choose", {ACTION_KEY: block.action_id})]})
        elif isinstance(block, GroupChatLink):
            body.append({"type": "ActionSet", "actions": [
                {"type": "Action.OpenUrl", "title": block.label,
                 "url": group_chat_url(block.emails, block.topic)}]})
    return body or [text_blocks(message.text)]


def group_chat_url(emails: list[str], topic: str = "") -> str:
    """Teams' deep link that opens a new group chat: bots cannot create one themselves."""
    query = {"users": ",".join(emails)}
    if topic:
        query["topicName"] = topic
    return "https://teams.microsoft.com/l/chat/0/0?" + urlencode(query, safe=",@")


def message_to_card(message: Message) -> dict[str, Any]:
    """Render a neutral message as an Adaptive Card."""
    body = _blocks(message)
    if message.file is not None and message.file.is_image:
        # Inline, as a data URI: Teams shows it without the bot hosting anything public.
        body.append({"type": "Image", "url": f"data:{message.file.mime};base64,"
                     f"{message.file.content}", "altText": message.file.filename,
                     "size": "Stretch"})
    elif message.file is not None and message.file.mime == "text/calendar":
        link = calendar_url(message.file.content)
        if link:
            # A bot can't attach the .ics in a personal chat; Outlook's compose link adds it.
            body.append({"type": "ActionSet", "actions": [
                {"type": "Action.OpenUrl", "title": message.file.label or "📅", "url": link}]})
    return _card(body, fallback=message.text)


def calendar_url(ics: str) -> str | None:
    """Outlook's deep link that opens a new event with the invite's subject and times."""
    fields = dict(line.split(":", 1) for line in ics.splitlines() if ":" in line)
    try:
        start = datetime.strptime(fields["DTSTART"], "%Y%m%dT%H%M%SZ")
        end = datetime.strptime(fields["DTEND"], "%Y%m%dT%H%M%SZ")
    except (KeyError, ValueError):
        return None
    query = {"subject": fields.get("SUMMARY", "Mentoring").replace("\\,", ","),
             "startdt": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
             "enddt": end.strftime("%Y-%m-%dT%H:%M:%SZ")}
    return "https://outlook.office.com/calendar/0/deeplink/compose?" + urlencode(query)


def _initial(f: FormField, values: dict[str, Any] | None) -> Any:
    if values is not None and f.name in values:
        return values[f.name]
    return f.initial


def _as_card_value(f: FormField, value: Any) -> str | None:
    if value is None:
        return None
    if f.kind is FieldKind.MULTI_SELECT:
        items = [value] if isinstance(value, str) else list(value)
        return ",".join(str(v) for v in items if str(v))
    if f.kind is FieldKind.CHECKBOX:
        return "true" if value in (True, "true", "on", "1", 1) else "false"
    return str(value)


def _input(f: FormField, value: Any) -> dict[str, Any]:
    element: dict[str, Any] = {"id": f.name, "label": f.label, "isRequired": f.required}
    if f.required:
        # Teams blocks the submit of an empty required input and shows this under it.
        element["errorMessage"] = f.missing
    if f.kind in (FieldKind.SINGLE_SELECT, FieldKind.MULTI_SELECT):
        element.update(type="Input.ChoiceSet", style="compact",
                       choices=[{"title": o.label, "value": o.value} for o in f.options])
        if f.kind is FieldKind.MULTI_SELECT:
            element["isMultiSelect"] = True
    elif f.kind is FieldKind.NUMBER:
        element["type"] = "Input.Number"
        if f.min_value is not None:
            element["min"] = f.min_value
        if f.max_value is not None:
            element["max"] = f.max_value
    elif f.kind is FieldKind.CHECKBOX:
        element.update(type="Input.Toggle", title=f.label, valueOn="true", valueOff="false")
    elif f.kind is FieldKind.DATE:
        element["type"] = "Input.Date"  # submits YYYY-MM-DD
    elif f.kind is FieldKind.TIME:
        element["type"] = "Input.Time"  # submits HH:MM
    else:
        element["type"] = "Input.Text"
        if f.kind is FieldKind.LONG_TEXT:
            element["isMultiline"] = True
        if f.max_length is not None:
            element["maxLength"] = f.max_length
    if f.placeholder and element["type"] != "Input.Toggle":
        element["placeholder"] = f.placeholder
    card_value = _as_card_value(f, value)
    if card_value is None or card_value == "":
        return element
    if f.kind is FieldKind.NUMBER:
        # Input.Number only takes a number; a rejected non-number is simply shown empty.
        digits = card_value.lstrip("-")
        if digits.isascii() and digits.isdigit() and len(digits) <= 15:
            element["value"] = int(card_value)
    else:
        element["value"] = card_value
    return element


def form_to_card(form: Form, values: dict[str, Any] | None = None,
                 errors: FieldErrors | None = None) -> dict[str, Any]:
    """Render a form as an Adaptive Card, prefilled, with errors under their fields."""
    errors = errors or {}
    body: list[dict[str, Any]] = [_text(form.title, size="Large", weight="Bolder")]
    if form.intro:
        body.append(_text(form.intro))
    for f in form.fields:
        body.append(_input(f, _initial(f, values)))
        if f.hint and f.name not in errors:
            body.append(_text(f.hint, size="Small", isSubtle=True, spacing="None"))
        if f.name in errors:
            body.append(_text(errors[f.name], color="Attention", size="Small", spacing="None"))
    multi = [f.name for f in form.fields if f.kind is FieldKind.MULTI_SELECT]
    data: dict[str, Any] = {FORM_KEY: form.form_id, CONTEXT_KEY: form.context,
                            OWNER_KEY: form.owner}
    if multi:
        data[MULTI_KEY] = ",".join(multi)
    return _card(body, [_submit(form.submit_label, data, "primary")], fallback=form.title)
