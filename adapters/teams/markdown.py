"""Core writes Slack-flavoured Markdown; Adaptive Card TextBlocks want CommonMark-ish bold."""

from __future__ import annotations

import re

# Core's *bold* is one star; a TextBlock needs two, and must not touch "**" or bullets ("* x").
_BOLD = re.compile(r"(?<![*\w])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![*\w])")


# TextBlocks have no inline code: a command in backticks would show its backticks literally.
_CODE = re.compile(r"`([^`\n]+)`")


# Teams' renderer drops anything that looks like an HTML tag, so "<program>" in the help
# vanished; as entities the placeholders show as typed.
_ANGLE = str.maketrans({"<": "&lt;", ">": "&gt;"})
# Teams has no slash commands: people type "mentor join", and core's texts say "/mentor join".
_SLASH = re.compile(r"(?<![\w/])/mentor\b")

# Core never writes a Markdown link; people's words might ("[Teams: re-verify](https://evil)"),
# and a TextBlock would draw it as a disguised link in the bot's voice. A zero-width space
# between "]" and "(" keeps every character visible but stops it being a link. Bare URLs stay
# bare (Teams shows them as they are); angle brackets have no meaning in a TextBlock.
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


def to_teams(text: str) -> str:
    """Convert core's Slack-ish ``*bold*`` to ``**bold**`` and `code` to bold; no links; the
    command as Teams people type it; angle brackets kept visible."""
    text = _SLASH.sub("mentor", show_angles(escape_links(text)))
    return _CODE.sub(r"**\1**", _BOLD.sub(r"**\1**", text))
