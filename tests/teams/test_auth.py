"""Bad requests are refused with 4xx before or around botbuilder, never a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI

from tests.teams.conftest import activity, build_app

URL = "/api/messages"


@pytest.fixture
def secured_app(db_url: str, clock) -> Iterator[FastAPI]:  # type: ignore[no-untyped-def]
    app = build_app(db_url, clock, microsoft_app_id="app-id", microsoft_app_password="secret")
    yield app
    app.state.engine.dispose()


@pytest.fixture
async def secured(secured_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=secured_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Basic abc", "Bearer not-a-jwt",
                                    "Bearer a.b.c", "Bearer eyJhbGciOiJub25lIn0.e30."])
async def test_bad_authorization_is_401(secured: httpx.AsyncClient, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    body = activity("https://smba.trafficmanager.net/emea/", text="mentor join")
    response = await secured.post(URL, json=body, headers=headers)
    assert response.status_code == 401, response.text


async def test_malformed_bodies_are_400(client: httpx.AsyncClient) -> None:
    headers = {"Content-Type": "application/json"}
    assert (await client.post(URL, content=b"{nope", headers=headers)).status_code == 400
    assert (await client.post(URL, content=b"\xff\xfe", headers=headers)).status_code == 400
    assert (await client.post(URL, json=[1, 2])).status_code == 400
    assert (await client.post(URL, json={"text": "mentor join"})).status_code == 400
    assert (await client.post(URL, json={"type": ""})).status_code == 400
    response = await client.post(URL, content=b"type=message", headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 415
