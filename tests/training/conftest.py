"""The Slack fixtures (fake Web API, app, client), shared with tests/slack."""

from tests.slack.conftest import client, fake, slack_app

__all__ = ["client", "fake", "slack_app"]
