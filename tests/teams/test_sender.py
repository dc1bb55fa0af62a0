"""Proactive delivery: throttling is retried later, an unknown tenant fails for good."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from core.events import Delivery, PermanentFailure
from core.models import OutboxMessage, OutboxStatus
from core.outbox import RetryLater
from core.ui import Message
from tests.fakes.connector import FakeConnector
from tests.teams.conftest import activity

SUBMISSION = {"role": "mentee", "skills_wanted": "Negotiation", "goals": "",
              "capacity": "1", "availability": "mornings"}


async def test_429_leaves_the_dm_pending(
    app: FastAPI, client: httpx.AsyncClient, connector: FakeConnector
) -> None:
    await client.post("/api/messages", json=activity(connector.url, text="mentor join"))
    data = connector.cards()[-1]["actions"][0]["data"]
    connector.status = 429
    response = await client.post("/api/messages", json=activity(
        connector.url, text="", value={**data, **SUBMISSION}))
    assert response.status_code == 200
    await app.state.worker.drain()
    with app.state.sessions() as s:
        [row] = s.scalars(select(OutboxMessage)).all()
        assert row.status is OutboxStatus.PENDING and row.attempts == 0
        assert "retry after 30" in (row.last_error or "")
    sender = app.state.worker.senders["teams"]
    delivery = Delivery(row.id, "teams", "tenant-1", "aad-ana", "",
                        {"conversation": {"id": "a:conv1", "tenantId": "tenant-1"},
                         "serviceUrl": connector.url, "channelId": "msteams"},
                        Message("hi"))
    with pytest.raises(RetryLater) as caught:
        await sender.deliver(delivery)
    assert caught.value.seconds == 30


async def test_no_chat_and_no_tenant_address_fails_for_good(app: FastAPI) -> None:
    # Nothing stored for the tenant: no service URL to open a chat at, and retrying can't help.
    sender = app.state.worker.senders["teams"]
    with pytest.raises(PermanentFailure, match="install Mentorbot in a team"):
        await sender.deliver(Delivery(1, "teams", "tenant-1", "aad-ana", "", None, Message("hi")))
