"""Core's Markdown (parsed by :mod:`core.ui.markdown`) as Adaptive Card TextBlock Markdown.

A TextBlock knows **bold**, _italic_, "- " and "1. " lists (items one a line) and
[links](url); nothing else (no code, no headings, no HTML). Its renderer joins single lines into
one paragraph, so each line of a paragraph becomes its own TextBlock (a Container holds them)
and a list is one TextBlock of its own. `code` reads as bold.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from core.ui.markdown import (
    Block,
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
    plain,
)

# Teams' renderer drops anything that looks like an HTML tag, so "<program>" in the help
# vanished; as entities the placeholders show as typed.
_ANGLE = str.maketrans({"<": "&lt;", ">": "&gt;"})
# ...which also means an entity typed as text ("&amp;") would show as the character it names.
_ENTITY = re.compile(r"&(?=#?\w+;)")
# Teams has no slash commands: people type "mentor join", and core's texts say "/mentor join".
_SLASH = re.compile(r"(?<![\w/])/mentor\b")

# People's words might hold Markdown link syntax ("[Teams: re-verify](https://evil)"), and a
# TextBlock would draw it as a disguised link in the bot's voice. A zero-width space between
# "]" and "(" keeps every character visible but stops it being a link. Bare URLs stay bare
# (Teams shows them as they are).
_LINK = re.compile(r"\]\s*\(")
_REFERENCE = re.compile(r"\]\s*\[")
_ZWSP = "\u200b"


def escape_links(text: str) -> str:
    """Make Markdown link syntax in ``text`` inert, visibly unchanged."""
    text = _LINK.sub(lambda m: m.group(0)[:-1] + _ZWSP + "(", text)
    return _REFERENCE.sub(lambda m: m.group(0)[:-1] + _ZWSP + "[", text)


def show_angles(text: str) -> str:
    """Angle brackets as entities, so a TextBlock shows them instead of dropping a "tag"."""
    return text.translate(_ANGLE)


def _escape(text: str) -> str:
    return _SLASH.sub("mentor", show_angles(escape_links(_ENTITY.sub("&amp;", text))))


def _url(url: str) -> str:
    # A ")" or a space would end the link early; the parser already encoded "<", ">" and "|".
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")


def _inline(nodes: list[Inline], bold: bool = False, italic: bool = False) -> str:
    out: list[str] = []
    for node in nodes:
        if isinstance(node, Text):
            out.append(_escape(node.text))
        elif isinstance(node, Break):
            out.append("\n")
        elif isinstance(node, Strong):
            inner = _inline(node.children, True, italic)
            out.append(inner if bold else f"**{inner}**")
        elif isinstance(node, Em):
            inner = _inline(node.children, bold, True)
            out.append(inner if italic else f"_{inner}_")
        elif isinstance(node, Code):
            # TextBlocks have no inline code: backticks would show as typed.
            inner = _escape(node.text)
            out.append(inner if bold else f"**{inner}**")
        elif isinstance(node, Link) and node.bare:
            out.append(_escape(plain(node.children)))
        elif isinstance(node, Link):
            label = show_angles(plain(node.children)).replace("[", "(").replace("]", ")")
            out.append(f"[{label}]({_url(node.url)})")
    return "".join(out)


def _lines(nodes: list[Inline]) -> list[list[Inline]]:
    """Inline content cut at its line breaks; bold or a link spanning one is closed before it
    and opened again after, so each line is well-formed on its own."""
    lines: list[list[Inline]] = [[]]
    for node in nodes:
        if isinstance(node, Break):
            lines.append([])
        elif isinstance(node, Strong | Em | Link):
            parts = _lines(node.children)
            lines[-1].append(replace(node, children=parts[0]))
            lines.extend([replace(node, children=p)] for p in parts[1:])
        else:
            lines[-1].append(node)
    return lines


def _list(block: ListBlock, indent: str = "") -> str:
    rows: list[str] = []
    for n, item in enumerate(block.items, start=block.start):
        marker = f"{n}. " if block.ordered else "- "
        inner = indent + " " * len(marker)
        parts: list[str] = []
        for b in item:
            if isinstance(b, ListBlock):
                parts.append("\n" + _list(b, inner))
            elif isinstance(b, Paragraph):
                # Within a list a single line break is a new item; "\n\n" stays in the item.
                lines = [_inline(line) for line in _lines(b.children)]
                parts.append(("\n\n" + inner).join(lines))
            elif isinstance(b, CodeBlock):
                parts.append(_escape(b.text).replace("\n", "\n\n" + inner))
        rows.append(indent + marker + "".join(parts))
    return "\n".join(rows)


def _texts(block: Block) -> list[tuple[str, dict[str, Any]]]:
    """The TextBlocks (text, extra properties) one block becomes."""
    if isinstance(block, Paragraph):
        return [(_inline(line), {}) for line in _lines(block.children)]
    if isinstance(block, ListBlock):
        return [(_list(block), {})]
    if isinstance(block, CodeBlock):
        return [(_escape(block.text).replace("\n", "\n\n"), {"fontType": "Monospace"})]
    raise TypeError(type(block).__name__)


def text_blocks(text: str, *, links: bool = False, **extra: Any) -> dict[str, Any]:
    """Core's Markdown as one TextBlock, or a Container of them when it has several lines:
    each line its own, a list one block, a blank line a gap. ``links`` draws
    ``[label](url)`` (admins' text only); ``extra`` goes on every TextBlock."""
    items: list[dict[str, Any]] = []
    for block in parse(text, links=links).blocks:
        for i, (shown, own) in enumerate(_texts(block)):
            item = {"type": "TextBlock", "text": shown, "wrap": True, **extra, **own}
            if items:
                item["spacing"] = "Medium" if block.gap and i == 0 else "None"
            items.append(item)
    if len(items) == 1:
        return items[0]
    return {"type": "Container", "items": items or [
        {"type": "TextBlock", "text": "", "wrap": True, **extra}]}


def to_teams(text: str, *, links: bool = False) -> str:
    """Core's Markdown as the text of a single TextBlock (a fact, a hint): bold in two stars,
    `code` as bold, the command as Teams people type it, angle brackets kept visible, lines
    kept apart by blank lines (a single break would join them)."""
    out: list[str] = []
    for block in parse(text, links=links).blocks:
        out.extend(shown for shown, _ in _texts(block))
    return "\n\n".join(out)
