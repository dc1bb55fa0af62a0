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
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

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


@lru_cache(maxsize=2)
def _parser(links: bool) -> MarkdownIt:
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


def parse(text: str, *, links: bool = False) -> Document:
    """Parse core's dialect into a :class:`Document`; ``links`` draws ``[label](url)`` links
    (only for text an admin wrote)."""
    source, added = _chat_lines(text)
    root = SyntaxTreeNode(_parser(links).parse(source))
    return Document(_blocks(root.children, _Source(source.split("\n"), added)))


@dataclass(frozen=True)
class _Source:
    lines: list[str]
    added: set[int]

    def gap_before(self, node: SyntaxTreeNode) -> bool:
        """A blank line the writer typed just above ``node`` (a list's own span takes in the
        blank lines after it, so the lines are read, not the spans compared)."""
        n = (node.map[0] if node.map else 0) - 1
        while n >= 0 and not self.lines[n].strip():
            if n not in self.added:
                return True
            n -= 1
        return False


def _blocks(nodes: list[SyntaxTreeNode], source: _Source) -> list[Block]:
    out: list[Block] = []
    for node in nodes:
        gap = bool(out) and source.gap_before(node)
        if node.type == "paragraph":
            out.append(Paragraph(_inlines(node.children[0].children), gap))
        elif node.type == "heading":
            out.append(Paragraph([Strong(_inlines(node.children[0].children))], gap))
        elif node.type in ("bullet_list", "ordered_list"):
            start = int(node.attrs.get("start", 1)) if node.type == "ordered_list" else 1
            items = [_blocks(item.children, source) for item in node.children]
            out.append(ListBlock(items, node.type == "ordered_list", start, gap))
        elif node.type in ("fence", "code_block"):
            out.append(CodeBlock(node.content.rstrip("\n"), gap))
    return out


def _inlines(nodes: list[SyntaxTreeNode]) -> list[Inline]:
    out: list[Inline] = []
    for node in nodes:
        kind = node.type
        if kind in ("text", "text_special"):
            if not node.content:
                continue
            if out and isinstance(out[-1], Text):
                out[-1] = Text(out[-1].text + node.content)
            else:
                out.append(Text(node.content))
        elif kind in ("softbreak", "hardbreak"):
            out.append(Break())
        elif kind == "strong" or (kind == "em" and node.markup == "*"):
            out.append(Strong(_inlines(node.children)))  # one star is bold, as in Slack
        elif kind == "em":
            out.append(Em(_inlines(node.children)))
        elif kind == "code_inline":
            out.append(Code(node.content))
        elif kind == "link":
            bare = node.markup == "linkify"
            out.append(Link(str(node.attrs.get("href", "")), _inlines(node.children), bare))
    return out


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
