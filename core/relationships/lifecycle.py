"""The one place that changes a match's state: active ⇄ paused, active/paused → ended.

Every change appends a MatchEvent with its reason; nothing is overwritten.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from core.models import (
    EndReason,
    Match,
    MatchEvent,
    MatchMentee,
    MatchStatus,
    Person,
    Program,
)

LIVE = (MatchStatus.ACTIVE, MatchStatus.PAUSED)
_ALLOWED = {
    (MatchStatus.PROPOSED, MatchStatus.ACTIVE),
    (MatchStatus.ACTIVE, MatchStatus.PAUSED),
    (MatchStatus.PAUSED, MatchStatus.ACTIVE),
    (MatchStatus.ACTIVE, MatchStatus.ENDED),
    (MatchStatus.PAUSED, MatchStatus.ENDED),
}


class TransitionError(ValueError):
    """A state change the lifecycle does not allow (e.g. pausing an ended match)."""


def _lock(session: Session, match: Match) -> None:
    """Lock the match's row and read its state afresh.

    Another replica may have changed the match since this transaction read it; without the
    lock, two concurrent "end"s would both see it active and record it ended twice.
    """
    if match.id is None:
        return
    current = session.scalar(select(Match.status).where(Match.id == match.id)
                             .with_for_update())
    if current is not None and current is not match.status:
        set_committed_value(match, "status", current)


def _record(session: Session, match: Match, to: MatchStatus, *, reason: str, now: datetime,
            actor: Person | None = None, private_reason: str = "") -> None:
    _lock(session, match)
    if (match.status, to) not in _ALLOWED:
        raise TransitionError(f"cannot go from {match.status.value} to {to.value}")
    session.add(MatchEvent(match_id=match.id, from_status=match.status.value,
                           to_status=to.value, reason=reason[:200],
                           private_reason=private_reason, at=now,
                           actor_id=actor.id if actor else None))
    match.status = to


def members(match: Match) -> list[int]:
    """Everyone in the match: the mentor (or first peer) then the mentees."""
    return [match.mentor_id, *(m.person_id for m in match.mentees)]


def activate(session: Session, match: Match, *, now: datetime, reason: str = "published",
             actor: Person | None = None) -> None:
    """A proposed match goes live; guards that no mentee has two live matches in a program."""
    program = session.get(Program, match.program_id)
    assert program is not None
    for mentee in match.mentees:
        if live_match_of(session, program.id, mentee.person_id) is not None:
            raise TransitionError("a mentee has at most one active match per program")
    if len(match.mentees) > max(program.group_size, 1) and program.kind.value == "group":
        raise TransitionError("a group match has one mentor and up to the group size")
    _record(session, match, MatchStatus.ACTIVE, reason=reason, now=now, actor=actor)
    match.published_at = match.published_at or now


def pause(session: Session, match: Match, until: datetime, *, now: datetime,
          actor: Person | None = None) -> None:
    _record(session, match, MatchStatus.PAUSED, reason=f"paused until {until.date()}",
            now=now, actor=actor)
    match.paused_until = until


def resume(session: Session, match: Match, *, now: datetime, automatic: bool = False,
           actor: Person | None = None) -> None:
    _record(session, match, MatchStatus.ACTIVE,
            reason="resumed automatically" if automatic else "resumed", now=now, actor=actor)
    match.paused_until = None


def end(session: Session, match: Match, why: EndReason, *, now: datetime,
        actor: Person | None = None, private_reason: str = "") -> None:
    _record(session, match, MatchStatus.ENDED, reason=why.value, now=now, actor=actor,
            private_reason=private_reason)
    match.ended_reason = why


def live_match_of(session: Session, program_id: int, mentee_id: int) -> Match | None:
    """The mentee's active or paused match in a program, if any."""
    return session.scalar(
        select(Match).join(MatchMentee, MatchMentee.match_id == Match.id).where(
            Match.program_id == program_id, Match.status.in_(LIVE),
            MatchMentee.person_id == mentee_id).limit(1))


def live_matches_for(session: Session, person: Person) -> list[Match]:
    """Every live match the person is in, as mentor or mentee."""
    as_mentee = select(MatchMentee.match_id).where(MatchMentee.person_id == person.id)
    return list(session.scalars(
        select(Match).where(Match.status.in_(LIVE),
                            (Match.mentor_id == person.id) | Match.id.in_(as_mentee))
        .order_by(Match.id)).all())


def history(session: Session, match: Match) -> list[MatchEvent]:
    return list(session.scalars(select(MatchEvent).where(MatchEvent.match_id == match.id)
                                .order_by(MatchEvent.id)).all())
