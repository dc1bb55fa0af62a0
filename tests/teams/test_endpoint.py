"""The Teams endpoint end to end: activities in, cards out at a fake Bot Connector, DB rows."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from core.models import Enrollment, OutboxMessage, OutboxStatus, PlatformIdentity
from tests.fakes.connector import FakeConnector
from tests.teams.conftest import TENANT, activity

URL = "/api/messages"


async def say(client: httpx.AsyncClient, connector: FakeConnector, **fields: Any) -> str:
    """Post one activity from Ana; returns its id."""
    body = activity(connector.url, **fields)
    response = await client.post(URL, json=body)
    assert response.status_code == 200, response.text
    # Outbox delivery runs after the answer; wait for it so assertions see what was sent.
    await client._transport.app.state.worker.drain()  # type: ignore[attr-defined]
    return body["id"]


def form_inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in card["body"] if e["type"].startswith("Input.")}


def card_text(card: dict[str, Any]) -> str:
    def walk(node: Any) -> list[str]:
        if isinstance(node, dict):
            return [node.get("text", "")] + [t for v in node.values() for t in walk(v)]
        if isinstance(node, list):
            return [t for v in node for t in walk(v)]
        return []
    return "\n".join(walk(card))


def enrollments(app: FastAPI) -> int:
    with app.state.sessions() as s:
        return s.scalar(select(func.count()).select_from(Enrollment))


SUBMISSION = {"role": "mentee", "skills_offered": "", "skills_wanted": "Negotiation,Leadership",
              "goals": "Lead a team", "capacity": "1", "availability": "mornings"}


async def open_form(client: httpx.AsyncClient, connector: FakeConnector) -> dict[str, Any]:
    await say(client, connector, text="mentor join")
    return connector.cards()[-1]


async def test_join_form_submit_enrolls_and_dms_through_the_outbox(
    app: FastAPI, client: httpx.AsyncClient, connector: FakeConnector
) -> None:
    incoming = await say(client, connector, text="mentor join")
    [reply] = connector.activities()
    assert reply.method == "POST"
    assert reply.path == f"/v3/conversations/a:conv1/activities/{incoming}"
    [attachment] = reply.body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert set(form_inputs(card)) == {"role", "skills_offered", "skills_wanted", "goals",
                                      "capacity", "availability"}
    data = card["actions"][0]["data"]
    assert data["mb_form"] == "enroll" and data["mb_context"].isdigit()

    await say(client, connector, text="", value={**data, **SUBMISSION}, replyToId="activity-1")
    with app.state.sessions() as s:
        [enrollment] = s.scalars(select(Enrollment)).all()
        assert enrollment.skills_wanted == ["Negotiation", "Leadership"]
        [dm] = s.scalars(select(OutboxMessage)).all()
        assert dm.status is OutboxStatus.SENT
    proactive = connector.activities()[-1]
    # Proactive: botbuilder "replies" to its own made-up continuation id in the stored chat.
    assert proactive.method == "POST"
    assert proactive.path.startswith("/v3/conversations/a:conv1/activities/")
    assert proactive.path.rsplit("/", 1)[1] not in {incoming, "activity-1"}
    assert proactive.body["conversation"]["tenantID"] == TENANT
    assert "enrolled in **Leadership 1:1**" in card_text(proactive.body)

    await say(client, connector, text="", value={**data, **SUBMISSION}, replyToId="activity-1")
    assert enrollments(app) == 1
    with app.state.sessions() as s:
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 1


async def test_submission_without_skills_rerenders_the_card_with_errors(
    app: FastAPI, client: httpx.AsyncClient, connector: FakeConnector
) -> None:
    data = (await open_form(client, connector))["actions"][0]["data"]
    bad = {**data, **SUBMISSION, "skills_wanted": "", "goals": "Keep me"}
    await say(client, connector, text="", value=bad, replyToId="activity-1")
    update = connector.activities()[-1]
    assert update.method == "PUT"
    assert update.path == "/v3/conversations/a:conv1/activities/activity-1"
    card = update.body["attachments"][0]["content"]
    assert "Pick at least one skill you want to learn." in card_text(card)
    inputs = form_inputs(card)
    assert inputs["goals"]["value"] == "Keep me" and inputs["role"]["value"] == "mentee"
    assert enrollments(app) == 0


async def test_conversation_reference_keeps_the_tenant(
    app: FastAPI, client: httpx.AsyncClient, connector: FakeConnector
) -> None:
    await say(client, connector, text="mentor help", conversation={
        "id": "a:conv1", "conversationType": "personal"})
    with app.state.sessions() as s:
        identity = s.scalar(select(PlatformIdentity).where(PlatformIdentity.user_id == "aad-ana"))
        ref = identity.conversation_ref
    assert ref["conversation"]["tenantId"] == TENANT
    assert ref["conversation"]["id"] == "a:conv1" and ref["serviceUrl"] == connector.url
    assert ref["user"]["aadObjectId"] == "aad-ana" and ref["channelId"] == "msteams"


async def test_help_and_unknown_words_get_help(
    client: httpx.AsyncClient, connector: FakeConnector
) -> None:
    await say(client, connector, text="mentor help")
    await say(client, connector, text="dance")
    help_card, unknown_card = connector.cards()
    assert "mentor join" in card_text(help_card) and "/mentor" not in card_text(help_card)
    assert "don't know **dance**" in card_text(unknown_card)
    assert "mentor join" in card_text(unknown_card)


async def test_installing_the_app_sends_the_welcome_dm_once(
    app: FastAPI, client: httpx.AsyncClient, connector: FakeConnector
) -> None:
    added = {"type": "conversationUpdate", "membersAdded": [{"id": "28:bot"}]}
    await say(client, connector, **added)
    await say(client, connector, **added)
    [welcome] = connector.activities()
    assert "Mentorbot" in card_text(welcome.body)
    with app.state.sessions() as s:
        [row] = s.scalars(select(OutboxMessage)).all()
        assert row.status is OutboxStatus.SENT
