"""Twelve simulated weeks of a 10-pair program across three timezones, hour by hour."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.events import ButtonAction, CommandEvent, FormSubmission, OpenForm
from core.models import EndReason, Match, MatchStatus, OutboxMessage
from tests.relationships.helpers import build_world

START = datetime(2027, 1, 4, 12, 0, tzinfo=UTC)  # a Monday
ZONES = ["America/New_York", "Europe/Berlin", "Asia/Singapore"]
PAIRS = [(f"mentor{i}", f"mentee{i}") for i in range(10)]
TZ = {name: ZONES[(i + j) % 3] for i, pair in enumerate(PAIRS) for j, name in enumerate(pair)}
KINDS = ("intro", "nudge", "checkin", "escalation", "admin_note", "survey", "graduation")
EARLY, LATE, NEVER, PAUSED = {1}, {4, 5, 6, 7, 8, 9}, {0, 3}, {2}


async def _log_meeting(world, who: str, match_id: int) -> None:  # type: ignore[no-untyped-def]
    [form] = world.bot.handle(ButtonAction(world.actor(who), "rel.met", str(match_id)))
    assert isinstance(form, OpenForm)
    today = world.clock.now().astimezone(ZoneInfo(TZ[who])).date().isoformat()
    world.bot.handle(FormSubmission(world.actor(who), "meeting",
                                    {"met_on": today, "duration": "30", "topics": "goals",
                                     "rating": "5", "notes": "private"}, form.form.context))


async def test_twelve_weeks_send_exactly_the_expected_messages_in_daytime(sessions) -> None:  # type: ignore[no-untyped-def]
    world = build_world(sessions, START, PAIRS, TZ)
    hours = (12 + 1) * 7 * 24  # the program's 12 weeks, plus a week to graduate everyone
    for hour in range(hours):
        day, at = divmod(hour, 24)
        if at == 0:
            period, offset = divmod(day, 14)
            for i in EARLY if offset == 2 else LATE if offset == 9 else ():
                if day < 84:
                    await _log_meeting(world, f"mentee{i}", world.matches[i])
            if day == 10:
                world.bot.handle(CommandEvent(world.actor("mentor2"), "pause 2"))
        await world.step()
        world.clock.advance(timedelta(hours=1))

    with sessions() as s:
        rows = {r.id: r for r in s.scalars(select(OutboxMessage))}
    names = {pid: name for name, pid in world.people.items()}
    sent = Counter()
    for when, delivery in world.recorder.got:
        row = rows[delivery.outbox_id]
        if row.kind not in KINDS:
            continue
        person = names[row.person_id]
        sent[(person, row.kind)] += 1
        local = when.astimezone(ZoneInfo(TZ.get(person, "Europe/London")))
        assert local.weekday() < 5 and 8 <= local.hour < 20, (row.kind, person, local)
        if row.kind != "intro":
            assert 10 <= local.hour < 13, (row.kind, person, local)

    expected = Counter()
    for i, pair in enumerate(PAIRS):
        for person in pair:
            expected[(person, "intro")] = 1
            expected[(person, "survey")] = 2
            expected[(person, "graduation")] = 1
            if i in LATE or i in NEVER:
                expected[(person, "nudge")] = 6
            if i in NEVER:
                expected[(person, "checkin")] = 5
                expected[(person, "escalation")] = 1
            if i in PAUSED:  # the pause swallowed period 1's nudge and period 0's check-in
                expected[(person, "nudge")] = 5
                expected[(person, "checkin")] = 4
                expected[(person, "escalation")] = 1
    expected[("admin", "admin_note")] = len(NEVER | PAUSED)
    assert sent == expected
    # Nothing was sent twice, and everything queued was delivered.
    assert len({d.outbox_id for _, d in world.recorder.got}) == len(world.recorder.got)
    assert all(r.status.value == "sent" for r in rows.values())
    with sessions() as s:
        ended = s.scalars(select(Match)).all()
        assert {(m.status, m.ended_reason) for m in ended} == {
            (MatchStatus.ENDED, EndReason.COMPLETED)}
