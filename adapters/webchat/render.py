"""Neutral messages and forms as HTML fragments for the local web chat. Pure functions, in the
language being written (``mount`` draws each answer in the chatting person's)."""

from __future__ import annotations

import csv
import io
from html import escape
from typing import Any
from urllib.parse import quote

from core.i18n import format_number
from core.i18n import gettext as _
from core.ui import (
    Button,
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
from core.ui.markdown import Block as MdBlock
from core.ui.markdown import (
    Break,
    Code,
    CodeBlock,
    Em,
    Inline,
    Link,
    ListBlock,
    Paragraph,
    Strong,
    Text,
    parse,
)
from core.ui.words import count


def _anchor(url: str, label: str) -> str:
    return (f'<a href="{escape(url, quote=True)}" target="_blank" rel="noopener noreferrer">'
            f"{label}</a>")


def _inline(nodes: list[Inline]) -> str:
    out: list[str] = []
    for node in nodes:
        if isinstance(node, Text):
            out.append(escape(node.text))
        elif isinstance(node, Break):
            out.append("<br>")
        elif isinstance(node, Strong):
            out.append(f"<strong>{_inline(node.children)}</strong>")
        elif isinstance(node, Em):
            out.append(f"<em>{_inline(node.children)}</em>")
        elif isinstance(node, Code):
            out.append(f"<code>{escape(node.text)}</code>")
        elif isinstance(node, Link):
            # The parser lets through http(s) and mailto only: never "javascript:".
            out.append(_anchor(node.url, _inline(node.children)))
    return "".join(out)


def _blocks(blocks: list[MdBlock]) -> str:
    """Blocks in a row; a list is a block of its own, paragraphs are kept apart by line
    breaks (two for a blank line), so a chat bubble carries no paragraph margins."""
    out: list[str] = []
    before: MdBlock | None = None
    for block in blocks:
        if isinstance(block, Paragraph):
            if isinstance(before, Paragraph):
                out.append("<br><br>" if block.gap else "<br>")
            out.append(_inline(block.children))
        elif isinstance(block, ListBlock):
            tag = "ol" if block.ordered else "ul"
            start = f' start="{block.start}"' if block.ordered and block.start != 1 else ""
            items = "".join(f"<li>{_blocks(item)}</li>" for item in block.items)
            out.append(f"<{tag}{start}>{items}</{tag}>")
        elif isinstance(block, CodeBlock):
            out.append(f"<pre><code>{escape(block.text)}</code></pre>")
        before = block
    return "".join(out)


def markdown(text: str, *, links: bool = False) -> str:
    """Core's Markdown as HTML: every character people wrote is escaped, and only the tags made
    here are HTML. ``links`` draws ``[label](url)`` (admins' text only); bare addresses are
    always links."""
    return _blocks(parse(text, links=links).blocks)


def _button(b: Button) -> str:
    style = f" btn-{b.style}" if b.style else ""
    # Only web links open: a "javascript:" or "data:" address someone typed stays a label.
    if b.url and b.url.lower().startswith(("https://", "http://")):
        return (f'<a class="btn{style}" href="{escape(b.url)}" target="_blank" '
                f'rel="noopener noreferrer">{escape(b.label)}</a>')
    return (f'<button class="btn{style}" data-action="{escape(b.action_id)}" '
            f'data-value="{escape(b.value)}">{escape(b.label)}</button>')


def _block(block: Any) -> str:
    if isinstance(block, Section):
        return f'<div class="section">{markdown(block.text, links=block.links)}</div>'
    if isinstance(block, Fields):
        cells = "".join(f"<div>{markdown(i)}</div>" for i in block.items)
        return f'<div class="fields">{cells}</div>'
    if isinstance(block, Context):
        return f'<div class="context">{" · ".join(markdown(i) for i in block.items)}</div>'
    if isinstance(block, Divider):
        return "<hr>"
    if isinstance(block, Buttons):
        return f'<div class="buttons">{"".join(_button(b) for b in block.buttons)}</div>'
    if isinstance(block, Select):
        options = "".join(f'<option value="{escape(o.value)}">{escape(o.label)}</option>'
                          for o in block.options)
        return (f'<div class="buttons"><select data-select="{escape(block.action_id)}">'
                f'<option value="">{escape(block.placeholder)}…</option>{options}</select></div>')
    if isinstance(block, GroupChatLink):
        return f'<p class="context">{escape(block.label)}: {escape(", ".join(block.emails))}</p>'
    raise TypeError(f"unknown block {type(block).__name__}")


def message_html(message: Message) -> str:
    """A chat bubble for a message; the plain text stands in when there are no blocks."""
    body = ("".join(_block(b) for b in message.blocks)
            or f'<div class="section">{markdown(message.text)}</div>')
    if message.file is not None and message.file.is_image:
        f = message.file
        body += (f'<p><img class="chart" alt="{escape(f.filename)}" '
                 f'src="data:{escape(f.mime)};base64,{escape(f.content)}"></p>')
    elif message.file is not None:
        f = message.file
        href = f"data:{f.mime};charset=utf-8," + quote(f.content)
        body += (f'<p>📎 <a download="{escape(f.filename)}" href="{href}">'
                 f"{escape(f.filename)}</a></p>")
    return f'<div class="msg bot">{body}</div>'


_MIME = {"csv": "text/csv", "json": "application/json", "ics": "text/calendar"}


def file_html(filename: str, content: str, title: str = "") -> str:
    """A download link carrying the file itself, so nothing has to be stored for it; typed by
    its extension, with the rows counted for a CSV (records, not lines) and the size for others."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    href = f"data:{_MIME.get(ext, 'text/plain')};charset=utf-8," + quote(content)
    if ext == "csv":
        rows = max(sum(1 for _row in csv.reader(io.StringIO(content))) - 1, 0)
        size = count(rows, "row", "rows")
    else:
        kb = len(content.encode("utf-8")) / 1024
        size = _("{n} KB").format(n=format_number(round(kb))) if kb >= 1 else \
            count(len(content.encode("utf-8")), "byte", "bytes")
    return (f'<div class="msg bot"><p>📎 <a download="{escape(filename)}" href="{href}">'
            f'{escape(title or filename)}</a> <span class="context">({size})</span>'
            "</p></div>")


def _selected(field: FormField, value: Any) -> set[str]:
    if value is None:
        return set()
    return {str(v) for v in value} if isinstance(value, list) else {str(value)}


def _input(field: FormField, value: Any) -> str:
    name = escape(field.name)
    req = " required" if field.required else ""
    if field.kind is FieldKind.MULTI_SELECT:
        # Ticks read better than a ctrl-click list box; data-multi tells the page to collect a list.
        chosen = _selected(field, value)
        boxes = "".join(
            f'<label class="check"><input type="checkbox" data-multi name="{name}" '
            f'value="{escape(o.value)}"{" checked" if o.value in chosen else ""}>'
            f"{escape(o.label)}</label>" for o in field.options)
        return f'<div class="checks">{boxes}</div>'
    if field.kind is FieldKind.SINGLE_SELECT:
        chosen = _selected(field, value)
        options = "".join(
            f'<option value="{escape(o.value)}"{" selected" if o.value in chosen else ""}>'
            f"{escape(o.label)}</option>" for o in field.options)
        choose = escape(_("Choose…"))
        return f'<select name="{name}"{req}><option value="">{choose}</option>{options}</select>'
    if field.kind is FieldKind.LONG_TEXT:
        limit = f' maxlength="{field.max_length}"' if field.max_length else ""
        # No maxlength attribute enforcement client-side would hide the server's error; keep both.
        return (f'<textarea name="{name}" rows="3" placeholder="{escape(field.placeholder)}"'
                f'{limit}{req}>{escape(str(value or ""))}</textarea>')
    if field.kind is FieldKind.NUMBER:
        bounds = "".join(f' {k}="{v}"' for k, v in (("min", field.min_value),
                                                    ("max", field.max_value)) if v is not None)
        shown = "" if value is None else escape(str(value))
        return f'<input type="number" name="{name}" value="{shown}"{bounds}{req}>'
    if field.kind in (FieldKind.DATE, FieldKind.TIME):
        kind = "date" if field.kind is FieldKind.DATE else "time"
        shown = "" if value is None else escape(str(value))
        return f'<input type="{kind}" name="{name}" value="{shown}"{req}>'
    if field.kind is FieldKind.CHECKBOX:
        checked = " checked" if value in (True, "true", "on") else ""
        return f'<input type="checkbox" name="{name}"{checked}>'
    limit = f' maxlength="{field.max_length}"' if field.max_length else ""
    return (f'<input type="text" name="{name}" value="{escape(str(value or ""))}" '
            f'placeholder="{escape(field.placeholder)}"{limit}{req}>')


def form_html(form: Form, values: dict[str, Any] | None = None,
              errors: dict[str, str] | None = None) -> str:
    """An HTML form; re-rendered with the person's values and an error under each bad field."""
    values = values or {}
    errors = errors or {}
    rows = []
    for f in form.fields:
        value = values.get(f.name, f.initial)
        error = (f'<span class="error" role="alert">{escape(errors[f.name])}</span>'
                 if f.name in errors else "")
        hint = f'<small>{escape(f.hint)}</small>' if f.hint else ""
        star = " *" if f.required else ""
        # A div, not a label: a multi-select holds labels of its own and labels cannot nest.
        rows.append(f'<div class="field" data-field="{escape(f.name)}">'
                    f'<span class="label">{escape(f.label)}{star}</span>'
                    f"{_input(f, value)}{hint}{error}</div>")
    intro = f'<div class="section">{markdown(form.intro)}</div>' if form.intro else ""
    return (f'<form class="msg bot form" data-form-id="{escape(form.form_id)}" '
            f'data-context="{escape(form.context)}"><h3>{escape(form.title)}</h3>{intro}'
            f'{"".join(rows)}<button class="btn btn-primary" type="submit">'
            f"{escape(form.submit_label)}</button></form>")
