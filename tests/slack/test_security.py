"""Bad or forged input is refused with a 4xx, never a 500."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from tests.slack.helpers import command_body, payload_body, post


async def test_unsigned_request_is_401(client, fake, ids) -> None:
    response = await post(client, command_body("join", f"{fake.url}response/1"), signed=False)
    assert response.status_code == 401
    assert fake.calls_to("views.open") == []


async def test_stale_but_correctly_signed_request_is_401(client, fake, ids) -> None:
    body = command_body("join", f"{fake.url}response/1")
    response = await post(client, body, timestamp=int(time.time()) - 6 * 60)
    assert response.status_code == 401


async def test_malformed_json_payload_is_4xx(client, ids) -> None:
    response = await post(client, urlencode({"payload": "{not json"}))
    assert 400 <= response.status_code < 500


async def test_payload_missing_fields_is_4xx(client, ids) -> None:
    response = await post(client, payload_body({"type": "block_actions", "team": {"id": "T1"},
                                                "user": {"id": "U1"}}))
    assert 400 <= response.status_code < 500
    response = await post(client, payload_body({"type": "view_submission",
                                                "team": {"id": "T1"}, "user": {"id": "U1"}}))
    assert 400 <= response.status_code < 500


async def test_payload_that_is_not_an_object_is_4xx(client, ids) -> None:
    response = await post(client, urlencode({"payload": "[1, 2]"}))
    assert 400 <= response.status_code < 500


async def test_slash_command_text_carrying_nul_is_400(client, fake, ids) -> None:
    """A plain command body skips the guard's field-by-field parse; NUL still never passes."""
    body = command_body("status", f"{fake.url}response/1").replace("text=status",
                                                                   "text=sta%00tus")
    response = await post(client, body)
    assert response.status_code == 400
    assert fake.calls_to("response/1") == []


async def test_slash_command_with_brackets_in_its_text_is_answered(client, fake, ids) -> None:
    """Text that merely starts like JSON is checked as such, and a command is still a command."""
    response = await post(client, command_body("[help]", f"{fake.url}response/1"))
    assert response.status_code == 200
    assert await fake.wait_for("response/1")
