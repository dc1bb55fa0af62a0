"""Core's Markdown dialect, parsed once (markdown-it-py) into a small tree every adapter renders.

The dialect is chat Markdown: CommonMark's lists, ``**bold**``, ``_italic_``, `` `code` ``,
fenced code and ``[links](https://…)``, read the way people write in chat:

* a single ``*star*`` is bold, as Slack writes it (core's own texts use it);
* every line break holds (no joining lines into one paragraph), and a line that is not a list
  item ends the list above it, instead of being glued to its last item;
* ``• `` starts a bullet like ``- ``;
* bare ``http(s)://`` and ``mailto:`` addresses are links, and no other scheme ever is
  (``javascript:`` stays text);
* ``[label](url)`` links are drawn only with ``links=True``: for text an admin wrote (an
  announcement). In people's words (goals, names) a label could disguise where a link goes, in
  the bot's voice, so there it stays text and only the bare address is a link;
* no raw HTML, no entities, no headings beyond "bold line", no tables or images.

Renderers (Slack mrkdwn, Teams Adaptive Card Markdown, web chat HTML) live in their adapters and
walk the tree; each escapes every :class:`Text` for its own platform.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

# --- the tree ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """Characters exactly as written; every renderer escapes them."""

    text: str


@dataclass(frozen=True)
class Break:
    """A line break inside a paragraph or list item."""


@dataclass(frozen=True)
class Strong:
    children: list[Inline]


@dataclass(frozen=True)
class Em:
    children: list[Inline]


@dataclass(frozen=True)
class Code:
    text: str


@dataclass(frozen=True)
class Link:
    """A link to ``url`` (http, https or mailto only). ``bare`` when the text is the address
    itself as typed, so nothing about it can mislead."""

    url: str
    children: list[Inline]
    bare: bool = False


Inline = Text | Break | Strong | Em | Code | Link


@dataclass(frozen=True)
class Paragraph:
    """Inline content; ``gap`` when a blank line stood before it (paragraph spacing)."""

    children: list[Inline]
    gap: bool = False


@dataclass(frozen=True)
class ListBlock:
    """A bullet or numbered list; each item is a list of blocks (text, then nested lists)."""

    items: list[list[Block]]
    ordered: bool = False
    start: int = 1
    gap: bool = False


@dataclass(frozen=True)
class CodeBlock:
    text: str
    gap: bool = False


Block = Paragraph | ListBlock | CodeBlock


@dataclass(frozen=True)
class Document:
    blocks: list[Block] = field(default_factory=list)


# --- parsing -------------------------------------------------------------------------------

SCHEMES = ("http://", "https://", "mailto:")
_BLOCK_RULES = ["list", "fence", "heading"]
# No "autolink": "<https://x|label>" keeps its brackets as typed, and linkify finds the address.
_INLINE_RULES = ["newline", "escape", "backticks", "emphasis", "linkify"]
_MARKER = re.compile(r"^\s*(?:[-*+•]|\d{1,9}[.)])(?:[ \t]|$)")
_BULLET = re.compile(r"^(\s*)•(?=[ \t])", re.MULTILINE)
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")


def _allowed(url: str) -> bool:
    return url.strip().lower().startswith(SCHEMES)


# One parser pair per thread: linkify-it keeps the last text it scanned and its matches on the
# instance, so two threads sharing one could each take the other's link positions.
_local = threading.local()


def _parser(links: bool) -> MarkdownIt:
    cache: dict[bool, MarkdownIt] = _local.__dict__.setdefault("parsers", {})
    if links not in cache:
        cache[links] = _new_parser(links)
    return cache[links]


def _new_parser(links: bool) -> MarkdownIt:
    md = MarkdownIt("zero", {"breaks": True, "linkify": True})
    md.enable(_BLOCK_RULES).enable(_INLINE_RULES + (["link"] if links else []))
    md.enable("text_join")
    # Addresses with a scheme only: "example.com" in a sentence stays a word.
    md.linkify.set({"fuzzy_link": False, "fuzzy_email": False, "fuzzy_ip": False})
    md.validateLink = _allowed  # type: ignore[method-assign]
    return md


def _chat_lines(text: str) -> tuple[str, set[int]]:
    """Chat habits as CommonMark: "• " bullets become "- ", and a blank line goes between a
    list item and an unindented line after it (CommonMark would continue the item). Returns
    the text and the numbers of the lines added, so they don't count as the writer's gaps."""
    out: list[str] = []
    added: set[int] = set()
    in_list = in_fence = False
    for line in _BULLET.sub(r"\1-", text.replace("\r\n", "\n").replace("\r", "\n")).split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence:
            if not line.strip():
                in_list = False
            elif _MARKER.match(line):
                in_list = True
            elif in_list and not line[0].isspace():
                added.add(len(out))
                out.append("")
                in_list = False
        out.append(line)
    return "\n".join(out), added


# Deeper emphasis than this is flattened: 1,500 nested "*" would otherwise nest as deep.
MAX_INLINE_DEPTH = 8


def parse(text: str, *, links: bool = False) -> Document:
    """Parse core's dialect into a :class:`Document`; ``links`` draws ``[label](url)`` links
    (only for text an admin wrote). One pass over markdown-it's token stream, with explicit
    stacks, so no input can nest the tree deeper than the parser's own limit."""
    source, added = _chat_lines(text)
    tokens = _parser(links).parse(source)
    return Document(_blocks(tokens, _Source(source.split("\n"), added)))


