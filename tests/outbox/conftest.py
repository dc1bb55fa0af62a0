"""Fixtures for the outbox tests: the limit-enforcing fake Slack and a sender pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters.slack.sender import SlackSender, make_client
from bot.bench.fake_slack import SlackLimitsFake


@pytest.fixture
def slack() -> Iterator[SlackLimitsFake]:
    """The fake at Slack's real limits: one message per second per channel."""
    with SlackLimitsFake() as fake:
        yield fake


@pytest.fixture
def sender(slack: SlackLimitsFake) -> SlackSender:
    """The real Slack sender, talking to the fake over HTTP."""
    return SlackSender(make_client("xoxb-test", slack.url))
