"""Teams people are their HR record: on first contact the bot reads their email from Teams and
links them by it; a record made before the email was known is merged into the HR record
(enrollments and admin rights kept), and ADMIN_EMAILS then applies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from core.admin.rights import is_admin
from core.clock import FakeClock
from core.models import Enrollment, Person, PlatformIdentity
from tests.factories import seed
from tests.fakes.connector import FakeConnector
from tests.teams.conftest import TENANT, activity, build_app
from tests.teams.test_endpoint import SUBMISSION
from tests.teams.test_team_install import add_people, install

CARLA = {"id": "29:carla", "aadObjectId": "aad-carla", "name": "Carla Diaz"}
CARLA_PROFILE = {**CARLA, "email": "Carla@Acme.test",
                 "userPrincipalName": "carla@acme.onmicrosoft.com"}


@pytest.fixture
def app(db_url: str, clock: FakeClock) -> Iterator[FastAPI]:
    application = build_app(db_url, clock, admin_emails="carla@acme.test")
    seed(application.state.sessions, platform="teams", tenant=TENANT,
         people=[("Ana Lima", "aad-ana")])
    add_people(application, ("Carla Diaz", "carla@acme.test"))
    yield application
    application.state.engine.dispose()


async def carla_says(client: httpx.AsyncClient, connector: FakeConnector,
                     **fields: Any) -> None:
    body = activity(connector.url, **{"from": CARLA, **fields})
    body["conversation"] = {**body["conversation"], "id": "a:carla"}
    response = await client.post("/api/messages", json=body)
    assert response.status_code == 200, response.text
    await client._transport.app.state.worker.drain()  # type: ignore[attr-defined]


def carla_records(app: FastAPI) -> list[Person]:
    with app.state.sessions() as s:
        return list(s.scalars(select(Person).join(PlatformIdentity).where(
            PlatformIdentity.user_id == "aad-carla")))


def people_count(app: FastAPI) -> int:
    with app.state.sessions() as s:
        return s.scalar(select(func.count()).select_from(Person))


async def test_first_contact_reads_the_email_and_links_the_hr_record(
        app: FastAPI, client: httpx.AsyncClient, connector: FakeConnector) -> None:
    connector.members = [CARLA_PROFILE]
    before = people_count(app)
    await carla_says(client, connector, text="mentor status")
    assert any(r.path == "/v3/conversations/a:carla/members/29:carla"
               for r in connector.requests)
    [carla] = carla_records(app)
    assert carla.email == "carla@acme.test" and people_count(app) == before
    with app.state.sessions() as s:
        assert is_admin(s, s.get(Person, carla.id), frozenset({"carla@acme.test"}))
    # Known now: the next message costs no profile lookup.
    lookups = len(connector.requests)
    await carla_says(client, connector, text="mentor status")
    assert not [r for r in connector.requests[lookups:] if "/members/" in r.path]


async def test_a_record_made_before_the_email_was_known_is_merged_at_install(
        app: FastAPI, client: httpx.AsyncClient, connector: FakeConnector) -> None:
    # Carla opens the personal chat first; Teams gives no profile yet (not in the roster).
    await carla_says(client, connector, text="mentor join")
    data = connector.cards()[-1]["actions"][0]["data"]
    await carla_says(client, connector, text="", value={**data, **SUBMISSION})
    [early] = carla_records(app)
    assert early.email is None
    # The team install's roster gives her email: the early record folds into the HR record.
    connector.members = [CARLA_PROFILE]
    await install(client, connector)
    [carla] = carla_records(app)
    assert carla.id != early.id and carla.email == "carla@acme.test"
    with app.state.sessions() as s:
        assert s.get(Person, early.id) is None
        kept = s.scalars(select(Enrollment).where(Enrollment.person_id == carla.id)).all()
        assert [e.goals for e in kept] == ["Lead a team"]
        assert is_admin(s, s.get(Person, carla.id), frozenset({"carla@acme.test"}))
        # Her 1:1 chat moved with the account, so she is still reachable.
        identity = s.scalar(select(PlatformIdentity).where(
            PlatformIdentity.user_id == "aad-carla"))
        assert identity is not None and identity.conversation_ref is not None


async def test_a_member_without_an_email_still_gets_an_answer(
        app: FastAPI, client: httpx.AsyncClient, connector: FakeConnector) -> None:
    connector.members = [CARLA]  # a guest: neither email nor UPN
    await carla_says(client, connector, text="mentor help")
    [carla] = carla_records(app)
    assert carla.email is None
    assert "Mentorbot commands" in str(connector.activities()[-1].body.get("summary"))
