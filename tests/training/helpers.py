"""A program that requires the starter course, with mentors and mentees, for training tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.events import Actor, ButtonAction, CommandEvent, Intent
from core.mentorbot import Mentorbot
from core.models import Enrollment, Person, Program, Role, TrainingModule
from core.training import attach_starter
from core.ui import Button, Buttons, Message
from tests.factories import seed

PEOPLE = [("Ana Lima", "U1"), ("Ben Okoro", "U2"), ("Cleo Park", "U3"), ("Dev Rao", "U4"),
          ("Boss Person", "boss@acme.test")]
ADMIN = Actor("webchat", "T1", "boss@acme.test")


def actor(user_id: str) -> Actor:
    return Actor("webchat", "T1", user_id)


def build(sessions: sessionmaker[Session], *, required: bool = True,
          tz: str = "UTC") -> dict[str, Any]:
    """Ana and Ben mentor, Cleo and Dev want to learn; the program carries the starter course."""
    ids = seed(sessions, people=PEOPLE)
    program_id = ids["programs"]["Leadership 1:1"]
    with sessions() as s, s.begin():
        people = {p.name.split()[0]: p for p in s.scalars(select(Person))}
        for name, level in (("Ana", 6), ("Ben", 5), ("Cleo", 3), ("Dev", 2)):
            people[name].level, people[name].timezone = level, tz
            people[name].department = name  # everyone differs: no rule gets in the way
        for name in ("Ana", "Ben"):
            s.add(Enrollment(person_id=people[name].id, program_id=program_id, role=Role.MENTOR,
                             skills_offered=["Negotiation"], capacity=1,
                             availability="flexible"))
        for name in ("Cleo", "Dev"):
            s.add(Enrollment(person_id=people[name].id, program_id=program_id, role=Role.MENTEE,
                             skills_wanted=["Negotiation"], goals="Lead a team",
                             availability="flexible"))
        program = s.get(Program, program_id)
        assert program is not None
        program.training_required = required
        attach_starter(s, program)
    return ids


def modules(sessions: sessionmaker[Session], program_id: int) -> list[tuple[int, str]]:
    with sessions() as s:
        return [(m.id, m.title) for m in s.scalars(select(TrainingModule).where(
            TrainingModule.program_id == program_id).order_by(TrainingModule.position))]


def say(bot: Mentorbot, text: str, who: Actor) -> list[Intent]:
    return bot.handle(CommandEvent(who, text))


def click(bot: Mentorbot, who: Actor, action_id: str, value: str) -> list[Intent]:
    return bot.handle(ButtonAction(who, action_id, value))


def buttons(message: Message) -> list[Button]:
    return [b for block in message.blocks if isinstance(block, Buttons) for b in block.buttons]


def finish(bot: Mentorbot, sessions: sessionmaker[Session], who: Actor,
           module_id: int) -> list[Intent]:
    """Finish one module the way a mentor does: Mark as done, or the quiz's right answer."""
    with sessions() as s:
        module = s.get(TrainingModule, module_id)
        assert module is not None
        right = module.quiz_choices.index(module.quiz_answer) if module.quiz_choices else None
    if right is None:
        return click(bot, who, "training.done", str(module_id))
    return click(bot, who, "training.quiz", f"{module_id}:{right}")
