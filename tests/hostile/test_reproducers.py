"""Every reproducer from issue #13 ("Hostile input") now gets a 4xx, and nothing is stored."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from core.clock import FakeClock
from core.models import Person
from tests.fakes.connector import FakeConnector
from tests.fakes.slack_api import FakeSlackApi
from tests.hostile.conftest import Surfaces, build
from tests.slack.helpers import command_body, signed_headers
from tests.teams.conftest import activity

pytestmark = pytest.mark.asyncio

DEEP = "[" * 1000 + "]" * 1000
HUGE = 2**63


def people_count(s: Surfaces) -> int:
    with s.app.state.sessions() as session:
        return session.scalar(select(func.count()).select_from(Person)) or 0


async def test_lone_surrogate_in_web_chat_json_is_a_400(surfaces: Surfaces) -> None:
    raw = b'{"user":"\\ud800","text":"x"}'
    for path in ("/webchat/api/command", "/webchat/api/me", "/webchat/api/action"):
        got = await surfaces.http.post(path, content=raw,
                                       headers={"content-type": "application/json"})
        assert got.status_code == 400, (path, got.text)
        assert "Unicode" in got.json()["error"]


async def test_web_chat_validation_errors_render_without_echoing_input(
        surfaces: Surfaces) -> None:
    # A well-formed body of the wrong shape still gets FastAPI's 422, minus the echo.
    got = await surfaces.http.post("/webchat/api/command", json={"user": ["x"], "text": 5})
    assert got.status_code == 422 and "input" not in got.json()["detail"][0]


@pytest.mark.parametrize("path", ["/scim/v2/Users", "/api/messages", "/slack/events",
                                  "/webchat/api/command"])
async def test_deep_json_is_refused_before_parsing_or_auth(surfaces: Surfaces,
                                                           path: str) -> None:
    got = await surfaces.http.post(path, content=DEEP.encode(),
                                   headers={"content-type": "application/json"})
    assert got.status_code == 400 and "nested deeper" in got.json()["error"]


async def test_deep_json_inside_a_signed_slack_payload_is_refused(surfaces: Surfaces) -> None:
    body = "payload=" + DEEP
    got = await surfaces.http.post("/slack/events", content=body.encode(),
                                   headers=signed_headers(body))
    assert got.status_code == 400


@pytest.mark.parametrize("path", ["/scim/v2/Users", "/api/messages", "/slack/events",
                                  "/admin/programs/new"])
async def test_a_30_mb_body_is_refused_unread(surfaces: Surfaces, path: str) -> None:
    got = await surfaces.http.post(path, content=b"x" * (30 * 1024 * 1024),
                                   headers={"content-type": "application/json"})
    assert got.status_code == 413


@pytest.mark.parametrize("timestamp", ["abc", "1e9", "²", "", "-5", "9" * 40])
async def test_non_integer_slack_timestamp_is_a_401(surfaces: Surfaces, timestamp: str) -> None:
    body = command_body("help", "http://127.0.0.1:9/r")
    headers = signed_headers(body)
    headers["X-Slack-Request-Timestamp"] = timestamp
    got = await surfaces.http.post("/slack/events", content=body.encode("utf-8"),
                                   headers={k: v.encode("utf-8") for k, v in headers.items()})
    assert got.status_code == 401


@pytest.mark.parametrize("user_id", ["²", str(HUGE), str(2**31), "-1", "0", "1.5", "٣"])
async def test_scim_user_ids_that_are_not_ids_are_404(surfaces: Surfaces, user_id: str) -> None:
    got = await surfaces.http.get(f"/scim/v2/Users/{user_id}", headers=surfaces.scim_headers)
    assert got.status_code == 404
    deleted = await surfaces.http.delete(f"/scim/v2/Users/{user_id}",
                                         headers=surfaces.scim_headers)
    assert deleted.status_code == 404


@pytest.mark.parametrize("value", ["²", str(HUGE), str(2**31)])
async def test_scim_id_filter_with_a_huge_number_finds_nobody(surfaces: Surfaces,
                                                              value: str) -> None:
    got = await surfaces.http.get("/scim/v2/Users", params={"filter": f'id eq "{value}"'},
                                  headers=surfaces.scim_headers)
    assert got.status_code == 200 and got.json()["totalResults"] == 0


@pytest.mark.parametrize("start", ["²", str(HUGE), "1" * 30, "x"])
async def test_scim_start_index_that_is_not_a_small_number_is_a_400(surfaces: Surfaces,
                                                                   start: str) -> None:
    got = await surfaces.http.get("/scim/v2/Users", params={"startIndex": start},
                                  headers=surfaces.scim_headers)
    assert got.status_code == 400 and got.json()["scimType"] == "invalidValue"


def scim_user(**fields: Any) -> dict[str, Any]:
    return {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "new.person@acme.test", "displayName": "New Person", **fields}


@pytest.mark.parametrize("fields", [
    {"userName": "a" * 65 + "@acme.test"},       # no externalId: userName stands in (64)
    {"userName": "b" * 400 + "@acme.test", "externalId": "E9"},
    {"displayName": "D" * 201, "externalId": "E9"},
    {"externalId": "X" * 65},
    {"title": "T" * 201, "externalId": "E9"},
])
async def test_scim_values_longer_than_their_columns_are_400(surfaces: Surfaces,
                                                            fields: dict[str, Any]) -> None:
    before = people_count(surfaces)
    got = await surfaces.http.post("/scim/v2/Users", json=scim_user(**fields),
                                   headers=surfaces.scim_headers)
    assert got.status_code == 400, got.text
    assert people_count(surfaces) == before


async def test_scim_nul_byte_is_a_400_and_nothing_is_stored(surfaces: Surfaces) -> None:
    before = people_count(surfaces)
    got = await surfaces.http.post("/scim/v2/Users", json=scim_user(displayName="A\u0000B"),
                                   headers=surfaces.scim_headers)
    assert got.status_code == 400
    assert people_count(surfaces) == before


async def test_scim_huge_manager_value_is_not_an_error(surfaces: Surfaces) -> None:
    ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    got = await surfaces.http.post("/scim/v2/Users", json=scim_user(
        externalId="E77", **{ent: {"manager": {"value": str(HUGE)}}}),
        headers=surfaces.scim_headers)
    assert got.status_code == 201, got.text


@pytest.mark.parametrize("program_id", ["²", str(HUGE), str(2**31), "0"])
async def test_admin_report_ids_that_are_not_ids_are_404(surfaces: Surfaces,
                                                        program_id: str) -> None:
    for path in (f"/admin/programs/{program_id}/report",
                 f"/admin/programs/{program_id}/report.csv"):
        assert (await surfaces.http.get(path)).status_code == 404
    posted = await surfaces.http.post(f"/admin/programs/{program_id}/report",
                                      data={"csrf": surfaces.csrf, "replacement_cost": "1"})
    assert posted.status_code == 404
    decided = await surfaces.http.post(f"/admin/announcements/{program_id}/cancel",
                                       data={"csrf": surfaces.csrf})
    assert decided.status_code == 404


async def test_non_ascii_csrf_is_a_403(surfaces: Surfaces) -> None:
    got = await surfaces.http.post("/admin/programs/new", data={"csrf": "é" * 43, "name": "X"})
    assert got.status_code == 403


@pytest.mark.parametrize("service_url", ["ftp://x", "http://evil.example/", "http://[::1",
                                         "http://127.0.0.1:99999/", "not a url", 5])
async def test_teams_odd_service_url_without_app_id_is_a_400(surfaces: Surfaces,
                                                            service_url: Any) -> None:
    got = await surfaces.http.post("/api/messages",
                                   json=activity(service_url, text="help"))  # type: ignore[arg-type]
    assert got.status_code == 400
    assert surfaces.connector.activities() == []


async def test_nul_in_a_query_string_is_a_400(surfaces: Surfaces) -> None:
    got = await surfaces.http.get("/scim/v2/Users", params={"filter": 'userName eq "a\x00"'},
                                  headers=surfaces.scim_headers)
    assert got.status_code == 400


async def test_every_response_says_nosniff(surfaces: Surfaces) -> None:
    for path in ("/healthz", "/admin", "/"):
        got = await surfaces.http.get(path)
        assert got.headers["x-content-type-options"] == "nosniff"
    assert "strict-transport-security" not in (await surfaces.http.get("/admin")).headers


async def test_json_body_of_a_list_or_scalar_gets_a_4xx(surfaces: Surfaces) -> None:
    for body in ("[]", "5", '"x"', "null"):
        for path in ("/scim/v2/Users", "/api/messages", "/webchat/api/command"):
            got = await surfaces.http.post(path, content=body.encode(), headers={
                "content-type": "application/json", **surfaces.scim_headers})
            assert 400 <= got.status_code < 500, (path, body, got.status_code)
    assert json.loads("[]") == []


async def test_deep_json_is_refused_before_teams_checks_a_token(
        db_url: str, clock: FakeClock, connector: FakeConnector,
        slack_api: FakeSlackApi) -> None:
    app = build(db_url, clock, connector, slack_api, microsoft_app_id="app-id",
                microsoft_app_password="pw")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        got = await http.post("/api/messages", content=DEEP.encode(), headers={
            "content-type": "application/json", "authorization": "Bearer x.y.z"})
        assert got.status_code == 400 and "nested deeper" in got.json()["error"]
        plain = await http.post("/admin/programs/new", content=b"name=a%00b",
                                headers={"content-type": "application/x-www-form-urlencoded"})
        assert plain.status_code == 400 and plain.text.startswith("Mentorbot refused")
    app.state.engine.dispose()


@pytest.mark.parametrize(("csv_text", "reason"), [
    ("employee_id,name,email\nE1," + "N" * 201 + ",n@acme.test\n", "longer than 200"),
    ("employee_id,name,email\nE1,Ana,ana@acme.test\nE2,B\"o\rb,b@acme.test\n", "not CSV"),
    ("employee_id,name,email,level\nE1,Ana,ana@acme.test," + "9" * 40 + "\n", "not a level"),
])
async def test_admin_import_of_a_hostile_csv_is_a_422_and_changes_nothing(
        surfaces: Surfaces, csv_text: str, reason: str) -> None:
    before = people_count(surfaces)
    got = await surfaces.http.post("/admin/import", data={
        "csrf": surfaces.csrf, "preset": "mentorbot"},
        files={"file": ("people.csv", csv_text.encode(), "text/csv")})
    assert got.status_code == 422, got.text[:300]
    assert reason in got.text
    assert people_count(surfaces) == before
