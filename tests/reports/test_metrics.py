"""Every report metric computed by hand on a small program and compared with build_report.

The fixture (``program``) is 8 mentors (M1-M8), 12 mentees (E1-E12), two invited people and
comparison employees, with two published runs:

* Run 1, published 2025-03-03 10:00: pairs A1-A8 = (Mi, Ei). A1-A5 completed 2025-09-01,
  A6 paused 2025-04-01 then ended early 2025-05-01, A7 ended "left" 2025-06-02 (E7 left),
  A8 rematched 2025-04-01.
* Run 2, published 2026-03-02 10:00: B1 = (M1, E9), B2 = (M2, E10) paused 2026-04-01,
  B3 = (M3, E11) paused 2026-03-20 and resumed 2026-04-03; E12 left unmatched.

"Now" is 2026-06-01 12:00 UTC. The arithmetic for each expected value is in the comments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from core.models import (
    Checkin,
    EndReason,
    Enrollment,
    Goal,
    GoalStatus,
    Invitation,
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
    Role,
    RunStatus,
    SurveyResponse,
    TrainingCompletion,
    TrainingModule,
    Workspace,
)
from core.reports.metrics import build_report
from core.reports.model import SUPPRESSED_NOTE, Figure, ProgramReport

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
P1 = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
P2 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
MONTH_DAYS = 365.25 / 12


def at(y: int, m: int, d: int, h: int = 10) -> datetime:
    return datetime(y, m, d, h, 0, tzinfo=UTC)


MENTORS = ["Ana Lima", "Ben Okoro", "Carla Diaz", "Dev Patel", "Eva Novak", "Femi Adeyemi",
           "Gus Berg", "Hana Sato"]
MENTEES = ["Ivo Costa", "Jia Wong", "Kemal Aras", "Lena Roth", "Milo Voss", "Nia Obi",
           "Omar Haddad", "Pia Lund", "Quinn Reyes", "Rosa Marin", "Sami Kallio", "Tara Quist"]


@dataclass
class Built:
    """Ids of what the fixture made."""

    program_id: int = 0
    run1: int = 0
    run2: int = 0
    p: dict[str, int] = field(default_factory=dict)  # "M1", "E3", "C4"... -> person id
    m: dict[str, int] = field(default_factory=dict)  # "A1", "B2"... -> match id


class Builder:
    """Writes rows in one session; each helper states only what a test needs."""

    def __init__(self, s: Session) -> None:
        self.s = s
        self.keys = 0
        ws = Workspace(platform=Platform.SLACK, external_id="T1", name="Acme")
        s.add(ws)
        s.flush()
        self.ws = ws.id

    def person(self, name: str, dept: str, level: int | None, hire: date | None, *,
               active: bool = True, left_on: date | None = None) -> int:
        p = Person(workspace_id=self.ws, name=name, email=f"{name.lower().replace(' ', '.')}"
                   "@acme.test", department=dept, level=level, hire_date=hire, active=active,
                   left_on=left_on)
        self.s.add(p)
        self.s.flush()
        return p.id

    def match(self, program: int, run: int | None, mentor: int, mentee: int, score: float,
              published: datetime, status: MatchStatus = MatchStatus.ACTIVE,
              reason: EndReason | None = None, ended: datetime | None = None,
              first_meeting: datetime | None = None) -> int:
        m = Match(program_id=program, run_id=run, mentor_id=mentor, score=score, status=status,
                  published_at=published, created_at=published, ended_reason=reason,
                  first_meeting_at=first_meeting, mentees=[MatchMentee(person_id=mentee)])
        self.s.add(m)
        self.s.flush()
        self.event(m.id, "proposed", "active", published)
        if ended is not None:
            self.event(m.id, "active", "ended", ended, reason.value if reason else "")
        return m.id

    def event(self, match: int, frm: str, to: str, when: datetime, reason: str = "") -> None:
        self.s.add(MatchEvent(match_id=match, from_status=frm, to_status=to, reason=reason,
                              at=when))

    def outbox(self, kind: str, key: str, match: int, person: int | None, when: datetime,
               status: OutboxStatus = OutboxStatus.SENT) -> None:
        self.s.add(OutboxMessage(idempotency_key=key, person_id=person, platform=Platform.SLACK,
                                 payload={}, kind=kind, match_id=match, status=status,
                                 created_at=when, next_attempt_at=when,
                                 sent_at=when if status is OutboxStatus.SENT else None))

    def meeting(self, match: int, by: int, period: int, on: date) -> None:
        self.s.add(Meeting(match_id=match, logged_by_id=by, period=period, met_on=on))

    def survey(self, match: int, person: int, stage: str, useful: int | None,
               recommend: int | None, when: datetime, comment: str = "",
               consent: bool = False) -> None:
        self.s.add(SurveyResponse(match_id=match, person_id=person, stage=stage, useful=useful,
                                  recommend=recommend, comment=comment,
                                  consent_to_quote=consent, answered_at=when))


def build_fixture(sessions: sessionmaker[Session]) -> Built:
    out = Built()
    with sessions() as s, s.begin():
        b = Builder(s)
        prog = Program(workspace_id=b.ws, name="Leadership", kind=ProgramKind.ONE_ON_ONE,
                       replacement_cost=50000)
        s.add(prog)
        s.flush()
        out.program_id = prog.id
        p = out.p
        # Mentors: Sales, level 6, hired 2015 (5y+ on 2025-03-03).
        for i, name in enumerate(MENTORS, start=1):
            p[f"M{i}"] = b.person(name, "Sales", 6, date(2015, 1, 1))
        # Mentees: Engineering, level 3 (E1, E2, E4 are 4 now; E3 is 3 now but was 4),
        # hired 2023-06-01 (1.75 years on 2025-03-03: the 1-3y band). E12 is in Marketing.
        levels = {1: 4, 2: 4, 4: 4}
        for i, name in enumerate(MENTEES, start=1):
            p[f"E{i}"] = b.person(name, "Marketing" if i == 12 else "Engineering",
                                  levels.get(i, 3), date(2023, 6, 1))
        for i in range(1, 3):
            p[f"I{i}"] = b.person(f"Invited{i} Only", "Marketing", 2, date(2020, 1, 1))
        # Comparison, stratum (Engineering, 3, 1-3y): C1-C10.
        for i in range(1, 11):
            p[f"C{i}"] = b.person(f"Cmp{i} Eng", "Engineering", 4 if i == 4 else 3,
                                  date(2023, 6, 1))
        # Comparison, stratum (Sales, 6, 5y+): D1-D4 (D2 is 7 now).
        for i in range(1, 5):
            p[f"D{i}"] = b.person(f"Cmp{i} Sales", "Sales", 7 if i == 2 else 6,
                                  date(2012, 1, 1))
        # Never comparable: hired <1y before (X1), after the start (X2), left before it (X3),
        # inactive with no known leaving date (X4).
        p["X1"] = b.person("Xa One", "Engineering", 3, date(2025, 1, 1))
        p["X2"] = b.person("Xb Two", "Engineering", 3, date(2025, 4, 1))
        p["X3"] = b.person("Xc Three", "Engineering", 3, date(2023, 6, 1), active=False,
                           left_on=date(2025, 1, 1))
        p["X4"] = b.person("Xd Four", "Engineering", 3, date(2023, 6, 1), active=False)
        s.flush()
        leavers = {"E7": date(2025, 6, 2), "M8": date(2025, 12, 1), "M6": date(2026, 4, 1),
                   "C1": date(2025, 7, 1), "C2": date(2026, 1, 15), "C3": date(2026, 5, 1),
                   "D1": date(2025, 4, 1)}
        for key, day in leavers.items():
            person = s.get(Person, p[key])
            assert person is not None
            person.active, person.left_on = False, day
        m7 = s.get(Person, p["M7"])
        assert m7 is not None
        m7.active = False  # left on an unknown day: out of the outcome figures
        for key, frm, to, day in [("E1", 3, 4, date(2025, 10, 1)), ("E2", 3, 4, date(2026, 4, 1)),
                                  ("E3", 4, 3, date(2025, 8, 1)), ("E4", 3, 4, date(2026, 3, 3)),
                                  ("M1", 5, 6, date(2025, 3, 1)), ("C4", 3, 4, date(2025, 6, 1)),
                                  ("C5", 2, 3, date(2024, 6, 1)),
                                  ("D2", 6, 7, date(2025, 12, 1))]:
            s.add(LevelChange(person_id=p[key], from_level=frm, to_level=to, changed_on=day))

        # Enrollments: mentors 2025-01-15; mentees by the dates time-to-match needs.
        enrolled_at = {1: at(2025, 2, 1), 2: at(2025, 2, 21), 3: at(2025, 2, 13),
                       4: at(2025, 2, 23)}
        for i in range(1, 9):
            s.add(Enrollment(person_id=p[f"M{i}"], program_id=prog.id, role=Role.MENTOR,
                             created_at=at(2025, 1, 15)))
        for i in range(1, 13):
            when = enrolled_at.get(i, at(2025, 2, 1) if i <= 8 else at(2026, 2, 20))
            s.add(Enrollment(person_id=p[f"E{i}"], program_id=prog.id, role=Role.MENTEE,
                             created_at=when))
        for key, when in [("I1", at(2025, 3, 10)), ("I2", at(2025, 1, 10)),
                          ("E1", at(2025, 1, 10))]:
            s.add(Invitation(program_id=prog.id, person_id=p[key], created_at=when))

        fairness = {"attributes": {
            "gender": {"attribute": "gender", "groups": {}, "match_rate_ratio": 0.75,
                       "match_rate_flag": True, "top_mentor_ratio": 0.9,
                       "top_mentor_flag": False},
            "age_band": {"attribute": "age_band", "groups": {}, "match_rate_ratio": None,
                         "match_rate_flag": False, "top_mentor_ratio": None,
                         "top_mentor_flag": False}}, "top_mentors": []}
        run1 = MatchRun(program_id=prog.id, status=RunStatus.PUBLISHED, published_at=P1,
                        fairness={"attributes": {}}, unmatched=[])
        run2 = MatchRun(program_id=prog.id, status=RunStatus.PUBLISHED, published_at=P2,
                        fairness=fairness, unmatched=[{"person_id": p["E12"], "role": "mentee"}])
        preview = MatchRun(program_id=prog.id, status=RunStatus.PREVIEW)
        s.add_all([run1, run2, preview])
        s.flush()
        out.run1, out.run2 = run1.id, run2.id
        # A proposal in the preview and a discarded one: neither counts anywhere.
        b.match(prog.id, preview.id, p["M4"], p["E12"], 0.99, P2, MatchStatus.PROPOSED)
        b.match(prog.id, run2.id, p["M5"], p["E12"], 0.99, P2, MatchStatus.DISCARDED)

        m = out.m
        done, ended = MatchStatus.ENDED, at(2025, 9, 1)
        scores = [0.5, 0.5, 0.6, 0.6, 0.7, 0.7, 0.8, 0.8]
        for i in range(1, 6):
            m[f"A{i}"] = b.match(prog.id, run1.id, p[f"M{i}"], p[f"E{i}"], scores[i - 1], P1,
                                 done, EndReason.COMPLETED, ended,
                                 first_meeting=at(2025, 3, 14, 15) if i == 4 else None)
        m["A6"] = b.match(prog.id, run1.id, p["M6"], p["E6"], 0.7, P1, done,
                          EndReason.ENDED_EARLY, at(2025, 5, 1))
        b.event(m["A6"], "active", "paused", at(2025, 4, 1))
        m["A7"] = b.match(prog.id, run1.id, p["M7"], p["E7"], 0.8, P1, done, EndReason.LEFT,
                          at(2025, 6, 2))
        m["A8"] = b.match(prog.id, run1.id, p["M8"], p["E8"], 0.8, P1, done,
                          EndReason.REMATCHED, at(2025, 4, 1))
        m["B1"] = b.match(prog.id, run2.id, p["M1"], p["E9"], 0.4, P2)
        m["B2"] = b.match(prog.id, run2.id, p["M2"], p["E10"], 0.5, P2, MatchStatus.PAUSED)
        b.event(m["B2"], "active", "paused", at(2026, 4, 1))
        m["B3"] = b.match(prog.id, run2.id, p["M3"], p["E11"], 0.6, P2)
        b.event(m["B3"], "active", "paused", at(2026, 3, 20))
        b.event(m["B3"], "paused", "active", at(2026, 4, 3))

        # Introductions an hour after publishing.
        for key, match_id in m.items():
            b.outbox("intro", f"intro:{match_id}", match_id, None,
                     at(2025, 3, 3, 11) if key[0] == "A" else at(2026, 3, 2, 11))

        # Meetings (two rows in the same period are one session).
        for key, by, period, day in [
                ("A1", "E1", 0, date(2025, 3, 10)), ("A1", "M1", 0, date(2025, 3, 11)),
                ("A1", "E1", 1, date(2025, 3, 20)), ("A1", "E1", 2, date(2025, 4, 5)),
                ("A2", "M2", 1, date(2025, 3, 17)), ("A2", "M2", 3, date(2025, 4, 20)),
                ("A3", "E3", 1, date(2025, 3, 18)), ("A4", "E4", 2, date(2025, 4, 2)),
                ("A5", "E5", 2, date(2025, 4, 1)), ("A5", "E5", 4, date(2025, 5, 1)),
                ("A7", "E7", 0, date(2025, 3, 5)),
                ("B1", "E9", 0, date(2026, 3, 9)), ("B1", "M1", 2, date(2026, 4, 10)),
                ("B1", "E9", 4, date(2026, 5, 5)), ("B2", "E10", 1, date(2026, 3, 20))]:
            b.meeting(m[key], p[by], period, day)

        # Check-in DMs and answers.
        sent = [("A3", 0, "M3"), ("A3", 0, "E3"), ("A5", 0, "M5"), ("A5", 0, "E5"),
                ("A6", 0, "M6"), ("A6", 0, "E6"), ("B2", 0, "M2"), ("B2", 0, "E10"),
                ("B3", 0, "M3"), ("B3", 0, "E11"), ("B3", 1, "M3"), ("B3", 1, "E11")]
        for key, period, who in sent:
            b.outbox("checkin", f"checkin:{m[key]}:{period}:{p[who]}", m[key], p[who],
                     at(2025, 3, 17) if key[0] == "A" else at(2026, 3, 16))
        b.outbox("checkin", f"checkin:{m['B3']}:2:{p['E11']}", m["B3"], p["E11"],
                 at(2026, 3, 30), OutboxStatus.PENDING)  # not sent yet: not counted
        for key, period, who in [("A3", 0, "E3"), ("A5", 0, "M5"), ("A5", 0, "E5"),
                                 ("B2", 0, "E10"), ("B3", 0, "M3"),
                                 ("B1", 3, "E9")]:  # B1: answered with no DM on record
            s.add(Checkin(match_id=m[key], person_id=p[who], period=period, answer="yes",
                          answered_at=at(2025, 3, 18)))

        # Surveys.
        b.survey(m["A1"], p["E1"], "midpoint", 3, 6, at(2025, 6, 1), "my secret", False)
        b.survey(m["A1"], p["E1"], "end", 5, 10, at(2025, 9, 2),
                 "Ben Okoro helped me plan my promotion.", True)
        b.survey(m["A2"], p["E2"], "end", 4, 9, at(2025, 9, 2), "not for sharing", False)
        b.survey(m["A3"], p["E3"], "end", 2, 5, at(2025, 9, 2))
        b.survey(m["A4"], p["E4"], "end", 5, 8, at(2025, 9, 2))
        b.survey(m["A1"], p["M1"], "end", 4, 7, at(2025, 9, 3))
        b.survey(m["A2"], p["M2"], "end", 1, 3, at(2025, 9, 3))
        b.survey(m["B1"], p["E9"], "midpoint", 5, 9, at(2026, 4, 15),
                 "Great sessions, thanks to ana and Mr Okoro.", True)

        # Goals.
        for key, owner, statuses in [
                ("A1", "E1", [GoalStatus.DONE, GoalStatus.DONE, GoalStatus.IN_PROGRESS]),
                ("A2", "E2", [GoalStatus.DONE]),
                ("A3", "E3", [GoalStatus.NOT_STARTED, GoalStatus.NOT_STARTED]),
                ("B1", "E9", [GoalStatus.DONE]), ("B2", "E10", [GoalStatus.IN_PROGRESS])]:
            for st in statuses:
                s.add(Goal(match_id=m[key], owner_id=p[owner], text="goal", status=st,
                           created_at=P1 if key[0] == "A" else P2))

        # Training: two modules; M3 did one, M7 none; E1 (not a mentor) did both.
        mods = [TrainingModule(program_id=prog.id, position=i, title=f"Module {i}")
                for i in (1, 2)]
        s.add_all(mods)
        s.flush()
        for key in ["M1", "M2", "M4", "M5", "M6", "M8", "E1"]:
            for mod in mods:
                s.add(TrainingCompletion(module_id=mod.id, person_id=p[key]))
        s.add(TrainingCompletion(module_id=mods[0].id, person_id=p["M3"]))
    return out


def report_for(sessions: sessionmaker[Session], built: Built, **kwargs: Any) -> ProgramReport:
    with sessions() as s:
        program = s.get(Program, built.program_id)
        assert program is not None
        return build_report(s, program, now=NOW, **kwargs)


def fig(figures: list[Figure], key: str) -> Figure:
    found = [f for f in figures if f.key == key]
    assert len(found) == 1, key
    return found[0]


def value(figures: list[Figure], key: str) -> float | None:
    return fig(figures, key).value


@pytest.fixture
def built(sessions: sessionmaker[Session]) -> Built:
    return build_fixture(sessions)


def test_participation(sessions: sessionmaker[Session], built: Built) -> None:
    r = report_for(sessions, built)
    assert r.scope == "All cohorts" and r.program == "Leadership"
    # Invited: 20 enrolled + I1 + I2 (E1's invitation is the same person) = 22.
    assert value(r.participation, "invited") == 22
    assert value(r.participation, "enrolled") == 20
    assert value(r.participation, "mentors") == 8
    assert value(r.participation, "mentees") == 12
    # 12 mentees ÷ 8 mentors.
    assert value(r.participation, "mentee_mentor_ratio") == pytest.approx(1.5)
    assert fig(r.participation, "mentee_mentor_ratio").n == 20


def test_matching(sessions: sessionmaker[Session], built: Built) -> None:
    r = report_for(sessions, built)
    assert value(r.matching, "pairs") == 11  # A1-A8, B1-B3 (proposed/discarded left out)
    # 19 of 20 enrolled people are in a published match (all but E12).
    assert value(r.matching, "match_rate") == pytest.approx(19 / 20)
    # 11 of 12 mentees matched.
    assert value(r.matching, "coverage") == pytest.approx(11 / 12)
    # Days to first match: E1 30, E2 10, E3 18, E4 8, E5-E8 30 each, E9-E11 10 each ->
    # sorted 8,10,10,10,10,18,30,30,30,30,30: the 6th of 11 is 18.
    assert value(r.matching, "time_to_match") == pytest.approx(18)
    # (0.5+0.5+0.6+0.6+0.7+0.7+0.8+0.8 + 0.4+0.5+0.6) / 11 = 6.7 / 11.
    assert value(r.matching, "mean_score") == pytest.approx(6.7 / 11)
    assert fig(r.matching, "mean_score").n == 11
    assert r.fairness is not None
    assert r.fairness.title == "Fairness audit (Cohort 2 (published Mar 2, 2026))"
    assert r.fairness.rows == [["age_band", None, None, None, None],
                               ["gender", 0.75, "below 4/5", 0.9, "ok"]]


def test_engagement(sessions: sessionmaker[Session], built: Built) -> None:
    r = report_for(sessions, built)
    # All 11 pairs were introduced >= 14 days ago. Met by intro + 14 days: A1 (03-10),
    # A2 (03-17, the last day), A4 (first meeting scheduled 03-14), A7 (03-05), B1 (2026-03-09)
    # = 5; A3 met on day 15, A5 later, B2 on 03-20, A6/A8/B3 never.
    assert value(r.engagement, "met_within_14_days") == pytest.approx(5 / 11)
    # Sessions (match, period): A1 3, A2 2, A3 1, A4 1, A5 2, A7 1, B1 3, B2 1 = 14.
    # Live days: A1-A5 182 each (2025-03-03 to 09-01) = 910; A6 59; A7 91; A8 29;
    # B1-B3 91 days 2 hours each (to now) = 273.25; total 1362.25 days.
    assert value(r.engagement, "sessions_per_pair_month") == pytest.approx(
        14 / (1362.25 / MONTH_DAYS))
    # 12 check-in DMs sent (the pending one doesn't count); answered: A3/E3, A5/M5, A5/E5,
    # B2/E10, B3/M3 period 0 = 5. People: M3 M5 E3 E5 M6 E6 M2 E10 E11 = 9.
    rate = fig(r.engagement, "checkin_response_rate")
    assert rate.value == pytest.approx(5 / 12) and rate.n == 9
    # Paused: A6, B2, B3 = 3 of 11. Ended early: A6 (early), A7 (left), A8 (rematched).
    assert value(r.engagement, "paused_rate") == pytest.approx(3 / 11)
    assert value(r.engagement, "ended_early_rate") == pytest.approx(3 / 11)
    assert r.end_reasons is not None
    # 5 completed is shown; 1 each of the others is under 5 and withheld.
    assert r.end_reasons.rows == [["Completed", 5], ["Ended early", None], ["Rematched", None],
                                  ["Left the organisation", None]]
    assert r.sessions_by_month == [
        ("2025-03", 5, 8), ("2025-04", 4, 8), ("2025-05", 1, 7), ("2025-06", 0, 6),
        ("2025-07", 0, 5), ("2025-08", 0, 5), ("2025-09", 0, 5),
        ("2026-03", 2, 3), ("2026-04", 1, 3), ("2026-05", 1, 3), ("2026-06", 0, 3)]


def test_satisfaction_and_quotes(sessions: sessionmaker[Session], built: Built) -> None:
    r = report_for(sessions, built)
    # Latest answer each: E1 5/10 (end beats midpoint), E2 4/9, E3 2/5, E4 5/8, M1 4/7,
    # M2 1/3, E9 5/9 -> 7 people.
    assert value(r.satisfaction, "respondents") == 7
    # Useful (4-5): E1, E2, E4, M1, E9 = 5 of 7.
    assert value(r.satisfaction, "useful_share") == pytest.approx(5 / 7)
    # Promoters (9-10): E1, E2, E9 = 3; detractors (0-6): E3, M2 = 2 -> (3 - 2) / 7 * 100.
    assert value(r.satisfaction, "nps") == pytest.approx(100 / 7)
    assert r.satisfaction_distribution == {1: 1, 2: 1, 3: 0, 4: 2, 5: 3}
    # Only consented comments, newest first, names (any case) replaced, no attribution.
    assert r.quotes == ["Great sessions, thanks to [name] and Mr [name].",
                        "[name] [name] helped me plan my promotion."]


def test_development(sessions: sessionmaker[Session], built: Built) -> None:
    r = report_for(sessions, built)
    # Goals: A1 3 (2 done), A2 1 (done), A3 2, B1 1 (done), B2 1 = 8 set, 4 done, 5 owners.
    assert value(r.development, "goals_set") == 8 and fig(r.development, "goals_set").n == 5
    assert value(r.development, "goals_done") == 4
    assert value(r.development, "goals_done_share") == pytest.approx(0.5)
    # Finished both modules: M1, M2, M4, M5, M6, M8 = 6 of 8 mentors (E1 is no mentor).
    assert value(r.development, "training_completion") == pytest.approx(6 / 8)


def test_outcomes_against_the_comparison_group(sessions: sessionmaker[Session],
                                               built: Built) -> None:
    r = report_for(sessions, built)
    # Eligible (started 2025-03-03, >= 12 months ago): M1-M8 and E1-E8 minus M7 (inactive,
    # leaving date unknown) = 15. E9-E11 started 2026-03-02: too recent.
    assert value(r.outcomes, "eligible_participants") == 15
    # Left by 2026-03-03: E7 (2025-06-02), M8 (2025-12-01); M6 left after -> 13 of 15.
    ret_p = r.comparison["retention_participants"]
    assert ret_p.value == pytest.approx(13 / 15) and ret_p.n == 15
    # Strata on 2025-03-03: (Engineering, 3, 1-3y) E1 E2 E4 E5 E6 E7 E8 = 7;
    # (Sales, 6, 5y+) M1-M6, M8 = 7; (Engineering, 4, 1-3y) E3 = 1, nobody comparable.
    # Comparison (Engineering, 3, 1-3y): C1-C10 (C4 rolled back to 3), C1 and C2 left in
    # the year -> 8/10; (Sales, 6, 5y+): D1-D4 (D2 rolled back to 6), D1 left -> 3/4.
    # E9-E11 (participants of run 2), X1-X4 and E12 are not comparable.
    # Standardised: (7 * 0.8 + 7 * 0.75) / 14 = 0.775.
    ret_c = r.comparison["retention_comparison"]
    assert ret_c.value == pytest.approx(0.775) and ret_c.n == 14
    # E3 alone is left out: the note says so without giving a count under 5.
    assert "Fewer than 5 participants had nobody comparable" in ret_c.note
    # Promoted within (start, start + 12 months]: E1 (2025-10-01) and E4 (2026-03-03, the
    # last day); E2 is too late, E3 went down, M1 was before the start -> 2 of 15.
    assert r.comparison["promotion_participants"].value == pytest.approx(2 / 15)
    # C4 1/10, D2 1/4: (7 * 0.1 + 7 * 0.25) / 14 = 0.175.
    assert r.comparison["promotion_comparison"].value == pytest.approx(0.175)
    # (13/15 - 0.775) * 15 * 50,000 = 68,750.
    saving = fig(r.outcomes, "estimated_saving")
    assert saving.value == pytest.approx(68750)
    assert "Assumes $50,000 to replace one employee" in saving.note
    assert "--replacement-cost" in saving.note
    assert set(r.comparison) == {"retention_participants", "retention_comparison",
                                 "promotion_participants", "promotion_comparison"}
    assert all(r.comparison[k] in r.outcomes for k in r.comparison)
    # A different cost scales the saving; a negative difference would floor at zero.
    cheaper = report_for(sessions, built, replacement_cost=10000)
    assert value(cheaper.outcomes, "estimated_saving") == pytest.approx(13750)
    assert cheaper.replacement_cost == 10000


def test_funnel_and_cohorts(sessions: sessionmaker[Session], built: Built) -> None:
    r = report_for(sessions, built)
    # Met: members of A1 A2 A3 A4 A5 A7 B1 B2 = M1-M5, M7, E1-E5, E7, E9, E10 = 14.
    # Active now: B1-B3 = 6 people.
    assert [(f.key, f.value) for f in r.funnel] == [
        ("invited", 22), ("enrolled", 20), ("matched", 19), ("met", 14), ("active", 6)]
    assert r.cohorts is not None
    # Cohort 1: 8 pairs, 16 people, met in 14 days A1 A2 A4 A7 = 4/8; useful: E1 E2 E4 M1
    # of E1 E2 E3 E4 M1 M2 = 4/6. Cohort 2: 3 pairs (withheld), 6 people, the rest withheld.
    assert r.cohorts.rows == [
        ["Cohort 1", "2025-03-03", 8, 16, 0.5, round(4 / 6, 3)],
        ["Cohort 2", "2026-03-02", None, 6, None, None]]


def test_one_cohort(sessions: sessionmaker[Session], built: Built) -> None:
    r = report_for(sessions, built, run_id=built.run2)
    assert r.scope == "Cohort 2 (published Mar 2, 2026)"
    # The run's pool: its matches (M1 E9 M2 E10 M3 E11) and the unmatched E12 = 7.
    assert value(r.participation, "enrolled") == 7
    assert value(r.participation, "invited") == 7
    mentors = fig(r.participation, "mentors")  # 3 mentors: withheld
    assert mentors.value is None and mentors.suppressed
    assert value(r.matching, "match_rate") == pytest.approx(6 / 7)
    assert fig(r.matching, "coverage").suppressed  # 3 of 4 mentees, base 4
    assert fig(r.engagement, "met_within_14_days").suppressed  # 3 pairs
    assert [(f.key, f.value) for f in r.funnel] == [
        ("invited", 7), ("enrolled", 7), ("matched", 6), ("met", None), ("active", 6)]
    assert r.cohorts is not None and [row[0] for row in r.cohorts.rows] == ["Cohort 2"]
    # Nobody in cohort 2 has had 12 months yet.
    assert value(r.outcomes, "eligible_participants") == 0
    assert r.comparison["retention_participants"].value is None
    # The unknown run is refused.
    with pytest.raises(ValueError):
        report_for(sessions, built, run_id=built.run2 + 99)


def test_a_period(sessions: sessionmaker[Session], built: Built) -> None:
    stages: list[str] = []
    r = report_for(sessions, built, since=date(2025, 3, 1), until=date(2025, 3, 31),
                   progress=stages.append)
    assert stages[0] == "Loading matches" and "Outcomes" in stages and len(stages) >= 6
    assert r.scope == "Mar 1, 2025 to Mar 31, 2025"
    assert value(r.matching, "pairs") == 8  # run 1's pairs were published in March 2025
    # Only I1's invitation falls in March; nobody enrolled in it.
    assert fig(r.participation, "invited").suppressed
    assert value(r.participation, "enrolled") == 0
    # March sessions: A1 x2, A2, A3, A7 = 5; each pair live 2025-03-03 10:00 to 04-01 00:00 =
    # 28 days 14 hours.
    assert r.sessions_by_month == [("2025-03", 5, 8)]
    days = 8 * (28 + 14 / 24)
    assert value(r.engagement, "sessions_per_pair_month") == pytest.approx(
        5 / (days / MONTH_DAYS))
    # Nothing paused or ended in March (A8's end on April 1 is after the period).
    assert value(r.engagement, "paused_rate") == 0
    assert value(r.engagement, "ended_early_rate") == 0
    # No survey answered in March 2025.
    assert value(r.satisfaction, "useful_share") is None
    assert r.satisfaction_distribution is None
    assert r.fairness is not None and r.fairness.rows == []  # run 1's audit is empty


# --- suppression ----------------------------------------------------------------------------


def test_figures_about_fewer_than_five_people_are_withheld(
        sessions: sessionmaker[Session]) -> None:
    """Five pairs, four survey answers, three comparable non-participants."""
    with sessions() as s, s.begin():
        b = Builder(s)
        prog = Program(workspace_id=b.ws, name="Small", kind=ProgramKind.ONE_ON_ONE)
        s.add(prog)
        s.flush()
        run = MatchRun(program_id=prog.id, status=RunStatus.PUBLISHED, published_at=P1)
        s.add(run)
        s.flush()
        pairs = []
        for i in range(5):
            mentor = b.person(f"Mentor{i} Aa", "Ops", 5, date(2015, 1, 1))
            mentee = b.person(f"Mentee{i} Bb", "Ops", 5, date(2015, 1, 1))
            for pid, role in ((mentor, Role.MENTOR), (mentee, Role.MENTEE)):
                s.add(Enrollment(person_id=pid, program_id=prog.id, role=role,
                                 created_at=at(2025, 2, 1)))
            pairs.append((b.match(prog.id, run.id, mentor, mentee, 0.5, P1), mentee))
        for match_id, mentee in pairs[:4]:
            b.survey(match_id, mentee, "end", 5, 10, at(2025, 9, 1))
        for i in range(3):
            b.person(f"Other{i} Cc", "Ops", 5, date(2015, 1, 1))
        program_id = prog.id
    with sessions() as s:
        program = s.get(Program, program_id)
        assert program is not None
        r = build_report(s, program, now=NOW)
    useful, nps = fig(r.satisfaction, "useful_share"), fig(r.satisfaction, "nps")
    assert useful.value is None and useful.n == 4 and useful.note == SUPPRESSED_NOTE
    assert nps.value is None and nps.suppressed and nps.display() == "fewer than 5"
    assert r.satisfaction_distribution is None
    assert value(r.satisfaction, "respondents") is None  # a head count of 4
    # Ten participants, all retained; three comparable people: the comparison is withheld,
    # and with it the saving.
    assert value(r.outcomes, "eligible_participants") == 10
    assert r.comparison["retention_participants"].value == 1.0
    comp = r.comparison["retention_comparison"]
    assert comp.value is None and comp.n == 3 and comp.suppressed
    assert r.comparison["promotion_comparison"].suppressed
    saving = fig(r.outcomes, "estimated_saving")
    assert saving.value is None and "Not estimated" in saving.note
    # Five pairs is enough to show pair figures; no intro yet means no 14-day figure.
    assert value(r.engagement, "paused_rate") == 0
    assert fig(r.engagement, "met_within_14_days").n == 0


def test_the_planner_setting_is_restored_after_the_report(sessions: sessionmaker[Session],
                                                          built: Built) -> None:
    """PostgreSQL reports run without nested loops; the caller's transaction gets it back."""
    with sessions() as s:
        program = s.get(Program, built.program_id)
        assert program is not None
        build_report(s, program, now=NOW)
        if s.get_bind().dialect.name == "postgresql":
            assert s.execute(text("SHOW enable_nestloop")).scalar() == "on"
