"""Report benchmark: build and render one program's report on an organisation of 50,000.

A synthetic organisation and a year of one program's activity are written fast with
SQLAlchemy Core bulk inserts into a migrated database (a temporary SQLite file, or a fresh
schema in the PostgreSQL database you name, dropped afterwards): people, half of them enrolled,
monthly matching runs making about one pair per two people, biweekly sessions, check-in and
other outbox rows with their answers, surveys, goals, pauses and ends, promotions and leavers.
Then the report is built (``build_report``) and rendered in every format, each timed.
The target: the whole report in under 30 s.

``python -m bot.bench.report --people 50000 --months 12`` or ``mentorbot bench report``.
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection, Engine

from bot.migrate import upgrade
from core.clock import FakeClock
from core.db import make_engine, make_session_factory
from core.models import (
    Checkin,
    EndReason,
    Enrollment,
    EnrollmentStatus,
    Goal,
    GoalStatus,
    LevelChange,
    Match,
    MatchEvent,
    MatchMentee,
    MatchRun,
    MatchStatus,
    Meeting,
    OutboxMessage,
    OutboxStatus,
    Person,
    Platform,
    Program,
    ProgramKind,
    ProgramPurpose,
    ProgramStatus,
    Role,
    RunStatus,
    SurveyResponse,
    Workspace,
)

TARGET_SECONDS = 30.0
FORMATS = ("html", "pdf", "xlsx", "csv")
CHUNK = 20_000  # rows per bulk insert: big enough to be fast, small enough to stay lean
# Weekly sessions: a year of ~25,000 pairs then logs about the 300,000 meetings the issue sizes.
CADENCE_DAYS = 7
DAYS_PER_MONTH = 365.25 / 12
DEPARTMENTS = ["Engineering", "Sales", "Marketing", "Finance", "People", "Product", "Design",
               "Customer Success", "Operations", "Legal"]
TIMEZONES = ["America/Los_Angeles", "America/New_York", "Europe/London", "Europe/Berlin",
             "Asia/Singapore", "Australia/Sydney"]
LEVELS = [1, 2, 3, 4, 5, 6, 7]
LEVEL_WEIGHTS = [22, 22, 20, 16, 11, 6, 3]
# Build stages build_report announces; the bar grows if it announces more.
BUILD_STAGES = 8


@dataclass
class _Pair:
    id: int
    run_id: int
    mentor_id: int
    mentee_id: int
    start: datetime
    end: datetime
    reason: EndReason | None  # None: still live at "now"
    paused: bool = False


@dataclass
class _Counts:
    rows: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, n: int) -> None:
        self.rows[table] = self.rows.get(table, 0) + n


class _Writer:
    """Buffers rows per table and writes them with Core bulk inserts, CHUNK at a time."""

    def __init__(self, conn: Connection, counts: _Counts) -> None:
        self.conn = conn
        self.counts = counts
        self.buffers: dict[str, list[dict[str, Any]]] = {}
        self.tables = {t.name: t for t in (m.__table__ for m in _MODELS)}  # type: ignore[attr-defined]

    def add(self, table: str, row: dict[str, Any]) -> None:
        buf = self.buffers.setdefault(table, [])
        buf.append(row)
        if len(buf) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        """Write every buffer, parents before children, so foreign keys always resolve."""
        for name in self.tables:
            rows = self.buffers.get(name) or []
            if rows:
                self.conn.execute(self.tables[name].insert(), rows)
                self.counts.add(name, len(rows))
                self.buffers[name] = []


_MODELS = (Workspace, Person, Program, Enrollment, MatchRun, Match, MatchMentee, MatchEvent,
           Meeting, Checkin, OutboxMessage, SurveyResponse, Goal, LevelChange)


# --------------------------------------------------------------------------- generation

def generate(engine: Engine, people: int, months: int, now: datetime,
             seed: int = 0) -> tuple[int, dict[str, int]]:
    """Write the organisation and a year of one program; returns (program id, rows written)."""
    rng = random.Random(seed)
    start = now - timedelta(days=months * DAYS_PER_MONTH)
    counts = _Counts()
    with engine.begin() as conn:
        w = _Writer(conn, counts)
        w.add("workspaces", dict(id=1, platform=Platform.SLACK, external_id="TBENCH",
                                 name="Bench Co", created_at=start - timedelta(days=900)))
        w.flush()
        w.add("programs", dict(
            id=1, workspace_id=1, name="Leadership 1:1", description="",
            kind=ProgramKind.ONE_ON_ONE, purpose=ProgramPurpose.LEADERSHIP, invite_only=False,
            cadence_days=CADENCE_DAYS,
            duration_weeks=26, group_size=1, skills=[], status=ProgramStatus.RUNNING,
            require_different_department=False, cooldown_days=365, weights={}, agenda="",
            auto_invite_title_pattern="", training_required=False, replacement_cost=50000,
            monthly_digest=False, created_at=start - timedelta(days=30)))
        w.flush()
        person_rows, mentors, mentees = _people(rng, people, start, now)
        for row in person_rows:
            w.add("people", row)
        w.flush()
        for pid, role in [(m, Role.MENTOR) for m in mentors] + [(m, Role.MENTEE)
                                                                 for m in mentees]:
            w.add("enrollments", dict(
                person_id=pid, program_id=1, role=role, skills_offered=[], skills_wanted=[],
                goals="", capacity=3 if role is Role.MENTOR else 1, availability="flexible",
                status=EnrollmentStatus.ACTIVE, revision=1,
                created_at=start - timedelta(days=rng.uniform(1, 40)),
                updated_at=start - timedelta(days=1)))
        runs = [start + timedelta(days=m * DAYS_PER_MONTH) for m in range(months)]
        for i, at in enumerate(runs, start=1):
            w.add("match_runs", dict(id=i, program_id=1, status=RunStatus.PUBLISHED,
                                     stats={}, fairness={}, unmatched=[], created_at=at,
                                     published_at=at))
        w.flush()
        pairs = _pairs(rng, mentors, mentees, runs, now)
        for pair in pairs:
            _write_pair(w, rng, pair, now)
        w.flush()
        _hris(w, rng, person_rows, set(mentors) | set(mentees), start, now)
        w.flush()
    if engine.dialect.name == "postgresql":
        # In production autovacuum gathers statistics after big changes; fresh bulk-loaded
        # tables have none, and the planner then picks nested loops that take minutes.
        with engine.begin() as conn:
            for model in _MODELS:
                conn.execute(text(f'ANALYZE "{model.__tablename__}"'))
    return 1, dict(counts.rows)


def _people(rng: random.Random, n: int, start: datetime,
            now: datetime) -> tuple[list[dict[str, Any]], list[int], list[int]]:
    rows = []
    for pid in range(1, n + 1):
        level = rng.choices(LEVELS, LEVEL_WEIGHTS)[0]
        hired = (start - timedelta(days=rng.uniform(30, 12 * 365))).date()
        rows.append(dict(
            id=pid, workspace_id=1, external_id=f"E{pid:06d}", name=f"Person {pid}",
            email=f"p{pid}@bench.test", title="", department=rng.choice(DEPARTMENTS),
            level=level, location="", timezone=rng.choice(TIMEZONES), hire_date=hired,
            active=True, left_on=None, skills=[], created_at=start - timedelta(days=400)))
    # Half enrol: seniors mentor (3 in 10 enrolled), the rest are mentees.
    enrolled = rng.sample(rows, n // 2)
    seniors = [r["id"] for r in enrolled if r["level"] >= 4]
    juniors = [r["id"] for r in enrolled if r["level"] < 4]
    mentors = seniors[:max(1, int(len(enrolled) * 0.3))]
    mentees = juniors + seniors[len(mentors):]
    return rows, mentors, mentees


def _pairs(rng: random.Random, mentors: list[int], mentees: list[int], runs: list[datetime],
           now: datetime) -> list[_Pair]:
    """Each mentee's matches in turn: a first cohort (earlier ones busier), three to six
    months together, and often a new match in the next run after the last one ends."""
    pairs: list[_Pair] = []
    months = len(runs)
    for mentee in mentees:
        k = min(int(rng.random() ** 2 * months), months - 1)
        while k < months:
            begin = runs[k] + timedelta(hours=rng.uniform(9, 11))
            end = begin + timedelta(days=rng.choice([91, 122, 152, 182]))
            roll = rng.random()
            reason = EndReason.COMPLETED
            if roll < 0.08:
                reason, end = EndReason.ENDED_EARLY, begin + timedelta(days=rng.uniform(15, 80))
            elif roll < 0.11:
                reason, end = EndReason.REMATCHED, begin + timedelta(days=rng.uniform(10, 40))
            pair = _Pair(len(pairs) + 1, k + 1, rng.choice(mentors), mentee, begin,
                         min(end, now), None if end >= now else reason,
                         paused=rng.random() < 0.05)
            pairs.append(pair)
            if pair.reason is None or rng.random() > 0.45:
                break
            # The next run after this pair ended.
            k = next((i for i, at in enumerate(runs) if at > end), months)
    return pairs


def _write_pair(w: _Writer, rng: random.Random, p: _Pair, now: datetime) -> None:
    """One match and everything it leaves behind."""
    status = MatchStatus.ENDED if p.reason else MatchStatus.ACTIVE
    w.add("matches", dict(id=p.id, program_id=1, run_id=p.run_id, mentor_id=p.mentor_id,
                          score=round(rng.uniform(0.4, 0.95), 4), reasons=[], status=status,
                          created_at=p.start, published_at=p.start, ended_reason=p.reason,
                          paused_until=None,
                          first_meeting_at=p.start + timedelta(days=rng.uniform(2, 9))
                          if rng.random() < 0.6 else None))
    w.add("match_mentees", dict(match_id=p.id, person_id=p.mentee_id))
    w.add("match_events", dict(match_id=p.id, from_status="proposed", to_status="active",
                               reason="published", private_reason="", at=p.start))
    if p.paused:
        at = p.start + (p.end - p.start) / 3
        w.add("match_events", dict(match_id=p.id, from_status="active", to_status="paused",
                                   reason="paused", private_reason="", at=at))
        w.add("match_events", dict(match_id=p.id, from_status="paused", to_status="active",
                                   reason="resumed automatically", private_reason="",
                                   at=at + timedelta(weeks=2)))
    if p.reason:
        w.add("match_events", dict(match_id=p.id, from_status="active", to_status="ended",
                                   reason=p.reason.value, private_reason="", at=p.end))
    members = (p.mentor_id, p.mentee_id)
    for who in members:
        _outbox(w, f"intro:{p.id}:{who}", who, "intro", p.id,
                p.start + timedelta(minutes=rng.uniform(1, 600)))
    keen = rng.uniform(0.55, 0.98)  # how reliably this pair meets
    k = 0
    while True:
        period = p.start + timedelta(days=CADENCE_DAYS * k)
        if period >= p.end:
            break
        met_on = period + timedelta(days=rng.uniform(1, CADENCE_DAYS - 2))
        if met_on < p.end and rng.random() < keen:
            logger = p.mentee_id if rng.random() < 0.7 else p.mentor_id
            loggers = members if rng.random() < 0.1 else (logger,)
            for who in loggers:
                w.add("meetings", dict(
                    match_id=p.id, logged_by_id=who, period=k, met_on=met_on.date(),
                    duration_minutes=rng.choice([30, 45, 60]), topics="Goals and progress",
                    rating=rng.choice([3, 4, 4, 5, 5]), private_notes="", created_at=met_on,
                    updated_at=met_on))
        elif period + timedelta(days=CADENCE_DAYS) < p.end:
            # No session: a nudge mid-period, a check-in after it, and some answers.
            for who in members:
                _outbox(w, f"nudge:{p.id}:{k}:{who}", who, "nudge", p.id,
                        period + timedelta(days=CADENCE_DAYS / 2))
                asked = period + timedelta(days=CADENCE_DAYS)
                _outbox(w, f"checkin:{p.id}:{k}:{who}", who, "checkin", p.id, asked)
                if rng.random() < 0.6:
                    w.add("checkins", dict(match_id=p.id, person_id=who, period=k,
                                           answer=rng.choice(["not_yet", "not_yet", "yes",
                                                              "need_help"]),
                                           answered_at=asked + timedelta(hours=rng.uniform(
                                               1, 48))))
        k += 1
    midpoint = p.start + timedelta(weeks=13)
    stages = [("midpoint", midpoint)] if midpoint < p.end else []
    if p.reason is EndReason.COMPLETED:
        stages.append(("end", p.end))
    for stage, at in stages:
        for who in members:
            _outbox(w, f"survey:{p.id}:{stage}:{who}", who, "survey", p.id, at)
            if stage == "end":
                _outbox(w, f"graduation:{p.id}:{who}", who, "graduation", p.id, at)
            if rng.random() < 0.55 and at + timedelta(days=3) < now:
                happy = rng.random() < keen
                comment = rng.random() < 0.2
                w.add("survey_responses", dict(
                    match_id=p.id, person_id=who, stage=stage,
                    useful=rng.choice([4, 5, 5] if happy else [1, 2, 3, 4]),
                    recommend=rng.choice([8, 9, 10, 10] if happy else [3, 5, 6, 7]),
                    comment="Useful sessions, good questions." if comment else "",
                    consent_to_quote=comment and rng.random() < 0.5,
                    answered_at=at + timedelta(days=rng.uniform(0.2, 3))))
    for g in range(rng.choice([0, 1, 2, 2, 3])):
        created = p.start + timedelta(days=rng.uniform(3, 20))
        if created >= p.end:
            break
        progress = (p.end - p.start).days / 182
        status = (GoalStatus.DONE if rng.random() < 0.6 * progress else
                  GoalStatus.IN_PROGRESS if rng.random() < 0.6 else GoalStatus.NOT_STARTED)
        w.add("goals", dict(match_id=p.id, owner_id=p.mentee_id, text=f"Goal {g + 1}",
                            target_date=(p.start + timedelta(weeks=24)).date(), status=status,
                            created_at=created, updated_at=created))


def _outbox(w: _Writer, key: str, person_id: int, kind: str, match_id: int,
            at: datetime) -> None:
    w.add("outbox", dict(
        idempotency_key=key, person_id=person_id, platform=Platform.SLACK, channel_id=None,
        payload={"text": kind, "blocks": [], "file": None}, status=OutboxStatus.SENT,
        attempts=1, next_attempt_at=at, last_error=None, created_at=at, sent_at=at,
        platform_message_id=None, group_person_ids=None, kind=kind, match_id=match_id))


def _hris(w: _Writer, rng: random.Random, people: list[dict[str, Any]], participants: set[int],
          start: datetime, now: datetime) -> None:
    """Promotions and leavers over the year; participants a little more likely to stay and
    to be promoted. Rows are final states: the people were inserted with today's level."""
    span = (now - start).total_seconds()
    for row in people:
        member = row["id"] in participants
        when = start + timedelta(seconds=rng.uniform(0, span))
        if rng.random() < (0.16 if member else 0.11) and row["level"] > 1:
            w.add("level_changes", dict(person_id=row["id"], from_level=row["level"] - 1,
                                        to_level=row["level"], changed_on=when.date()))
    # Leavers are written as an update: people rows went in first (foreign keys).
    left = [(row["id"], (start + timedelta(seconds=rng.uniform(0, span))).date())
            for row in people if rng.random() < (0.07 if row["id"] in participants else 0.12)]
    w.flush()
    table = Person.__table__
    w.conn.execute(table.update().where(table.c.id == bindparam("pid")).values(  # type: ignore[attr-defined]
        active=False, left_on=bindparam("day")), [{"pid": pid, "day": day} for pid, day in left])
    w.counts.add("people (left)", len(left))


