"""Bulk enrollment from a spreadsheet export: every row validated like the form, all or nothing."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.enrollment.form import enrollment_form, role_errors
from core.enrollment.programs import find_program
from core.models import Person, Program, Workspace
from core.ui import validate

REQUIRED_COLUMNS = {"email", "program", "role"}


@dataclass
class BulkResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def _split(cell: str | None) -> list[str]:
    return [s.strip() for s in (cell or "").replace(",", ";").split(";") if s.strip()]


def import_enrollments(session: Session, workspace: Workspace, text: str,
                       progress: Callable[[int], None] | None = None) -> BulkResult:
    """Enroll people from CSV text; on any bad row nothing is written and every error is listed.

    Columns: email, program, role, skills_offered, skills_wanted (``;``-separated), goals,
    capacity, availability. The caller owns the transaction and must roll back on errors.
    """
    from core.enrollment.dialog import upsert_enrollment

    reader = csv.DictReader(io.StringIO(text))
    missing = REQUIRED_COLUMNS - set(reader.fieldnames or [])
    result = BulkResult()
    if missing:
        result.errors.append(f"line 1: missing column(s): {', '.join(sorted(missing))}")
        return result
    programs: dict[str, Program | None] = {}
    for row in reader:
        line = reader.line_num
        email = (row.get("email") or "").strip().lower()
        person = session.scalar(select(Person).where(
            Person.workspace_id == workspace.id, func.lower(Person.email) == email))
        if person is None:
            result.errors.append(f"line {line}: no person with email “{email}”")
            continue
        name = (row.get("program") or "").strip()
        if name not in programs:
            programs[name] = find_program(session, person, name)
        program = programs[name]
        if program is None:
            result.errors.append(f"line {line}: no program called “{name}”")
            continue
        values = {"role": (row.get("role") or "").strip().lower(),
                  "skills_offered": _split(row.get("skills_offered")),
                  "skills_wanted": _split(row.get("skills_wanted")),
                  "goals": row.get("goals") or "", "capacity": row.get("capacity") or "1",
                  "availability": (row.get("availability") or "flexible").strip().lower()}
        clean, errors = validate(enrollment_form(program), values)
        errors = errors or role_errors(clean)
        if errors:
            detail = "; ".join(f"{k}: {v}" for k, v in errors.items())
            result.errors.append(f"line {line}: {detail}")
            continue
        _, changed, updated = upsert_enrollment(session, person, program, clean)
        if not changed:
            result.unchanged += 1
        elif updated:
            result.updated += 1
        else:
            result.created += 1
        if progress:
            progress(1)
    return result
