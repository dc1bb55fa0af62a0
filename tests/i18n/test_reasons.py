"""Why people were matched (and why not) reaches them in their language: every sentence shape
the engine writes is known to ``core.match_runs.reasons``, so none stays English."""

from __future__ import annotations

import pytest

from core import i18n
from core.match_runs import reasons
from core.matching import run_matching
from core.matching.suggest import suggest_mentors
from core.matching.synthetic import synthetic_org
from core.matching.types import ProgramRules
from core.training.texts import held_back_reason
from tests.matching.helpers import make_input, mentee, mentor, peer, person

SHIPPED = [code for code in i18n.LANGUAGES if code != i18n.DEFAULT_LANGUAGE]


def _engine_sentences() -> tuple[set[str], set[str]]:
    """Explanation clauses and unmatched reasons, as the engine writes them, across kinds and
    readers (admin by name, mentee and mentor as "you")."""
    clauses: set[str] = set()
    unmatched: set[str] = set()
    org = synthetic_org(200, seed=5)
    for kind in ("one_on_one", "reverse", "peer", "group"):
        inp = org.to_input(ProgramRules("prog", kind=kind, group_size=2))  # type: ignore[arg-type]
        result = run_matching(inp)
        for m in result.matches:
            clauses.update(p.strip() for p in m.explanation.rstrip(".").split(";"))
        unmatched.update(u.reason for u in result.unmatched)
        if kind in ("one_on_one", "reverse"):
            seekers = [e.person_id for e in inp.enrollments if e.role == "mentee"][:15]
            for reader in ("mentee", "mentor"):
                for mentee_id in seekers:
                    for m in suggest_mentors(inp, mentee_id, k=3, reader=reader):
                        clauses.update(p.strip() for p in m.explanation.rstrip(".").split(";"))
    # The unmatched shapes a random organisation rarely produces, built by hand.
    people = [person("m", 6, "Eng", name="Mia"), person("a", 3, "Eng", name="Al"),
              person("b", 3, "Ops", name="Bo"), person("c", 3, "Ops", name="Cy")]
    for enrollments, rules in (
        ([mentor("m", ("sql",)), mentee("a", ("sql",)), mentee("b", ("public speaking",))], {}),
        ([mentor("m", ("sql",)), mentee("a", ("sql",)), mentee("b", ("sql", "go"))], {}),
        ([mentor("m", ("sql",)), mentee("a", ("sql",))], {"require_different_department": True}),
        ([mentee("a", ("sql",))], {}),
    ):
        result = run_matching(make_input(people, enrollments, **rules))
        unmatched.update(u.reason for u in result.unmatched)
    result = run_matching(make_input(people, [peer("a", ("sql",), ("go",)),
                                              peer("b", ("go",), ("sql",)),
                                              peer("c", ("go",), ("sql",))], kind="peer"))
    unmatched.update(u.reason for u in result.unmatched)
    for m in result.matches:
        clauses.update(p.strip() for p in m.explanation.rstrip(".").split(";"))
    return clauses, unmatched


@pytest.fixture(scope="module")
def sentences() -> tuple[set[str], set[str]]:
    return _engine_sentences()


def test_every_clause_the_engine_writes_has_a_known_shape(sentences) -> None:
    clauses, unmatched = sentences
    assert len(clauses) > 50 and unmatched  # the sample is broad enough to mean something
    with i18n.reading("de"):
        unknown = sorted(c for c in clauses if reasons.reason(c) == c)
        unknown += sorted(u for u in unmatched if reasons.unmatched(u) == u)
    assert not unknown, ("add the shape to core/match_runs/reasons.py (and translate it): "
                         f"{unknown[:10]}")
    # The readers' own sentences are among them: "you" forms are not left to chance.
    assert any(c.lower().startswith("you offer") for c in clauses)
    assert any(c.endswith("which you want to learn") for c in clauses)


@pytest.mark.parametrize("code", SHIPPED)
def test_translated_reasons_keep_names_skills_and_numbers(code: str, sentences) -> None:
    clauses, unmatched = sentences
    with i18n.reading(code):
        for clause in clauses | unmatched:
            out = reasons.reason(clause) if clause in clauses else reasons.unmatched(clause)
            assert "{" not in out and "}" not in out, (clause, out)
            # Every figure in the English survives (written the reader's way).
            for figure in [w for w in clause.replace(",", " ").split() if w.isdigit()]:
                assert figure in out, (clause, out)


