"""An HR import that gives a record the email a chat-made record holds merges the two."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.clock import FakeClock
from core.hris.csv_import import PRESETS, import_people
from core.models import (
    Enrollment,
    Match,
    MatchMentee,
    MatchStatus,
    Person,
    PlatformIdentity,
    Workspace,
)
from tests.factories import seed

CSV = "employee_id,name,email,title,department,level\nE1,Ana Lima,ana@acme.test,Lead,Eng,4\n"


def _two_records(sessions: sessionmaker[Session]) -> dict[str, int]:
    ids = seed(sessions, platform="slack", people=[("Ben Okoro", "U2"), ("Cy Dube", "U3")])
    with sessions() as s, s.begin():
        hr = Person(workspace_id=ids["workspace_id"], name="Ana Lima", email="a.lima@old.test",
                    external_id="E1")
        # Ana wrote in Slack before the HR data had her new address: a record of her own.
        chat = Person(workspace_id=ids["workspace_id"], name="Ana", email="ana@acme.test")
        s.add_all([hr, chat])
        s.flush()
        s.add(PlatformIdentity(person_id=chat.id, platform="slack", tenant_id="T1",
                               user_id="U1"))
        s.add(Enrollment(person_id=chat.id, program_id=ids["programs"]["Leadership 1:1"],
                         role="mentee", goals="Lead a team"))
        return {"hr": hr.id, "chat": chat.id, "program": ids["programs"]["Leadership 1:1"],
                "ben": ids["people"]["U2"], "cy": ids["people"]["U3"]}


def test_an_import_that_gives_the_chat_records_email_merges_it(
        sessions: sessionmaker[Session], clock: FakeClock) -> None:
    ids = _two_records(sessions)
    with sessions() as s, s.begin():
        ws = s.scalar(select(Workspace))
        assert ws is not None
        result = import_people(s, ws, CSV, PRESETS["mentorbot"], now=clock.now(),
                               deactivate_missing=False)
        assert not result.errors
    with sessions() as s:
        assert s.get(Person, ids["chat"]) is None
        ana = s.get(Person, ids["hr"])
        assert ana is not None and (ana.email, ana.title) == ("ana@acme.test", "Lead")
        assert s.scalar(select(PlatformIdentity.person_id).where(
            PlatformIdentity.user_id == "U1")) == ids["hr"]
        assert s.scalar(select(Enrollment.person_id).where(
            Enrollment.goals == "Lead a team")) == ids["hr"]


def test_a_merge_that_would_break_a_rule_fails_the_import_and_nothing_changes(
        sessions: sessionmaker[Session], clock: FakeClock) -> None:
    ids = _two_records(sessions)
    with sessions() as s, s.begin():
        for mentor, mentee in ((ids["ben"], ids["hr"]), (ids["cy"], ids["chat"])):
            m = Match(program_id=ids["program"], mentor_id=mentor, status=MatchStatus.ACTIVE)
            m.mentees.append(MatchMentee(person_id=mentee))
            s.add(m)
    with sessions() as s, s.begin():
        ws = s.scalar(select(Workspace))
        assert ws is not None
        result = import_people(s, ws, CSV, PRESETS["mentorbot"], now=clock.now(),
                               deactivate_missing=False)
        assert result.errors == [
            f"line 2: Ana Lima (#{ids['hr']}) and Ana (#{ids['chat']}) each have a live match "
            "in Leadership 1:1; one person can't be matched twice there. End or discard one of "
            "the matches (or the preview), then merge again."]
        s.rollback()
    with sessions() as s:
        assert s.get(Person, ids["chat"]) is not None
        hr = s.get(Person, ids["hr"])
        assert hr is not None and hr.email == "a.lima@old.test"
