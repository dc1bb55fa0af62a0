"""Mentors still in training sit out matching, the preview says why, and admins steer it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from core.clock import FakeClock
from core.demo import load_demo
from core.events import Actor, ButtonAction, CommandEvent
from core.mentorbot import Mentorbot
from core.models import (
    AuditEntry,
    Match,
    MatchRun,
    OutboxMessage,
    Person,
    Program,
    TrainingCompletion,
    TrainingModule,
)
from core.training import mentors_in_training
from tests.factories import seed
from tests.training.helpers import ADMIN, PEOPLE, actor, build, finish, modules, say

NOW = datetime(2027, 3, 3, 12, tzinfo=UTC)


def _bot(sessions) -> Mentorbot:  # type: ignore[no-untyped-def]
    return Mentorbot(sessions, admin_emails=["boss.person@acme.test"], clock=FakeClock(NOW))


def _mentors_in_run(sessions) -> set[str]:  # type: ignore[no-untyped-def]
    with sessions() as s:
        names = {p.id: p.name for p in s.scalars(select(Person))}
        run = s.scalar(select(MatchRun).order_by(MatchRun.id.desc()))
        return {names[m.mentor_id] for m in s.scalars(select(Match).where(
            Match.run_id == run.id))}


def test_mentors_in_training_are_held_back_and_the_preview_says_why(sessions) -> None:  # type: ignore[no-untyped-def]
    ids = build(sessions)
    bot = _bot(sessions)
    course = modules(sessions, ids["programs"]["Leadership 1:1"])
    for module_id, _ in course:  # Ana finishes everything
        finish(bot, sessions, actor("U1"), module_id)
    for module_id, _ in course[:3]:  # Ben is part-way
        finish(bot, sessions, actor("U2"), module_id)
    [preview] = say(bot, "admin match Leadership 1:1", ADMIN)
    text = preview.message.text
    assert "1 mentor held back until they finish training" in text
    blocks = "\n".join(getattr(b, "text", "") for b in preview.message.blocks)
    assert "Ben Okoro: Held back: 3 of 5 training modules done" in blocks
    assert _mentors_in_run(sessions) == {"Ana Lima"}
    with sessions() as s:
        run = s.scalar(select(MatchRun))
        [held] = [u for u in run.unmatched if u["code"] == "training"]
        assert held["role"] == "mentor" and "3 of 5" in held["reason"]
    # Publishing tells Ben why, and how to get into the next run.
    buttons = {b.label: b.value for block in preview.message.blocks
               for b in getattr(block, "buttons", [])}
    bot.handle(ButtonAction(ADMIN, "match.publish", buttons["Publish"]))
    with sessions() as s:
        ben = s.scalar(select(Person).where(Person.name == "Ben Okoro"))
        [dm] = s.scalars(select(OutboxMessage).where(OutboxMessage.person_id == ben.id,
                                                     OutboxMessage.kind == "")).all()
        assert "3 of 5 training modules" in dm.payload["text"]
        assert "/mentor training" in dm.payload["text"]


def test_finishing_the_course_puts_a_mentor_back_in_the_pool(sessions) -> None:  # type: ignore[no-untyped-def]
    ids = build(sessions)
    bot = _bot(sessions)
    say(bot, "admin match Leadership 1:1", ADMIN)
    assert _mentors_in_run(sessions) == set()  # nobody trained yet: no mentor to match
    for module_id, _ in modules(sessions, ids["programs"]["Leadership 1:1"]):
        finish(bot, sessions, actor("U2"), module_id)
    [preview] = say(bot, "admin match Leadership 1:1", ADMIN)
    assert _mentors_in_run(sessions) == {"Ben Okoro"}
    assert "1 mentor held back" in preview.message.text  # Ana still is


def test_no_hold_back_when_training_is_off(sessions) -> None:  # type: ignore[no-untyped-def]
    build(sessions, required=False)
    [preview] = say(_bot(sessions), "admin match Leadership 1:1", ADMIN)
    assert "held back" not in preview.message.text
    assert _mentors_in_run(sessions) == {"Ana Lima", "Ben Okoro"}


def test_admin_turns_training_on_adds_the_starter_and_reads_status(sessions) -> None:  # type: ignore[no-untyped-def]
    ids = seed(sessions, people=PEOPLE)
    bot = _bot(sessions)
    [refused] = say(bot, "admin training Leadership 1:1 on", actor("U1"))
    assert "for program admins" in refused.message.text
    [usage] = say(bot, "admin training Leadership 1:1", ADMIN)
    assert "on|off|starter|status" in usage.message.text
    [on] = say(bot, "admin training Leadership 1:1 on", ADMIN)
    assert "no modules yet" in on.message.text and "starter" in on.message.text
    [added] = say(bot, "admin training Leadership 1:1 starter", ADMIN)
    assert "Added 5 starter modules" in added.message.text
    [again] = say(bot, "admin training Leadership 1:1 starter", ADMIN)
    assert "already has the starter course (5 modules)" in again.message.text
    with sessions() as s:
        program = s.get(Program, ids["programs"]["Leadership 1:1"])
        assert program.training_required
        assert len(s.scalars(select(TrainingModule)).all()) == 5
        actions = [a.action for a in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["training on", "training starter", "training starter"]
    [status] = say(bot, "admin training Leadership 1:1 status", ADMIN)
    assert "No mentors are enrolled yet" in status.message.text
    [off] = say(bot, "admin training off Leadership 1:1", ADMIN)  # verb first works too
    assert "no longer required" in off.message.text
    [missing] = say(bot, "admin training Nope status", ADMIN)
    assert "couldn't find" in missing.message.text


def test_admin_status_counts_finished_mentors(sessions) -> None:  # type: ignore[no-untyped-def]
    ids = build(sessions)
    bot = _bot(sessions)
    course = modules(sessions, ids["programs"]["Leadership 1:1"])
    for module_id, _ in course:
        finish(bot, sessions, actor("U1"), module_id)
    finish(bot, sessions, actor("U2"), course[1][0])
    [status] = say(bot, "admin training Leadership 1:1 status", ADMIN)
    assert "1 of 2 mentors finished" in status.message.text
    blocks = "\n".join(getattr(b, "text", "") for b in status.message.blocks)
    assert "Ben Okoro: 1 of 5 done" in blocks and "Ana Lima" not in blocks


def test_the_demo_ships_the_starter_course_and_holds_a_few_back(sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions() as s, s.begin():
        load_demo(s)
        load_demo(s)  # twice: still one course, and progress untouched
    with sessions() as s:
        program = s.scalar(select(Program).where(Program.name == "Leadership 1:1"))
        assert program.training_required
        titles = [m.title for m in s.scalars(select(TrainingModule).where(
            TrainingModule.program_id == program.id).order_by(TrainingModule.position))]
        held = mentors_in_training(s, program)
        finished = {c.person_id for c in s.scalars(select(TrainingCompletion))} - held
    assert titles == ["Active listening", "Giving constructive feedback",
                      "Setting goals with your mentee", "Boundaries and confidentiality",
                      "Ending well"]
    assert 0 < len(held) < len(finished)  # most have finished, a few are held back
    with sessions() as s:
        admin = s.scalar(select(Person).where(Person.level >= 4)).email
    bot = Mentorbot(sessions, admin_emails=[admin], clock=FakeClock(NOW))
    [preview] = bot.handle(CommandEvent(Actor("webchat", "demo", admin),
                                        "admin match Leadership 1:1"))
    assert f"{len(held)} mentors held back until they finish training" in preview.message.text
