"""A simulated program on the demo organisation, so the report has a realistic year to show.

``simulate_program`` runs the shipped demo's "Leadership 1:1" program for twelve weeks through
the code the bot itself runs: a matching run published by an admin, the planner queuing
introductions, nudges, check-ins, surveys and graduation on a fake clock, and participants
clicking the very buttons those messages carry (log a session, answer a check-in, add and
complete goals, pause, end, ask for a rematch, answer surveys). Then a year of HRIS updates
goes through ``core.hris`` (promotions and leavers, participants slightly better off than
their colleagues) so retention and promotion can be compared.

Deterministic for a given ``seed``, ``start`` and ``now``. It writes into the caller's
database: use it on a demo or test database, never on a real one.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, sessionmaker

from core.admin.commands import AdminCommands
from core.admin.rights import grant
from core.clock import FakeClock
from core.db import clock_for, session_clock
from core.demo.organisation import DEMO_TENANT, load_demo
from core.events import Actor, DirectMessage, FormErrors, Intent, OpenForm, Reply, UpdateMessage
from core.hris.people import apply_record
from core.hris.records import PersonRecord
from core.match_runs.runs import run_program
from core.models import (
    Checkin,
    Enrollment,
    Goal,
    GoalStatus,
    LevelChange,
    Match,
    MatchMentee,
    MatchRun,
    MatchStatus,
    Meeting,
    OutboxMessage,
    OutboxStatus,
    Person,
    PlatformIdentity,
    Program,
    ProgramStatus,
    Role,
    SurveyResponse,
    Workspace,
)
from core.outbox import enqueue_dm
from core.relationships import lifecycle
from core.relationships.actions import Relationships
from core.relationships.planner import plan_due
from core.relationships.timing import period_start, zone
from core.reports.outcomes import tenure_band
from core.ui import message_to_dict

PROGRAM = "Leadership 1:1"
# After the last week: time for the graduation messages and the end survey's answers.
WIND_DOWN = timedelta(days=8)
DAYS_PER_MONTH = 30.44
# Department, level and tenure band: what the report compares participants within.
_Stratum = tuple[str, int | None, str]

# The year after the start (12-month rates). Participants fare a little better, as studies of
# mentoring programs usually find; the gap is kept modest so the demo isn't a sales pitch.
LEAVE_RATE = {"participant": 0.07, "comparison": 0.15}
PROMOTION_RATE = {"participant": 0.22, "comparison": 0.12}

TOPICS = [
    "Goals for the program and how we'll work together",
    "Preparing for a difficult conversation with a stakeholder",
    "Feedback on a presentation draft",
    "Delegation: what to let go of first",
    "Career path and what the next level looks like",
    "Running a retro; handling conflict in the team",
    "Prioritising when everything is urgent",
    "Building visibility with senior leadership",
]
GOALS = [
    "Run a team retrospective on my own",
    "Present our quarterly results to the leadership team",
    "Delegate one recurring task and coach someone through it",
    "Give structured feedback to a peer every two weeks",
    "Write a one-page plan for my next career step",
    "Lead a cross-team project kickoff",
    "Negotiate the scope of my next project up front",
]
COMMENTS = {
    "good": [
        "My mentor helped me see my role from the leadership team's side. Hugely useful.",
        "Having a regular slot to think out loud changed how I plan my weeks.",
        "I finally prepared for the promotion conversation properly. Thank you!",
        "Practical, honest advice every time. I'd sign up again tomorrow.",
        "Great pairing: different department, same problems.",
        "The action plan kept us honest; I finished two of my three goals.",
        "I ran my first retro alone after we role-played it. It went well.",
        "Every session ended with one concrete thing to try. Loved that.",
        "As a mentor I learned as much as I taught about how juniors see us.",
        "The check-in reminders were just enough to keep us on track.",
    ],
    "meh": [
        "Good when we met, but we struggled to find time.",
        "Useful, though a clearer agenda would have helped us.",
        "Meetings got pushed around a lot after the first month.",
        "Fine, but I'd have liked a mentor closer to my area.",
        "Hard to keep going across timezones; the idea is good.",
    ],
}
END_REASONS = {
    "notfit": "We couldn't find working hours that suit both our timezones.",
    "end": "My new role leaves no time for this right now; maybe next cohort.",
}


@dataclass(frozen=True)
class SimulationSummary:
    """What the simulation did, for a test or the CLI to print."""

    program_id: int
    run_id: int
    start: datetime
    finished: datetime
    matches: int
    unmatched: int
    meetings: int
    checkins_sent: int
    checkins_answered: int
    goals: int
    goals_done: int
    survey_answers: int
    paused: int
    ended_early: int
    rematched: int
    left_during: int
    messages_sent: int
    promotions: int
    leavers: int
    profiles: dict[str, int] = field(default_factory=dict)


@dataclass
class _Pair:
    """One match's planned behaviour."""

    match_id: int
    mentor_id: int
    mentee_id: int
    profile: str  # steady | drift | pause | notfit | end | rematch | leaver
    late_logger: bool = False
    # Period -> the day the pair really met (logged at once, or later through a check-in).
    met: dict[int, date] = field(default_factory=dict)


