"""A private do-not-match list, honoured by the matcher."""

from __future__ import annotations

from sqlalchemy import select

from core.events import Actor, ButtonAction, CommandEvent
from core.mentorbot import Mentorbot
from core.models import DoNotMatch, Enrollment, Person, Role
from core.ui import Buttons
from tests.factories import seed

ANA = Actor("webchat", "T1", "U1")
BOSS = Actor("webchat", "T1", "U3")


def say(core: Mentorbot, text: str, actor: Actor = ANA) -> str:
    [reply] = core.handle(CommandEvent(actor, text))
    return reply.message.text


def test_add_list_undo_and_remove(core, sessions) -> None:  # type: ignore[no-untyped-def]
    seed(sessions)
    assert "list is empty" in say(core, "avoid")
    [reply] = core.handle(CommandEvent(ANA, "avoid ben.okoro@acme.test"))
    assert "never pair you with Ben Okoro. They won't be told." in reply.message.text
    assert "Ben Okoro" in say(core, "avoid")
    undo = next(b for b in reply.message.blocks if isinstance(b, Buttons)).buttons[0]
    [undone] = core.handle(ButtonAction(ANA, undo.action_id, undo.value))
    assert "can be matched with you again" in undone.message.text
    say(core, "avoid ben.okoro@acme.test")
    assert "off your do-not-match list" in say(core, "avoid remove ben.okoro@acme.test")
    with sessions() as s:
        assert s.scalars(select(DoNotMatch)).all() == []
    assert "couldn't find" in say(core, "avoid nobody@nowhere")
    assert "yourself" in say(core, "avoid ana.lima@acme.test")


def test_the_matcher_never_pairs_an_avoided_person(sessions) -> None:  # type: ignore[no-untyped-def]
    ids = seed(sessions, people=[("Ana Lima", "U1"), ("Ben Okoro", "U2"), ("Boss Person", "U3")])
    with sessions() as s, s.begin():
        ana, ben = (s.scalar(select(Person).where(Person.name == n))
                    for n in ("Ana Lima", "Ben Okoro"))
        ana.level, ben.level = 6, 2
        program_id = ids["programs"]["Leadership 1:1"]
        s.add(Enrollment(person_id=ana.id, program_id=program_id, role=Role.MENTOR,
                         skills_offered=["Negotiation"]))
        s.add(Enrollment(person_id=ben.id, program_id=program_id, role=Role.MENTEE,
                         skills_wanted=["Negotiation"]))
    core = Mentorbot(sessions, admin_emails=["boss.person@acme.test"])
    assert "1 of 1 matched" in say(core, "admin match Leadership 1:1", BOSS)
    say(core, "avoid ana.lima@acme.test", Actor("webchat", "T1", "U2"))  # Ben avoids Ana
    assert "0 of 1 matched" in say(core, "admin match Leadership 1:1", BOSS)
