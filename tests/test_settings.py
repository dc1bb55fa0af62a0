"""Which front doors open for which configuration."""

from __future__ import annotations

from bot.settings import Settings


def test_web_chat_is_the_default_and_steps_aside_for_real_credentials() -> None:
    assert Settings(_env_file=None).webchat_on
    slack = Settings(_env_file=None, slack_bot_token="xoxb-1", slack_signing_secret="s")
    assert slack.slack_configured and not slack.webchat_on
    teams = Settings(_env_file=None, microsoft_app_id="app")
    assert teams.teams_on and not teams.webchat_on
    both = Settings(_env_file=None, microsoft_app_id="app", webchat_enabled=True)
    assert both.webchat_on
    assert "xoxb-1" not in repr(slack)
