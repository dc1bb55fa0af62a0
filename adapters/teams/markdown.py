"""Core writes Slack-flavoured Markdown; Adaptive Card TextBlocks want CommonMark-ish bold."""

from __future__ import annotations

import re

# Core's *bold* is one star; a TextBlock needs two, and must not touch "**" or bullets ("* x").
_BOLD = re.compile(r"(?<![*\w])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![*\w])")


# TextBlocks have no inline code: a command in backticks would show its backticks literally.
_CODE = re.compile(r"`([^`\n]+)`")


def to_teams(text: str) -> str:
    """Convert core's Slack-ish ``*bold*`` to ``**bold**`` and `code` to bold."""
    return _CODE.sub(r"**\1**", _BOLD.sub(r"**\1**", text))
