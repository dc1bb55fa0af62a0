"""Short notes outside the main screens, in the reader's language: an admin sign-in link that
expired (filled in by the sender, long after the message was written), the fairness floor's
note in the match preview, and the matches CSV an admin downloads."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core import i18n
from core.admin import web_links
from core.admin.rights import grant
from core.clock import FakeClock
from core.match_runs.export import run_csv
from core.match_runs.texts import floor_cost_line
from core.models import Match, MatchMentee, MatchRun, Person, Program
from tests.factories import seed
from tests.i18n.test_no_english_left import PLACEHOLDER, english_left

SHIPPED = [code for code in i18n.LANGUAGES if code != i18n.DEFAULT_LANGUAGE]


def _placeholder(sessions: sessionmaker[Session], clock: FakeClock, code: str) -> str:
    with sessions() as s, s.begin(), i18n.reading(code):
        ana = s.scalar(select(Person).where(Person.name == "Ana Lima"))
        assert ana is not None
        grant(s, ana)
        return web_links.pending_link(s, ana, now=clock.now(), base_url="https://m.acme.test")


@pytest.mark.parametrize("code", SHIPPED)
def test_an_expired_sign_in_link_says_so_in_the_messages_language(code, sessions,  # type: ignore[no-untyped-def]
                                                                    clock) -> None:
    seed(sessions, people=[("Ana Lima", "U1")])
    english, translated = (_placeholder(sessions, clock, c) for c in ("en", code))
    later = clock.now() + web_links.LINK_TTL + timedelta(seconds=1)
    # The sender fills links in with no reader at hand (the default language).
    said = {c: web_links.fill_links(f"Admin: {p}", now=later)
            for c, p in (("en", english), (code, translated))}
    assert said["en"] == f"Admin: {web_links.EXPIRED_TEXT}"
    assert "`admin web`" in said[code] and not PLACEHOLDER.findall(said[code])
    # "link" is Brazilian Portuguese too.
    assert not set(english_left(said["en"], said[code])) - {"link"}
    # A placeholder of the old shape (queued before this release) still gets its note.
    old = translated.rsplit(":", 1)[0] + "]]"
    assert web_links.fill_links(old, now=later) == web_links.EXPIRED_TEXT


def test_the_fairness_floor_note_reads_in_the_admins_language() -> None:
    stats = {"mean_score": 0.61, "mean_score_without_floor": 0.66,
             "notes": ["fairness floor (gender, age_band): as close as the pool allows (best "
                       "found within the time limit)"]}
    with i18n.reading("en"):
        english = floor_cost_line(stats)
    assert english.endswith("(fairness floor (gender, age_band): as close as the pool allows "
                            "(best found within the time limit))")
    for code in SHIPPED:
        with i18n.reading(code):
            translated = floor_cost_line(stats)
        assert "(gender, age_band)" in translated, code
        assert not english_left(english.replace("gender, age_band", ""),
                                translated.replace("gender, age_band", "")), translated
    with i18n.reading("de"):
        assert floor_cost_line(stats) == (
            "⚖️ Die Fairness-Untergrenze senkt die durchschnittliche Punktzahl von 0,66 auf "
            "0,61. (Fairness-Untergrenze (gender, age_band): so nah, wie es die Teilnehmenden "
            "zulassen (beste Lösung innerhalb der Zeitgrenze))")


def test_the_matches_csv_is_in_the_admins_language(sessions) -> None:  # type: ignore[no-untyped-def]
    seed(sessions, people=[("Ana Lima", "U1"), ("Cleo Park", "U3"), ("Dev Rao", "U4")])
    with sessions() as s, s.begin():
        people = {p.name.split()[0]: p for p in s.scalars(select(Person))}
        program = s.scalar(select(Program))
        run = MatchRun(program_id=program.id, stats={}, fairness={}, unmatched=[
            {"person_id": people["Dev"].id, "role": "mentee", "code": "no_skill",
             "reason": "No mentor offering Public speaking had room left."}])
        s.add(run)
        s.flush()
        match = Match(program_id=program.id, run_id=run.id, mentor_id=people["Ana"].id,
                      score=0.8, reasons=["Ana Lima offers Negotiation, which Cleo Park wants "
                                          "to learn"])
        match.mentees = [MatchMentee(person_id=people["Cleo"].id)]
        s.add(match)
        s.flush()
        files = {}
        for code in ("en", "de"):
            with i18n.reading(code):
                files[code] = run_csv(run, [match], {p.id: p for p in people.values()})
    english = list(csv.reader(io.StringIO(files["en"])))
    german = list(csv.reader(io.StringIO(files["de"])))
    # English keeps the header scripts read.
    assert english[0] == ["status", "mentor", "mentor_email", "mentee", "mentee_email",
                          "score", "reasons"]
    assert german[0] == ["Status", "Mentor", "E-Mail des Mentors", "Mentee",
                         "E-Mail des Mentees", "Punktzahl", "Gründe"]
    assert german[1][0] == "zugeordnet" and german[2][0] == "nicht zugeordnet"
    assert german[1][6] == "Ana Lima bietet Negotiation an, was Cleo Park lernen möchte"
    assert "Public speaking" in german[2][6] and "No mentor" not in german[2][6]


def test_an_unreachable_person_alert_reaches_each_admin_in_their_language(sessions,  # type: ignore[no-untyped-def]
                                                                          clock) -> None:
    from core.admin.rights import grant
    from core.mentorbot import Mentorbot
    from core.models import OutboxMessage
    from core.ui.message import message_from_dict

    ids = seed(sessions, people=[("Ana Lima", "U1"), ("Boss Person", "boss")])
    with sessions() as s, s.begin():
        boss = s.get(Person, ids["people"]["boss"])
        boss.language = "fr"
        grant(s, boss)
        nowhere = Person(workspace_id=ids["workspace_id"], name="Eve Stone")  # no chat account
        s.add(nowhere)
        s.flush()
        Mentorbot._alert_unreachable(s, nowhere, clock.now())
    with sessions() as s:
        [row] = s.scalars(select(OutboxMessage))
    alert = message_from_dict(row.payload)
    assert alert.text.startswith("Mentorbot ne peut pas joindre *Eve Stone*")
    assert "Ajoutez Mentorbot à une équipe" in repr(alert.blocks)


def test_the_partner_of_someone_who_left_reads_why_in_their_language(sessions, clock) -> None:  # type: ignore[no-untyped-def]
    from core.hris.people import deactivate
    from core.models import MatchStatus, OutboxMessage
    from core.ui.message import message_from_dict

    ids = seed(sessions, people=[("Ana Lima", "U1"), ("Cleo Park", "U3")])
    with sessions() as s, s.begin():
        ana, cleo = s.get(Person, ids["people"]["U1"]), s.get(Person, ids["people"]["U3"])
        cleo.language = "es"
        program = s.scalar(select(Program))
        match = Match(program_id=program.id, mentor_id=ana.id, score=0.8, reasons=[],
                      status=MatchStatus.ACTIVE)
        match.mentees = [MatchMentee(person_id=cleo.id)]
        s.add(match)
        s.flush()
        deactivate(s, ana, now=clock.now())
    with sessions() as s:
        [row] = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "left"))
    assert message_from_dict(row.payload).text.startswith(
        "Ana Lima dejó la empresa, así que tu mentoría en *Leadership 1:1* ha terminado.")


def test_a_refused_merge_is_explained_to_each_admin_in_their_language(sessions) -> None:  # type: ignore[no-untyped-def]
    from core.admin.rights import grant
    from core.identity import tell_admins_merge_refused
    from core.identity_merge import MergeRefused
    from core.models import OutboxMessage

    ids = seed(sessions, people=[("Ana Lima", "U1"), ("Boss Person", "boss"), ("Eve Stone", "U5")])
    with sessions() as s, s.begin():
        boss = s.get(Person, ids["people"]["boss"])
        boss.language = "pt_BR"
        grant(s, boss)
        ana, eve = s.get(Person, ids["people"]["U1"]), s.get(Person, ids["people"]["U5"])
        refused = MergeRefused("{keep} and {absorb} each have a live match in {program}; one "
                               "person can't be matched twice there. End or discard one of the "
                               "matches (or the preview), then merge again.",
                               keep="Ana Lima (#1)", absorb="Ana Lima (#9)",
                               program="Leadership 1:1")
        tell_admins_merge_refused(s, ana, eve, refused)
    assert str(refused).startswith("Ana Lima (#1) and Ana Lima (#9) each have a live match")
    with sessions() as s:
        [row] = s.scalars(select(OutboxMessage))
    assert row.payload["text"] == (
        "Não consegui juntar dois registros de Ana Lima (ana.lima@acme.test) em um só: Ana Lima "
        "(#1) e Ana Lima (#9) têm cada um um par em andamento em Leadership 1:1; uma pessoa não "
        "pode ter dois pares ali. Encerre ou descarte um dos pares (ou a prévia) e unifique de "
        "novo. Eles continuam separados até que isso seja resolvido; na próxima vez que a "
        "pessoa me escrever, tento de novo.")
