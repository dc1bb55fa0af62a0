"""Putting a course on a program."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import i18n
from core.models import Program, TrainingModule
from core.training.course import STARTER_COURSE, ModuleSpec


def attach_course(session: Session, program: Program, course: list[ModuleSpec],
                  language: str | None = None) -> int:
    """Append the course's modules the program doesn't have yet, written in ``language`` (by
    default the reader's: in an admin's command, that admin's language, else the workspace's).

    A module counts as there when its title is, in any language the bot speaks, so an admin
    can run it twice, or after a colleague attached it in another language, without getting
    the course twice. Returns how many modules were added.
    """
    have = set(session.scalars(select(TrainingModule.title).where(
        TrainingModule.program_id == program.id)).all())
    position = session.scalar(select(func.max(TrainingModule.position)).where(
        TrainingModule.program_id == program.id)) or 0
    added = 0
    for spec in course:
        if _titles(spec) & have:
            continue
        with i18n.reading(language or i18n.language()):
            module = spec.written()
        position += 1
        session.add(TrainingModule(
            program_id=program.id, position=position, title=module.title, body=module.body,
            link=module.link, quiz_question=module.quiz_question,
            quiz_choices=module.quiz_choices, quiz_answer=module.quiz_answer))
        added += 1
    session.flush()
    return added


def _titles(spec: ModuleSpec) -> set[str]:
    """The module's title in every language the bot speaks."""
    titles = set()
    for code in i18n.LANGUAGES:
        with i18n.reading(code):
            titles.add(i18n.gettext(spec.title))
    return titles


def attach_starter(session: Session, program: Program, language: str | None = None) -> int:
    """Add the five-module starter course to ``program`` (idempotent), in ``language`` or the
    reader's."""
    return attach_course(session, program, STARTER_COURSE, language)
