"""A matching run's life: compute a preview, let admins adjust it, publish it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import date, datetime

from sqlalchemy import Table, delete, func, insert, literal, select, text, update
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from core.db import session_clock, today_of
from core.i18n import gettext as _
from core.match_runs.inputs import load_program
from core.matching import audit_fairness, run_matching
from core.matching.fairness import floor_reselector
from core.models import (
    AuditEntry,
    Match,
    MatchEvent,
    MatchMentee,
    MatchRun,
    MatchStatus,
    OutboxMessage,
    Person,
    PlatformIdentity,
    Program,
    ProgramKind,
    RunStatus,
)
from core.relationships.lifecycle import _ALLOWED as ALLOWED_TRANSITIONS
from core.relationships.lifecycle import LIVE, TransitionError
from core.sql_lists import among

# Matches the reports' rule: no figure about fewer than five people drives a flag.
MIN_GROUP_SIZE = 5


def run_program(session: Session, program: Program, *, by: Person | None = None,
                today: date | None = None,
                progress: Callable[[str], None] | None = None) -> MatchRun:
    """Match the program's pool and store the result as a preview (earlier previews retire)."""
    note = progress or (lambda _: None)
    _retire_previews(session, program)
    note(_("Loading the pool"))
    loaded = load_program(session, program, today or today_of(session))
    note(_("Scoring and solving"))
    # Off by default; only when an admin switched it on do protected attributes reach the
    # choice of matches (otherwise they are read for the after-the-fact audit alone).
    floor = list(program.fairness_floor or ())
    reselect = (floor_reselector(loaded.protected, floor, min_group_size=MIN_GROUP_SIZE)
                if floor and program.kind is not ProgramKind.PEER else None)
    result = run_matching(loaded.input, reselect)
    note(_("Auditing fairness"))
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
    # The matches as table rows with ids reserved up front: one executemany and no ORM
    # object per match (the ORM inserted them one statement per row on SQLite, and on
    # PostgreSQL as one INSERT of thousands of parameters that the driver re-parses).
    ids = _reserve_ids(session, Match.__table__, len(result.matches))
    # Stamped as the run is (by the session's clock, or a simulation's before_flush hook).
    matches = [{"id": match_id, "program_id": program.id, "run_id": run.id,
                "mentor_id": int(found.mentor_id), "score": round(found.score, 4),
                "reasons": _reasons(found.explanation), "status": MatchStatus.PROPOSED,
                "created_at": run.created_at}
               for match_id, found in zip(ids, result.matches, strict=True)]
    if matches:
        session.execute(insert(Match.__table__), matches)
    # Mentee rows need no ids back: one executemany, not a batched INSERT ... RETURNING.
    rows = [{"match_id": match_id, "person_id": int(p)}
            for match_id, found in zip(ids, result.matches, strict=True)
            for p in found.mentee_ids]
    if rows:
        session.execute(insert(MatchMentee.__table__), rows)
    return run


def _reserve_ids(session: Session, table: Table, n: int) -> list[int]:
    """n unused primary keys for ``table``, in one statement.

    PostgreSQL hands them out from the column's sequence. On SQLite they follow the largest
    id, which is safe because the caller has already written in this transaction: SQLite
    has one writer, and until commit it is us.
    """
    if not n:
        return []
    if session.get_bind().dialect.name == "postgresql":
        return list(session.scalars(
            text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                 "FROM generate_series(1, :n)"), {"table": table.name, "n": n}))
    top = session.scalar(select(func.coalesce(func.max(table.c.id), 0)))
    return list(range(top + 1, top + 1 + n))


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
    # Mentees come in one extra query, not one lazy load per match.
    return list(session.scalars(select(Match).options(selectinload(Match.mentees))
                                .where(Match.run_id == run.id)
                                .order_by(Match.score, Match.id)).all())


def publish(session: Session, run: MatchRun, *, now: datetime | None = None,
            by: Person | None = None) -> list[Match]:
    """Make a preview's matches live (introductions follow). Publishing twice changes nothing.

    A proposal overtaken since the preview (its mentee was matched through self-select) is
    discarded instead of breaking the one-live-match-per-mentee rule. The lifecycle's guard
    (no mentee in two live matches of a program) is applied to the whole run with one query,
    the proposals are locked with one statement, and each change follows the lifecycle's
    transition table and writes its history row, as the lifecycle does.
    """
    if run.status is not RunStatus.PREVIEW:
        return []
    now = now or session_clock(session).now()
    run.status = RunStatus.PUBLISHED
    run.published_at = now
    # One statement locks every proposal of the run (the lifecycle locks one match per
    # statement, which would cost a query per match here).
    proposals = list(session.scalars(
        select(Match).options(selectinload(Match.mentees))
        .where(Match.run_id == run.id, Match.status == MatchStatus.PROPOSED)
        .order_by(Match.score, Match.id).with_for_update(of=Match)).all())
    program = session.get(Program, run.program_id)
    assert program is not None
    taken = set(session.scalars(
        select(MatchMentee.person_id).join(Match, Match.id == MatchMentee.match_id).where(
            Match.program_id == run.program_id, Match.status.in_(LIVE),
            MatchMentee.person_id.in_(select(MatchMentee.person_id).join(
                Match, Match.id == MatchMentee.match_id).where(Match.run_id == run.id)))))
    group_limit = max(program.group_size, 1) if program.kind is ProgramKind.GROUP else None
    live: list[Match] = []
    discarded: list[Match] = []
    events: list[dict[str, object]] = []
    for match in proposals:
        mentees = {m.person_id for m in match.mentees}
        if mentees & taken or (group_limit is not None and len(mentees) > group_limit):
            discarded.append(match)
            continue
        # The lifecycle's own transition table and history row, without its per-row lock
        # (the rows are locked above).
        if (match.status, MatchStatus.ACTIVE) not in ALLOWED_TRANSITIONS:
            raise TransitionError(f"cannot go from {match.status.value} to active")
        events.append({"match_id": match.id, "from_status": match.status.value,
                       "to_status": MatchStatus.ACTIVE.value, "reason": "published",
                       "private_reason": "", "at": now, "actor_id": by.id if by else None})
        taken |= mentees
        live.append(match)
    # Two UPDATEs for the whole run rather than one row each from the unit of work; the
    # loaded objects are then given the values the rows now hold.
    _set_status(session, discarded, MatchStatus.DISCARDED)
    _set_status(session, live, MatchStatus.ACTIVE, published_at=now)
    if events:
        session.execute(insert(MatchEvent.__table__), events)
    session.flush()
    return live


