"""Every Slack account ends up on its HR record, whatever its first contact was."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi import FastAPI
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from adapters.slack.linking import link_by_email
from core.admin.rights import is_admin
from core.clock import FakeClock
from core.models import Enrollment, Person, PlatformIdentity, Workspace
from tests.factories import seed
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.helpers import (
    command_body,
    mentee_state,
    payload_body,
    post,
    view_submission,
)

ANA = "ana.lima@acme.test"


@pytest.fixture
def admin_emails() -> str:
    """Ana is named in ADMIN_EMAILS."""
    return ANA


def _hr_record(app: FastAPI) -> dict[str, int]:
    """Ana's HR record (from the HRIS, no Slack account yet) and an open program."""
    ids = seed(app.state.sessions, platform="slack", tenant="T1", people=[])
    with app.state.sessions() as s, s.begin():
        ana = Person(workspace_id=ids["workspace_id"], name="Ana Lima", email=ANA,
                     external_id="E1", title="Engineer", department="Engineering", level=3)
        s.add(ana)
        s.flush()
        return {"ana": ana.id, "program": ids["programs"]["Leadership 1:1"]}


def _people(app: FastAPI) -> list[tuple[int, str | None]]:
    with app.state.sessions() as s:
        return [(p.id, p.email) for p in s.scalars(select(Person).order_by(Person.id))]


async def test_a_first_contact_by_form_submission_is_linked_to_the_hr_record(
        client, fake: FakeSlackApi, slack_app: FastAPI) -> None:  # type: ignore[no-untyped-def]
    ids = _hr_record(slack_app)
    fake.directory = {ANA: "U1"}
    response = await post(client, payload_body(view_submission(str(ids["program"]),
                                                               mentee_state())))
    assert response.status_code == 200
    assert [c.body["user"] for c in fake.calls_to("users.info")] == ["U1"]
    assert _people(slack_app) == [(ids["ana"], ANA)]  # nobody new
    with slack_app.state.sessions() as s:
        [enrollment] = s.scalars(select(Enrollment)).all()
        assert enrollment.person_id == ids["ana"]
        assert s.scalar(select(PlatformIdentity.person_id)) == ids["ana"]


async def test_a_stranger_record_is_merged_when_slack_gives_the_email_keeping_everything(
        client, fake: FakeSlackApi, slack_app: FastAPI,
        clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    ids = _hr_record(slack_app)
    # Slack shows no email at first (a profile setting, a missing scope): a stranger record.
    response = await post(client, payload_body(view_submission(str(ids["program"]),
                                                               mentee_state())))
    assert response.status_code == 200
    people = _people(slack_app)
    assert len(people) == 2 and people[1][1] is None
    stranger = people[1][0]
    # Asked once; the next contact within the hour does not ask again.
    await post(client, command_body("status", f"{fake.url}response/1"))
    await fake.wait_for("response/1")
    assert len(fake.calls_to("users.info")) == 1

    fake.directory = {ANA: "U1"}
    clock.advance(timedelta(hours=2))
    await post(client, command_body("status", f"{fake.url}response/2"))
    await fake.wait_for("response/2")
    assert len(fake.calls_to("users.info")) == 2
    assert _people(slack_app) == [(ids["ana"], ANA)]
    with slack_app.state.sessions() as s:
        [enrollment] = s.scalars(select(Enrollment)).all()
        assert enrollment.person_id == ids["ana"] and enrollment.goals == "Lead a team"
        assert s.scalar(select(PlatformIdentity.person_id)) == ids["ana"]
        ana = s.get(Person, ids["ana"])
        assert ana is not None and ana.external_id == "E1" and is_admin(s, ana)
        assert s.get(Person, stranger) is None


async def test_link_slack_merges_a_stranger_record_into_the_hr_record(
        sessions) -> None:  # type: ignore[no-untyped-def]
    ids = seed(sessions, platform="slack", tenant="T1", people=[])
    with sessions() as s, s.begin():
        ws = s.scalar(select(Workspace))
        assert ws is not None
        ben = Person(workspace_id=ws.id, name="Ben Okoro", email="ben@acme.test",
                     external_id="E2")
        early = Person(workspace_id=ws.id, name="U5", email=None)
        s.add_all([ben, early])
        s.flush()
        s.add(PlatformIdentity(person_id=early.id, platform="slack", tenant_id="T1",
                               user_id="U5"))
        s.add(Enrollment(person_id=early.id, program_id=ids["programs"]["Leadership 1:1"],
                         role="mentor", goals="Share what I know"))
        ben_id = ben.id
    with FakeSlackApi() as fake:
        fake.directory = {"ben@acme.test": "U5"}
        client = AsyncWebClient(token="xoxb-test", base_url=fake.url)
        result = await link_by_email(client, sessions, ws.id, pace=0)
    assert (result.linked, result.conflicts) == (1, 0)
    with sessions() as s:
        assert [p.id for p in s.scalars(select(Person))] == [ben_id]
        assert s.scalar(select(PlatformIdentity.person_id)) == ben_id
        assert s.scalar(select(Enrollment.goals).where(Enrollment.person_id == ben_id)) \
            == "Share what I know"
