"""What a pair does with their match, read as conversations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.events import ButtonAction, CloseForm, CommandEvent, FormErrors, FormSubmission, OpenForm
from core.models import (
    Checkin,
    EndReason,
    Goal,
    GoalStatus,
    Match,
    MatchEvent,
    MatchStatus,
    Meeting,
    OutboxMessage,
    SurveyResponse,
)
from core.ui import Buttons
from tests.relationships.helpers import build_world

WED_NOON = datetime(2027, 3, 3, 12, tzinfo=UTC)


@pytest.fixture
def world(sessions):  # type: ignore[no-untyped-def]
    return build_world(sessions, WED_NOON, [("ana", "ben"), ("cleo", "dev")],
                       {"ana": "UTC", "ben": "UTC", "cleo": "UTC", "dev": "UTC"})


def dms(world, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    with world.sessions() as s:
        return [o.payload["text"] for o in s.scalars(select(OutboxMessage).where(
            OutboxMessage.person_id == world.people[name]).order_by(OutboxMessage.id))]


def act(world, who: str, action: str, value: str):  # type: ignore[no-untyped-def]
    return world.bot.handle(ButtonAction(world.actor(who), action, value))


def say(world, who: str, text: str):  # type: ignore[no-untyped-def]
    return world.bot.handle(CommandEvent(world.actor(who), text))


def submit(world, who: str, form, values):  # type: ignore[no-untyped-def]
    return world.bot.handle(FormSubmission(world.actor(who), form.form_id, values, form.context))


def test_check_in_yes_logs_a_session_and_a_second_answer_updates_it(world) -> None:  # type: ignore[no-untyped-def]
    match = str(world.matches[0])
    [form] = act(world, "ben", "rel.checkin.yes", f"{match}:0")
    assert isinstance(form, OpenForm) and form.form.form_id == "meeting"
    today = WED_NOON.date().isoformat()
    result = submit(world, "ben", form.form, {"met_on": today, "duration": "45",
                                               "topics": "goals", "rating": "4",
                                               "notes": "felt nervous"})
    assert isinstance(result[0], CloseForm)
    submit(world, "ben", form.form, {"met_on": today, "duration": "60", "topics": "goals",
                                      "rating": "5", "notes": ""})
    act(world, "ben", "rel.checkin.notyet", f"{match}:0")
    with world.sessions() as s:
        [meeting] = s.scalars(select(Meeting)).all()
        assert (meeting.duration_minutes, meeting.rating) == (60, 5)
        [answer] = s.scalars(select(Checkin)).all()
        assert answer.answer == "not_yet"  # answering again updates, never duplicates
    future = (WED_NOON + timedelta(days=3)).date().isoformat()
    [err] = submit(world, "ben", form.form, {"met_on": future})
    assert isinstance(err, FormErrors) and "future" in err.errors["met_on"]


def test_need_help_reaches_the_admins(world) -> None:  # type: ignore[no-untyped-def]
    [ack] = act(world, "ben", "rel.checkin.help", f"{world.matches[0]}:0")
    assert "program team know" in ack.message.text
    assert any("Ben asked for help" in t for t in dms(world, "admin"))


def test_strangers_cannot_touch_a_match(world) -> None:  # type: ignore[no-untyped-def]
    [reply] = act(world, "cleo", "rel.met", str(world.matches[0]))
    assert "don't have an active match" in reply.message.text


def test_pause_stops_nudges_then_resumes_and_tells_the_partner(world) -> None:  # type: ignore[no-untyped-def]
    [reply, *_] = say(world, "ana", "pause 2")
    assert "Paused until" in reply.message.text
    assert "Ana paused your mentoring" in dms(world, "ben")[-1]
    with world.sessions() as s:
        assert s.get(Match, world.matches[0]).status is MatchStatus.PAUSED
    assert "How many weeks" in say(world, "ana", "pause forever")[0].message.text
    world.clock.advance(timedelta(weeks=2, hours=1))
    world.bot.tick()
    with world.sessions() as s:
        match = s.get(Match, world.matches[0])
        assert match.status is MatchStatus.ACTIVE
        events = [(e.from_status, e.to_status, e.reason) for e in s.scalars(
            select(MatchEvent).where(MatchEvent.match_id == match.id).order_by(MatchEvent.id))]
    assert events == [("proposed", "active", "published"),
                      ("active", "paused", "paused until 2027-03-17"),
                      ("paused", "active", "resumed automatically")]
    assert any("active again" in t for t in dms(world, "ben"))


def test_end_is_no_fault_with_a_reason_only_admins_see(world) -> None:  # type: ignore[no-untyped-def]
    [form] = act(world, "ben", "rel.notfit", str(world.matches[0]))
    assert form.form.title == "Not a good fit"
    submit(world, "ben", form.form, {"reason": "We never clicked", "rematch": True})
    with world.sessions() as s:
        match = s.get(Match, world.matches[0])
        assert (match.status, match.ended_reason) == (MatchStatus.ENDED, EndReason.ENDED_EARLY)
    partner = dms(world, "ana")[-1]
    assert "has ended your mentoring relationship" in partner and "We never clicked" not in partner
    assert any("We never clicked" in t for t in dms(world, "admin"))


def test_rematch_puts_the_mentee_back_and_the_pair_is_never_proposed_again(world) -> None:  # type: ignore[no-untyped-def]
    [reply, *_] = say(world, "ben", "rematch")
    assert "back in the pool" in reply.message.text
    # The wording matches the rule: blocked in this program, elsewhere only for the cooldown.
    assert "again in this program (nor in another program for the next 365 days)" in \
        reply.message.text
    assert "asked for a new match" in dms(world, "ana")[-1]
    with world.sessions() as s:
        match = s.get(Match, world.matches[0])
        assert match.ended_reason is EndReason.REMATCHED
    from core.match_runs.inputs import load_program
    from core.models import Program

    with world.sessions() as s:
        loaded = load_program(s, s.get(Program, world.program_id), WED_NOON.date())
        pairs = {(h.person_a, h.person_b) for h in loaded.input.history}
    assert (str(world.people["ana"]), str(world.people["ben"])) in pairs


def test_action_plan_mentee_edits_mentor_reads(world) -> None:  # type: ignore[no-untyped-def]
    [empty] = say(world, "ben", "plan")
    add = next(b for blk in empty.message.blocks if isinstance(blk, Buttons) for b in blk.buttons)
    [form] = act(world, "ben", add.action_id, add.value)
    submit(world, "ben", form.form, {"text": "Run a retro on my own", "target": "2027-05-01"})
    [mine] = say(world, "ben", "plan")
    assert "0 of 1 goals done" in mine.message.text
    step = next(b for blk in mine.message.blocks if isinstance(blk, Buttons) for b in blk.buttons)
    assert step.label == "Mark in progress"
    act(world, "ben", step.action_id, step.value)
    [mentor_view] = say(world, "ana", "plan")
    assert "Ben's action plan" in mentor_view.message.text
    assert not any(isinstance(b, Buttons) for b in mentor_view.message.blocks)
    with world.sessions() as s:
        [goal] = s.scalars(select(Goal)).all()
        assert goal.status is GoalStatus.IN_PROGRESS
    [stale] = act(world, "ana", "plan.status", f"{goal.id}:done")  # not Ana's goal
    assert "don't have an active match" in stale.message.text


def test_survey_answer_is_stored_once_and_updated(world) -> None:  # type: ignore[no-untyped-def]
    [form] = act(world, "ben", "rel.survey", f"{world.matches[0]}:midpoint")
    submit(world, "ben", form.form, {"useful": "4", "recommend": "9", "comment": "Great",
                                      "consent": True})
    submit(world, "ben", form.form, {"useful": "5", "recommend": "10", "comment": "Great!"})
    with world.sessions() as s:
        [row] = s.scalars(select(SurveyResponse)).all()
        assert (row.useful, row.recommend, row.consent_to_quote) == (5, 10, False)


def test_schedule_sends_both_a_confirmation_with_a_calendar_invite(world) -> None:  # type: ignore[no-untyped-def]
    [form] = act(world, "ana", "rel.schedule", str(world.matches[0]))
    day = (WED_NOON + timedelta(days=1)).date().isoformat()
    submit(world, "ana", form.form, {"day": day, "at": "15:30", "duration": "45"})
    with world.sessions() as s:
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.idempotency_key.like(
            "schedule:%"))).all()
        assert len(rows) == 2
        for row in rows:
            ics = row.payload["file"]["content"]
            assert "DTSTART:20270304T153000Z" in ics and "DTEND:20270304T161500Z" in ics
            assert "mailto:ana@acme.test" in ics and "mailto:ben@acme.test" in ics
        assert s.get(Match, world.matches[0]).first_meeting_at is not None
        assert s.scalar(select(func.count()).select_from(Meeting)) == 0