def _set_status(session: Session, matches: list[Match], status: MatchStatus, *,
                published_at: datetime | None = None) -> None:
    """One UPDATE of these matches' status (and published_at where it is still empty)."""
    if not matches:
        return
    values: dict[str, object] = {"status": status}
    if published_at is not None:
        column = Match.__table__.c.published_at
        # Bound with the column's own type, so the instant is stored as any other is.
        values["published_at"] = func.coalesce(column, literal(published_at, column.type))
    session.execute(update(Match.__table__)
                    .where(among(session, Match.__table__.c.id, [m.id for m in matches]))
                    .values(values))
    for match in matches:
        set_committed_value(match, "status", status)
        if published_at is not None:
            set_committed_value(match, "published_at", match.published_at or published_at)


def tell_unmatched(session: Session, run: MatchRun, program: Program, *,
                   now: datetime | None = None) -> int:
    """Queue every unmatched person's DM (their reason and what happens next), as Publish in
    chat does, with the same idempotency keys; returns how many were queued.

    Set-based: the people, their latest platform identity and the keys already queued are
    read in three queries, and the rows are written in one flush.
    """
    from core.language import writing_to
    from core.match_runs import texts as run_texts
    from core.ui import message_to_dict

    wanted = {int(u["person_id"]): u for u in run.unmatched}
    if not wanted:
        return 0
    keys = {pid: f"unmatched:{run.id}:{pid}" for pid in wanted}
    done = set(session.scalars(select(OutboxMessage.idempotency_key).where(
        OutboxMessage.idempotency_key.like(f"unmatched:{run.id}:%"))))
    people = {p.id: p for p in session.scalars(select(Person).where(
        among(session, Person.id, wanted)))}
    newest = (select(PlatformIdentity.person_id, func.max(PlatformIdentity.id).label("id"))
              .where(among(session, PlatformIdentity.person_id, wanted))
              .group_by(PlatformIdentity.person_id).subquery())
    where = {pid: platform for pid, platform in session.execute(
        select(PlatformIdentity.person_id, PlatformIdentity.platform)
        .join(newest, newest.c.id == PlatformIdentity.id))}
    stamp = now or session_clock(session).now()
    rows = []
    for pid, u in wanted.items():
        person = people.get(pid)
        if person is None or pid not in where or keys[pid] in done:
            continue
        with writing_to(person):  # each reads why in their own language, as in chat
            told = message_to_dict(run_texts.not_matched_dm(program, person, u["reason"]))
        rows.append({"idempotency_key": keys[pid], "person_id": pid, "platform": where[pid],
                     "payload": told,
                     "kind": "", "created_at": stamp, "next_attempt_at": stamp})
    if rows:
        # The table's own executemany: the ORM's bulk path costs a third more per row, and
        # nothing here needs the rows back as objects.
        session.execute(insert(OutboxMessage.__table__), rows)
    return len(rows)


def set_fairness_floor(session: Session, program: Program, attributes: list[str], *,
                       by: Person | None = None, now: datetime | None = None) -> bool:
    """Switch the program's fairness floor to these protected attributes ([] = off).

    Every switch is written to the audit log (who, when, from what to what); returns whether
    anything changed.
    """
    new = sorted({a.strip() for a in attributes if a.strip()})
    old = sorted(program.fairness_floor or [])
    if new == old:
        return False
    program.fairness_floor = new
    session.add(AuditEntry(workspace_id=program.workspace_id, actor_id=by.id if by else None,
                           action="fairness floor",
                           detail={"program": program.name, "from": old, "to": new},
                           at=now or session_clock(session).now()))
    session.flush()
    return True


def latest_run(session: Session, program: Program) -> MatchRun | None:
    return session.scalar(select(MatchRun).where(MatchRun.program_id == program.id)
                          .order_by(MatchRun.id.desc()).limit(1))
