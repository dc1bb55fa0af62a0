"""Free text past the retention setting is erased; the rows and the counts stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from core.models import MatchEvent, Meeting, SurveyResponse
from core.retention import purge_free_text
from tests.relationships.helpers import build_world

START = datetime(2025, 1, 6, 9, tzinfo=UTC)


def _write(sessions: sessionmaker[Session], match_id: int, person_id: int,
           at: datetime, period: int, text: str) -> None:
    with sessions() as s, s.begin():
        s.add(Meeting(match_id=match_id, logged_by_id=person_id, period=period,
                      met_on=at.date(), topics=f"topics {text}", private_notes=f"notes {text}",
                      created_at=at, updated_at=at))
        s.add(SurveyResponse(match_id=match_id, person_id=person_id, stage=f"s{period}",
                             useful=5, recommend=9, comment=f"comment {text}", answered_at=at))
        s.add(MatchEvent(match_id=match_id, from_status="active", to_status="active",
                         private_reason=f"why {text}", at=at))


def test_only_text_older_than_the_setting_is_erased(sessions: sessionmaker[Session]) -> None:
    world = build_world(sessions, START, [("mia", "leo")], {"mia": "UTC", "leo": "UTC"})
    match_id, mia = world.matches[0], world.people["mia"]
    now = datetime(2026, 1, 6, 9, tzinfo=UTC)
    _write(sessions, match_id, mia, now - timedelta(days=200), 0, "old")  # ~6.5 months
    _write(sessions, match_id, mia, now - timedelta(days=20), 1, "recent")

    with sessions() as s, s.begin():
        purged = purge_free_text(s, now, months=6)
    assert (purged.meetings, purged.survey_comments, purged.end_notes) == (1, 1, 1)

    with sessions() as s:
        meetings = {m.period: (m.topics, m.private_notes) for m in s.scalars(select(Meeting))}
        comments = sorted(s.scalars(select(SurveyResponse.comment)))
        reasons = sorted(r for r in s.scalars(select(MatchEvent.private_reason)) if r)
        # The meeting and the answer still count; only the words are gone.
        assert s.scalar(select(func.count()).select_from(Meeting)) == 2
        assert s.scalar(select(func.avg(SurveyResponse.useful))) == 5
    assert meetings == {0: ("", ""), 1: ("topics recent", "notes recent")}
    assert comments == ["", "comment recent"]
    assert reasons == ["why recent"]

    # Running it again finds nothing more to erase.
    with sessions() as s, s.begin():
        assert purge_free_text(s, now, months=6).total == 0


def test_the_tick_applies_the_setting_once_a_day(sessions: sessionmaker[Session]) -> None:
    world = build_world(sessions, START, [("mia", "leo")], {"mia": "UTC", "leo": "UTC"})
    world.bot.free_text_retention_months = 3
    now = datetime(2025, 9, 1, 9, tzinfo=UTC)
    world.clock.set(now)
    _write(sessions, world.matches[0], world.people["mia"], now - timedelta(days=120), 0, "old")
    world.bot.tick()
    with sessions() as s:
        assert s.scalar(select(Meeting.private_notes)) == ""
        assert s.scalar(select(SurveyResponse.comment)) == ""
