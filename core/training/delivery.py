"""The daily lesson: one module a day to each mentor still in training, in their daytime."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.language import writing_to
from core.models import (
    Enrollment,
    EnrollmentStatus,
    OutboxMessage,
    Person,
    Program,
    Role,
    TrainingCompletion,
    TrainingModule,
)
from core.outbox import enqueue_dm
from core.outbox.enqueue import latest_identity
from core.relationships.timing import LATE_AFTER_HOURS, NUDGE_HOUR, zone
from core.training import texts
from core.training.progress import Progress

KIND = "training"
# The delivery window is LATE_AFTER_HOURS long each morning, so "not within 20 hours" means
# "not earlier today" without drifting later each day as "24 hours" would.
MIN_GAP = timedelta(hours=20)


def key(person_id: int, module_id: int) -> str:
    """The outbox idempotency key of one module's DM to one person."""
    return f"{KIND}:{person_id}:{module_id}"


def in_window(now: datetime, tz: str) -> bool:
    """A weekday morning from NUDGE_HOUR local, like nudges: never at night or a weekend."""
    local = now.astimezone(zone(tz))
    return local.weekday() < 5 and NUDGE_HOUR <= local.hour < NUDGE_HOUR + LATE_AFTER_HOURS


def deliver_due(session: Session, now: datetime) -> int:
    """Queue the next module for every active mentor in a program that requires training.

    At most one module per person a day, in their local morning; a module already sent is
    not sent again (the mentor can reopen it with `/mentor training`), and nothing is sent
    once the course is finished. A handful of queries whatever the number of mentors.
    Returns how many DMs were queued.
    """
    programs = {p.id: p for p in session.scalars(select(Program).where(
        Program.training_required.is_(True))).all()}
    if not programs:
        return 0
    course: dict[int, list[TrainingModule]] = {}
    for module in session.scalars(select(TrainingModule).where(
            TrainingModule.program_id.in_(list(programs)))
            .order_by(TrainingModule.program_id, TrainingModule.position)):
        course.setdefault(module.program_id, []).append(module)
    if not course:
        return 0
    rows = session.execute(
        select(Enrollment.program_id, Person).join(Person, Person.id == Enrollment.person_id)
        .where(Enrollment.program_id.in_(list(course)), Enrollment.role == Role.MENTOR,
               Enrollment.status == EnrollmentStatus.ACTIVE, Person.active.is_(True))
        .order_by(Enrollment.program_id, Person.id)).all()
    # Only people in their morning can get anything now: the rest cost no further query.
    waiting = [(program_id, person) for program_id, person in rows
               if in_window(now, person.timezone)]
    if not waiting:
        return 0
    ids = list({person.id for _, person in waiting})
    done: dict[int, set[int]] = {}
    for person_id, module_id in session.execute(select(
            TrainingCompletion.person_id, TrainingCompletion.module_id).where(
            TrainingCompletion.person_id.in_(ids))):
        done.setdefault(person_id, set()).add(module_id)
    sent_keys: set[str] = set()
    last_sent: dict[int, datetime] = {}
    for person_id, sent_key, created in session.execute(select(
            OutboxMessage.person_id, OutboxMessage.idempotency_key, OutboxMessage.created_at)
            .where(OutboxMessage.kind == KIND, OutboxMessage.person_id.in_(ids))):
        sent_keys.add(sent_key)
        if person_id not in last_sent or created > last_sent[person_id]:
            last_sent[person_id] = created
    queued = 0
    for program_id, person in waiting:
        if person.id in last_sent and now - last_sent[person.id] < MIN_GAP:
            continue  # already had today's module (perhaps from another program)
        modules = course[program_id]
        finished = done.get(person.id, set())
        upcoming = [m for m in modules if m.id not in finished]
        module = next((m for m in upcoming if key(person.id, m.id) not in sent_keys), None)
        if module is None:
            continue  # finished, or every remaining module was already sent
        identity = latest_identity(session, person.id)
        platform = identity.platform.value if identity else "slack"
        progress = Progress(programs[program_id], len(modules) - len(upcoming), len(modules),
                            upcoming[0], tuple(modules))
        with writing_to(person):
            message = texts.module_message(module, progress, platform,
                                           intro=texts.daily_intro(module, progress))
        if enqueue_dm(session, person, message, key(person.id, module.id), kind=KIND, now=now):
            queued += 1
            last_sent[person.id] = now
    return queued
