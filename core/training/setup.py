"""Putting a course on a program."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import Program, TrainingModule
from core.training.course import STARTER_COURSE, ModuleSpec


def attach_course(session: Session, program: Program, course: list[ModuleSpec]) -> int:
    """Append the course's modules the program doesn't have yet (matched by title).

    Idempotent, so an admin can run it twice; returns how many modules were added.
    """
    have = set(session.scalars(select(TrainingModule.title).where(
        TrainingModule.program_id == program.id)).all())
    position = session.scalar(select(func.max(TrainingModule.position)).where(
        TrainingModule.program_id == program.id)) or 0
    added = 0
    for spec in course:
        if spec.title in have:
            continue
        position += 1
        session.add(TrainingModule(
            program_id=program.id, position=position, title=spec.title, body=spec.body,
            link=spec.link, quiz_question=spec.quiz_question,
            quiz_choices=list(spec.quiz_choices), quiz_answer=spec.quiz_answer))
        added += 1
    session.flush()
    return added


def attach_starter(session: Session, program: Program) -> int:
    """Add the five-module starter course to ``program`` (idempotent)."""
    return attach_course(session, program, STARTER_COURSE)
