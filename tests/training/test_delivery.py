"""One module a day, in each mentor's local morning, until the course is done."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.clock import FakeClock
from core.mentorbot import Mentorbot
from core.models import OutboxMessage, Person, TrainingModule
from core.ui import Buttons, message_from_dict
from tests.training.helpers import actor, build, click, finish, modules

START = datetime(2027, 1, 4, 0, 0, tzinfo=UTC)  # a Monday
ZONES = {"Ana Lima": "America/New_York", "Ben Okoro": "Asia/Singapore"}


def _training_rows(sessions) -> list[tuple[str, datetime, dict]]:  # type: ignore[no-untyped-def]
    with sessions() as s:
        names = {p.id: p.name for p in s.scalars(select(Person))}
        return [(names[r.person_id], r.created_at, r.payload)
                for r in s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "training")
                                   .order_by(OutboxMessage.id))]


def _press(bot: Mentorbot, sessions, who: str, payload: dict) -> None:  # type: ignore[no-untyped-def]
    """Finish the module in a delivered DM the way the mentor would: its button."""
    message = message_from_dict(payload)
    [button, *_] = [b for block in message.blocks if isinstance(block, Buttons)
                    for b in block.buttons if not b.url]  # not the reading link
    if button.action_id == "training.quiz":
        with sessions() as s:
            module = s.get(TrainingModule, int(button.value.split(":")[0]))
            value = f"{module.id}:{module.quiz_choices.index(module.quiz_answer)}"
    else:
        value = button.value
    [update] = click(bot, actor(who), button.action_id, value)
    assert "is done" in update.message.text


def test_one_module_a_day_in_local_daytime_until_done(sessions) -> None:  # type: ignore[no-untyped-def]
    ids = build(sessions)
    with sessions() as s, s.begin():
        for person in s.scalars(select(Person).where(Person.name.in_(ZONES))):
            person.timezone = ZONES[person.name]
    clock = FakeClock(START)
    bot = Mentorbot(sessions, clock=clock)
    course = modules(sessions, ids["programs"]["Leadership 1:1"])
    handled = 0
    for _hour in range(12 * 24):
        bot.tick()
        bot.tick()  # a second replica, or a restart, in the same minute adds nothing
        rows = _training_rows(sessions)
        for who, _, payload in rows[handled:]:
            if who == "Ana Lima":
                _press(bot, sessions, "U1", payload)  # Ana does each module the day it comes
        handled = len(rows)
        if clock.now() == START + timedelta(days=1):
            # Ben does the rest of the course on demand on Tuesday, before his morning.
            for module_id, _ in course:
                finish(bot, sessions, actor("U2"), module_id)
        clock.advance(timedelta(hours=1))

    rows = _training_rows(sessions)
    ana = [(when, payload) for who, when, payload in rows if who == "Ana Lima"]
    ben = [(when, payload) for who, when, payload in rows if who == "Ben Okoro"]
    # Ana: the five modules in order, one per weekday, nothing after the last.
    assert [message_from_dict(p).blocks[1].text.split("\n")[0] for _, p in ana] == \
        [f"*{title}*" for _, title in course]
    local = [when.astimezone(ZoneInfo(ZONES["Ana Lima"])) for when, _ in ana]
    assert len({d.date() for d in local}) == 5
    assert all(d.weekday() < 5 and 10 <= d.hour < 13 for d in local), local
    assert "module 1 of 5" in message_from_dict(ana[0][1]).text
    # Ben got Monday's module in his (Singapore) morning, then finished: nothing more.
    [(when, _)] = ben
    ben_local = when.astimezone(ZoneInfo(ZONES["Ben Okoro"]))
    assert ben_local.weekday() == 0 and 10 <= ben_local.hour < 13
    # Mentees and the admin get no training.
    assert {who for who, _, _ in rows} == {"Ana Lima", "Ben Okoro"}


def test_an_unfinished_module_is_not_sent_twice(sessions) -> None:  # type: ignore[no-untyped-def]
    ids = build(sessions)
    clock = FakeClock(START + timedelta(hours=10))  # Monday 10:00 UTC: everyone's morning
    bot = Mentorbot(sessions, clock=clock)
    course = modules(sessions, ids["programs"]["Leadership 1:1"])
    sent = []
    for _day in range(9):  # Monday to the next Tuesday, nothing ever marked done
        bot.tick()
        sent.append(len([r for r in _training_rows(sessions) if r[0] == "Ana Lima"]))
        clock.advance(timedelta(days=1))
    # A new module each weekday, none at the weekend, and never a repeat once all were sent.
    assert sent == [1, 2, 3, 4, 5, 5, 5, 5, 5]
    titles = [message_from_dict(p).blocks[1].text.split("\n")[0]
              for who, _, p in _training_rows(sessions) if who == "Ana Lima"]
    assert titles == [f"*{t}*" for _, t in course]


def test_nothing_is_sent_when_training_is_not_required(sessions) -> None:  # type: ignore[no-untyped-def]
    build(sessions, required=False)
    bot = Mentorbot(sessions, clock=FakeClock(START + timedelta(hours=10)))
    assert bot.tick() == 0
    assert _training_rows(sessions) == []
