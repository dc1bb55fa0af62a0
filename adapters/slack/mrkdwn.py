"""Core's Markdown (parsed by :mod:`core.ui.markdown`) as Slack mrkdwn.

*bold*, _italic_, `code`, ``<url|label>`` links, "• " / "1. " list lines (nested ones indented),
``` fenced code. Every character people wrote is escaped (``& < >``), so their words never turn
into ``<!channel>``, a mention or a disguised ``<https://evil|label>`` link in the bot's voice.
"""

from __future__ import annotations

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

_BULLETS = ("•", "◦", "▪")
_INDENT = "    "  # one level of nesting; Slack keeps leading spaces


def escape_mrkdwn(text: str) -> str:
    """Make text inert in Slack mrkdwn: ``&``, ``<`` and ``>`` as Slack's entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _url(url: str) -> str:
    # The parser percent-encodes "|" and ">"; the entities keep "&" in a query intact.
    return escape_mrkdwn(url).replace("|", "%7C")


def _inline(nodes: list[Inline], bold: bool = False, italic: bool = False) -> str:
    out: list[str] = []
    for node in nodes:
        if isinstance(node, Text):
            out.append(escape_mrkdwn(node.text))
        elif isinstance(node, Break):
            out.append("\n")
        elif isinstance(node, Strong):
            inner = _inline(node.children, True, italic)
            out.append(inner if bold else f"*{inner}*")
        elif isinstance(node, Em):
            inner = _inline(node.children, bold, True)
            out.append(inner if italic else f"_{inner}_")
        elif isinstance(node, Code):
            out.append(f"`{escape_mrkdwn(node.text)}`")
        elif isinstance(node, Link) and node.bare:
            out.append(escape_mrkdwn(plain(node.children)))  # Slack links it as typed
        elif isinstance(node, Link):
            label = escape_mrkdwn(plain(node.children).replace("\n", " "))
            out.append(f"<{_url(node.url)}|{label}>")
    return "".join(out)


def _list(block: ListBlock, depth: int) -> str:
    lines: list[str] = []
    pad = _INDENT * depth
    for n, item in enumerate(block.items, start=block.start):
        marker = f"{n}." if block.ordered else _BULLETS[min(depth, len(_BULLETS) - 1)]
        head = item[0] if item and isinstance(item[0], Paragraph) else None
        rest = item[1:] if head else item
        text = _inline(head.children) if head else ""
        # A line break inside an item continues under the item's text, not at the margin.
        lines.append(f"{pad}{marker} " + text.replace("\n", "\n" + pad + " " * (len(marker) + 1)))
        lines.extend(_block(b, depth + 1) for b in rest)
    return "\n".join(lines)


def _block(block: Block, depth: int = 0) -> str:
    if isinstance(block, Paragraph):
        return _INDENT * depth + _inline(block.children)
    if isinstance(block, ListBlock):
        return _list(block, depth)
    if isinstance(block, CodeBlock):
        return f"```\n{escape_mrkdwn(block.text)}\n```"
    raise TypeError(type(block).__name__)


def to_mrkdwn(text: str, *, links: bool = False) -> str:
    """Core's Markdown as Slack mrkdwn; ``links`` draws ``[label](url)`` (admins' text only)."""
    out: list[str] = []
    for block in parse(text, links=links).blocks:
        if out:
            out.append("\n\n" if block.gap else "\n")
        out.append(_block(block))
    return "".join(out)
