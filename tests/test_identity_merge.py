"""Merging a second record of someone into their HR record keeps everything, or changes nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import UniqueConstraint, func, select
from sqlalchemy.orm import Session, sessionmaker

from core.admin.rights import is_admin
from core.clock import FakeClock
from core.identity_merge import (
    MergeRefused,
    _people_foreign_keys,
    covered_columns,
    merge_people,
)
from core.models import (
    Admin,
    AuditEntry,
    Checkin,
    DoNotMatch,
    Enrollment,
    EnrollmentStatus,
    Goal,
    Invitation,
    Match,
    MatchEvent,
    MatchMentee,
    MatchStatus,
    Meeting,
    OutboxMessage,
    Person,
    Platform,
    PlatformIdentity,
    Role,
    SurveyResponse,
)
from core.outbox.enqueue import conversation_of
from tests.factories import seed


def _stranger(s: Session, ws: int, user_id: str = "U9") -> Person:
    """A record made from a chat account before its email was known."""
    p = Person(workspace_id=ws, name=user_id, email=None)
    s.add(p)
    s.flush()
    s.add(PlatformIdentity(person_id=p.id, platform=Platform.SLACK, tenant_id="T1",
                           user_id=user_id))
    s.flush()
    return p


def _match(s: Session, program: int, mentor: int, mentee: int,
           status: MatchStatus = MatchStatus.ACTIVE) -> Match:
    m = Match(program_id=program, mentor_id=mentor, status=status, reasons=["skills"])
    m.mentees.append(MatchMentee(person_id=mentee))
    s.add(m)
    s.flush()
    return m


def _enroll(s: Session, person: int, program: int, role: Role = Role.MENTEE,
            status: EnrollmentStatus = EnrollmentStatus.ACTIVE, goals: str = "",
            capacity: int = 1) -> Enrollment:
    e = Enrollment(person_id=person, program_id=program, role=role, status=status, goals=goals,
                   capacity=capacity)
    s.add(e)
    s.flush()
    return e


@pytest.fixture
def org(sessions: sessionmaker[Session]) -> dict[str, Any]:
    ids = seed(sessions, platform="slack", people=[("Ana Lima", "U1"), ("Ben Okoro", "U2"),
                                                  ("Cy Dube", "U3")],
               programs=[{"name": "Leadership 1:1"}, {"name": "Onboarding"}])
    # Ana's HR record has no Slack account yet: her first contact made a stranger record.
    with sessions() as s, s.begin():
        s.execute(PlatformIdentity.__table__.delete().where(
            PlatformIdentity.person_id == ids["people"]["U1"]))
    return ids


def _counts(s: Session) -> dict[str, int]:
    return {m.__tablename__: s.scalar(select(func.count()).select_from(m)) or 0 for m in (
        Person, PlatformIdentity, Enrollment, Match, MatchMentee, MatchEvent, Checkin, Meeting,
        Goal, SurveyResponse, Admin, OutboxMessage, Invitation, DoNotMatch)}


def test_merge_keeps_every_enrollment_match_history_and_right(
        sessions: sessionmaker[Session], org: dict[str, Any], clock: FakeClock) -> None:
    ana, ben, cy = (org["people"][u] for u in ("U1", "U2", "U3"))
    lead, onboard = org["programs"]["Leadership 1:1"], org["programs"]["Onboarding"]
    with sessions() as s, s.begin():
        ws = org["workspace_id"]
        stranger = _stranger(s, ws)
        _enroll(s, ana, onboard, goals="HR-side enrollment")
        _enroll(s, stranger.id, lead, goals="Lead a team")
        match = _match(s, lead, ben, stranger.id)
        s.add_all([
            MatchEvent(match_id=match.id, from_status="proposed", to_status="active",
                       reason="published", actor_id=stranger.id, at=clock.now()),
            Checkin(match_id=match.id, person_id=stranger.id, period=1, answer="yes"),
            Meeting(match_id=match.id, logged_by_id=stranger.id, period=1,
                    met_on=date(2027, 3, 1), topics="delegation"),
            Goal(match_id=match.id, owner_id=stranger.id, text="Run a planning meeting"),
            SurveyResponse(match_id=match.id, person_id=stranger.id, stage="mid", useful=5),
            Admin(workspace_id=ws, person_id=stranger.id),
            Invitation(program_id=lead, person_id=stranger.id),
            DoNotMatch(person_id=stranger.id, other_id=cy),
            OutboxMessage(idempotency_key="k1", person_id=stranger.id, platform=Platform.SLACK,
                          payload={"text": "hi"}, target=f"slack:p:{stranger.id}"),
            OutboxMessage(idempotency_key="k2", group_person_ids=[ben, stranger.id],
                          platform=Platform.SLACK, payload={"text": "intro"},
                          target="slack:g:x"),
        ])
        s.flush()
        stranger_id, match_id = stranger.id, match.id
        before = _counts(s)

    with sessions() as s, s.begin():
        keep, absorb = s.get(Person, ana), s.get(Person, stranger_id)
        assert keep is not None and absorb is not None
        report = merge_people(s, keep=keep, absorb=absorb, actor_note="Slack U9 is ana@")
        assert report.admin is True

    with sessions() as s:
        after = _counts(s)
        assert after == before | {"people": before["people"] - 1}
        assert s.get(Person, stranger_id) is None
        keep = s.get(Person, ana)
        assert keep is not None and keep.email == "ana.lima@acme.test" and keep.name == "Ana Lima"
        assert [i.user_id for i in keep.identities] == ["U9"]
        assert {(e.program_id, e.goals) for e in s.scalars(
            select(Enrollment).where(Enrollment.person_id == ana))} == {
            (onboard, "HR-side enrollment"), (lead, "Lead a team")}
        m = s.get(Match, match_id)
        assert m is not None and m.status is MatchStatus.ACTIVE
        assert [x.person_id for x in m.mentees] == [ana]
        for model, col in ((MatchEvent, MatchEvent.actor_id), (Checkin, Checkin.person_id),
                           (Meeting, Meeting.logged_by_id), (Goal, Goal.owner_id),
                           (SurveyResponse, SurveyResponse.person_id)):
            assert s.scalar(select(col).where(model.match_id == match_id)) == ana
        assert is_admin(s, keep)
        assert s.scalar(select(Invitation.person_id).where(Invitation.program_id == lead)) == ana
        assert s.scalar(select(DoNotMatch.person_id).where(DoNotMatch.other_id == cy)) == ana
        dm = s.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == "k1"))
        group = s.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == "k2"))
        assert dm is not None and dm.person_id == ana and dm.target == f"slack:p:{ana}"
        assert group is not None and group.group_person_ids == sorted([ben, ana])
        assert group.target == conversation_of(group)
        audit = s.scalar(select(AuditEntry).where(AuditEntry.action == "merge_people"))
        assert audit is not None and audit.detail["kept"] == ana
        assert audit.detail["absorbed"] == stranger_id


def test_two_live_matches_in_one_program_are_refused_and_nothing_changes(
        sessions: sessionmaker[Session], org: dict[str, Any]) -> None:
    ana, ben, cy = (org["people"][u] for u in ("U1", "U2", "U3"))
    lead = org["programs"]["Leadership 1:1"]
    with sessions() as s, s.begin():
        stranger = _stranger(s, org["workspace_id"])
        _enroll(s, ana, lead)
        _enroll(s, stranger.id, lead)
        _match(s, lead, ben, ana)
        _match(s, lead, cy, stranger.id)
        stranger_id = stranger.id
        before = _counts(s)

    with sessions() as s, s.begin():
        keep, absorb = s.get(Person, ana), s.get(Person, stranger_id)
        assert keep is not None and absorb is not None
        with pytest.raises(MergeRefused, match="each have a live match in Leadership 1:1"):
            merge_people(s, keep=keep, absorb=absorb, actor_note="test")
    with sessions() as s:
        assert _counts(s) == before
        assert s.get(Person, stranger_id) is not None


def test_the_two_records_matched_with_each_other_are_refused(
        sessions: sessionmaker[Session], org: dict[str, Any]) -> None:
    ana = org["people"]["U1"]
    with sessions() as s, s.begin():
        stranger = _stranger(s, org["workspace_id"])
        _match(s, org["programs"]["Leadership 1:1"], ana, stranger.id, MatchStatus.ENDED)
        with pytest.raises(MergeRefused, match="same match"):
            merge_people(s, keep=s.get(Person, ana), absorb=stranger,  # type: ignore[arg-type]
                         actor_note="test")


def test_one_enrollment_per_program_the_live_or_active_one_wins(
        sessions: sessionmaker[Session], org: dict[str, Any]) -> None:
    ana, ben = org["people"]["U1"], org["people"]["U2"]
    lead, onboard = org["programs"]["Leadership 1:1"], org["programs"]["Onboarding"]
    with sessions() as s, s.begin():
        stranger = _stranger(s, org["workspace_id"])
        # Leadership: the HR record's enrollment is withdrawn, the chat one is active.
        _enroll(s, ana, lead, status=EnrollmentStatus.WITHDRAWN, goals="old")
        _enroll(s, stranger.id, lead, goals="current")
        # Onboarding: the HR record is the mentee of a live match; the chat one only enrolled.
        _enroll(s, ana, onboard, goals="matched")
        _enroll(s, stranger.id, onboard, role=Role.MENTOR, goals="later form")
        _match(s, onboard, ben, ana)
        report = merge_people(s, keep=s.get(Person, ana),  # type: ignore[arg-type]
                              absorb=stranger, actor_note="test")
        got = {e.program_id: (e.goals, e.status, e.role) for e in s.scalars(
            select(Enrollment).where(Enrollment.person_id == ana))}
        assert got == {lead: ("current", EnrollmentStatus.ACTIVE, Role.MENTEE),
                       onboard: ("matched", EnrollmentStatus.ACTIVE, Role.MENTEE)}
        assert any("it is the active one" in n for n in report.notes)
        assert any("it has the live match" in n for n in report.notes)


def test_a_mentor_in_both_records_keeps_every_mentee(
        sessions: sessionmaker[Session], org: dict[str, Any]) -> None:
    ana, ben, cy = (org["people"][u] for u in ("U1", "U2", "U3"))
    lead = org["programs"]["Leadership 1:1"]
    with sessions() as s, s.begin():
        stranger = _stranger(s, org["workspace_id"])
        _enroll(s, ana, lead, role=Role.MENTOR)
        _enroll(s, stranger.id, lead, role=Role.MENTOR)
        _match(s, lead, ana, ben)
        _match(s, lead, stranger.id, cy)
        merge_people(s, keep=s.get(Person, ana), absorb=stranger,  # type: ignore[arg-type]
                     actor_note="test")
        assert sorted(x.person_id for m in s.scalars(select(Match).where(
            Match.mentor_id == ana)) for x in m.mentees) == sorted([ben, cy])
        enrollment = s.scalar(select(Enrollment).where(Enrollment.person_id == ana))
        assert enrollment is not None and enrollment.capacity == 2


def test_admin_emails_apply_after_a_merge_and_a_revoked_hr_right_stays_revoked(
        sessions: sessionmaker[Session], org: dict[str, Any], clock: FakeClock) -> None:
    ana, ben = org["people"]["U1"], org["people"]["U2"]
    with sessions() as s, s.begin():
        stranger = _stranger(s, org["workspace_id"])
        assert not is_admin(s, stranger, frozenset({"ana.lima@acme.test"}))
        report = merge_people(s, keep=s.get(Person, ana), absorb=stranger,  # type: ignore[arg-type]
                              actor_note="test", admin_emails=["Ana.Lima@acme.test"])
        assert report.admin is True
        # Ben's right was revoked on purpose: a merge with a stranger record brings no right.
        s.add(Admin(workspace_id=org["workspace_id"], person_id=ben, revoked_at=clock.now()))
        other = _stranger(s, org["workspace_id"], "U8")
        report = merge_people(s, keep=s.get(Person, ben), absorb=other,  # type: ignore[arg-type]
                              actor_note="test", admin_emails=["ben.okoro@acme.test"])
        assert report.admin is False


def test_every_reference_to_a_person_is_moved() -> None:
    """A foreign key to people that is part of a unique key must be handled by name; any
    other is moved as it is by the generic pass."""
    known = covered_columns()
    for table, column in _people_foreign_keys():
        if (table.name, column.key) in known:
            continue
        unique = [c for c in table.constraints if isinstance(c, UniqueConstraint)]
        unique += [i for i in table.indexes if i.unique]
        assert not any(column.key in {c.key for c in u.columns} for u in unique), (
            f"{table.name}.{column.key} is in a unique key: teach core/identity_merge.py "
            "how to unify it")
