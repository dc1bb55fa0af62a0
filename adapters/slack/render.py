"""Neutral messages and forms -> Block Kit, built via slack_sdk models so bad blocks fail here."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    DatePickerElement,
    DividerBlock,
    InputBlock,
    InputInteractiveElement,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from adapters.slack.mrkdwn import escape_mrkdwn, to_mrkdwn
from core.events import FormErrors
from core.ui import (
    Buttons,
    Context,
    Divider,
    FieldKind,
    Fields,
    Form,
    FormField,
    GroupChatLink,
    Message,
    Section,
    Select,
)
from core.ui import Option as NeutralOption

# Block Kit limits; exceeding any of them makes Slack reject the whole message or view.
SECTION_TEXT_MAX = 3000
FIELD_TEXT_MAX = 2000
FIELDS_MAX = 10
CONTEXT_ELEMENTS_MAX = 10
ACTIONS_ELEMENTS_MAX = 25
BUTTON_TEXT_MAX = 75
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
OPTIONS_MAX = 100
PLACEHOLDER_MAX = 150
LABEL_MAX = 2000
TITLE_MAX = 24
BLOCKS_MAX = 50
TEXT_INPUT_MAX = 3000
SUFFIX = "#"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _mrkdwn(text: str, limit: int, links: bool = False) -> str:
    """Core's Markdown as mrkdwn (people's words escaped), within ``limit`` characters: the
    source is shortened until its rendering fits, so no entity or link is cut in half."""
    text = text if len(text) <= 2 * limit else text[: 2 * limit]  # bounds the parsing
    rendered = to_mrkdwn(text, links=links)
    while len(rendered) > limit:
        text = text[: max(0, len(text) - (len(rendered) - limit) - 1)]
        rendered = to_mrkdwn(text + "…", links=links)
    return rendered


def fallback_text(message: Message) -> str:
    """The message's plain ``text`` (notifications, screen readers), rendered the same way."""
    return to_mrkdwn(message.text)


def unique_action_ids(action_ids: list[str]) -> list[str]:
    """Suffix repeats (``a``, ``a#1``, ``a#2``) because Slack wants unique ids per block."""
    seen: dict[str, int] = {}
    out = []
    for action_id in action_ids:
        count = seen.get(action_id, 0)
        seen[action_id] = count + 1
        out.append(action_id if count == 0 else f"{action_id}{SUFFIX}{count}")
    return out


def strip_action_suffix(action_id: str) -> str:
    """Undo :func:`unique_action_ids`."""
    base, sep, tail = action_id.rpartition(SUFFIX)
    return base if sep and tail.isdigit() and base else action_id


def _option(option: NeutralOption) -> Option:
    return Option(value=option.value[:OPTION_VALUE_MAX], label=_clip(option.label, OPTION_TEXT_MAX))


def _buttons(block: Buttons) -> ActionsBlock:
    buttons = block.buttons[:ACTIONS_ELEMENTS_MAX]
    ids = unique_action_ids([b.action_id for b in buttons])
    return ActionsBlock(elements=[
        ButtonElement(text=_clip(b.label, BUTTON_TEXT_MAX), action_id=action_id,
                      value=b.value or None, style=b.style, url=b.url or None)
        for b, action_id in zip(buttons, ids, strict=True)
    ])


def _block(block: Any) -> Block | None:
    if isinstance(block, Section):
        if not block.text.strip():
            return None
        return SectionBlock(text=MarkdownTextObject(
            text=_mrkdwn(block.text, SECTION_TEXT_MAX, block.links)))
    if isinstance(block, Fields):
        items = [MarkdownTextObject(text=_mrkdwn(i, FIELD_TEXT_MAX)) for i in block.items if i]
        return SectionBlock(fields=items[:FIELDS_MAX]) if items else None
    if isinstance(block, Context):
        items = [MarkdownTextObject(text=_mrkdwn(i, FIELD_TEXT_MAX)) for i in block.items if i]
        return ContextBlock(elements=items[:CONTEXT_ELEMENTS_MAX]) if items else None
    if isinstance(block, Divider):
        return DividerBlock()
    if isinstance(block, Buttons):
        return _buttons(block) if block.buttons else None
    if isinstance(block, Select):
        if not block.options:
            return None
        return ActionsBlock(elements=[StaticSelectElement(
            action_id=block.action_id,
            placeholder=_clip(block.placeholder, PLACEHOLDER_MAX) or None,
            options=[_option(o) for o in block.options[:OPTIONS_MAX]],
        )])
    if isinstance(block, GroupChatLink):
        return None  # in Slack the group message already lands in a group DM
    raise TypeError(f"unknown block {type(block).__name__}")