# --------------------------------------------------------------------------- database

@contextmanager
def _database(database_url: str | None) -> Iterator[Engine]:
    """A migrated, empty database: a temp SQLite file, or a fresh PostgreSQL schema."""
    if database_url is None:
        tmp = tempfile.mkdtemp(prefix="mentorbot-bench-")
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        try:
            upgrade(engine)
            yield engine
        finally:
            engine.dispose()
            shutil.rmtree(tmp, ignore_errors=True)
        return
    if not database_url.startswith("postgresql"):
        engine = make_engine(database_url)
        try:
            upgrade(engine)
            yield engine
        finally:
            engine.dispose()
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = make_engine(database_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in database_url else "?"
    engine = make_engine(f"{database_url}{sep}options={quote(f'-csearch_path={schema}')}")
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# --------------------------------------------------------------------------- memory

def _reset_peak_rss() -> bool:
    """Start the kernel's peak-RSS counter afresh (Linux), so the report is measured alone."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _peak_rss_mb() -> float:
    """Peak resident memory since the last reset (or the process's start), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


# --------------------------------------------------------------------------- the benchmark

def run_benchmark(people: int = 50000, months: int = 12, database_url: str | None = None,
                  console: Console | None = None, *, seed: int = 0,
                  now: datetime | None = None) -> dict[str, float]:
    """Generate the organisation, then time the report's build and every render.

    Returns the figures (seconds, MB, row counts) and prints them as a table on ``console``.
    """
    from core.reports.metrics import build_report
    from core.reports.render import render

    out = console or Console()
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    figures: dict[str, float] = {"people": float(people), "months": float(months)}
    with _database(database_url) as engine:
        with out.status(f"Generating {people:,} people and {months} months of activity…"):
            began = time.perf_counter()
            program_id, rows = generate(engine, people, months, now, seed)
            figures["generation_s"] = time.perf_counter() - began
        for table, n in rows.items():
            figures[f"rows_{table.replace(' ', '_').replace('(', '').replace(')', '')}"] = float(n)
        gc.collect()
        figures["peak_rss_generation_mb"] = _peak_rss_mb()
        measured_alone = _reset_peak_rss()
        sessions = make_session_factory(engine, FakeClock(now))
        with Progress(TextColumn("{task.description:<34}"), BarColumn(), TimeElapsedColumn(),
                      console=out, transient=True) as bar, sessions() as session:
            task = bar.add_task("Building report", total=BUILD_STAGES + len(FORMATS))

            def stage(name: str) -> None:
                done = bar.tasks[task].completed
                bar.update(task, description=f"Building report: {name}",
                           total=max(bar.tasks[task].total or 0, done + 1 + len(FORMATS)))
                bar.advance(task)

            program = session.get(Program, program_id)
            assert program is not None
            began = time.perf_counter()
            report = build_report(session, program, now=now, progress=stage)
            figures["build_s"] = time.perf_counter() - began
            bar.update(task, completed=(bar.tasks[task].total or 0) - len(FORMATS))
            sizes = {}
            for fmt in FORMATS:
                bar.update(task, description=f"Rendering {fmt.upper()}")
                began = time.perf_counter()
                data = render(report, fmt, progress=lambda name, f=fmt: bar.update(
                    task, description=f"Rendering {f.upper()}: {name}"))
                figures[f"render_{fmt}_s"] = time.perf_counter() - began
                sizes[fmt] = len(data)
                bar.advance(task)
        figures["report_total_s"] = figures["build_s"] + sum(
            figures[f"render_{fmt}_s"] for fmt in FORMATS)
        figures["peak_rss_report_mb" if measured_alone else "peak_rss_mb"] = _peak_rss_mb()
        figures["under_target"] = 1.0 if figures["report_total_s"] < TARGET_SECONDS else 0.0
        for fmt, size in sizes.items():
            figures[f"{fmt}_kb"] = size / 1024
        figures["pairs_in_report"] = float(next(
            (f.value or 0 for f in report.matching if f.key == "pairs"), 0))
    print_benchmark(figures, out, database="PostgreSQL" if database_url and
                    database_url.startswith("postgresql") else "SQLite")
    return figures


def print_benchmark(figures: dict[str, float], console: Console | None = None,
                    database: str = "SQLite") -> None:
    """The figures as a table: what was generated, then what the report cost."""
    table = Table(title=f"Program report on {figures['people']:,.0f} people "
                        f"({figures['months']:.0f} months, {database})")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, label in [("rows_people", "people"), ("rows_enrollments", "enrollments"),
                       ("rows_matches", "pairs (matches)"), ("rows_meetings", "meetings"),
                       ("rows_outbox", "outbox rows"), ("rows_checkins", "check-in answers"),
                       ("rows_survey_responses", "survey answers"), ("rows_goals", "goals"),
                       ("rows_level_changes", "level changes"), ("rows_people_left", "leavers")]:
        if key in figures:
            table.add_row(label, f"{figures[key]:,.0f}")
    table.add_section()
    table.add_row("generation", f"{figures['generation_s']:.1f} s")
    table.add_row("build_report", f"{figures['build_s']:.2f} s")
    for fmt in FORMATS:
        table.add_row(f"render {fmt}", f"{figures[f'render_{fmt}_s']:.2f} s "
                                       f"({figures.get(f'{fmt}_kb', 0):,.0f} KB)")
    ok = figures["under_target"] >= 1
    table.add_row("total report time", f"{figures['report_total_s']:.2f} s")
    table.add_row(f"under the {TARGET_SECONDS:.0f} s target",
                  "[green]yes[/green]" if ok else "[red]no[/red]")
    if "peak_rss_report_mb" in figures:
        table.add_row("peak RSS while reporting", f"{figures['peak_rss_report_mb']:,.0f} MB")
    if "peak_rss_mb" in figures:
        table.add_row("peak RSS", f"{figures['peak_rss_mb']:,.0f} MB")
    table.add_row("peak RSS while generating", f"{figures['peak_rss_generation_mb']:,.0f} MB")
    (console or Console()).print(table)


def command(people: int = 50000, months: int = 12, database_url: str | None = None) -> None:
    """Time the program report on a synthetic organisation (``mentorbot bench report``).

    Plain defaults so Typer can wrap it; the CLI adds ``--people``, ``--months`` and
    ``--database-url`` options with these defaults.
    """
    run_benchmark(people, months, database_url)


def main(argv: list[str] | None = None) -> None:
    """``python -m bot.bench.report --people N --months M [--database-url URL]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=50000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    run_benchmark(args.people, args.months, args.database_url, seed=args.seed)


if __name__ == "__main__":
    main()
