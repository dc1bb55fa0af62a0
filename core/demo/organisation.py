"""A sample organisation so a newcomer has something to try: people, managers and two programs."""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from core.admin.rights import grant
from core.db import today_of
from core.enrollment.form import DEFAULT_SKILLS
from core.identity import get_or_create_workspace
from core.models import (
    Enrollment,
    EnrollmentStatus,
    Person,
    Platform,
    PlatformIdentity,
    Program,
    ProgramKind,
    ProgramPurpose,
    ProgramStatus,
    ProtectedAttribute,
    Role,
    TrainingCompletion,
    TrainingModule,
)
from core.training import attach_starter

DEMO_TENANT = "demo"
# Synthetic, for showing the fairness audit; real ones come from the HRIS and stay in their table.
PROTECTED_COLUMNS = ("gender", "age_band")
# Most demo mentors have finished the starter course; the rest show the preview's hold-back.
TRAINED_SHARE = 0.8
# The demo's program admin, so admin commands work out of the box (README names her).
DEMO_ADMIN_EMAIL = "fatima.okoro@example.com"


@dataclass(frozen=True)
class DemoSummary:
    people: int
    programs: int
    enrollments: int


def has_people(engine: Engine) -> bool:
    """Whether any person exists yet, so `make run` loads the demo only once."""
    with Session(engine) as session:
        return session.scalar(select(Person.id).limit(1)) is not None


def demo_rows() -> list[dict[str, str]]:
    """The shipped sample HRIS export."""
    text = resources.files("core.demo").joinpath("demo_people.csv").read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


DEMO_PROGRAMS = [
    dict(name="Leadership 1:1", kind=ProgramKind.ONE_ON_ONE, purpose=ProgramPurpose.LEADERSHIP,
         description="Six months with a senior leader, meeting every two weeks.",
         cadence_days=14, duration_weeks=26, training_required=True),
    dict(name="Peer circles", kind=ProgramKind.GROUP, purpose=ProgramPurpose.GENERAL,
         description="Small groups of four who learn from each other.", cadence_days=14,
         duration_weeks=12, group_size=4),
]


def load_demo(session: Session, *, platform: str = "webchat", tenant_id: str = DEMO_TENANT,
              enrollments: int = 60) -> DemoSummary:
    """Load the sample organisation into a workspace; running it again adds nothing."""
    ws = get_or_create_workspace(session, platform, tenant_id, "Demo Co")
    existing = set(session.scalars(select(Person.email).where(Person.workspace_id == ws.id)))
    by_employee: dict[str, Person] = {}
    rows = demo_rows()
    added = 0
    for row in rows:
        if row["email"] in existing:
            person = session.scalar(
                select(Person).where(Person.workspace_id == ws.id, Person.email == row["email"]))
        else:
            person = Person(
                workspace_id=ws.id, external_id=row["employee_id"], name=row["name"],
                email=row["email"], title=row["title"], department=row["department"],
                level=int(row["level"]), location=row["location"], timezone=row["timezone"],
                hire_date=date.fromisoformat(row["hire_date"]),
                skills=[s for s in row["skills"].split(";") if s],
            )
            session.add(person)
            added += 1
        by_employee[row["employee_id"]] = person  # type: ignore[assignment]
    session.flush()
    for row in rows:
        person = by_employee[row["employee_id"]]
        if row["manager_id"]:
            person.manager_id = by_employee[row["manager_id"]].id
        if row["email"] not in existing and platform == "webchat":
            # The demo identity is the email, so the web chat can act as anyone. In a real
            # Slack or Teams workspace people are linked by email when they first use the bot.
            session.add(PlatformIdentity(person_id=person.id, platform=Platform(platform),
                                         tenant_id=tenant_id, user_id=row["email"]))
        if row["email"] not in existing:
            for column in PROTECTED_COLUMNS:
                if row.get(column):
                    session.add(ProtectedAttribute(person_id=person.id, attribute=column,
                                                   value=row[column]))
    admin = next((by_employee[r["employee_id"]] for r in rows
                  if r["email"] == DEMO_ADMIN_EMAIL), None)
    if admin is not None and DEMO_ADMIN_EMAIL not in existing and platform == "webchat":
        # On first load only (a revoke made in chat since is kept), and in the web chat only:
        # in a real workspace admins are real people, named by ADMIN_EMAILS.
        grant(session, admin)
    programs = _programs(session, ws.id)
    enrolled = _sample_enrollments(session, programs[0], list(by_employee.values()), enrollments)
    session.flush()
    _training(session, programs[0])
    return DemoSummary(people=added, programs=len(programs), enrollments=enrolled)


def _programs(session: Session, workspace_id: int) -> list[Program]:
    out = []
    for spec in DEMO_PROGRAMS:
        prog = session.scalar(
            select(Program).where(Program.workspace_id == workspace_id,
                                  Program.name == spec["name"]))
        if prog is None:
            prog = Program(workspace_id=workspace_id, status=ProgramStatus.OPEN,
                           skills=list(DEFAULT_SKILLS),
                           enrollment_closes=today_of(session) + timedelta(days=30), **spec)
            session.add(prog)
        out.append(prog)
    session.flush()
    return out


def _sample_enrollments(session: Session, program: Program, people: list[Person],
                        count: int) -> int:
    """A deterministic sample: seniors mentor, juniors learn, so matching has data to chew on."""
    if session.scalar(select(Enrollment.id).where(Enrollment.program_id == program.id).limit(1)):
        return 0
    rng = random.Random(42)
    seniors = [p for p in people if (p.level or 0) >= 4]
    juniors = [p for p in people if (p.level or 0) <= 3]
    mentors = rng.sample(seniors, min(len(seniors), count // 3))
    mentees = rng.sample(juniors, min(len(juniors), count - len(mentors)))
    for p in mentors:
        session.add(Enrollment(person_id=p.id, program_id=program.id, role=Role.MENTOR,
                               skills_offered=list(p.skills), capacity=rng.choice([1, 2]),
                               availability=rng.choice(["mornings", "afternoons", "flexible"])))
    for p in mentees:
        wanted = rng.sample(DEFAULT_SKILLS, 2)
        session.add(Enrollment(person_id=p.id, program_id=program.id, role=Role.MENTEE,
                               skills_wanted=wanted, goals=f"Grow in {wanted[0].lower()}.",
                               availability=rng.choice(["mornings", "afternoons", "flexible"])))
    return len(mentors) + len(mentees)


def _training(session: Session, program: Program) -> None:
    """The starter course on the program, finished by a deterministic ~80% of its mentors (the
    others part-way through), so the matching preview shows a few held back."""
    attach_starter(session, program)
    modules = session.scalars(select(TrainingModule).where(
        TrainingModule.program_id == program.id).order_by(TrainingModule.position)).all()
    ids = [m.id for m in modules]
    if session.scalar(select(TrainingCompletion.id).where(
            TrainingCompletion.module_id.in_(ids)).limit(1)):
        return  # loaded before: keep whatever progress people have made since
    mentors = sorted(session.scalars(select(Enrollment.person_id).where(
        Enrollment.program_id == program.id, Enrollment.role == Role.MENTOR,
        Enrollment.status == EnrollmentStatus.ACTIVE)).all())
    rng = random.Random(7)
    rng.shuffle(mentors)
    trained = round(len(mentors) * TRAINED_SHARE)
    for i, person_id in enumerate(mentors):
        done = len(ids) if i < trained else rng.randrange(len(ids))
        for module_id in ids[:done]:
            session.add(TrainingCompletion(module_id=module_id, person_id=person_id))
    session.flush()
