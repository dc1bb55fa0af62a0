"""Invite-only programs: admin invitations, manager nominations, onboarding auto-invites."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from core.clock import FakeClock
from core.events import Actor, ButtonAction, CommandEvent, OpenForm
from core.hris.people import apply_record
from core.hris.records import PersonRecord
from core.mentorbot import Mentorbot
from core.models import (
    Invitation,
    Nomination,
    NominationStatus,
    OutboxMessage,
    Person,
    Program,
    ProgramPurpose,
    ProgramStatus,
    Workspace,
)
from tests.factories import seed

NOW = datetime(2027, 3, 3, 12, tzinfo=UTC)
BOSS, ANA, BEN, CLEO = (Actor("webchat", "T1", u) for u in ("boss", "U1", "U2", "U3"))


@pytest.fixture
def bot(sessions) -> Mentorbot:  # type: ignore[no-untyped-def]
    seed(sessions, programs=[{"name": "Rising stars", "invite_only": True}],
         people=[("Ana Lima", "U1"), ("Ben Okoro", "U2"), ("Cleo Park", "U3"),
                 ("Boss Person", "boss")])
    with sessions() as s, s.begin():
        ana, ben = (s.scalar(select(Person).where(Person.name == n))
                    for n in ("Ana Lima", "Ben Okoro"))
        ben.manager_id = ana.id  # Ana manages Ben
    return Mentorbot(sessions, admin_emails=["boss.person@acme.test"], clock=FakeClock(NOW))


def say(bot, actor: Actor, text: str) -> str:  # type: ignore[no-untyped-def]
    [reply] = bot.handle(CommandEvent(actor, text))
    return reply.message.text


def dms(sessions, name: str) -> list[dict]:  # type: ignore[no-untyped-def]
    with sessions() as s:
        pid = s.scalar(select(Person.id).where(Person.name == name))
        return [o.payload for o in s.scalars(select(OutboxMessage).where(
            OutboxMessage.person_id == pid).order_by(OutboxMessage.id))]


def test_admin_invites_and_only_the_invited_see_the_program(bot, sessions) -> None:  # type: ignore[no-untyped-def]
    assert "by invitation" in say(bot, CLEO, "join Rising stars")
    text = say(bot, BOSS, "admin invite cleo.park@acme.test nobody@acme.test Rising stars")
    assert "Invited 1 person to *Rising stars*" in text
    assert "couldn't find: nobody@acme.test" in text
    [invite] = dms(sessions, "Cleo Park")
    join = invite["blocks"][1]["buttons"][0]
    assert join["label"] == "Join Rising stars"
    [form] = bot.handle(ButtonAction(CLEO, join["action_id"], join["value"]))
    assert isinstance(form, OpenForm)
    assert "by invitation" in say(bot, BEN, "join Rising stars")
    again = say(bot, BOSS, "admin invite cleo.park@acme.test Rising stars")
    assert "1 already had an invitation" in again and len(dms(sessions, "Cleo Park")) == 1
    assert "for program admins" in say(bot, ANA, "admin invite ben.okoro@acme.test Rising stars")


def test_a_manager_nominates_a_report_and_an_admin_approves(bot, sessions) -> None:  # type: ignore[no-untyped-def]
    assert "own reports only" in say(bot, CLEO, "nominate ben.okoro@acme.test Rising stars")
    assert "asked the program admins" in say(bot, ANA, "nominate ben.okoro@acme.test Rising stars")
    assert "already nominated" in say(bot, ANA, "nominate ben.okoro@acme.test Rising stars")
    [ask] = dms(sessions, "Boss Person")
    assert "Ana Lima nominates Ben Okoro" in ask["text"]
    approve = ask["blocks"][1]["buttons"][0]
    [refused] = bot.handle(ButtonAction(CLEO, approve["action_id"], approve["value"]))
    assert "for program admins" in refused.message.text
    [done] = bot.handle(ButtonAction(BOSS, approve["action_id"], approve["value"]))
    assert "Approved: Ben Okoro" in done.message.text
    assert "was approved" in dms(sessions, "Ana Lima")[-1]["text"]
    assert "invited you to *Rising stars*" in dms(sessions, "Ben Okoro")[-1]["text"]
    with sessions() as s:
        assert s.scalar(select(Nomination.status)) is NominationStatus.APPROVED
        assert s.scalar(select(Invitation.person_id)) is not None
    [twice] = bot.handle(ButtonAction(BOSS, approve["action_id"], approve["value"]))
    assert "already approved" in twice.message.text


def test_onboarding_programs_invite_new_hires_from_the_hris_sync(bot, sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions() as s, s.begin():
        ws = s.scalar(select(Workspace))
        s.add(Program(workspace_id=ws.id, name="New leaders", kind="reverse",
                      purpose=ProgramPurpose.ONBOARDING, invite_only=True,
                      status=ProgramStatus.OPEN, auto_invite_hired_within_days=30,
                      auto_invite_title_pattern=r"\b(head|director)\b"))
    with sessions() as s, s.begin():
        ws = s.scalar(select(Workspace))
        for rec in (PersonRecord("E1", "Nia New", "nia@acme.test", title="Engineer",
                                 hire_date=date(2027, 2, 20)),
                    PersonRecord("E2", "Olu Old", "olu@acme.test", title="Engineer",
                                 hire_date=date(2019, 1, 1)),
                    PersonRecord("E3", "Pat Head", "pat@acme.test", title="Head of Sales",
                                 hire_date=date(2018, 1, 1))):
            apply_record(s, ws, rec, now=NOW)
    with sessions() as s:
        invited = {p for p, in s.execute(select(Person.name).join(
            Invitation, Invitation.person_id == Person.id))}
    assert invited == {"Nia New", "Pat Head"}  # a recent hire, and a leader hired in
