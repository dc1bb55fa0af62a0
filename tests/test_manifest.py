"""The Slack app manifest is valid and points every Slack request at /slack/events."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from adapters.slack.installations import BOT_SCOPES

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


# Every Slack Web API method the code calls -> the bot scopes it needs. A method missing here
# fails the test: add it with its scopes from https://api.slack.com/methods.
METHOD_SCOPES: dict[str, set[str]] = {
    "chat.postMessage": {"chat:write"},
    "chat.postEphemeral": {"chat:write"},
    # one person: a DM (im); several: a group DM, a pair's introduction (mpim)
    "conversations.open": {"im:write", "mpim:write"},
    # a retry looks for its own message in the DM or group DM before resending
    "conversations.history": {"im:history", "mpim:history"},
    "users.info": {"users:read", "users:read.email"},  # the email links them to HRIS
    "users.lookupByEmail": {"users:read.email"},
    "files.upload_v2": {"files:write"},  # a matching run's CSV, calendar invites, charts
    "views.open": set(), "views.update": set(), "views.publish": set(),
    "auth.test": set(), "oauth.v2.access": set(),
}
# Every event the code listens to -> the scopes its subscription needs.
EVENT_SCOPES: dict[str, set[str]] = {
    "app_home_opened": set(),
    "app_mention": {"app_mentions:read"},
    "message.im": {"im:history"},
    "member_joined_channel": {"channels:read", "groups:read"},
    "app_uninstalled": set(),
    "tokens_revoked": set(),
}
CALL = re.compile(r"\.((?:chat|views|users|conversations|files|auth|oauth)_[A-Za-z0-9_]+)\(")
LISTEN = re.compile(r"""\.event\(\s*["']([a-z_.]+)["']""")


def _sources() -> str:
    return "\n".join(p.read_text(encoding="utf-8")
                     for folder in ("adapters/slack", "bot")
                     for p in sorted((ROOT / folder).rglob("*.py")) if "bench" not in p.parts)


def _method(name: str) -> str:
    if name == "files_upload_v2":
        return "files.upload_v2"
    family, _, rest = name.partition("_")
    return f"{family}.{rest.replace('_', '.') if family == 'oauth' else rest}"


def test_scopes_are_exactly_those_the_code_needs(manifest: dict[str, Any]) -> None:
    code = _sources()
    methods = {_method(m) for m in CALL.findall(code)}
    assert methods, "found no Web API calls: has the Slack adapter moved?"
    unknown = methods - set(METHOD_SCOPES)
    assert not unknown, f"add these methods and their scopes to METHOD_SCOPES: {unknown}"
    events = {"message.im" if e == "message" else e for e in LISTEN.findall(code)}
    needed = {"commands"} | set().union(*(METHOD_SCOPES[m] for m in methods)) | set().union(
        *(EVENT_SCOPES[e] for e in events))
    granted = set(manifest["oauth_config"]["scopes"]["bot"])
    assert needed - granted == set(), "the manifest lacks scopes the code needs"
    assert granted - needed == set(), "the manifest asks for scopes no code uses"
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == events
    # An install through /slack/install asks for the same scopes.
    assert set(BOT_SCOPES) == granted


def test_mentor_command_home_and_distribution(manifest: dict[str, Any]) -> None:
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/mentor"
    assert command["usage_hint"] == "join | status | leave | help"
    home = manifest["features"]["app_home"]
    assert home["home_tab_enabled"] is True
    # DMs to the bot work like the command, so the Messages tab stays writable.
    assert home["messages_tab_enabled"] is True and home["messages_tab_read_only_enabled"] is False
    assert manifest["settings"]["socket_mode_enabled"] is False
    assert manifest["settings"]["org_deploy_enabled"] is True  # Enterprise Grid org-wide installs
    [redirect] = manifest["oauth_config"]["redirect_urls"]
    assert redirect.startswith("https://") and redirect.endswith("/slack/oauth_redirect")


def test_every_request_url_points_at_slack_events(manifest: dict[str, Any]) -> None:
    settings = manifest["settings"]
    urls = [c["url"] for c in manifest["features"]["slash_commands"]]
    urls += [settings["interactivity"]["request_url"],
             settings["event_subscriptions"]["request_url"]]
    assert settings["interactivity"]["is_enabled"] is True
    for url in urls:
        assert url.startswith("https://") and url.endswith(EVENTS_PATH), url
