"""An admin previews, adjusts, publishes and exports a matching run, all from chat."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from core.clock import FakeClock
from core.events import Actor, ButtonAction, CommandEvent, Reply, SendFile, UpdateMessage
from core.mentorbot import Mentorbot
from core.models import (
    Enrollment,
    Match,
    MatchRun,
    MatchStatus,
    OutboxMessage,
    Person,
    ProtectedAttribute,
    Role,
    RunStatus,
)
from core.ui import Buttons
from tests.factories import seed

ADMIN = Actor("webchat", "T1", "boss@acme.test")
ANA = Actor("webchat", "T1", "U1")

PEOPLE = [("Ana Lima", "U1"), ("Ben Okoro", "U2"), ("Cleo Park", "U3"), ("Dev Rao", "U4"),
          ("Eli Stone", "U5"), ("Boss Person", "boss@acme.test")]


@pytest.fixture
def bot(sessions) -> Mentorbot:  # type: ignore[no-untyped-def]
    ids = seed(sessions, people=PEOPLE)
    with sessions() as s, s.begin():
        people = {p.name.split()[0]: p for p in s.scalars(select(Person))}
        # Ana and Ben mentor; Cleo, Dev and Eli want to learn; Dev reports to Ana.
        for name, level, dept in (("Ana", 6, "Sales"), ("Ben", 5, "Product"), ("Cleo", 3, "Eng"),
                                  ("Dev", 3, "Eng"), ("Eli", 2, "Eng")):
            people[name].level, people[name].department = level, dept
        people["Dev"].manager_id = people["Ana"].id
        program_id = ids["programs"]["Leadership 1:1"]
        for name, offered in (("Ana", ["Negotiation"]), ("Ben", ["Negotiation", "Leadership"])):
            s.add(Enrollment(person_id=people[name].id, program_id=program_id, role=Role.MENTOR,
                             skills_offered=offered, capacity=1, availability="flexible"))
        for name, wanted in (("Cleo", ["Negotiation"]), ("Dev", ["Leadership"]),
                             ("Eli", ["Public speaking"])):
            s.add(Enrollment(person_id=people[name].id, program_id=program_id, role=Role.MENTEE,
                             skills_wanted=wanted, goals="Lead a team", availability="flexible"))
        for name, group in (("Cleo", "a"), ("Dev", "b"), ("Eli", "b")):
            s.add(ProtectedAttribute(person_id=people[name].id, attribute="gender", value=group))
    # A weekday noon, so introductions go out at publish time (everyone is in UTC here).
    return Mentorbot(sessions, admin_emails=["Boss.Person@acme.test"],
                     clock=FakeClock(datetime(2027, 3, 3, 12, tzinfo=UTC)))


def say(bot: Mentorbot, text: str, actor: Actor = ADMIN):
    return bot.handle(CommandEvent(actor, text))


def buttons(reply) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {b.label: b.value for block in reply.message.blocks if isinstance(block, Buttons)
            for b in block.buttons}


def pairs(sessions, status: MatchStatus) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with sessions() as s:
        names = {p.id: p.name.split()[0] for p in s.scalars(select(Person))}
        return {(names[m.mentor_id], names[x.person_id])
                for m in s.scalars(select(Match).where(Match.status == status))
                for x in m.mentees}


def test_non_admins_are_refused_politely_and_nothing_runs(bot, sessions) -> None:  # type: ignore[no-untyped-def]
    [reply] = say(bot, "admin match Leadership 1:1", ANA)
    assert "for program admins" in reply.message.text
    with sessions() as s:
        assert s.scalars(select(MatchRun)).all() == []
    [reply] = bot.handle(ButtonAction(ANA, "match.rerun", "1"))
    assert "for program admins" in reply.message.text


def test_preview_explains_matches_and_the_unmatched(bot, sessions) -> None:  # type: ignore[no-untyped-def]
    [reply] = say(bot, "admin match leadership")
    text = " ".join(getattr(b, "text", "") for b in reply.message.blocks)
    assert "matching preview" in reply.message.text and "2 of 3 matched" in reply.message.text
    # Dev reports to Ana, so Dev gets Ben; Cleo gets Ana; nobody offers public speaking.
    assert pairs(sessions, MatchStatus.PROPOSED) == {("Ana", "Cleo"), ("Ben", "Dev")}
    assert "Ana Lima offers Negotiation, which Cleo Park wants to learn" in text
    assert "Ana Lima is 3 levels above Cleo Park" in text
    assert "Eli Stone: No mentor in this program offers Public speaking" in text
    # Groups of one and two people are too small to flag (and flagging would single them out).
    assert "0 fairness flags" in reply.message.text and "⚠️" not in text
    assert set(buttons(reply)) == {"Publish", "Re-run", "Download CSV"}
    with sessions() as s:
        run = s.scalar(select(MatchRun))
        assert run.status is RunStatus.PREVIEW
        assert "gender" in run.fairness["attributes"]


def test_exclude_lock_and_swap_are_respected_by_the_rerun(bot, sessions) -> None:  # type: ignore[no-untyped-def]
    say(bot, "admin match Leadership 1:1")
    [done] = say(bot, "admin exclude ana.lima@acme.test cleo.park@acme.test Leadership 1:1")
    assert "Excluded Ana Lima → Cleo Park" in done.message.text
    [reply] = say(bot, "admin match Leadership 1:1")
    assert ("Ana", "Cleo") not in pairs(sessions, MatchStatus.PROPOSED)
    with sessions() as s:  # the earlier preview is retired, its proposals gone
        assert [r.status for r in s.scalars(select(MatchRun).order_by(MatchRun.id))] == [
            RunStatus.SUPERSEDED, RunStatus.PREVIEW]
    [unknown] = say(bot, "admin lock nobody@acme.test cleo.park@acme.test Leadership 1:1")
    assert "couldn't find “nobody@acme.test”" in unknown.message.text


def test_swap_crosses_two_mentees(bot, sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions() as s, s.begin():  # let Dev be matched with anyone for this test
        s.scalar(select(Person).where(Person.name == "Dev Rao")).manager_id = None
    say(bot, "admin match Leadership 1:1")
    before = pairs(sessions, MatchStatus.PROPOSED)
    [done] = say(bot, "admin swap cleo.park@acme.test dev.rao@acme.test Leadership 1:1")
    assert "Swapped" in done.message.text
    [update] = bot.handle(ButtonAction(ADMIN, "match.rerun", str(_program_id(sessions))))
    assert isinstance(update, UpdateMessage)
    after = pairs(sessions, MatchStatus.PROPOSED)
    mentor_of = {mentee: mentor for mentor, mentee in before}
    assert after == {(mentor_of["Dev"], "Cleo"), (mentor_of["Cleo"], "Dev")}


def _program_id(sessions) -> int:  # type: ignore[no-untyped-def]
    with sessions() as s:
        return s.scalar(select(Enrollment.program_id))


def test_csv_publish_and_kind_words_for_the_unmatched(bot, sessions) -> None:  # type: ignore[no-untyped-def]
    [reply] = say(bot, "admin match Leadership 1:1")
    run_id = buttons(reply)["Publish"]
    [file] = bot.handle(ButtonAction(ADMIN, "match.csv", run_id))
    assert isinstance(file, SendFile) and file.filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(file.content)))
    assert {(r["mentor"], r["mentee"]) for r in rows if r["status"] == "matched"} == {
        ("Ana Lima", "Cleo Park"), ("Ben Okoro", "Dev Rao")}
    [eli] = [r for r in rows if r["status"] == "unmatched"]
    assert eli["mentee"] == "Eli Stone" and eli["reasons"]

    [published] = bot.handle(ButtonAction(ADMIN, "match.publish", run_id))
    assert "Published 2 matches" in published.message.text
    assert pairs(sessions, MatchStatus.ACTIVE) == {("Ana", "Cleo"), ("Ben", "Dev")}
    with sessions() as s:
        eli_id = s.scalar(select(Person.id).where(Person.name == "Eli Stone"))
        [dm] = s.scalars(select(OutboxMessage).where(OutboxMessage.person_id == eli_id)).all()
        assert "couldn't find you a match" in dm.payload["text"]
        assert "next round" in dm.payload["text"]
        intros = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "intro")).all()
        assert len(intros) == 4  # two pairs; the web chat can't open group chats: one DM each
        assert all("meet each other" in i.payload["text"] for i in intros)
        queued = len(s.scalars(select(OutboxMessage)).all())
    [again] = bot.handle(ButtonAction(ADMIN, "match.publish", run_id))
    assert "no longer current" in again.message.text
    with sessions() as s:
        assert len(s.scalars(select(OutboxMessage)).all()) == queued


def test_a_new_run_after_publishing_only_matches_the_rest(bot, sessions) -> None:  # type: ignore[no-untyped-def]
    [reply] = say(bot, "admin match Leadership 1:1")
    bot.handle(ButtonAction(ADMIN, "match.publish", buttons(reply)["Publish"]))
    [again] = say(bot, "admin match Leadership 1:1")
    assert "0 of 1 matched" in again.message.text  # only Eli is still in the pool


def test_admins_grant_admin_rights(bot, sessions) -> None:  # type: ignore[no-untyped-def]
    [done] = say(bot, "admin grant ana.lima@acme.test")
    assert "Ana Lima is now an admin" in done.message.text
    [reply] = say(bot, "admin help", ANA)
    assert isinstance(reply, Reply) and "admin match" in reply.message.text


def test_a_matched_one_on_one_mentor_gets_no_second_mentee(bot, sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions() as s, s.begin():  # Ana says she could take two; one-on-one means one
        for e in s.scalars(select(Enrollment).where(Enrollment.role == Role.MENTOR)):
            e.capacity = 2
            e.skills_offered = ["Negotiation", "Leadership", "Public speaking"]
    [reply] = say(bot, "admin match Leadership 1:1")
    bot.handle(ButtonAction(ADMIN, "match.publish", buttons(reply)["Publish"]))
    assert len(pairs(sessions, MatchStatus.ACTIVE)) == 2
    [again] = say(bot, "admin match Leadership 1:1")
    assert "0 of 1 matched" in again.message.text


def test_a_real_disparity_is_flagged_in_the_preview(sessions) -> None:  # type: ignore[no-untyped-def]
    people = [(f"Mentor {i}", f"M{i}") for i in range(5)] + \
        [(f"Alpha {i}", f"A{i}") for i in range(5)] + [(f"Beta {i}", f"B{i}") for i in range(5)] \
        + [("Boss Person", "boss")]
    ids = seed(sessions, people=people)
    program_id = ids["programs"]["Leadership 1:1"]
    with sessions() as s, s.begin():
        for p in s.scalars(select(Person)):
            first = p.name.split()[0]
            p.level = 6 if first == "Mentor" else 2
            if first == "Mentor":
                s.add(Enrollment(person_id=p.id, program_id=program_id, role=Role.MENTOR,
                                 skills_offered=["Negotiation"], availability="flexible"))
            elif first in ("Alpha", "Beta"):
                # Nobody offers what the Beta group wants: the audit must notice the gap.
                wanted = ["Negotiation"] if first == "Alpha" else ["Public speaking"]
                s.add(Enrollment(person_id=p.id, program_id=program_id, role=Role.MENTEE,
                                 skills_wanted=wanted, availability="flexible"))
                s.add(ProtectedAttribute(person_id=p.id, attribute="gender",
                                         value="a" if first == "Alpha" else "b"))
    bot = Mentorbot(sessions, admin_emails=["boss.person@acme.test"])
    [reply] = bot.handle(CommandEvent(Actor("webchat", "T1", "boss"),
                                      "admin match Leadership 1:1"))
    text = " ".join(getattr(b, "text", "") for b in reply.message.blocks)
    assert "⚠️ gender: match-rate ratio 0.00" in text and "1 fairness flag." in reply.message.text
