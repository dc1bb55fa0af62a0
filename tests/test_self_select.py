"""Self-select: a mentee asks one of their suggested mentors, who accepts or declines."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.events import Actor, ButtonAction, CommandEvent, Reply, UpdateMessage
from core.mentorbot import Mentorbot
from core.models import (
    Enrollment,
    Match,
    MatchStatus,
    MentorRequest,
    OutboxMessage,
    Person,
    RequestStatus,
    Role,
)
from core.ui import Buttons
from tests.factories import seed

ANA, BEN, DEV, ELI = (Actor("webchat", "T1", u) for u in ("U1", "U2", "U4", "U5"))


@pytest.fixture
def bot(sessions, clock) -> Mentorbot:  # type: ignore[no-untyped-def]
    ids = seed(sessions, people=[("Ana Lima", "U1"), ("Ben Okoro", "U2"), ("Cleo Park", "U3"),
                                 ("Dev Rao", "U4"), ("Eli Stone", "U5")])
    program_id = ids["programs"]["Leadership 1:1"]
    with sessions() as s, s.begin():
        people = {p.name.split()[0]: p for p in s.scalars(select(Person))}
        for name, level in (("Ana", 6), ("Ben", 5), ("Cleo", 6), ("Dev", 2), ("Eli", 2)):
            people[name].level = level
        people["Dev"].manager_id = people["Cleo"].id  # Cleo must never be suggested to Dev
        for name in ("Ana", "Ben", "Cleo"):
            s.add(Enrollment(person_id=people[name].id, program_id=program_id, role=Role.MENTOR,
                             skills_offered=["Negotiation"], availability="flexible"))
        for name in ("Dev", "Eli"):
            s.add(Enrollment(person_id=people[name].id, program_id=program_id, role=Role.MENTEE,
                             skills_wanted=["Negotiation"], goals="Negotiate my first deal",
                             availability="flexible"))
    return Mentorbot(sessions, clock=clock)


def ask_buttons(intents) -> dict[str, str]:  # type: ignore[no-untyped-def]
    [reply] = intents
    return {b.label: b.value for block in reply.message.blocks if isinstance(block, Buttons)
            for b in block.buttons}


def dms_to(sessions, name: str) -> list[dict]:  # type: ignore[no-untyped-def]
    with sessions() as s:
        pid = s.scalar(select(Person.id).where(Person.name.startswith(name)))
        return [o.payload for o in s.scalars(select(OutboxMessage).where(
            OutboxMessage.person_id == pid).order_by(OutboxMessage.id))]


def test_suggestions_respect_the_reporting_line_and_carry_reasons(bot) -> None:  # type: ignore[no-untyped-def]
    intents = bot.handle(CommandEvent(DEV, "suggest"))
    assert set(ask_buttons(intents)) == {"Ask Ana", "Ask Ben"}
    shown = " ".join(getattr(b, "text", "") for b in intents[0].message.blocks)
    # Dev reads about himself as "you", never by his own name.
    assert "Ana Lima offers Negotiation, which you want to learn" in shown
    assert "Ana Lima is 4 levels above you" in shown
    assert "Dev Rao" not in shown and "Cleo" not in shown
    [reply] = bot.handle(CommandEvent(ANA, "suggest"))
    assert "for mentees who are not matched yet" in reply.message.text


def test_decline_then_accept(bot, sessions) -> None:  # type: ignore[no-untyped-def]
    buttons = ask_buttons(bot.handle(CommandEvent(DEV, "suggest")))
    [asked] = bot.handle(ButtonAction(DEV, "request.ask", buttons["Ask Ana"]))
    assert isinstance(asked, Reply) and "I've asked Ana Lima" in asked.message.text
    [request_dm] = dms_to(sessions, "Ana")
    assert "Dev Rao (Engineer, Engineering) would like you as their mentor" in request_dm["text"]
    why = " ".join(b.get("text", "") for b in request_dm["blocks"])
    assert "You offer Negotiation, which Dev Rao wants to learn" in why
    assert "you are 4 levels above Dev Rao" in why and "Ana Lima" not in why
    [waiting] = bot.handle(CommandEvent(DEV, "suggest"))
    assert "waiting for Ana Lima's answer" in waiting.message.text

    with sessions() as s:
        request_id = str(s.scalar(select(MentorRequest.id)))
    [not_yours] = bot.handle(ButtonAction(BEN, "request.accept", request_id))
    assert "can't go ahead" in not_yours.message.text
    [declined] = bot.handle(ButtonAction(ANA, "request.decline", request_id))
    assert isinstance(declined, UpdateMessage) and "without a reason" in declined.message.text
    assert "can't take a mentee right now" in dms_to(sessions, "Dev")[-1]["text"]
    [again] = bot.handle(ButtonAction(ANA, "request.accept", request_id))
    assert "already answered" in again.message.text

    buttons = ask_buttons(bot.handle(CommandEvent(DEV, "suggest")))
    assert set(buttons) == {"Ask Ben"}  # Ana said no: not suggested again
    bot.handle(ButtonAction(DEV, "request.ask", buttons["Ask Ben"]))
    with sessions() as s:
        request_id = str(s.scalar(select(MentorRequest.id).where(
            MentorRequest.status == RequestStatus.PENDING)))
    [accepted] = bot.handle(ButtonAction(BEN, "request.accept", request_id))
    assert "You're now Dev Rao's mentor" in accepted.message.text
    assert "Ben Okoro accepted" in dms_to(sessions, "Dev")[-1]["text"]
    with sessions() as s:
        [match] = s.scalars(select(Match)).all()
        assert match.status is MatchStatus.ACTIVE and match.reasons
        # Admins read the match's reasons with both names.
        assert "Ben Okoro offers Negotiation, which Dev Rao wants to learn" in match.reasons
    # Ben's one place is taken: Eli is not offered Ben.
    assert set(ask_buttons(bot.handle(CommandEvent(ELI, "suggest")))) == {"Ask Ana", "Ask Cleo"}


def test_unanswered_requests_lapse_and_the_mentee_is_told(bot, sessions, clock) -> None:  # type: ignore[no-untyped-def]
    buttons = ask_buttons(bot.handle(CommandEvent(ELI, "suggest")))
    bot.handle(ButtonAction(ELI, "request.ask", buttons["Ask Ana"]))
    assert bot.tick() == 0  # not yet
    clock.advance(timedelta(days=8))
    assert bot.tick() == 1
    assert "didn't answer in 7 days" in dms_to(sessions, "Eli")[-1]["text"]
    with sessions() as s:
        assert s.scalar(select(MentorRequest.status)) is RequestStatus.EXPIRED
    clock.advance(timedelta(days=1))
    assert bot.tick() == 0  # told once