def test_reasons_read_naturally_in_each_language() -> None:
    said = {}
    for code in ("en", "de", "fr", "es", "pt_BR"):
        with i18n.reading(code):
            said[code] = reasons.reasons([
                "Ana offers Negotiation, Hiring and Coaching, which Dev wants to learn",
                "Ana is 2 levels above Dev", "1.5 working hours of overlap."])
    assert said["en"][0] == "Ana offers Negotiation, Hiring and Coaching, which Dev wants to learn"
    assert said["de"] == ["Ana bietet Negotiation, Hiring und Coaching an, was Dev lernen möchte",
                          "Ana steht 2 Hierarchiestufen über Dev",
                          "1,5 gemeinsame Arbeitsstunden."]
    assert said["fr"][1:] == ["Ana est 2 niveaux au-dessus de Dev",
                              "1,5 heures de travail en commun."]
    assert said["es"][0] == "Ana ofrece Negotiation, Hiring y Coaching, que Dev quiere aprender"
    assert said["pt_BR"][1] == "Ana está 2 níveis acima de Dev"
    with i18n.reading("de"):
        assert reasons.explanation("You offer SQL, which Dev wants to learn; you are 1 level "
                                   "above Dev.") == (
            "Du bietest SQL an, was Dev lernen möchte; du stehst 1 Hierarchiestufe über Dev.")
        # A sentence of no known shape is shown as stored rather than lost.
        assert reasons.reason("a reason from a newer engine") == "a reason from a newer engine"


@pytest.mark.parametrize(("n", "de", "fr"), [
    (0, "0 Hierarchiestufen", "0 niveau"), (1, "1 Hierarchiestufe", "1 niveau"),
    (2, "2 Hierarchiestufen", "2 niveaux"), (5, "5 Hierarchiestufen", "5 niveaux")])
def test_counted_reasons_take_each_languages_plural(n: int, de: str, fr: str) -> None:
    english = f"Ana is {n} {'level' if n == 1 else 'levels'} above Dev"
    with i18n.reading("de"):
        assert reasons.reason(english) == f"Ana steht {de} über Dev"
    with i18n.reading("fr"):  # French counts zero as singular
        assert reasons.reason(english) == f"Ana est {fr} au-dessus de Dev"


def test_the_unmatched_reason_keeps_its_next_step() -> None:
    stored = ("No mentor in this program offers public speaking, and the mentors who could "
              "work with you had no room left. You stay in the pool for the next round; we "
              "will tell you when a place opens.")
    with i18n.reading("es"):
        assert reasons.unmatched(stored) == (
            "Ningún mentor de este programa ofrece public speaking, y los mentores que podían "
            "trabajar contigo ya no tenían plazas. Sigues en la bolsa para la próxima ronda; te "
            "avisaremos cuando quede una plaza libre.")
    held = held_back_reason(1, 3)  # as training writes it and the run stores it
    with i18n.reading("pt_BR"):
        assert reasons.unmatched(held, with_tail=False) == \
            "Em espera: 1 de 3 módulos de treinamento concluídos."
    with i18n.reading("fr"):
        assert reasons.unmatched(held_back_reason(0, 1)) == (
            "En attente : 0 module de formation terminé sur 1. Terminez le parcours avec "
            "`/mentor training` pour faire partie du prochain tour.")


def test_the_engine_writes_the_same_sentences_whoever_reads() -> None:
    # An admin's preview runs the engine while their language is being read; a word the
    # engine translated itself left the rest of its sentence English ("2 heures de travail
    # of overlap"), as reasons.py then no longer knew its shape.
    inp = synthetic_org(150, seed=3).to_input(ProgramRules("prog", kind="one_on_one"))
    english = run_matching(inp)
    said = [m.explanation for m in english.matches] + [u.reason for u in english.unmatched]
    assert any("working hour" in s for s in said)
    for code in SHIPPED:
        with i18n.reading(code):
            result = run_matching(inp)
        assert [m.explanation for m in result.matches] + \
            [u.reason for u in result.unmatched] == said
