"""What a report is about (all cohorts, one cohort, a period) and the pairs in it.

Every report query filters through ``Scope``; ``load_pairs`` fetches the scoped matches once,
as plain tuples, so later stages never touch the ORM row by row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, DateTime, Select, func, select, type_coerce
from sqlalchemy.orm import Session

from core.i18n import format_date
from core.i18n import gettext as _
from core.models import (
    EndReason,
    Match,
    MatchEvent,
    MatchMentee,
    MatchRun,
    MatchStatus,
    Program,
    ProgramKind,
    RunStatus,
)

# Proposed and discarded matches never went live: no report counts them.
PUBLISHED = (MatchStatus.ACTIVE, MatchStatus.PAUSED, MatchStatus.ENDED)
LIVE = (MatchStatus.ACTIVE, MatchStatus.PAUSED)
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class Cohort:
    """A published matching run and its number in the program (1 = first published)."""

    run_id: int
    number: int
    published_at: datetime

    @property
    def label(self) -> str:
        return _("Cohort {n} (published {day})").format(
            n=self.number, day=format_date(self.published_at.date()))


@dataclass
class Scope:
    """The program, the clock, and the optional cohort and period a report is limited to."""

    program: Program
    now: datetime
    since: date | None = None
    until: date | None = None
    cohort: Cohort | None = None
    cohorts: list[Cohort] = field(default_factory=list)  # every published run, in order

    @property
    def lo(self) -> datetime | None:
        """Start of the period (inclusive), as a UTC datetime."""
        return datetime.combine(self.since, time.min, UTC) if self.since else None

    @property
    def hi(self) -> datetime | None:
        """End of the period (exclusive): the day after ``until``, at midnight UTC."""
        return (datetime.combine(self.until + timedelta(days=1), time.min, UTC)
                if self.until else None)

    @property
    def end(self) -> datetime:
        """Where live spans stop counting: now, or the end of the period if earlier."""
        hi = self.hi
        return min(self.now, hi) if hi else self.now

    @property
    def peer(self) -> bool:
        return self.program.kind is ProgramKind.PEER

    @property
    def label(self) -> str:
        """The scope as the report's heading says it."""
        parts = [self.cohort.label] if self.cohort else []
        if self.since and self.until:
            parts.append(_("{first} to {last}").format(first=format_date(self.since),
                                                       last=format_date(self.until)))
        elif self.since:
            parts.append(_("from {day}").format(day=format_date(self.since)))
        elif self.until:
            parts.append(_("up to {day}").format(day=format_date(self.until)))
        text = ", ".join(parts) or _("All cohorts")
        return text[0].upper() + text[1:]

    def in_window(self, column: Any) -> list[ColumnElement[bool]]:
        """Conditions keeping ``column`` (a datetime) inside the period."""
        out: list[ColumnElement[bool]] = []
        if self.lo is not None:
            out.append(column >= self.lo)
        if self.hi is not None:
            out.append(column < self.hi)
        return out

    def in_days(self, column: Any) -> list[ColumnElement[bool]]:
        """Conditions keeping ``column`` (a date) inside the period."""
        out: list[ColumnElement[bool]] = []
        if self.since is not None:
            out.append(column >= self.since)
        if self.until is not None:
            out.append(column <= self.until)
        return out

    def match_filter(self) -> list[ColumnElement[bool]]:
        """The published matches the report is about."""
        conds: list[ColumnElement[bool]] = [
            Match.program_id == self.program.id, Match.status.in_(PUBLISHED),
            Match.published_at.is_not(None), *self.in_window(Match.published_at)]
        if self.cohort is not None:
            conds.append(Match.run_id == self.cohort.run_id)
        return conds

    def match_ids(self) -> Select[tuple[int]]:
        """A subquery of the scoped match ids, for ``IN (...)`` in every other query."""
        return select(Match.id).where(*self.match_filter())


def load_cohorts(session: Session, program: Program) -> list[Cohort]:
    """The program's published runs, numbered in publishing order."""
    rows = session.execute(select(MatchRun.id, MatchRun.published_at).where(
        MatchRun.program_id == program.id, MatchRun.published_at.is_not(None),
        MatchRun.status != RunStatus.PREVIEW)
        .order_by(MatchRun.published_at, MatchRun.id)).all()
    return [Cohort(run_id, i, at) for i, (run_id, at) in enumerate(rows, start=1)]


@dataclass
class Pair:
    """One published match (a pair, or a mentor with a group) as the report needs it."""

    id: int
    run_id: int | None
    mentor_id: int
    score: float
    status: MatchStatus
    published_at: datetime
    ended_reason: EndReason | None
    first_meeting_at: datetime | None
    mentees: list[int] = field(default_factory=list)
    ended_at: datetime | None = None
    paused: bool = False
    ended: bool = False  # ended within the report's time (not merely by now)

    @property
    def members(self) -> list[int]:
        return [self.mentor_id, *self.mentees]

    def live_span(self, scope: Scope) -> tuple[datetime, datetime] | None:
        """When the pair was live (published to ended), cut to the period; None if never."""
        start = max(self.published_at, scope.lo) if scope.lo else self.published_at
        stop = min(self.ended_at or scope.end, scope.end)
        return (start, stop) if stop > start else None


def load_pairs(session: Session, scope: Scope) -> dict[int, Pair]:
    """Every scoped match with its mentees, end time and whether it was ever paused:
    four column-only queries, whatever the program's size."""
    pairs = {row[0]: Pair(*row) for row in session.execute(select(
        Match.id, Match.run_id, Match.mentor_id, Match.score, Match.status, Match.published_at,
        Match.ended_reason, Match.first_meeting_at).where(*scope.match_filter()))}
    if not pairs:
        return pairs
    ids = scope.match_ids()
    for match_id, person_id in session.execute(select(
            MatchMentee.match_id, MatchMentee.person_id).where(MatchMentee.match_id.in_(ids))):
        pairs[match_id].mentees.append(person_id)
    # Only changes up to the period's end count: a pair paused after it was not paused in it.
    stop = scope.end
    for match_id, at in session.execute(select(MatchEvent.match_id, func.max(MatchEvent.at))
                                        .where(MatchEvent.match_id.in_(ids),
                                               MatchEvent.to_status == MatchStatus.ENDED.value)
                                        .group_by(MatchEvent.match_id)):
        pairs[match_id].ended_at = at
    for (match_id,) in session.execute(select(MatchEvent.match_id).where(
            MatchEvent.match_id.in_(ids), MatchEvent.to_status == MatchStatus.PAUSED.value,
            MatchEvent.at < stop).distinct()):
        pairs[match_id].paused = True
    for pair in pairs.values():
        pair.ended = pair.status is MatchStatus.ENDED
        if pair.ended_at is not None and pair.ended_at >= stop:
            # Ended after the period: within it, the pair was live throughout.
            pair.ended_at, pair.ended = None, False
    return pairs


def raw_datetime(column: Any) -> Any:
    """``column`` read as a plain DateTime, skipping UTCDateTime's per-row Python hook: on
    tens of thousands of rows that hook is most of the query's time. Pass values through
    ``as_utc``."""
    return type_coerce(column, DateTime(timezone=True))


def as_utc(value: datetime) -> datetime:
    """A value read with ``raw_datetime`` as an aware UTC datetime (SQLite returns naive)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole calendar months; the 31st becomes the month's last day."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - 28 always exists
