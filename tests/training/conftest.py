"""The Slack fixtures (fake Web API, app, client), shared with tests/slack."""

from tests.slack.conftest import admin_emails, client, fake, slack_app

__all__ = ["admin_emails", "client", "fake", "slack_app"]
