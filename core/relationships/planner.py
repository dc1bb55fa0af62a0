"""Plan what each live relationship should hear now: introduction, nudges, check-ins,
escalations, surveys and graduation. Idempotent: every message has a key, so running the
planner twice, after a restart or on three replicas at once, never doubles anything."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from core import i18n
from core.db import isolated
from core.language import shared_language, writing_to
from core.models import (
    Admin,
    EndReason,
    Enrollment,
    Match,
    MatchEvent,
    MatchStatus,
    Meeting,
    OutboxMessage,
    Person,
    Program,
)
from core.outbox import enqueue_dm, enqueue_group
from core.relationships import lifecycle
from core.relationships import texts as t
from core.relationships.timing import (
    is_daytime,
    next_shared_daytime,
    period_index,
    period_start,
    sendable,
)
from core.ui import Message

INTRO_FALLBACK = timedelta(hours=72)  # no shared daytime (opposite timezones): send anyway


@dataclass
class _Ctx:
    session: Session
    now: datetime
    group_platforms: Collection[str]
    met: dict[int, set[int]] = field(default_factory=dict)
    pauses: dict[int, list[tuple[datetime, datetime | None]]] = field(default_factory=dict)
    admins: dict[int, list[Person]] = field(default_factory=dict)
    queued: int = 0

    def dm(self, person: Person, message: Callable[[], Message], key: str, kind: str,
           match: Match) -> None:
        """Queue the message ``message()`` writes, in ``person``'s language."""
        with writing_to(person):
            built = message()
        if enqueue_dm(self.session, person, built, key, kind=kind, match_id=match.id,
                      now=self.now):
            self.queued += 1


def _names(people: list[Person], exclude: Person) -> str:
    others = [p.name for p in people if p.id != exclude.id]
    return t.and_list(others) or t.your_match()


def plan_due(session: Session, now: datetime, group_platforms: Collection[str] = ()) -> int:
    """Queue every message that is due at ``now``; returns how many were queued.

    A handful of queries per call whatever the number of matches: it runs every few minutes.
    """
    matches = session.scalars(select(Match).where(Match.status.in_(lifecycle.LIVE))
                              .options(selectinload(Match.mentees)).order_by(Match.id)).all()
    if not matches:
        return 0
    ids = [m.id for m in matches]
    ctx = _Ctx(session, now, group_platforms)
    for match_id, period in session.execute(select(Meeting.match_id, Meeting.period).where(
            Meeting.match_id.in_(ids))):
        ctx.met.setdefault(match_id, set()).add(period)
    for event in session.scalars(select(MatchEvent).where(
            MatchEvent.match_id.in_(ids), MatchEvent.to_status.in_(("paused", "active")))
            .order_by(MatchEvent.id)):
        spans = ctx.pauses.setdefault(event.match_id, [])
        if event.to_status == "paused":
            spans.append((event.at, None))
        elif spans and spans[-1][1] is None:
            spans[-1] = (spans[-1][0], event.at)
    introduced = set(session.scalars(select(OutboxMessage.match_id).where(
        OutboxMessage.kind == "intro", OutboxMessage.match_id.in_(ids))))
    person_ids = {pid for m in matches for pid in lifecycle.members(m)}
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(person_ids)))}
    programs = {p.id: p for p in session.scalars(select(Program).where(
        Program.id.in_({m.program_id for m in matches})))}
    for admin_ws, person in session.execute(select(Admin.workspace_id, Person).join(
            Person, Person.id == Admin.person_id).where(Admin.revoked_at.is_(None))):
        ctx.admins.setdefault(admin_ws, []).append(person)
    plans = []
    for match in matches:
        members = [people.get(pid) for pid in lifecycle.members(match)]
        program = programs.get(match.program_id)
        if program is not None and None not in members:
            plans.append(partial(_plan_counted, ctx, match, program, members,
                                 match.id in introduced))
    # One savepoint for the lot: a conflict (another writer queued the same message) is rare,
    # since one replica plans at a time. Only then is each match planned in a savepoint of its
    # own, so the conflict loses that match alone.
    try:
        with session.begin_nested():
            ctx.queued = sum(plan() for plan in plans)
    except IntegrityError:
        ctx.queued = sum(isolated(session, f"planning match {plan.args[1].id}", plan)
                         for plan in plans)
    return ctx.queued


def _plan_counted(ctx: _Ctx, match: Match, program: Program, people: list[Person],
                  introduced: bool) -> int:
    """Plan one match; returns how many messages it queued."""
    before = ctx.queued
    _plan_match(ctx, match, program, people, introduced)
    return ctx.queued - before


def _plan_match(ctx: _Ctx, match: Match, program: Program, people: list[Person],
                introduced: bool) -> None:
    now = ctx.now
    if match.status is MatchStatus.PAUSED:
        if match.paused_until is None or now < match.paused_until:
            return  # a paused match hears nothing
        lifecycle.resume(ctx.session, match, now=now, automatic=True)
        for p in people:
            ctx.dm(p, lambda: t.resumed(program), f"resumed:{match.id}:{match.paused_until}:{p.id}",
                   "resumed", match)
    start = match.published_at or match.created_at
    if not introduced:
        _introduce(ctx, match, program, people, start)
        return
    end = start + timedelta(weeks=program.duration_weeks)
    if now >= end:
        _graduate(ctx, match, program, people, end)
        return
    midpoint = start + (end - start) / 2
    for p in people:
        if sendable(now, midpoint, p.timezone, catch_up=True):
            ctx.dm(p, lambda: t.survey_invite(program, "midpoint", match.id),
                   f"survey:{match.id}:midpoint:{p.id}", "survey", match)
    k = period_index(start, now, program.cadence_days)
    met = ctx.met.get(match.id, set())
    half = timedelta(days=program.cadence_days) / 2
    nudge_at = period_start(start, k, program.cadence_days) + half
    for p in people:
        if k not in met and sendable(now, nudge_at, p.timezone):
            ctx.dm(p, lambda p=p: t.nudge(program, _names(people, p), match.id),
                   f"nudge:{match.id}:{k}:{p.id}", "nudge", match)
    if k < 1:
        return
    ended_at = period_start(start, k, program.cadence_days)
    since = period_start(start, k - 1, program.cadence_days).date()
    for p in people:
        # Anyone in the pair logging the session answers the question for everyone.
        if (k - 1) not in met and sendable(now, ended_at, p.timezone):
            ctx.dm(p, lambda p=p: t.checkin(program, _names(people, p), since, match.id, k - 1),
                   f"checkin:{match.id}:{k - 1}:{p.id}", "checkin", match)
    if _drought(ctx, match, start, program.cadence_days, k, met) == 2:
        _escalate(ctx, match, program, people, ended_at, k)


