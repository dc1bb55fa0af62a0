"""Slack as a distributed app: OAuth v2 install, one encrypted install per workspace or org.

Real Bolt and slack_sdk against the fake Slack Web API (oauth.v2.access, auth.test per token).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from cryptography.fernet import Fernet
from fastapi import FastAPI
from sqlalchemy import select, text

from adapters.slack.installations import DbInstallationStore, TokenCipher
from bot.app import create_app
from bot.migrate import upgrade
from bot.settings import Settings
from core.clock import FakeClock
from core.db import make_engine
from core.events import Delivery, PermanentFailure
from core.models import AppInstallation
from core.ui import Message
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.helpers import SECRET, post

OLD_KEY, NEW_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def _settings(db_url: str, fake: FakeSlackApi, key: str = NEW_KEY) -> Settings:
    return Settings(database_url=db_url, slack_client_id="111.222", slack_client_secret="shh",
                    slack_signing_secret=SECRET, slack_token_encryption_key=key,
                    slack_api_url=fake.url, webchat_enabled=False, teams_enabled=False)


@pytest.fixture
def oauth_app(db_url: str, fake: FakeSlackApi, clock: FakeClock) -> Iterator[FastAPI]:
    engine = make_engine(db_url)
    upgrade(engine)
    engine.dispose()
    app = create_app(_settings(db_url, fake), clock=clock)
    yield app
    app.state.engine.dispose()


@pytest.fixture
async def http(oauth_app: FastAPI) -> Any:
    transport = httpx.ASGITransport(app=oauth_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    if others:
        await asyncio.wait(others, timeout=5)


def offer(fake: FakeSlackApi, code: str, team: str | None, *, enterprise: str | None = None,
          org_wide: bool = False) -> str:
    """Make Slack's oauth.v2.access answer ``code`` with an install; returns its bot token."""
    owner = enterprise if org_wide else team
    token = f"xoxb-{owner}-secret-token"
    fake.installs[code] = {
        "app_id": "A1", "access_token": token, "token_type": "bot", "bot_user_id": f"UB{owner}",
        "scope": "commands,chat:write", "authed_user": {"id": "UADMIN"},
        "team": {"id": team, "name": f"Team {team}"} if team else None,
        "enterprise": {"id": enterprise, "name": "Org"} if enterprise else None,
        "is_enterprise_install": org_wide}
    fake.auth[token] = {"team_id": team, "enterprise_id": enterprise, "user_id": f"UB{owner}",
                        "bot_id": f"B{owner}", "url": "https://org.test/"}
    return token


async def install(http: httpx.AsyncClient, code: str) -> httpx.Response:
    """A browser's install: the Add to Slack page, then Slack's redirect back with the code."""
    page = await http.get("/slack/install")
    assert page.status_code == 200
    [authorize] = re.findall(r'href="(https://slack.com/oauth/v2/authorize\?[^"]+)"', page.text)
    state = re.search(r"state=([^&]+)", authorize).group(1)  # type: ignore[union-attr]
    assert "client_id=111.222" in authorize and "scope=commands" in authorize
    cookie = page.headers["set-cookie"].split(";")[0]
    assert cookie.endswith(state)  # the state is tied to this browser
    return await http.get("/slack/oauth_redirect", params={"code": code, "state": state},
                          headers={"Cookie": cookie})


def home_opened(team: str, user: str, *, enterprise: str | None = None,
                org_wide: bool = False) -> str:
    body: dict[str, Any] = {
        "token": "legacy", "team_id": team, "api_app_id": "A1", "type": "event_callback",
        "event_id": f"Ev{user}", "event_time": 1,
        "event": {"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home"}}
    if enterprise:
        body["enterprise_id"] = enterprise
        body["authorizations"] = [{"enterprise_id": enterprise,
                                   "team_id": None if org_wide else team, "user_id": "UB",
                                   "is_bot": True, "is_enterprise_install": org_wide}]
    return json.dumps(body)


async def test_install_flow_saves_an_encrypted_token_and_checks_state(
        http, fake: FakeSlackApi, oauth_app: FastAPI, db_url: str) -> None:  # type: ignore[no-untyped-def]
    token = offer(fake, "code-2", "T2")
    done = await install(http, "code-2")
    assert done.status_code == 200, done.text
    [access] = fake.calls_to("oauth.v2.access")
    assert access.body["code"] == "code-2"
    with oauth_app.state.sessions() as s:
        [row] = s.scalars(select(AppInstallation))
        assert row.team_id == "T2" and row.bot_user_id == "UBT2"
        assert token not in row.bot_token  # ciphertext only
        dump = json.dumps([list(r) for r in s.execute(
            text("SELECT * FROM app_installations")).all()], default=str)
    assert token not in dump and "secret-token" not in dump

    # A state is used once, and only by the browser it was given to.
    page = await http.get("/slack/install")
    state = re.search(r"state=([^&\"]+)", page.text).group(1)  # type: ignore[union-attr]
    no_cookie = await http.get("/slack/oauth_redirect", params={"code": "code-2",
                                                                 "state": state})
    assert no_cookie.status_code >= 400
    forged = await http.get("/slack/oauth_redirect", params={"code": "code-2", "state": "x"},
                            headers={"Cookie": "slack-app-oauth-state=x"})
    assert forged.status_code >= 400
    assert len(fake.calls_to("oauth.v2.access")) == 1  # no code exchanged without a good state


