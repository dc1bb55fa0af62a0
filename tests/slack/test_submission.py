"""Submitting the enrollment modal: saved, validated in the ack, confirmed by DM."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from fastapi import FastAPI
from sqlalchemy import func, select

from core.models import Enrollment, OutboxMessage, OutboxStatus
from core.outbox import deliver_due
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.helpers import mentee_state, payload_body, post, view_submission


def count_enrollments(app: FastAPI) -> int:
    with app.state.sessions() as s:
        return s.scalar(select(func.count()).select_from(Enrollment))


async def wait_for_outbox_error(app: FastAPI, timeout: float = 5.0) -> OutboxMessage:
    """The 429 reaches the fake before the kick's transaction commits: wait for the commit."""
    deadline = time.monotonic() + timeout
    while True:
        with app.state.sessions() as s:
            row = s.scalars(select(OutboxMessage)).one()
        if row.last_error or time.monotonic() > deadline:
            return row
        await asyncio.sleep(0.02)


async def test_submit_saves_closes_and_confirms_by_dm(client, fake, ids, slack_app) -> None:
    context = str(ids["programs"]["Leadership 1:1"])
    response = await post(client, payload_body(view_submission(context, mentee_state())))
    assert response.status_code == 200 and response.text == ""
    with slack_app.state.sessions() as s:
        [enrollment] = s.scalars(select(Enrollment)).all()
        assert enrollment.skills_wanted == ["Negotiation"]
        assert enrollment.person_id == ids["people"]["U1"]
    [dm] = await fake.wait_for("chat.postMessage")
    assert dm.body["channel"] == "U1" and "enrolled in *Leadership 1:1*" in dm.body["text"]
    assert dm.body["blocks"]


async def test_no_skills_returns_errors_keyed_by_field(client, fake, ids, slack_app) -> None:
    context = str(ids["programs"]["Leadership 1:1"])
    response = await post(client, payload_body(view_submission(context, mentee_state(()))))
    assert response.status_code == 200
    ack = response.json()
    assert ack["response_action"] == "errors" and set(ack["errors"]) == {"skills_wanted"}
    assert count_enrollments(slack_app) == 0


async def test_second_submit_leaves_one_enrollment(client, fake, ids, slack_app) -> None:
    body = payload_body(view_submission(str(ids["programs"]["Leadership 1:1"]), mentee_state()))
    for _ in range(2):
        assert (await post(client, body)).status_code == 200
    assert count_enrollments(slack_app) == 1
    await fake.wait_for("chat.postMessage")
    with slack_app.state.sessions() as s:
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 1


async def test_stale_form_context_updates_the_modal_with_a_message(client, ids) -> None:
    response = await post(client, payload_body(view_submission("999999", mentee_state())))
    ack = response.json()
    assert ack["response_action"] == "update" and ack["view"]["type"] == "modal"
    assert "out of date" in str(ack["view"]["blocks"])


async def test_rate_limited_dm_stays_pending_then_goes_out(
        client, fake: FakeSlackApi, ids, slack_app, clock) -> None:
    fake.rate_limit(7)
    context = str(ids["programs"]["Leadership 1:1"])
    assert (await post(client, payload_body(view_submission(context, mentee_state())))
            ).status_code == 200
    [limited] = await fake.wait_for("chat.postMessage")
    assert limited.status == 429
    row = await wait_for_outbox_error(slack_app)
    assert row.status is OutboxStatus.PENDING and row.sent_at is None
    assert row.attempts == 0 and "retry after 7" in (row.last_error or "")
    fake.rate_limit(None)
    sent = await deliver_due(slack_app.state.sessions, slack_app.state.worker.senders,
                             now=clock.now() + timedelta(seconds=8))
    assert sent == 1
    [_, delivered] = await fake.wait_for("chat.postMessage", count=2)
    assert delivered.status == 200 and delivered.body["channel"] == "U1"
    with slack_app.state.sessions() as s:
        assert s.scalars(select(OutboxMessage)).one().status is OutboxStatus.SENT
