"""The Slack app manifest is valid and points every Slack request at /slack/events."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

ROOT = Path(__file__).parents[1]
SCHEMA = Path(__file__).parents[2] / "shared" / "schemas" / "slack-app-manifest.v1.schema.json"
EVENTS_PATH = "/slack/events"


@pytest.fixture
def manifest() -> dict[str, Any]:
    return json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))


def test_manifest_matches_the_slack_schema(manifest: dict[str, Any]) -> None:
    if not SCHEMA.exists():
        pytest.skip(f"Slack manifest schema not found at {SCHEMA}")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(manifest, schema)


def test_mentor_command_and_minimal_scopes(manifest: dict[str, Any]) -> None:
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/mentor"
    assert command["usage_hint"] == "join | status | leave | help"
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(
        ["commands", "chat:write", "im:write", "users:read", "users:read.email",
         "files:write",  # admins download a matching run as CSV
         "mpim:write",  # conversations.open with several people: a pair's introduction
         "im:history", "mpim:history"])  # a retry looks for its own message before resending
    assert manifest["settings"]["event_subscriptions"]["bot_events"] == ["app_home_opened"]
    assert manifest["settings"]["socket_mode_enabled"] is False
    assert manifest["settings"]["org_deploy_enabled"] is False


def test_every_request_url_points_at_slack_events(manifest: dict[str, Any]) -> None:
    settings = manifest["settings"]
    urls = [c["url"] for c in manifest["features"]["slash_commands"]]
    urls += [settings["interactivity"]["request_url"],
             settings["event_subscriptions"]["request_url"]]
    assert settings["interactivity"]["is_enabled"] is True
    for url in urls:
        assert url.startswith("https://") and url.endswith(EVENTS_PATH), url
