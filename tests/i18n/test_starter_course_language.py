"""The starter course lands in the language of the admin who attaches it: titles, bodies, quiz
questions and choices with no English left, every quiz answer one of its own choices, and the
reading link in that language where Wikipedia has the article."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core import i18n
from core.events import CommandEvent
from core.mentorbot import Mentorbot
from core.models import Person, Program, TrainingModule
from core.training.course import STARTER_COURSE, Module
from tests.factories import seed
from tests.i18n.test_no_english_left import ADMIN, PLACEHOLDER, english_left

SHIPPED = [code for code in i18n.LANGUAGES if code != i18n.DEFAULT_LANGUAGE]
# Words spelt the same in the language as in English (read one by one; Brazilian "time" is
# a team): allowed to stay, in that language only. Two English words in a row never are.
SAME_WORD = {
    "de": {"feedback", "moment", "pause", "problem", "situation"},
    "fr": {"action", "active", "attention", "conversation", "date", "exceptions", "minutes",
           "notifications", "observation", "programme", "questions", "silence", "simple",
           "situation"},
    "es": {"legal"},
    "pt_BR": {"feedback", "time"},
}
LINKS = {"de": "https://de.wikipedia.org/wiki/Aktives_Zuh%C3%B6ren",
         "fr": "https://fr.wikipedia.org/wiki/%C3%89coute_active",
         "es": "https://es.wikipedia.org/wiki/Escucha_activa",
         # No Portuguese article we could vouch for: the English one.
         "pt_BR": "https://en.wikipedia.org/wiki/Active_listening"}


def _english() -> list[Module]:
    with i18n.reading("en"):
        return [spec.written() for spec in STARTER_COURSE]


def _attach(sessions, clock, *, admin_language: str | None,  # type: ignore[no-untyped-def]
            default: str = "en") -> list[TrainingModule]:
    """`admin training Leadership 1:1 starter`, sent by an admin who reads ``admin_language``
    (None: no choice of their own) in a workspace whose default is ``default``."""
    with sessions() as s, s.begin():
        s.scalar(select(Person).where(Person.name == "Boss Person")).language = admin_language
    bot = Mentorbot(sessions, clock=clock, admin_emails=["boss.person@acme.test"],
                    default_language=default)
    bot.handle(CommandEvent(ADMIN, "admin training Leadership 1:1 starter"))
    with sessions() as s:
        program_id = s.scalar(select(Program.id).where(Program.name == "Leadership 1:1"))
        rows = s.scalars(select(TrainingModule).where(TrainingModule.program_id == program_id)
                         .order_by(TrainingModule.position)).all()
        s.expunge_all()
    return list(rows)


def _words(module: Module | TrainingModule) -> str:
    return "\n".join([module.title, module.body, module.quiz_question, *module.quiz_choices])


@pytest.mark.parametrize("code", SHIPPED)
def test_the_starter_course_is_written_in_the_attaching_admins_language(  # type: ignore[no-untyped-def]
        code, sessions, clock) -> None:
    seed(sessions, people=[("Boss Person", "boss")])
    rows = _attach(sessions, clock, admin_language=code)
    english = _english()
    assert len(rows) == len(english) == 5
    for row, source, spec in zip(rows, english, STARTER_COURSE, strict=True):
        translated = _words(row)
        assert row.title != source.title and row.body != source.body, row.title
        assert not PLACEHOLDER.findall(translated), row.title
        left = [w for w in english_left(_words(source), translated)
                if w not in SAME_WORD[code]]
        assert not left, f"{code} {source.title!r} still says in English: {left}\n{translated}"
        # Markdown and commands survive translation.
        assert row.body.count("*") == source.body.count("*"), row.title
        assert [w for w in row.body.split() if w.startswith("`")] == \
            [w for w in source.body.split() if w.startswith("`")], row.title
        # The right answer is still one of the choices, and still the right one.
        assert len(row.quiz_choices) == len(source.quiz_choices)
        if spec.quiz_answer is None:
            assert row.quiz_answer == "" and not row.quiz_choices
        else:
            assert row.quiz_answer in row.quiz_choices
            assert row.quiz_choices.index(row.quiz_answer) == spec.quiz_answer
            assert source.quiz_choices.index(source.quiz_answer) == spec.quiz_answer
    assert rows[0].link == LINKS[code]


def test_workspace_default_when_admin_has_none_and_no_second_copy(  # type: ignore[no-untyped-def]
        sessions, clock) -> None:
    """An admin with no language of their own attaches it in the workspace's; a colleague
    who reads another language running it again gets no second copy."""
    seed(sessions, people=[("Boss Person", "boss")])
    first = _attach(sessions, clock, admin_language=None, default="fr")
    assert [m.title for m in first][:2] == ["L'écoute active", "Faire un retour constructif"]
    assert first[0].quiz_answer == "Attendre un instant, puis reformuler ce que vous avez entendu"
    # A German colleague runs it again: the French course is already there, nothing doubles.
    again = _attach(sessions, clock, admin_language="de", default="fr")
    assert [m.title for m in again] == [m.title for m in first]


@pytest.mark.parametrize("code", [i18n.DEFAULT_LANGUAGE, *SHIPPED])
def test_every_quiz_answer_is_one_of_its_choices_in_every_language(code: str) -> None:
    with i18n.reading(code):
        for spec in STARTER_COURSE:
            module = spec.written()
            if spec.quiz_choices:
                assert len(set(module.quiz_choices)) == len(spec.quiz_choices), module.title
                assert module.quiz_answer in module.quiz_choices, module.title
            else:
                assert module.quiz_answer == ""
