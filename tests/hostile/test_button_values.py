"""Values from buttons and forms obey the same rules as commands: a hand-made value changes
nothing the command would refuse."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from core.events import (
    ButtonAction,
    CommandEvent,
    FormErrors,
    FormSubmission,
    Intent,
    OpenForm,
    Reply,
)
from core.models import (
    Checkin,
    Match,
    MatchStatus,
    Meeting,
    Program,
    ProgramKind,
    ProgramStatus,
    SurveyResponse,
)
from tests.relationships.helpers import World, build_world

WED_NOON = datetime(2027, 3, 3, 12, tzinfo=UTC)


@pytest.fixture
def world(sessions: sessionmaker[Session]) -> World:
    return build_world(sessions, WED_NOON, [("ana", "ben")], {"ana": "UTC", "ben": "UTC"})


def act(world: World, who: str, action: str, value: str) -> list[Intent]:
    return world.bot.handle(ButtonAction(world.actor(who), action, value))


def text_of(intents: list[Intent]) -> str:
    return " ".join(i.message.text for i in intents if isinstance(i, Reply))


def status(world: World) -> MatchStatus:
    with world.sessions() as s:
        match = s.get(Match, world.matches[0])
        assert match is not None
        return match.status


def count(world: World, model: type) -> int:
    with world.sessions() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.parametrize("weeks", ["520", "0", "13", "²", "99999999999999999999", "-1", "x"])
def test_pause_button_allows_only_what_the_command_allows(world: World, weeks: str) -> None:
    said = act(world, "ben", "rel.pause", f"{world.matches[0]}:{weeks}")
    assert "1 and 12 weeks" in text_of(said) or "weeks" in text_of(said)
    assert status(world) is MatchStatus.ACTIVE
    # The command says the same.
    command = world.bot.handle(CommandEvent(world.actor("ben"), f"pause {weeks}"))
    assert text_of(command) == text_of(said)


def test_pause_button_within_the_rule_pauses(world: World) -> None:
    act(world, "ben", "rel.pause", f"{world.matches[0]}:12")
    assert status(world) is MatchStatus.PAUSED


@pytest.mark.parametrize("stage", ["bogus", "end2", "x" * 40, ""])
def test_unknown_survey_stage_stores_nothing(world: World, stage: str) -> None:
    context = f"{world.matches[0]}:{stage}"
    assert not any(isinstance(i, OpenForm) for i in act(world, "ben", "rel.survey", context))
    world.bot.handle(FormSubmission(world.actor("ben"), "survey", {
        "useful": "5", "recommend": "10", "comment": "", "consent": False}, context))
    assert count(world, SurveyResponse) == 0


def test_one_survey_answer_per_stage(world: World) -> None:
    context = f"{world.matches[0]}:midpoint"
    for useful in ("5", "3", "4"):
        world.bot.handle(FormSubmission(world.actor("ben"), "survey", {
            "useful": useful, "recommend": "9", "comment": "", "consent": False}, context))
    with world.sessions() as s:
        [row] = s.scalars(select(SurveyResponse)).all()
        assert row.useful == 4


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31"])
def test_meeting_dates_outside_the_match_are_refused(world: World, day: str) -> None:
    got = world.bot.handle(FormSubmission(world.actor("ben"), "meeting", {
        "met_on": day, "duration": "30", "topics": "", "rating": "4", "notes": ""},
        str(world.matches[0])))
    assert any(isinstance(i, FormErrors) and "met_on" in i.errors for i in got)
    assert count(world, Meeting) == 0


@pytest.mark.parametrize("day", ["9999-12-31", "2031-01-01"])
def test_scheduling_years_ahead_is_refused(world: World, day: str) -> None:
    got = world.bot.handle(FormSubmission(world.actor("ben"), "schedule", {
        "day": day, "at": "10:00", "duration": "30"}, str(world.matches[0])))
    assert any(isinstance(i, FormErrors) and "day" in i.errors for i in got)


@pytest.mark.parametrize("period", ["99999999999999999999", "²", "-1", "1001"])
def test_check_in_periods_that_are_not_periods_change_nothing(world: World,
                                                             period: str) -> None:
    act(world, "ben", "rel.checkin.notyet", f"{world.matches[0]}:{period}")
    assert count(world, Checkin) == 0


@pytest.mark.parametrize("value", ["²", "99999999999999999999", str(2**31), "-3"])
def test_match_ids_that_are_not_ids_are_stale(world: World, value: str) -> None:
    said = act(world, "ben", "rel.pause", f"{value}:2")
    assert "active match" in text_of(said) or "out of date" in text_of(said)
    assert status(world) is MatchStatus.ACTIVE


def test_join_pick_never_reveals_an_invite_only_program(world: World) -> None:
    with world.sessions() as s, s.begin():
        ws = s.scalar(select(Program.workspace_id))
        secret = Program(workspace_id=ws, name="Secret Council", invite_only=True,
                         kind=ProgramKind.ONE_ON_ONE,
                         status=ProgramStatus.OPEN)
        s.add(secret)
        s.flush()
        secret_id = secret.id
    said = act(world, "ben", "join.pick", str(secret_id))
    assert "Secret Council" not in text_of(said)
    assert not any(isinstance(i, OpenForm) for i in said)
    missing = act(world, "ben", "join.pick", "987654")
    assert text_of(said) == text_of(missing).replace("987654", str(secret_id))