def message_to_blocks(message: Message) -> list[dict[str, Any]]:
    """A neutral message -> Block Kit blocks (validated)."""
    blocks = [b for b in (_block(x) for x in message.blocks) if b is not None]
    return [b.to_dict() for b in blocks[:BLOCKS_MAX]]


def _placeholder(f: FormField) -> PlainTextObject | None:
    return PlainTextObject(text=_clip(f.placeholder, PLACEHOLDER_MAX)) if f.placeholder else None


def _element(f: FormField) -> InputInteractiveElement:
    options = [_option(o) for o in f.options[:OPTIONS_MAX]]
    by_value = {o.value: o for o in options}
    if f.kind is FieldKind.SINGLE_SELECT:
        return StaticSelectElement(action_id=f.name, placeholder=_placeholder(f), options=options,
                                   initial_option=by_value.get(str(f.initial)))
    if f.kind is FieldKind.MULTI_SELECT:
        initial = [by_value[v] for v in (f.initial or []) if v in by_value]
        return StaticMultiSelectElement(action_id=f.name, placeholder=_placeholder(f),
                                        options=options, initial_options=initial or None)
    if f.kind is FieldKind.NUMBER:
        return NumberInputElement(
            action_id=f.name, is_decimal_allowed=False, placeholder=_placeholder(f),
            initial_value=None if f.initial is None else str(f.initial),
            min_value=None if f.min_value is None else str(f.min_value),
            max_value=None if f.max_value is None else str(f.max_value))
    if f.kind is FieldKind.DATE:
        return DatePickerElement(action_id=f.name, placeholder=_placeholder(f),
                                 initial_date=None if f.initial is None else str(f.initial)[:10])
    if f.kind is FieldKind.TIME:
        return TimePickerElement(action_id=f.name, placeholder=_placeholder(f),
                                 initial_time=None if f.initial is None else str(f.initial)[:5])
    if f.kind is FieldKind.CHECKBOX:
        box = Option(value="true", label=_clip(f.label, OPTION_TEXT_MAX))
        return CheckboxesElement(action_id=f.name, options=[box],
                                 initial_options=[box] if f.initial else None)
    max_length = min(f.max_length or TEXT_INPUT_MAX, TEXT_INPUT_MAX)
    return PlainTextInputElement(
        action_id=f.name, placeholder=_placeholder(f), max_length=max_length,
        multiline=f.kind is FieldKind.LONG_TEXT or None,
        initial_value=None if f.initial is None else str(f.initial)[:max_length])


def _input(f: FormField, error: str | None) -> list[Block]:
    block: list[Block] = [InputBlock(
        block_id=f.name, label=_clip(f.label, LABEL_MAX), element=_element(f),
        optional=not f.required, hint=_clip(f.hint, LABEL_MAX) if f.hint else None)]
    if error:
        block.append(ContextBlock(elements=[
            MarkdownTextObject(text=f":warning: {escape_mrkdwn(error)}")]))
    return block


def form_to_view(form: Form, errors: dict[str, str] | None = None) -> dict[str, Any]:
    """A neutral form -> a Slack modal; ``errors`` are shown under their fields."""
    errors = errors or {}
    blocks: list[Block] = []
    if form.intro:
        blocks.append(SectionBlock(text=MarkdownTextObject(
            text=_mrkdwn(form.intro, SECTION_TEXT_MAX))))
    for f in form.fields:
        blocks.extend(_input(f, errors.get(f.name)))
    view = View(type="modal", callback_id=form.form_id, private_metadata=form.context,
                title=_clip(form.title, TITLE_MAX),
                submit=_clip(form.submit_label, TITLE_MAX), close="Cancel",
                blocks=blocks[:BLOCKS_MAX])
    return view.to_dict()


def errors_to_ack(errors: FormErrors) -> dict[str, Any]:
    """FormErrors -> the body of a view_submission ack that keeps the modal open."""
    return {"response_action": "errors", "errors": dict(errors.errors)}


def reply_view(message: Message, title: str = "Mentorbot") -> dict[str, Any]:
    """A plain modal that shows a message, for replies to a submitted form."""
    blocks = message_to_blocks(message) or [
        SectionBlock(text=MarkdownTextObject(text=_mrkdwn(message.text or " ", SECTION_TEXT_MAX)))
        .to_dict()]
    return View(type="modal", title=_clip(title, TITLE_MAX), close="Close",
                blocks=blocks).to_dict()


def home_view(message: Message) -> dict[str, Any]:
    """The App Home tab showing ``message``."""
    blocks = message_to_blocks(message) or [
        SectionBlock(text=MarkdownTextObject(text=_mrkdwn(message.text or " ", SECTION_TEXT_MAX)))
        .to_dict()]
    return View(type="home", blocks=blocks).to_dict()
