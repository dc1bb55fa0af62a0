"""A matching run's life: compute a preview, let admins adjust it, publish it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.db import session_clock, today_of
from core.match_runs.inputs import load_program
from core.matching import audit_fairness, run_matching
from core.models import (
    Match,
    MatchMentee,
    MatchRun,
    MatchStatus,
    Person,
    Program,
    RunStatus,
)
from core.relationships.lifecycle import TransitionError, activate

# Matches the reports' rule: no figure about fewer than five people drives a flag.
MIN_GROUP_SIZE = 5


def run_program(session: Session, program: Program, *, by: Person | None = None,
                today: date | None = None,
                progress: Callable[[str], None] | None = None) -> MatchRun:
    """Match the program's pool and store the result as a preview (earlier previews retire)."""
    note = progress or (lambda _: None)
    _retire_previews(session, program)
    note("Loading the pool")
    loaded = load_program(session, program, today or today_of(session))
    note("Scoring and solving")
    result = run_matching(loaded.input)
    note("Auditing fairness")
    fairness = audit_fairness(result.matches, loaded.input.enrollments, loaded.protected,
                              result.candidate_counts, min_group_size=MIN_GROUP_SIZE)
    run = MatchRun(
        program_id=program.id, created_by_id=by.id if by else None,
        stats=asdict(result.stats),
        fairness=fairness.to_dict(),
        # Mentors held back for training are listed too: the preview counts them and
        # publishing tells each one why, like anyone else left out.
        unmatched=[{"person_id": int(u.person_id), "role": u.role, "code": u.code,
                    "reason": u.reason} for u in (*result.unmatched, *loaded.held_back)],
    )
    session.add(run)
    session.flush()
    for found in result.matches:
        match = Match(program_id=program.id, run_id=run.id, mentor_id=int(found.mentor_id),
                      score=round(found.score, 4), reasons=_reasons(found.explanation),
                      status=MatchStatus.PROPOSED)
        match.mentees = [MatchMentee(person_id=int(p)) for p in found.mentee_ids]
        session.add(match)
    session.flush()
    return run


def _reasons(explanation: str) -> list[str]:
    return [part.strip() for part in explanation.split(";") if part.strip()]


def _retire_previews(session: Session, program: Program) -> None:
    old = session.scalars(select(MatchRun).where(
        MatchRun.program_id == program.id, MatchRun.status == RunStatus.PREVIEW)).all()
    for run in old:
        run.status = RunStatus.SUPERSEDED
        session.execute(delete(Match).where(Match.run_id == run.id,
                                            Match.status == MatchStatus.PROPOSED))


def proposed_matches(session: Session, run: MatchRun) -> list[Match]:
    """The run's matches, lowest score first (the ones an admin should look at)."""
    return list(session.scalars(select(Match).where(Match.run_id == run.id)
                                .order_by(Match.score, Match.id)).all())


def publish(session: Session, run: MatchRun, *, now: datetime | None = None,
            by: Person | None = None) -> list[Match]:
    """Make a preview's matches live (introductions follow). Publishing twice changes nothing.

    A proposal overtaken since the preview (its mentee was matched through self-select) is
    discarded instead of breaking the one-live-match-per-mentee rule.
    """
    if run.status is not RunStatus.PREVIEW:
        return []
    now = now or session_clock(session).now()
    run.status = RunStatus.PUBLISHED
    run.published_at = now
    live = []
    for match in proposed_matches(session, run):
        try:
            activate(session, match, now=now, actor=by)
            session.flush()
            live.append(match)
        except TransitionError:
            match.status = MatchStatus.DISCARDED
    session.flush()
    return live


def latest_run(session: Session, program: Program) -> MatchRun | None:
    return session.scalar(select(MatchRun).where(MatchRun.program_id == program.id)
                          .order_by(MatchRun.id.desc()).limit(1))
