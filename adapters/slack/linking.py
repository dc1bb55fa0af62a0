"""Find HRIS people's Slack accounts by email (users.lookupByEmail), paced for Tier 3."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.orm import Session, sessionmaker

from core.identity_links import link, unlinked
from core.models import Person, Workspace

log = logging.getLogger(__name__)
# users.lookupByEmail is Tier 3 (50+ a minute): stay just under one call a second.
PACE_SECONDS = 1.2


@dataclass
class LinkResult:
    linked: int = 0
    not_in_slack: int = 0
    conflicts: int = 0


async def link_by_email(client: AsyncWebClient, sessions: sessionmaker[Session],
                        workspace_id: int, *, pace: float = PACE_SECONDS) -> LinkResult:
    """Look up every unlinked person's email in Slack and record the account found."""
    result = LinkResult()
    with sessions() as session:
        ws = session.get(Workspace, workspace_id)
        assert ws is not None
        todo = [(p.id, p.email) for p in unlinked(session, ws)]
        tenant = ws.external_id
    for i, (person_id, email) in enumerate(todo):
        if i and pace:
            await asyncio.sleep(pace)
        try:
            found = await client.users_lookupByEmail(email=email)
        except SlackApiError as exc:
            if exc.response.get("error") == "users_not_found":
                result.not_in_slack += 1
                continue
            raise
        user_id = str(found["user"]["id"])
        with sessions() as session, session.begin():
            person = session.get(Person, person_id)
            if person is not None and link(session, person, "slack", tenant, user_id):
                result.linked += 1
            else:
                result.conflicts += 1
    return result
