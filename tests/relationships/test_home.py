"""Home: programs, matches, next nudge and plan; admins also see program health."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.events import CommandEvent
from core.models import Checkin, Goal, GoalStatus, Meeting
from core.ui import Fields
from tests.relationships.helpers import build_world

START = datetime(2027, 3, 1, 9, tzinfo=UTC)  # a Monday


def fields(message) -> list[str]:  # type: ignore[no-untyped-def]
    return [i for b in message.blocks if isinstance(b, Fields) for i in b.items]


def test_home_for_a_participant_and_for_an_admin(sessions) -> None:  # type: ignore[no-untyped-def]
    world = build_world(sessions, START, [("ana", "ben")],
                        {"ana": "Europe/Berlin", "ben": "America/New_York"})
    match = world.matches[0]
    with sessions() as s, s.begin():
        s.add(Goal(match_id=match, owner_id=world.people["ben"], text="Run a retro",
                   status=GoalStatus.DONE))
        s.add(Goal(match_id=match, owner_id=world.people["ben"], text="Lead a launch"))
        s.add(Meeting(match_id=match, logged_by_id=world.people["ben"], period=0,
                      met_on=START.date() + timedelta(days=2)))
        s.add(Checkin(match_id=match, person_id=world.people["ana"], period=0,
                      answer="need_help", answered_at=START + timedelta(days=3)))
    world.clock.set(START + timedelta(days=4))
    [reply] = world.bot.handle(CommandEvent(world.actor("ben"), "home"))
    shown = fields(reply.message)
    assert "*Matched with*\nAna" in shown and "*Action plan*\n1 of 2 goals done" in shown
    # Mid-period nudge: day 7 (Monday 8 March), 10:00 in Ben's New York.
    assert "*Next nudge*\nMon, Mar 8, 10:00" in shown
    assert not any("Program health" in getattr(b, "text", "") for b in reply.message.blocks)
    world.bot.admin_emails = frozenset({"admin@acme.test"})
    [admin] = world.bot.handle(CommandEvent(world.actor("admin"), "home"))
    health = fields(admin.message)
    assert "*Enrolled*\n2" in health and "*Matched*\n1" in health
    assert "*Met in 30 days*\n1 pair" in health and "*Needs help*\n1" in health
