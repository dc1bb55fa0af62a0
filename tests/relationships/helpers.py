"""A program with live matches, a fake clock and a recording sender, for relationship tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.clock import FakeClock
from core.events import Actor, Delivery
from core.mentorbot import Mentorbot
from core.models import (
    Admin,
    Enrollment,
    Match,
    MatchMentee,
    Person,
    Platform,
    PlatformIdentity,
    Program,
    ProgramKind,
    ProgramStatus,
    Role,
    Workspace,
)
from core.outbox import deliver_due
from core.relationships.lifecycle import activate


@dataclass
class Recorder:
    """A Sender that notes what arrived and when, by the fake clock."""

    clock: FakeClock
    supports_group_chat: bool = False
    got: list[tuple[datetime, Delivery]] = field(default_factory=list)

    async def deliver(self, delivery: Delivery) -> str | None:
        self.got.append((self.clock.now(), delivery))
        return f"m{len(self.got)}"


@dataclass
class World:
    sessions: sessionmaker[Session]
    clock: FakeClock
    bot: Mentorbot
    recorder: Recorder
    program_id: int
    matches: list[int]
    people: dict[str, int]

    def actor(self, name: str) -> Actor:
        return Actor("webchat", "T1", name)

    async def step(self) -> None:
        """One scheduler tick at the clock's time, then one dispatch."""
        self.bot.tick()
        while await deliver_due(self.sessions, {"webchat": self.recorder},
                                now=self.clock.now()):
            pass


def build_world(sessions: sessionmaker[Session], start: datetime, pairs: list[tuple[str, str]],
                timezones: dict[str, str], *, cadence_days: int = 14, weeks: int = 12,
                group_platforms: tuple[str, ...] = ()) -> World:
    """Live one-on-one matches published at ``start``; people are named by their user id."""
    clock = FakeClock(start)
    with sessions() as s, s.begin():
        ws = Workspace(platform=Platform.WEBCHAT, external_id="T1", name="Acme")
        s.add(ws)
        s.flush()
        program = Program(workspace_id=ws.id, name="Leadership 1:1", kind=ProgramKind.ONE_ON_ONE,
                          status=ProgramStatus.RUNNING, cadence_days=cadence_days,
                          duration_weeks=weeks, skills=["Negotiation"])
        s.add(program)
        people: dict[str, Any] = {}
        for name, tz in [*timezones.items(), ("admin", "Europe/London")]:
            p = Person(workspace_id=ws.id, name=name.title(), email=f"{name}@acme.test",
                       timezone=tz, title="Engineer", department="Eng", level=3)
            s.add(p)
            s.flush()
            s.add(PlatformIdentity(person_id=p.id, platform=Platform.WEBCHAT, tenant_id="T1",
                                   user_id=name))
            people[name] = p
        s.add(Admin(workspace_id=ws.id, person_id=people["admin"].id))
        s.flush()
        match_ids = []
        for mentor, mentee in pairs:
            for name, role in ((mentor, Role.MENTOR), (mentee, Role.MENTEE)):
                s.add(Enrollment(person_id=people[name].id, program_id=program.id, role=role,
                                 skills_offered=["Negotiation"], skills_wanted=["Negotiation"],
                                 goals=f"{name} wants to lead"))
            m = Match(program_id=program.id, mentor_id=people[mentor].id,
                      reasons=["Both care about negotiation"])
            m.mentees = [MatchMentee(person_id=people[mentee].id)]
            s.add(m)
            s.flush()
            activate(s, m, now=start)
            match_ids.append(m.id)
        ids = {n: p.id for n, p in people.items()}
        program_id = program.id
    bot = Mentorbot(sessions, clock=clock, group_platforms=group_platforms)
    return World(sessions, clock, bot, Recorder(clock), program_id, match_ids, ids)


def outbox_rows(sessions: sessionmaker[Session]) -> list[Any]:
    from core.models import OutboxMessage

    with sessions() as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