class SimulationError(RuntimeError):
    """The simulation's scripted user did something the bot refused (a bug in the script)."""


def simulate_program(sessions_or_session: sessionmaker[Session] | Session, *, start: datetime,
                     weeks: int = 12, seed: int = 7, now: datetime | None = None,
                     outcome_months: int = 12) -> SimulationSummary:
    """Load the demo organisation (if needed) and run its Leadership program from ``start``.

    ``weeks`` is the program's length (the demo program is set to it, so midpoint and end
    surveys fall inside the simulation). HRIS outcomes are written for ``outcome_months``
    after ``start``, but none later than ``now`` (default: the sessions' clock), so start about 13
    months ago for a full year of retention and promotion data.

    Given a sessionmaker it commits once at the end; given a Session the caller commits.
    """
    start = start if start.tzinfo else start.replace(tzinfo=UTC)
    if now is None:
        now = (session_clock(sessions_or_session) if isinstance(sessions_or_session, Session)
               else clock_for(sessions_or_session, None)).now()
    if isinstance(sessions_or_session, Session):
        return _Simulation(sessions_or_session, start, weeks, seed, now, outcome_months).run()
    with sessions_or_session() as session, session.begin():
        return _Simulation(session, start, weeks, seed, now, outcome_months).run()


class _Simulation:
    """One run: a time-ordered queue of scheduler ticks and people's actions on a fake clock,
    all inside one session."""

    def __init__(self, session: Session, start: datetime, weeks: int, seed: int,
                 now: datetime, outcome_months: int) -> None:
        self.session = session
        self.start = start
        self.weeks = weeks
        self.rng = random.Random(seed)
        self.now = now
        self.outcome_months = outcome_months
        self.clock = FakeClock(start)
        self._queue: list[tuple[datetime, int, Callable[[], None]]] = []
        self._seq = itertools.count()
        self.pairs: dict[int, _Pair] = {}
        self.sent = 0
        self.propensity: dict[int, float] = {}
        self._comments: dict[str, list[str]] = {}

    # --- the frame -------------------------------------------------------------------------

    def run(self) -> SimulationSummary:
        # The model's created_at/updated_at defaults read the sessions' clock; here time is
        # simulated, so new and changed rows get the simulation's time instead, or every
        # meeting and goal would be dated at the moment the simulation runs.
        event.listen(self.session, "before_flush", self._stamp)
        try:
            return self._run()
        finally:
            event.remove(self.session, "before_flush", self._stamp)

    def _stamp(self, session: Session, _context: Any, _instances: Any) -> None:
        at = self.clock.now()
        for obj in session.new:
            for attr in ("created_at", "updated_at"):
                if hasattr(type(obj), attr) and getattr(obj, attr) is None:
                    setattr(obj, attr, at)
        for obj in session.dirty:
            if hasattr(type(obj), "updated_at") and session.is_modified(obj):
                obj.updated_at = at

    def _run(self) -> SimulationSummary:
        s = self.session
        load_demo(s)
        ws = s.scalar(select(Workspace).where(Workspace.external_id == DEMO_TENANT))
        assert ws is not None
        self.workspace = ws
        program = s.scalar(select(Program).where(Program.workspace_id == ws.id,
                                                 Program.name == PROGRAM))
        assert program is not None
        if s.scalar(select(Match.id).where(Match.program_id == program.id).limit(1)):
            raise ValueError(f"{PROGRAM} already has matches: simulate on a fresh demo")
        self.program = program
        self._set_the_scene(program)
        self.admin = self._admin(ws)
        self._train_mentors(program)
        run_id = self._match_and_publish(program)
        end = self.start + timedelta(weeks=self.weeks)
        for tick in self._ticks(end + WIND_DOWN):
            self._at(tick, self._tick)
        self._drain(end + WIND_DOWN + timedelta(days=4))
        promotions, leavers = self._outcomes()
        return self._summary(run_id, promotions, leavers)

    def _ticks(self, until: datetime) -> list[datetime]:
        """When the scheduler runs. In production it ticks every few minutes; the planner only
        sends nudges, check-ins and surveys from 10:00 local on weekdays, so ticking at each
        participant timezone's weekday 10:00 sends the same messages at the same moments for
        a fraction of the work (introductions may wait a few hours for a shared slot)."""
        zones = {self._person(pid).timezone for pair in self.pairs.values()
                 for pid in (pair.mentor_id, pair.mentee_id)} | {self.admin.timezone}
        out: set[datetime] = set()
        day = self.start.date() - timedelta(days=1)
        while day <= until.date():
            for tz in zones:
                slot = datetime.combine(day, time(10), zone(tz))
                if slot.weekday() < 5 and self.start <= slot <= until:
                    out.add(slot.astimezone(UTC))
            day += timedelta(days=1)
        return sorted(out)

    def _at(self, when: datetime, action: Callable[[], None]) -> None:
        heapq.heappush(self._queue, (when, next(self._seq), action))

    def _drain(self, until: datetime) -> None:
        """Run every scheduled action in time order (actions may schedule more)."""
        while self._queue and self._queue[0][0] <= until:
            when, _, action = heapq.heappop(self._queue)
            self.clock.set(max(when, self.clock.now()))
            action()
        self._queue.clear()

    # --- setting up ------------------------------------------------------------------------

    def _set_the_scene(self, program: Program) -> None:
        """The demo was loaded today, but this story starts at ``start``: date the people,
        the program and its enrollments before it, and make the program a ``weeks`` cohort."""
        s = self.session
        before = self.start - timedelta(days=400)
        for person in s.scalars(select(Person).where(
                Person.workspace_id == self.workspace.id)):
            person.created_at = before
        for identity in s.scalars(select(PlatformIdentity).join(
                Person, Person.id == PlatformIdentity.person_id).where(
                Person.workspace_id == self.workspace.id)):
            identity.created_at = before
        self.workspace.created_at = before
        opens = self.start - timedelta(days=28)
        program.created_at = opens - timedelta(days=3)
        program.enrollment_opens = opens.date()
        program.enrollment_closes = (self.start - timedelta(days=1)).date()
        program.duration_weeks = self.weeks
        program.status = ProgramStatus.OPEN
        for e in s.scalars(select(Enrollment).where(Enrollment.program_id == program.id)
                           .order_by(Enrollment.id)):
            joined = opens + timedelta(hours=self.rng.uniform(2, 26 * 24))
            e.created_at = e.updated_at = joined
        s.flush()

    def _admin(self, ws: Workspace) -> Person:
        """The program's admin: the most senior person in People (HR) runs it."""
        admin = self.session.scalar(select(Person).where(
            Person.workspace_id == ws.id, Person.department == "People")
            .order_by(Person.level.desc(), Person.id).limit(1))
        assert admin is not None
        grant(self.session, admin)
        return admin

    def _train_mentors(self, program: Program) -> None:
        """When the program asks mentors to finish training, they did so before matching."""
        try:
            from core.training.progress import mark_done, modules, requires_training
        except ImportError:  # a build without training: nothing holds mentors back
            return
        if not requires_training(self.session, program):
            return
        course = modules(self.session, program.id)
        mentors = self.session.scalars(select(Person).join(
            Enrollment, Enrollment.person_id == Person.id).where(
            Enrollment.program_id == program.id, Enrollment.role == Role.MENTOR)).all()
        for mentor in mentors:
            day = self.start - timedelta(days=self.rng.randint(3, 20))
            for i, module in enumerate(course):
                self.clock.set(day + timedelta(hours=10 + i))
                mark_done(self.session, mentor, module, now=self.clock.now())
        self.clock.set(self.start)

    def _match_and_publish(self, program: Program) -> int:
        """The admin runs matching, publishes the preview and closes enrollment."""
        s = self.session
        run = run_program(s, program, by=self.admin, today=self.start.date())
        admin = AdminCommands(s, self.admin, self._actor(self.admin), frozenset(), self.start)
        self._queue_dms(admin.action("match.publish", str(run.id)))
        self._queue_dms(admin.command(f"program close {program.name}"))
        # As Mentorbot.handle does after a publish: introductions are planned at once.
        plan_due(s, self.start)
        matches = s.scalars(select(Match).where(Match.run_id == run.id,
                                                Match.status == MatchStatus.ACTIVE)
                            .order_by(Match.id)).all()
        self._plan_pairs(list(matches))
        return run.id

    # --- who does what ---------------------------------------------------------------------

    def _plan_pairs(self, matches: list[Match]) -> None:
        """Give each pair a story: most meet on cadence, some drift, a few pause, end or
        leave. The special stories go to distinct pairs, chosen by the seed."""
        order = list(matches)
        self.rng.shuffle(order)
        special = ["pause", "pause", "notfit", "end", "rematch", "leaver"]
        for i, match in enumerate(order):
            profile = special[i] if i < len(special) else (
                "steady" if self.rng.random() < 0.72 else "drift")
            pair = _Pair(match.id, match.mentor_id, match.mentees[0].person_id, profile,
                         late_logger=self.rng.random() < 0.3)
            self.pairs[match.id] = pair
            for pid in (pair.mentor_id, pair.mentee_id):
                self.propensity[pid] = self.rng.uniform(0.45, 0.95)
            self._plan_meetings(pair, match)
            self._plan_goals(pair)
            self._plan_exit(pair)

    def _periods(self) -> int:
        return self.weeks * 7 // self.program.cadence_days

    def _plan_meetings(self, pair: _Pair, match: Match) -> None:
        cadence = self.program.cadence_days
        start = match.published_at or self.start
        rng = self.rng
        stop = {"notfit": 1, "end": 3, "rematch": 2, "leaver": 4}.get(pair.profile)
        for j in range(self._periods()):
            if stop is not None and j >= stop:
                break
            if pair.profile == "drift":
                resumed = j == 4 and rng.random() < 0.4  # the escalation worked, once
                if not (j < 2 or (j == 2 and rng.random() < 0.4) or resumed):
                    continue
            elif pair.profile == "pause" and j in (2, 3):
                continue  # the pause (weeks 5 to 7) swallows these periods
            elif rng.random() > 0.92:
                continue  # even steady pairs miss one now and then
            lo = period_start(start, j, cadence) + timedelta(days=2)
            day = _weekday(lo + timedelta(days=rng.randint(0, cadence - 5)))
            pair.met[j] = day.date()
            logger = pair.mentee_id if rng.random() < 0.7 else pair.mentor_id
            if not pair.late_logger or j == 0:
                when = self._local(logger, day.date(), time(17, rng.randint(0, 59)))
                self._at(when, self._logger(pair, logger, day.date()))
                if rng.random() < 0.1:  # now and then both of them log it
                    other = pair.mentor_id if logger == pair.mentee_id else pair.mentee_id
                    self._at(when + timedelta(hours=2), self._logger(pair, other, day.date()))

    def _logger(self, pair: _Pair, who: int, day: date) -> Callable[[], None]:
        return lambda: self._log_meeting(pair, who, day)

    def _plan_goals(self, pair: _Pair) -> None:
        if pair.profile in ("notfit",):
            return
        rng = self.rng
        first = min(pair.met.values(), default=self.start.date() + timedelta(days=10))
        when = self._local(pair.mentee_id, first + timedelta(days=rng.randint(1, 3)),
                           time(rng.randint(9, 16), rng.randint(0, 59)))
        count = rng.randint(1, 3) if pair.profile != "drift" else rng.randint(1, 2)
        self._at(when, lambda: self._add_goals(pair, count))
        progress_at = self.start + timedelta(days=rng.randint(30, 45), hours=rng.randint(0, 8))
        self._at(progress_at, lambda: self._advance_goals(pair, GoalStatus.IN_PROGRESS,
                                                          0.75 if pair.profile != "drift"
                                                          else 0.4))
        done_at = self.start + timedelta(days=rng.randint(58, 80), hours=rng.randint(0, 8))
        self._at(done_at, lambda: self._advance_goals(pair, GoalStatus.DONE,
                                                      0.75 if pair.profile != "drift" else 0.2))

    def _plan_exit(self, pair: _Pair) -> None:
        rng = self.rng
        at = {"pause": 29, "notfit": 18, "end": 44, "rematch": 26, "leaver": 53}.get(pair.profile)
        if at is None:
            return
        when = _weekday(self.start + timedelta(days=at, hours=rng.randint(0, 6)))
        if pair.profile == "pause":
            who = rng.choice([pair.mentor_id, pair.mentee_id])
            self._at(when, lambda: self._command(pair, who, "pause", "3"))
        elif pair.profile in ("notfit", "end"):
            self._at(when, lambda: self._end_early(pair))
        elif pair.profile == "rematch":
            self._at(when, lambda: self._command(pair, pair.mentee_id, "rematch", ""))
        else:
            self._at(when, lambda: self._leave_company(pair.mentee_id))

    # --- acting as a participant -----------------------------------------------------------

    def _person(self, pid: int) -> Person:
        person = self.session.get(Person, pid)
        assert person is not None
        return person

    def _actor(self, person: Person) -> Actor:
        # The demo's identity is the email on the web chat, as load_demo creates it.
        return Actor("webchat", DEMO_TENANT, person.email or str(person.id), person.name)

    def _as(self, pid: int) -> Relationships:
        person = self._person(pid)
        return Relationships(self.session, person, self._actor(person), self.clock.now())

    def _queue_dms(self, intents: list[Intent]) -> list[Intent]:
        """What Mentorbot does with a handler's answer: DMs go to the outbox, the rest back."""
        rest = []
        for intent in intents:
            if isinstance(intent, DirectMessage):
                enqueue_dm(self.session, self._person(intent.person_id), intent.message,
                           key=intent.key, now=self.clock.now())
            elif isinstance(intent, FormErrors):
                raise SimulationError(f"form refused: {intent.errors}")
            else:
                rest.append(intent)
        return rest

    def _click(self, pid: int, action_id: str, value: str) -> list[Intent]:
        rel = self._as(pid)
        handler = rel.plan_button if action_id.startswith("plan.") else rel.button
        return self._queue_dms(handler(action_id, value))

    def _submit(self, pid: int, intents: list[Intent], values: dict[str, Any]) -> None:
        """Fill in the form the last click opened, as the person would."""
        form = next((i.form for i in intents if isinstance(i, OpenForm)), None)
        if form is None:
            return  # the match ended meanwhile: the button answered "no live match"
        self._queue_dms(self._as(pid).submit(form.form_id, values, form.context))

    def _live(self, pair: _Pair) -> bool:
        match = self.session.get(Match, pair.match_id)
        return match is not None and match.status in lifecycle.LIVE

    def _local(self, pid: int, day: date, at: time) -> datetime:
        return datetime.combine(day, at, zone(self._person(pid).timezone)).astimezone(UTC)

    def _meeting_values(self, pair: _Pair, day: date) -> dict[str, Any]:
        rng = self.rng
        good = pair.profile != "drift"
        return {"met_on": day.isoformat(), "duration": rng.choice(["30", "45", "60", "60"]),
                "topics": rng.choice(TOPICS),
                "rating": rng.choice(["5", "5", "4", "4", "3"] if good else ["4", "3", "3", "2"]),
                "notes": "Follow up next time." if rng.random() < 0.3 else ""}

    def _log_meeting(self, pair: _Pair, who: int, day: date) -> None:
        if not self._live(pair):
            return
        self._submit(who, self._click(who, "rel.met", str(pair.match_id)),
                     self._meeting_values(pair, day))

    def _schedule_first(self, pair: _Pair, day: date) -> None:
        """Book the first session from the introduction's button (a calendar invite follows)."""
        who = pair.mentor_id
        at = self.rng.choice(["10:00", "15:30"])
        local_today = self.clock.now().astimezone(zone(self._person(who).timezone)).date()
        if self._live(pair) and day >= local_today:
            self._submit(who, self._click(who, "rel.schedule", str(pair.match_id)),
                         {"day": day.isoformat(), "at": at, "duration": "45"})

    def _add_goals(self, pair: _Pair, count: int) -> None:
        if not self._live(pair):
            return
        rel_target = (self.start + timedelta(weeks=self.weeks, days=-3)).date()
        for text in self.rng.sample(GOALS, count):
            self._submit(pair.mentee_id, self._click(pair.mentee_id, "plan.add", ""),
                         {"text": text, "target": rel_target.isoformat()})

    def _advance_goals(self, pair: _Pair, to: GoalStatus, chance: float) -> None:
        """Open the action plan and press "Mark ..." on some goals, as the mentee would."""
        if not self._live(pair):
            return
        replies = self._queue_dms(self._as(pair.mentee_id).plan())
        for reply in replies:
            if not isinstance(reply, Reply | UpdateMessage):
                continue
            for action_id, value in _buttons(message_to_dict(reply.message)):
                if action_id == "plan.status" and value.endswith(f":{to.value}") and \
                        self.rng.random() < chance:
                    self._click(pair.mentee_id, action_id, value)

    def _command(self, pair: _Pair, pid: int, verb: str, arg: str) -> None:
        """Type ``/mentor <verb> <arg>``; someone in two matches is asked which, and picks."""
        if not self._live(pair):
            return
        for reply in self._queue_dms(self._as(pid).command(verb, arg)):
            if not isinstance(reply, Reply):
                continue
            for action_id, value in _buttons(message_to_dict(reply.message)):
                if action_id == f"rel.{verb}" and value.split(":")[0] == str(pair.match_id):
                    self._click(pid, action_id, value)

    def _end_early(self, pair: _Pair) -> None:
        if not self._live(pair):
            return
        button = "rel.notfit" if pair.profile == "notfit" else "rel.end"
        who = pair.mentee_id if pair.profile == "notfit" else pair.mentor_id
        self._submit(who, self._click(who, button, str(pair.match_id)),
                     {"reason": END_REASONS[pair.profile], "rematch": pair.profile == "notfit"})

    def _leave_company(self, pid: int) -> None:
        """An HRIS sync says they left: core.hris ends their match (reason "left")."""
        person = self._person(pid)
        apply_record(self.session, self.workspace, _record(person, active=False),
                     now=self.clock.now())
        person.left_on = person.left_on or self.clock.now().date()

    # --- the scheduler and the inbox -------------------------------------------------------

    def _tick(self) -> None:
        """The scheduler's job: plan what is due, then deliver it (and people react)."""
        at = self.clock.now()
        plan_due(self.session, at)
        self._deliver(at)

    def _deliver(self, at: datetime) -> None:
        """Mark due rows sent, as the dispatcher does after the platform accepts them (the
        dispatcher needs its own committed transactions; this runs inside one), then let
        each recipient react to what landed in their inbox."""
        rows = self.session.scalars(select(OutboxMessage).where(
            OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= at)
            .order_by(OutboxMessage.id)).all()
        for row in rows:
            row.status, row.sent_at, row.attempts = OutboxStatus.SENT, at, row.attempts + 1
            row.platform_message_id = f"sim-{row.id}"
            self.sent += 1
            self._react(row)

    def _react(self, row: OutboxMessage) -> None:
        pair = self.pairs.get(row.match_id or 0)
        pid = row.person_id
        if pair is None or pid is None:
            return
        rng = self.rng
        later = self.clock.now() + timedelta(hours=rng.uniform(0.5, 30))
        buttons = _buttons(row.payload)
        if row.kind == "intro" and pid == pair.mentor_id and 0 in pair.met and \
                rng.random() < 0.7:
            day = pair.met[0]
            self._at(min(later, self._local(pid, day, time(8))),
                     lambda: self._schedule_first(pair, day))
        elif row.kind == "checkin" and rng.random() < self.propensity.get(pid, 0.5):
            value = next(v for a, v in buttons if a == "rel.checkin.yes")
            self._at(later, lambda: self._answer_checkin(pair, pid, value))
        elif row.kind == "survey":
            stage = row.idempotency_key.split(":")[2]
            chance = 0.8 if stage == "midpoint" else 0.7
            if rng.random() < chance * (0.6 + self.propensity.get(pid, 0.5) / 2):
                value = next(v for a, v in buttons if a == "rel.survey")
                self._at(later + timedelta(hours=rng.uniform(0, 40)),
                         lambda: self._answer_survey(pair, pid, value))

    def _answer_checkin(self, pair: _Pair, pid: int, value: str) -> None:
        if not self._live(pair):
            return
        period = int(value.split(":")[1])
        day = pair.met.get(period)
        if day is not None:  # they met but hadn't logged it: "Yes", then the session form
            self._submit(pid, self._click(pid, "rel.checkin.yes", value),
                         self._meeting_values(pair, day))
            return
        help_wanted = pair.profile == "drift" and self.rng.random() < 0.15
        self._click(pid, "rel.checkin.help" if help_wanted else "rel.checkin.notyet", value)

    def _comment(self, mood: str) -> str:
        """A comment nobody else wrote yet (real people rarely write the same sentence)."""
        deck = self._comments.setdefault(mood, [])
        if not deck:
            deck.extend(self.rng.sample(COMMENTS[mood], len(COMMENTS[mood])))
        return deck.pop()

    def _answer_survey(self, pair: _Pair, pid: int, value: str) -> None:
        rng = self.rng
        happy = pair.profile in ("steady", "pause", "leaver") or (
            pair.profile == "drift" and rng.random() < 0.3)
        useful = rng.choice([5, 5, 4, 4, 4, 3] if happy else [2, 3, 3, 4])
        recommend = rng.choice([10, 9, 9, 8, 8, 7, 10] if happy else [3, 5, 6, 7, 8])
        comment = self._comment("good" if happy else "meh") if rng.random() < 0.4 else ""
        self._submit(pid, self._click(pid, "rel.survey", value),
                     {"useful": str(useful), "recommend": str(recommend), "comment": comment,
                      "consent": bool(comment) and rng.random() < 0.6})

    # --- a year of HRIS updates ------------------------------------------------------------

    def _outcomes(self) -> tuple[int, int]:
        """Promotions and leavers over the year after ``start``, through the HRIS code path.

        Participants (everyone in a published match) and their colleagues in the same
        departments and levels get set rates, placed so the report's stratified comparison
        shows the intended gap rather than the luck of a one-person stratum."""
        s = self.session
        members = set(s.scalars(select(Match.mentor_id).where(
            Match.program_id == self.program.id, Match.published_at.is_not(None))))
        members |= set(s.scalars(select(MatchMentee.person_id).join(
            Match, Match.id == MatchMentee.match_id).where(
            Match.program_id == self.program.id, Match.published_at.is_not(None))))
        enrolled = set(s.scalars(select(Enrollment.person_id).where(
            Enrollment.program_id == self.program.id)))
        people = s.scalars(select(Person).where(Person.workspace_id == self.workspace.id)
                           .order_by(Person.id)).all()
        participants = [p for p in people if p.id in members]
        cells = {(p.department, p.level) for p in participants}
        others = [p for p in people if p.id not in enrolled and p.id != self.admin.id
                  and (p.department, p.level) in cells]
        weights: dict[_Stratum, int] = {}
        for p in participants:
            weights[self._stratum(p)] = weights.get(self._stratum(p), 0) + 1
        sizes: dict[_Stratum, int] = {}
        for p in others:
            sizes[self._stratum(p)] = sizes.get(self._stratum(p), 0) + 1

        still = [p for p in participants if p.active]
        gone = len(participants) - len(still)  # the scripted leaver, during the program
        leave = self._spread(still, LEAVE_RATE["participant"] * len(participants)
                             / max(len(still), 1), already=gone)
        stay = [p for p in still if p not in leave]
        promote = self._spread(stay, PROMOTION_RATE["participant"] * len(participants)
                               / max(len(stay), 1))
        # Anyone else leaving mid-program would have ended their match: they leave after it.
        events = self._dated(promote, leave, after_days=self.weeks * 7 + 7)
        leave = self._weighted(others, LEAVE_RATE["comparison"], weights, sizes)
        stay = [p for p in others if p not in leave]
        promote = self._weighted(stay, PROMOTION_RATE["comparison"], weights, sizes)
        events += self._dated(promote, leave, after_days=21)

        last = min(self.start + timedelta(days=self.outcome_months * DAYS_PER_MONTH), self.now)
        promotions = leavers = 0
        for when, what, person in sorted(events, key=lambda e: (e[0], e[2].id)):
            if when > last:
                continue  # that part of the year hasn't happened yet
            self.clock.set(when)
            if what == "promote":
                promotions += self._promote(person)
            else:
                self._leave_company(person.id)
                leavers += 1
        return promotions, leavers

    def _dated(self, promote: list[Person], leave: list[Person],
               after_days: int) -> list[tuple[datetime, str, Person]]:
        events = [(self._some_day(), "promote", p) for p in promote if (p.level or 0) < 7]
        return events + [(self._some_day(after_days), "leave", p) for p in leave]

    def _stratum(self, person: Person) -> _Stratum:
        """What the report compares like with like on: department, level, tenure band."""
        return (person.department, person.level,
                tenure_band(person.hire_date, self.start.date()))

    def _spread(self, people: list[Person], rate: float, already: int = 0) -> list[Person]:
        """About ``rate`` of ``people``, spread evenly over their strata. ``already`` events
        happened before (the scripted leaver) and count toward the total."""
        strata: dict[_Stratum, list[Person]] = {}
        for p in people:
            strata.setdefault(self._stratum(p), []).append(p)
        keys = sorted(strata, key=lambda k: (k[0], k[1] or 0, k[2]))
        self.rng.shuffle(keys)
        carry = self.rng.random() - already
        chosen: list[Person] = []
        for key in keys:
            carry += rate * len(strata[key])
            take = min(max(int(carry), 0), len(strata[key]))
            carry -= take
            chosen += self.rng.sample(strata[key], take)
        return chosen

    def _weighted(self, people: list[Person], rate: float, weights: dict[_Stratum, int],
                  sizes: dict[_Stratum, int]) -> list[Person]:
        """Comparison people for an event, so that the report's standardised rate (each
        stratum's rate weighted by its participants) comes to about ``rate``; people in
        strata without participants get the plain rate."""
        pool: dict[_Stratum, list[Person]] = {}
        for p in people:
            pool.setdefault(self._stratum(p), []).append(p)
        for group in pool.values():
            self.rng.shuffle(group)
        total = sum(w for k, w in weights.items() if sizes.get(k))
        taken: dict[_Stratum, int] = dict.fromkeys(pool, 0)
        reached = 0.0
        order = sorted((k for k in pool if k in weights), key=lambda k: (k[0], k[1] or 0, k[2]))
        self.rng.shuffle(order)
        while total:
            # The least-served stratum whose next event keeps the rate at or under target.
            fits = [k for k in order if taken[k] < len(pool[k]) and
                    reached + weights[k] / sizes[k] / total <= rate + 1e-9]
            if not fits:
                break
            k = min(fits, key=lambda k: taken[k] / sizes[k])
            taken[k] += 1
            reached += weights[k] / sizes[k] / total
        chosen = [p for k in order for p in pool[k][:taken[k]]]
        rest = [p for k, group in pool.items() if k not in weights for p in group]
        return chosen + self._spread(rest, rate)

    def _some_day(self, after_days: int = 21) -> datetime:
        """A working day in the year after the start (HRIS syncs run at night)."""
        days = self.rng.uniform(after_days, self.outcome_months * DAYS_PER_MONTH - 1)
        return _weekday(self.start + timedelta(days=days)).replace(
            hour=2, minute=0, second=0, microsecond=0)

    def _promote(self, person: Person) -> int:
        new_level = (person.level or 0) + 1
        before = self.session.scalar(select(func.count(LevelChange.id)).where(
            LevelChange.person_id == person.id)) or 0
        apply_record(self.session, self.workspace, _record(person, level=new_level),
                     now=self.clock.now())
        self.session.flush()
        after = self.session.scalar(select(func.count(LevelChange.id)).where(
            LevelChange.person_id == person.id)) or 0
        if after == before:  # an HRIS build that doesn't keep level history yet
            self.session.add(LevelChange(person_id=person.id, from_level=new_level - 1,
                                         to_level=new_level, changed_on=self.clock.now().date()))
        return 1

    # --- the summary -----------------------------------------------------------------------

    def _summary(self, run_id: int, promotions: int, leavers: int) -> SimulationSummary:
        s = self.session
        s.flush()
        pid = self.program.id
        ids = select(Match.id).where(Match.program_id == pid)

        def count(stmt: Any) -> int:
            return s.scalar(select(func.count()).select_from(stmt.subquery())) or 0

        statuses: dict[str, int] = {}
        for m in s.scalars(select(Match).where(Match.program_id == pid)):
            key = m.ended_reason.value if m.ended_reason else m.status.value
            statuses[key] = statuses.get(key, 0) + 1
        run = s.get(MatchRun, run_id)
        profiles: dict[str, int] = {}
        for pair in self.pairs.values():
            profiles[pair.profile] = profiles.get(pair.profile, 0) + 1
        return SimulationSummary(
            program_id=pid, run_id=run_id, start=self.start, finished=self.clock.now(),
            matches=len(self.pairs), unmatched=len(run.unmatched) if run else 0,
            meetings=count(select(Meeting.id).where(Meeting.match_id.in_(ids))),
            checkins_sent=count(select(OutboxMessage.id).where(
                OutboxMessage.kind == "checkin", OutboxMessage.match_id.in_(ids))),
            checkins_answered=count(select(Checkin.id).where(Checkin.match_id.in_(ids))),
            goals=count(select(Goal.id).where(Goal.match_id.in_(ids))),
            goals_done=count(select(Goal.id).where(Goal.match_id.in_(ids),
                                                   Goal.status == GoalStatus.DONE)),
            survey_answers=count(select(SurveyResponse.id).where(
                SurveyResponse.match_id.in_(ids))),
            paused=profiles.get("pause", 0),
            ended_early=statuses.get("ended_early", 0),
            rematched=statuses.get("rematched", 0),
            left_during=statuses.get("left", 0),
            messages_sent=self.sent, promotions=promotions, leavers=leavers,
            profiles=profiles)


def _record(person: Person, *, level: int | None = None, active: bool = True) -> PersonRecord:
    """The person as the next HRIS export describes them, with one thing changed."""
    return PersonRecord(
        external_id=person.external_id or str(person.id), name=person.name,
        email=person.email or "", title=person.title, department=person.department,
        level=person.level if level is None else level, location=person.location,
        timezone=person.timezone, hire_date=person.hire_date, active=active)


def _weekday(moment: datetime) -> datetime:
    """The same time on the nearest working day (a weekend moves to Monday)."""
    while moment.weekday() >= 5:
        moment += timedelta(days=1)
    return moment


def _buttons(payload: dict[str, Any]) -> list[tuple[str, str]]:
    """(action id, value) of every button in a stored message, in order."""
    found: list[tuple[str, str]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "action_id" in node and "value" in node:
                found.append((node["action_id"], str(node["value"])))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(payload)
    return found
