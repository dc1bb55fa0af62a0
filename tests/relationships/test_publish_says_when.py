"""Publishing in the evening or at the weekend says when the introductions will go out, and
they go out exactly then; during everyone's working day they go out at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from core.clock import FakeClock
from core.events import Actor, ButtonAction, CommandEvent
from core.match_runs.texts import introductions_when
from core.mentorbot import Mentorbot
from core.models import Enrollment, OutboxMessage, Person, Program, Role
from core.relationships.planner import intro_due_at
from core.relationships.timing import next_shared_daytime
from core.ui import Buttons
from tests.factories import seed

ADMIN = Actor("webchat", "T1", "boss")
SATURDAY_EVENING = datetime(2027, 3, 6, 19, 0, tzinfo=UTC)
WEDNESDAY_NOON = datetime(2027, 3, 3, 12, 0, tzinfo=UTC)
MONDAY_8_BERLIN = datetime(2027, 3, 8, 7, 0, tzinfo=UTC)  # 08:00 in Berlin (UTC+1 in March)


def _bot(sessions: sessionmaker[Session], clock: FakeClock, admin_tz: str) -> Mentorbot:
    seed(sessions, people=[("Ana Lima", "U1"), ("Cleo Park", "U3"), ("Boss Person", "boss")])
    with sessions() as s, s.begin():
        people = {p.name.split()[0]: p for p in s.scalars(select(Person))}
        people["Ana"].timezone = people["Cleo"].timezone = "Europe/Berlin"
        people["Boss"].timezone = admin_tz
        people["Ana"].level = 6
        program_id = s.scalar(select(Program.id))
        s.add(Enrollment(person_id=people["Ana"].id, program_id=program_id, role=Role.MENTOR,
                         skills_offered=["Negotiation"], capacity=1, availability="flexible"))
        s.add(Enrollment(person_id=people["Cleo"].id, program_id=program_id, role=Role.MENTEE,
                         skills_wanted=["Negotiation"], goals="Lead", availability="flexible"))
    return Mentorbot(sessions, admin_emails=["boss.person@acme.test"], clock=clock)


def _publish(bot: Mentorbot) -> str:
    [preview] = bot.handle(CommandEvent(ADMIN, "admin match Leadership 1:1"))
    run_id = next(b.value for block in preview.message.blocks if isinstance(block, Buttons)
                  for b in block.buttons if b.label == "Publish")
    [published] = bot.handle(ButtonAction(ADMIN, "match.publish", run_id))
    return published.message.text


def _intros(sessions: sessionmaker[Session]) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.kind == "intro")) or 0


def test_published_on_a_saturday_evening_says_monday_and_sends_then(sessions) -> None:  # type: ignore[no-untyped-def]
    clock = FakeClock(SATURDAY_EVENING)
    bot = _bot(sessions, clock, "America/New_York")
    text = _publish(bot)
    # Ana and Cleo are in Berlin: their Monday starts at 08:00 there, 02:00 in New York.
    assert "Published 1 match" in text
    assert ("It's outside working hours, so the introduction goes out Monday at 02:00 (your "
            "time, America/New_York), once the working day has begun for everyone in the match."
            ) in text
    assert _intros(sessions) == 0
    clock.set(MONDAY_8_BERLIN - timedelta(minutes=1))
    bot.tick()
    assert _intros(sessions) == 0
    clock.set(MONDAY_8_BERLIN)
    bot.tick()
    assert _intros(sessions) == 2  # one DM each: the web chat opens no group chats


def test_published_on_a_wednesday_noon_goes_out_now(sessions) -> None:  # type: ignore[no-untyped-def]
    bot = _bot(sessions, FakeClock(WEDNESDAY_NOON), "Europe/Berlin")
    text = _publish(bot)
    assert text.endswith("Introductions are going out now.")
    assert _intros(sessions) == 2


def test_the_first_shared_working_hour_across_far_apart_zones() -> None:
    # Tokyo and New York share 08:00-10:00 Tokyo = 18:00-20:00 New York, on a weekday for both:
    # from a Saturday evening that is Tuesday 08:00 in Tokyo, Monday 23:00 UTC.
    zones = ["Asia/Tokyo", "America/New_York"]
    first = datetime(2027, 3, 8, 23, 0, tzinfo=UTC)
    assert next_shared_daytime(SATURDAY_EVENING, zones) == first
    assert intro_due_at(SATURDAY_EVENING, SATURDAY_EVENING, zones) == first
    # Zones with no shared working hour wait no longer than the fallback (72 hours).
    apart = ["Pacific/Kiritimati", "Pacific/Pago_Pago"]
    assert intro_due_at(SATURDAY_EVENING, SATURDAY_EVENING, apart) <= \
        SATURDAY_EVENING + timedelta(hours=72)


@pytest.mark.parametrize(("times", "said"), [
    ([], ""),
    ([WEDNESDAY_NOON], "Introductions are going out now."),
    ([WEDNESDAY_NOON, WEDNESDAY_NOON + timedelta(hours=18)],
     "1 introduction is going out now; 1 other waits for working hours and goes out tomorrow "
     "at 06:00 (your time, UTC)."),
])
def test_introductions_when(times: list[datetime], said: str) -> None:
    assert introductions_when(times, WEDNESDAY_NOON, "UTC") == said