async def test_each_workspace_is_answered_with_its_own_token(
        http, fake: FakeSlackApi, oauth_app: FastAPI) -> None:  # type: ignore[no-untyped-def]
    tokens = {team: offer(fake, f"code-{team}", team) for team in ("T2", "T3")}
    for team in tokens:
        assert (await install(http, f"code-{team}")).status_code == 200
    for team, user in (("T2", "U20"), ("T3", "U30")):
        response = await post(http, home_opened(team, user), content_type="application/json")
        assert response.status_code == 200
    publishes = await fake.wait_for("views.publish", 2)
    assert {c.body["user_id"]: fake.token_of(c) for c in publishes} == {
        "U20": tokens["T2"], "U30": tokens["T3"]}
    # The welcome DMs go out through the outbox, each with its workspace's token.
    dms = await fake.wait_for("chat.postMessage", 2)
    assert {c.body["channel"]: fake.token_of(c) for c in dms} == {
        "U20": tokens["T2"], "U30": tokens["T3"]}


async def test_a_workspace_without_an_install_is_refused(
        http, fake: FakeSlackApi, caplog) -> None:  # type: ignore[no-untyped-def]
    offer(fake, "code-T2", "T2")
    assert (await install(http, "code-T2")).status_code == 200
    command = urlencode({"team_id": "T9", "user_id": "U90", "command": "/mentor",
                         "text": "help", "channel_id": "C1", "trigger_id": "t",
                         "response_url": f"{fake.url}response/9"})
    with caplog.at_level(logging.WARNING):
        response = await post(http, command)
    assert response.status_code == 401
    assert "T9" in caplog.text and "not installed" in caplog.text
    assert fake.calls_to("response/9") == [] and fake.calls_to("views.open") == []


async def installed_teams(app: FastAPI, expected: list[str]) -> None:
    """Poll until the installs are ``expected`` (Bolt acks events before its listener ends)."""
    for _ in range(250):
        with app.state.sessions() as s:
            teams = [r.team_id for r in s.scalars(select(AppInstallation))]
        if teams == expected:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"installs {teams}, expected {expected}")


async def test_uninstall_deletes_the_tokens_and_stops_sends_there_only(
        http, fake: FakeSlackApi, oauth_app: FastAPI) -> None:  # type: ignore[no-untyped-def]
    for team in ("T2", "T3"):
        offer(fake, f"code-{team}", team)
        assert (await install(http, f"code-{team}")).status_code == 200
    event = {"token": "legacy", "team_id": "T2", "api_app_id": "A1", "type": "event_callback",
             "event_id": "EvU", "event_time": 1, "event": {"type": "app_uninstalled"}}
    response = await post(http, json.dumps(event), content_type="application/json")
    assert response.status_code == 200
    await installed_teams(oauth_app, ["T3"])
    sender = oauth_app.state.worker.senders["slack"]
    note = Message("hello")
    with pytest.raises(PermanentFailure, match="not_installed"):  # failed once, no retries
        await sender.deliver(Delivery(1, "slack", "T2", "U20", "", None, note))
    assert await sender.deliver(Delivery(2, "slack", "T3", "U30", "", None, note))
    # tokens_revoked for the other one: gone too.
    revoked = {**event, "team_id": "T3", "event_id": "EvR",
               "event": {"type": "tokens_revoked", "tokens": {"bot": ["UBT3"]}}}
    await post(http, json.dumps(revoked), content_type="application/json")
    await installed_teams(oauth_app, [])
    # A request from an uninstalled workspace is refused.
    assert (await post(http, home_opened("T2", "U20"),
                       content_type="application/json")).status_code == 401


async def test_an_org_wide_install_answers_every_workspace_of_the_org(
        http, fake: FakeSlackApi, oauth_app: FastAPI) -> None:  # type: ignore[no-untyped-def]
    token = offer(fake, "code-E1", None, enterprise="E1", org_wide=True)
    assert (await install(http, "code-E1")).status_code == 200
    response = await post(http, home_opened("T5", "U50", enterprise="E1", org_wide=True),
                          content_type="application/json")
    assert response.status_code == 200
    [publish] = await fake.wait_for("views.publish")
    assert fake.token_of(publish) == token
    [dm] = await fake.wait_for("chat.postMessage")  # the outbox found the org's install
    assert dm.body["channel"] == "U50" and fake.token_of(dm) == token


async def test_a_rotated_key_still_decrypts(engine, sessions) -> None:  # type: ignore[no-untyped-def]
    from slack_sdk.oauth.installation_store import Installation

    old = DbInstallationStore(sessions, TokenCipher(OLD_KEY))
    await old.async_save(Installation(user_id="U1", team_id="T2", bot_token="xoxb-kept",
                                      bot_user_id="UB", bot_id="B"))
    rotated = DbInstallationStore(sessions, TokenCipher(f"{NEW_KEY}, {OLD_KEY}"))
    bot = await rotated.async_find_bot(enterprise_id=None, team_id="T2")
    assert bot is not None and bot.bot_token == "xoxb-kept"
    # Saved again (a token rotation, a re-install), it is under the newest key.
    await rotated.async_save_bot(bot)
    only_new = DbInstallationStore(sessions, TokenCipher(NEW_KEY))
    again = await only_new.async_find_bot(enterprise_id=None, team_id="T2")
    assert again is not None and again.bot_token == "xoxb-kept"
    with pytest.raises(ValueError, match="cannot be decrypted"):
        await DbInstallationStore(sessions, TokenCipher(
            Fernet.generate_key().decode())).async_find_bot(enterprise_id=None, team_id="T2")