@dataclass(frozen=True)
class _Source:
    lines: list[str]
    added: set[int]

    def gap_before(self, token: Token) -> bool:
        """A blank line the writer typed just above ``token``'s block (a list's own span takes
        in the blank lines after it, so the lines are read, not the spans compared)."""
        n = (token.map[0] if token.map else 0) - 1
        while n >= 0 and not self.lines[n].strip():
            if n not in self.added:
                return True
            n -= 1
        return False


def _blocks(tokens: list[Token], source: _Source) -> list[Block]:
    root: list[Block] = []
    # Open lists and items, innermost last: ("list", ListBlock-in-making) or ("item", blocks).
    stack: list[tuple[str, list[Any]]] = []
    lists: list[Token] = []
    opened: Token | None = None

    def here() -> list[Any]:
        return stack[-1][1] if stack else root

    for tok in tokens:
        kind = tok.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists.append(tok)
            stack.append(("list", []))
        elif kind == "list_item_open":
            stack.append(("item", []))
        elif kind == "list_item_close":
            item = stack.pop()[1]
            here().append(item)
        elif kind in ("bullet_list_close", "ordered_list_close"):
            items, start_tok = stack.pop()[1], lists.pop()
            target = here()
            ordered = kind == "ordered_list_close"
            start = int(start_tok.attrGet("start") or 1) if ordered else 1
            target.append(ListBlock(items, ordered, start, bool(target) and
                                    source.gap_before(start_tok)))
        elif kind in ("paragraph_open", "heading_open"):
            opened = tok
        elif kind == "inline" and opened is not None:
            target = here()
            inline = _inlines(tok.children or [])
            if opened.type == "heading_open":
                inline = [Strong(inline)]
            target.append(Paragraph(inline, bool(target) and source.gap_before(opened)))
        elif kind in ("fence", "code_block"):
            target = here()
            target.append(CodeBlock(tok.content.rstrip("\n"),
                                    bool(target) and source.gap_before(tok)))
    return root


def _inline_node(tok: Token, children: list[Inline]) -> Inline:
    if tok.type == "strong_open" or tok.markup == "*":
        return Strong(children)  # one star is bold, as in Slack
    if tok.type == "em_open":
        return Em(children)
    return Link(str(tok.attrGet("href") or ""), children, tok.markup == "linkify")


_OPEN = ("strong_open", "em_open", "link_open")
_CLOSE = ("strong_close", "em_close", "link_close")


def _inlines(tokens: list[Token]) -> list[Inline]:
    root: list[Inline] = []
    # Open emphasis and links, innermost last; None for one past MAX_INLINE_DEPTH (flattened).
    frames: list[tuple[Token, list[Inline]] | None] = []

    def here() -> list[Inline]:
        for frame in reversed(frames):
            if frame is not None:
                return frame[1]
        return root

    for tok in tokens:
        kind = tok.type
        if kind in _OPEN:
            deep = sum(f is not None for f in frames) >= MAX_INLINE_DEPTH
            frames.append(None if deep else (tok, []))
        elif kind in _CLOSE:
            frame = frames.pop()
            if frame is not None:
                here().append(_inline_node(*frame))
        elif kind in ("text", "text_special") and tok.content:
            target = here()
            if target and isinstance(target[-1], Text):
                target[-1] = Text(target[-1].text + tok.content)
            else:
                target.append(Text(tok.content))
        elif kind in ("softbreak", "hardbreak"):
            here().append(Break())
        elif kind == "code_inline":
            here().append(Code(tok.content))
    return root


def plain(nodes: list[Inline]) -> str:
    """The characters a reader sees, formatting dropped (a link's label, a fallback)."""
    out: list[str] = []
    for node in nodes:
        if isinstance(node, Text | Code):
            out.append(node.text)
        elif isinstance(node, Break):
            out.append("\n")
        elif isinstance(node, Strong | Em | Link):
            out.append(plain(node.children))
    return "".join(out)
