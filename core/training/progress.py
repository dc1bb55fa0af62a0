"""Who has finished which modules: progress, marking done, quizzes, and who is held back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import (
    Enrollment,
    EnrollmentStatus,
    Person,
    Program,
    Role,
    TrainingCompletion,
    TrainingModule,
)


@dataclass(frozen=True)
class Progress:
    """One person's standing in one program's course."""

    program: Program
    done: int
    total: int
    next_module: TrainingModule | None
    course: tuple[TrainingModule, ...] = ()

    @property
    def finished(self) -> bool:
        return self.done >= self.total

    def number(self, module: TrainingModule) -> int:
        """The module's 1-based place in the course."""
        return next((i for i, m in enumerate(self.course, 1) if m.id == module.id), 0)


def modules(session: Session, program_id: int) -> list[TrainingModule]:
    """A program's modules in course order."""
    return list(session.scalars(select(TrainingModule).where(
        TrainingModule.program_id == program_id).order_by(TrainingModule.position)).all())


def completed_ids(session: Session, person_id: int, module_ids: list[int]) -> set[int]:
    """Which of these modules the person has marked done."""
    if not module_ids:
        return set()
    return set(session.scalars(select(TrainingCompletion.module_id).where(
        TrainingCompletion.person_id == person_id,
        TrainingCompletion.module_id.in_(module_ids))).all())


def progress(session: Session, person_id: int, program: Program) -> Progress:
    """Done/total and the first module not yet done (None when finished)."""
    course = modules(session, program.id)
    done = completed_ids(session, person_id, [m.id for m in course])
    upcoming = next((m for m in course if m.id not in done), None)
    return Progress(program, len(done), len(course), upcoming, tuple(course))


def requires_training(session: Session, program: Program) -> bool:
    """Training applies when the program asks for it and has a course to take."""
    return program.training_required and session.scalar(select(TrainingModule.id).where(
        TrainingModule.program_id == program.id).limit(1)) is not None


def mentor_programs(session: Session, person: Person) -> list[Program]:
    """Programs where ``person`` is an active mentor and training is required."""
    rows = session.scalars(select(Program).join(
        Enrollment, Enrollment.program_id == Program.id).where(
        Enrollment.person_id == person.id, Enrollment.role == Role.MENTOR,
        Enrollment.status == EnrollmentStatus.ACTIVE, Program.training_required.is_(True))
        .order_by(Program.id)).all()
    return [p for p in rows if requires_training(session, p)]


def mark_done(session: Session, person: Person, module: TrainingModule, *,
              now: datetime) -> bool:
    """Record that ``person`` finished ``module``; False when it was already done."""
    exists = session.scalar(select(TrainingCompletion.id).where(
        TrainingCompletion.module_id == module.id, TrainingCompletion.person_id == person.id))
    if exists is not None:
        return False
    session.add(TrainingCompletion(module_id=module.id, person_id=person.id, completed_at=now))
    session.flush()
    return True


def check_answer(module: TrainingModule, choice: int) -> bool:
    """Whether choice number ``choice`` (0-based) is the module's right answer."""
    return 0 <= choice < len(module.quiz_choices) and \
        module.quiz_choices[choice] == module.quiz_answer


def _mentor_done_counts(session: Session, program: Program) -> dict[int, int]:
    """Every active mentor's number of finished modules in ``program`` (0 included)."""
    mentors = session.scalars(select(Enrollment.person_id).join(
        Person, Person.id == Enrollment.person_id).where(
        Enrollment.program_id == program.id, Enrollment.role == Role.MENTOR,
        Enrollment.status == EnrollmentStatus.ACTIVE, Person.active.is_(True))).all()
    counts = dict.fromkeys(mentors, 0)
    rows = session.execute(
        select(TrainingCompletion.person_id, func.count(TrainingCompletion.id))
        .join(TrainingModule, TrainingModule.id == TrainingCompletion.module_id)
        .where(TrainingModule.program_id == program.id,
               TrainingCompletion.person_id.in_(list(counts)))
        .group_by(TrainingCompletion.person_id)).all()
    for person_id, done in rows:
        counts[person_id] = done
    return counts


def mentor_completion(session: Session, program: Program) -> tuple[dict[int, int], int]:
    """(modules done per active mentor, modules in the course) for the admin's status."""
    total = session.scalar(select(func.count(TrainingModule.id)).where(
        TrainingModule.program_id == program.id)) or 0
    return _mentor_done_counts(session, program), total


def training_gaps(session: Session, program: Program) -> tuple[dict[int, int], int]:
    """Active mentors who haven't finished the course (person id -> modules done), and the
    course's size. Empty when the program doesn't require training or has no modules."""
    if not requires_training(session, program):
        return {}, 0
    counts, total = mentor_completion(session, program)
    return {pid: done for pid, done in counts.items() if done < total}, total


def mentors_in_training(session: Session, program: Program) -> set[int]:
    """Active mentors to leave out of matching until they finish the course."""
    return set(training_gaps(session, program)[0])
