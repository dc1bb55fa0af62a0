"""`mentorbot scim-token create|list|revoke`: revoked and expired tokens are refused at once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from bot.cli import app as cli
from core.clock import FakeClock
from tests.cli_runner import runner
from tests.conftest import TEST_NOW


@pytest.fixture
def env(db_url: str, app: FastAPI, seeded: dict[str, int],
        monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The CLI on the app's database."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    from bot.settings import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _create(*args: str) -> str:
    result = runner.invoke(cli, ["scim-token", "create", "--workspace", "webchat:T1", *args])
    assert result.exit_code == 0, result.output
    found = re.search(r"Bearer token \(shown once\): (\S+)", result.output)
    assert found is not None, result.output
    return found.group(1)


async def _status(app: FastAPI, token: str) -> int:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test/scim/v2") as http:
        return (await http.get("/Users", headers={"Authorization": f"Bearer {token}"})
                ).status_code


async def test_a_revoked_token_is_refused_at_once_and_the_list_says_so(
        env: None, app: FastAPI, clock: FakeClock) -> None:
    okta, entra = _create("--label", "okta"), _create("--label", "entra")
    clock.set(TEST_NOW + timedelta(hours=1))
    assert await _status(app, okta) == 200 and await _status(app, entra) == 200
    listed = runner.invoke(cli, ["scim-token", "list", "--workspace", "webchat:T1"])
    assert listed.exit_code == 0, listed.output
    rows = [line for line in listed.output.splitlines() if "okta" in line or "entra" in line]
    assert len(rows) == 2 and all("2027-03-03 12:00" in r for r in rows)  # created
    assert all("last used 2027-03-03 13:00" in r and ": active" in r for r in rows)
    revoked = runner.invoke(cli, ["scim-token", "revoke", "1", "--workspace", "webchat:T1"])
    assert revoked.exit_code == 0 and "Revoked token 1 (okta)" in revoked.output
    assert await _status(app, okta) == 401
    assert await _status(app, entra) == 200
    listed = runner.invoke(cli, ["scim-token", "list", "--workspace", "webchat:T1"]).output
    assert "revoked" in next(line for line in listed.splitlines() if "okta" in line)
    missing = runner.invoke(cli, ["scim-token", "revoke", "99", "--workspace", "webchat:T1"])
    assert missing.exit_code == 1 and "No SCIM token 99" in missing.output


async def test_an_expired_token_is_refused(env: None, app: FastAPI, clock: FakeClock) -> None:
    token = _create("--label", "trial", "--expires-in", "30")
    clock.set(TEST_NOW + timedelta(days=29, hours=23))
    assert await _status(app, token) == 200
    clock.set(TEST_NOW + timedelta(days=30))
    assert await _status(app, token) == 401
    listed = runner.invoke(cli, ["scim-token", "list", "--workspace", "webchat:T1"],
                           obj=clock).output
    row = next(line for line in listed.splitlines() if "trial" in line)
    assert "expires 2027-04-02 12:00" in row and ": expired" in row