def _drought(ctx: _Ctx, match: Match, start: datetime, cadence: int, k: int,
             met: set[int]) -> int:
    """Finished periods in a row, up to k-1, with no session; periods touched by a pause don't
    count either way (a break is not a drought). Escalation fires when this reaches exactly 2,
    so once per drought."""
    spans = ctx.pauses.get(match.id, [])
    streak = 0
    for j in range(k - 1, -1, -1):
        if j in met:
            break
        lo, hi = period_start(start, j, cadence), period_start(start, j + 1, cadence)
        if any(a < hi and (b is None or b > lo) for a, b in spans):
            continue
        streak += 1
    return streak


def intro_sendable(start: datetime, now: datetime, timezones: Iterable[str]) -> bool:
    """Whether a new match's introduction may go at ``now``: a weekday daytime for everyone
    in it, or INTRO_FALLBACK after it started whatever the hour (zones with no shared day)."""
    return now - start >= INTRO_FALLBACK or all(is_daytime(now, tz) for tz in timezones)


def intro_due_at(start: datetime, now: datetime, timezones: Iterable[str]) -> datetime:
    """When the planner will introduce a match that started at ``start``: ``now`` if it may
    go now, else the first weekday daytime shared by everyone, at the latest the fallback."""
    zones = list(timezones)
    if intro_sendable(start, now, zones):
        return now
    fallback = start + INTRO_FALLBACK
    shared = next_shared_daytime(now, zones, horizon=fallback - now)
    return min(shared, fallback) if shared is not None else fallback


def intro_times(session: Session, matches: Sequence[Match], now: datetime) -> list[datetime]:
    """When each of these newly live matches will be introduced (one query for the people)."""
    members = {m.id: lifecycle.members(m) for m in matches}
    ids = {pid for pids in members.values() for pid in pids}
    zones = dict(session.execute(select(Person.id, Person.timezone).where(
        Person.id.in_(ids))).all()) if ids else {}
    return [intro_due_at(m.published_at or m.created_at or now, now,
                         [zones.get(pid) or "UTC" for pid in members[m.id]]) for m in matches]


def _introduce(ctx: _Ctx, match: Match, program: Program, people: list[Person],
               start: datetime) -> None:
    if not intro_sendable(start, ctx.now, [p.timezone for p in people]):
        return
    mentor, mentees = people[0], people[1:]
    goals = dict(ctx.session.execute(select(Enrollment.person_id, Enrollment.goals).where(
        Enrollment.program_id == program.id,
        Enrollment.person_id.in_([p.id for p in mentees]))).all())
    # One message for everyone in it: their language when they share one, else the default.
    with i18n.reading(shared_language(people)):
        message = t.introduction(match, program, mentor, mentees, goals)
        label = i18n.gettext("Open a group chat")
    rows = enqueue_group(ctx.session, people, message, f"intro:{match.id}",
                         group_platforms=ctx.group_platforms, kind="intro", match_id=match.id,
                         link_label=label,
                         topic=f"{program.name}: {' & '.join(p.name for p in people)}",
                         now=ctx.now)
    ctx.queued += len(rows)


def _escalate(ctx: _Ctx, match: Match, program: Program, people: list[Person],
              at: datetime, k: int) -> None:
    for p in people:
        if sendable(ctx.now, at, p.timezone):
            ctx.dm(p, lambda p=p: t.escalation(program, _names(people, p)),
                   f"escalate:{match.id}:{k}:{p.id}", "escalation", match)
    names = " and ".join(p.name for p in people)
    for admin in ctx.admins.get(program.workspace_id, []):
        if sendable(ctx.now, at, admin.timezone):
            ctx.dm(admin, lambda: t.admin_quiet_note(program, names, 2),
                   f"admin-note:{match.id}:{k}:{admin.id}", "admin_note", match)


def _graduate(ctx: _Ctx, match: Match, program: Program, people: list[Person],
              end: datetime) -> None:
    done = 0
    for p in people:
        if sendable(ctx.now, end, p.timezone, catch_up=True):
            ctx.dm(p, lambda: t.survey_invite(program, "end", match.id),
                   f"survey:{match.id}:end:{p.id}",
                   "survey", match)
            ctx.dm(p, lambda p=p: t.graduation(program, _names(people, p)),
                   f"graduation:{match.id}:{p.id}", "graduation", match)
        graduated = ctx.session.scalar(select(OutboxMessage.id).where(
            OutboxMessage.idempotency_key == f"graduation:{match.id}:{p.id}"))
        done += graduated is not None
    if done == len(people):
        lifecycle.end(ctx.session, match, EndReason.COMPLETED, now=ctx.now)
