"""Engagement: did pairs meet, how often, did they answer check-ins, did they pause or stop.

A **session** is one (match, check-in period) with at least one logged meeting: both people
may log the same session, and the planner counts a period as met once, so the report does
too. Its date is the earliest ``met_on`` logged for it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import String, cast, exists, func, literal, select
from sqlalchemy.orm import Session

from core.i18n import N_, format_number, ngettext
from core.i18n import gettext as _
from core.models import Checkin, EndReason, Meeting, OutboxMessage, OutboxStatus
from core.reports.model import MIN_PEOPLE, Figure, Table, figure
from core.reports.scope import DAYS_PER_MONTH, Pair, Scope, as_utc, raw_datetime

MET_WITHIN = timedelta(days=14)
END_LABELS = {EndReason.COMPLETED: N_("Completed"), EndReason.ENDED_EARLY: N_("Ended early"),
              EndReason.REMATCHED: N_("Rematched"), EndReason.LEFT: N_("Left the organisation")}


@dataclass
class Activity:
    """Per-pair session facts, fetched with aggregate queries."""

    first_session: dict[int, date] = field(default_factory=dict)  # ever, not just in period
    sessions: dict[int, int] = field(default_factory=dict)  # in the period
    introduced: dict[int, datetime] = field(default_factory=dict)
    by_month: dict[str, int] = field(default_factory=dict)


def load_activity(session: Session, scope: Scope) -> Activity:
    """Sessions per pair, sessions per month and introduction times: two grouped queries.

    The sessions come back one row each (match, period, day) and are tallied here: one pass
    over them is cheaper than asking the database to group the same rows twice.
    """
    ids = scope.match_ids()
    out = Activity()
    since, until = scope.since, scope.until
    by_month: dict[tuple[int, int], int] = defaultdict(int)
    first, counted = out.first_session, out.sessions
    for match_id, _period, day in session.execute(
            select(Meeting.match_id, Meeting.period, func.min(Meeting.met_on))
            .where(Meeting.match_id.in_(ids)).group_by(Meeting.match_id, Meeting.period)):
        if match_id not in first or day < first[match_id]:
            first[match_id] = day
        if (since is None or day >= since) and (until is None or day <= until):
            counted[match_id] = counted.get(match_id, 0) + 1
            by_month[(day.year, day.month)] += 1
    out.by_month = {f"{y:04d}-{m:02d}": n for (y, m), n in by_month.items()}
    # Teams gets one introduction DM per person, Slack one group message: the first counts.
    intro_at = raw_datetime(func.min(func.coalesce(OutboxMessage.sent_at,
                                                   OutboxMessage.created_at)))
    for match_id, at in session.execute(select(OutboxMessage.match_id, intro_at).where(
            OutboxMessage.kind == "intro", OutboxMessage.match_id.in_(ids))
            .group_by(OutboxMessage.match_id)):
        out.introduced[match_id] = as_utc(at)
    return out


def checkin_counts(session: Session, scope: Scope) -> tuple[int, int, int]:
    """(check-in DMs sent, how many of them were answered, people they went to).

    A DM's key is ``checkin:{match}:{period}:{person}``; an answer is the Checkin row with
    the same match, period and person, so each answer looks its DM up by the rebuilt key
    (the key is unique and indexed).
    """
    sent_at = func.coalesce(OutboxMessage.sent_at, OutboxMessage.created_at)
    sent_dm = (OutboxMessage.kind == "checkin", OutboxMessage.status == OutboxStatus.SENT,
               *scope.in_window(sent_at))
    ids = scope.match_ids()
    sent, people = session.execute(select(
        func.count(), func.count(OutboxMessage.person_id.distinct()))
        .where(OutboxMessage.match_id.in_(ids), *sent_dm)).one()
    key = (literal("checkin:") + cast(Checkin.match_id, String) + literal(":")
           + cast(Checkin.period, String) + literal(":") + cast(Checkin.person_id, String))
    answered = session.scalar(select(func.count()).select_from(Checkin).where(
        Checkin.match_id.in_(ids),
        exists().where(OutboxMessage.idempotency_key == key, *sent_dm)))
    return int(sent), int(answered or 0), int(people)


def met_within_14_days(pair: Pair, activity: Activity) -> bool:
    """A session dated no later than 14 days after the introduction, or a first meeting
    scheduled by then."""
    intro = activity.introduced[pair.id]
    deadline = intro + MET_WITHIN
    first = activity.first_session.get(pair.id)
    if first is not None and first <= deadline.date():
        return True
    return pair.first_meeting_at is not None and pair.first_meeting_at <= deadline


def intro_due(pairs: list[Pair], activity: Activity, now: datetime) -> list[Pair]:
    """Pairs introduced at least 14 days ago: the only ones whose 14 days are over."""
    return [p for p in pairs if p.id in activity.introduced
            and activity.introduced[p.id] + MET_WITHIN <= now]


def sessions_by_month(pairs: list[Pair], activity: Activity,
                      scope: Scope) -> list[tuple[str, int, int]]:
    """(month, sessions, pairs live at some point that month), months with live pairs."""
    # Months as integers (year * 12 + month - 1); +1 where a pair starts, -1 after it ends.
    change: dict[int, int] = defaultdict(int)
    for pair in pairs:
        span = pair.live_span(scope)
        if span is None:
            continue
        last = span[1] - timedelta(microseconds=1)  # a span ending at midnight stops before
        change[span[0].year * 12 + span[0].month - 1] += 1
        change[last.year * 12 + last.month] -= 1
    out: list[tuple[str, int, int]] = []
    live = 0
    months = sorted(change)
    for month in range(months[0], months[-1]) if months else ():
        live += change.get(month, 0)
        if live:
            label = f"{month // 12:04d}-{month % 12 + 1:02d}"
            out.append((label, activity.by_month.get(label, 0), live))
    return out


def engagement(session: Session, scope: Scope, pairs: list[Pair],
               activity: Activity) -> tuple[list[Figure], Table]:
    """The engagement figures and the end-reasons table."""
    due = intro_due(pairs, activity, scope.now)
    met = sum(met_within_14_days(p, activity) for p in due)
    months = 0.0
    live_pairs = 0
    for pair in pairs:
        span = pair.live_span(scope)
        if span is not None:
            months += (span[1] - span[0]).total_seconds() / 86400 / DAYS_PER_MONTH
            live_pairs += 1
    total_sessions = sum(activity.sessions.get(p.id, 0) for p in pairs)
    sent, answered, asked = checkin_counts(session, scope)
    n = len(pairs)
    paused = sum(p.paused for p in pairs)
    ended = [p for p in pairs if p.ended]
    early = [p for p in ended if p.ended_reason is not EndReason.COMPLETED]
    figures = [
        figure("met_within_14_days", _("Pairs who met within 14 days of their introduction"),
               met / len(due) if due else None, len(due), "%",
               _("Pairs introduced at least 14 days ago."), base="pairs"),
        figure("sessions_per_pair_month", _("Sessions per pair per month"),
               total_sessions / months if months > 0 else None, live_pairs, "sessions",
               _("Sessions logged ÷ months each pair was live (published to ended)."),
               base="pairs"),
        figure("checkin_response_rate", _("Check-in response rate"),
               answered / sent if sent else None, asked, "%",
               ngettext("{answered} of {sent} check-in message answered.",
                        "{answered} of {sent} check-in messages answered.", sent).format(
                   answered=format_number(answered), sent=format_number(sent))
               if asked >= MIN_PEOPLE else ""),
        figure("paused_rate", _("Pairs who paused"), paused / n if n else None, n, "%",
               base="pairs"),
        figure("ended_early_rate", _("Pairs who ended early"), len(early) / n if n else None, n,
               "%", _("Ended for any reason but completing the program; reasons below."),
               base="pairs"),
    ]
    counts = {reason: 0 for reason in END_LABELS}
    for pair in ended:
        if pair.ended_reason is not None:
            counts[pair.ended_reason] += 1
    rows: list[list[str | int | float | None]] = [
        [_(END_LABELS[r]), c if c == 0 or c >= MIN_PEOPLE else None]
        for r, c in counts.items()]
    table = Table("end_reasons", _("Why pairs ended"), [_("Reason"), _("Pairs")], rows,
                  ["", "int"])
    return figures, table
