"""`mentorbot import people`: an HRIS export in, a diff out, all or nothing, idempotent."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.admin.invitations import auto_invite, onboarding_programs
from core.hris.people import apply_record, deactivate, link_managers
from core.hris.records import MAX_LEVEL, PersonRecord, field_name, too_long
from core.i18n import N_, ngettext
from core.i18n import gettext as _
from core.identity_merge import MergeRefused
from core.models import Person, Workspace

# canonical field -> the export's column, or several columns joined by a space.
Mapping = dict[str, str | list[str]]

PRESETS: dict[str, Mapping] = {
    "mentorbot": {"external_id": "employee_id", "name": "name", "email": "email",
                  "title": "title", "department": "department", "level": "level",
                  "manager_external_id": "manager_id", "location": "location",
                  "timezone": "timezone", "hire_date": "hire_date", "active": "active",
                  "termination_date": "termination_date",
                  "level_effective_date": "level_effective_date"},
    "workday": {"external_id": "Employee ID", "name": "Worker", "email": "Email - Work",
                "title": "Business Title", "department": "Supervisory Organization",
                "level": "Management Level", "manager_external_id": "Manager Employee ID",
                "location": "Location", "timezone": "Time Zone", "hire_date": "Hire Date",
                "active": "Worker Status", "termination_date": "Termination Date",
                "level_effective_date": "Effective Date"},
    "bamboohr": {"external_id": "Employee #", "name": ["First Name", "Last Name"],
                 "email": "Work Email", "title": "Job Title", "department": "Department",
                 "level": "Job Level", "manager_external_id": "Supervisor EID",
                 "location": "Location", "timezone": "Time Zone", "hire_date": "Hire Date",
                 "active": "Status", "termination_date": "Termination Date",
                 "level_effective_date": "Job Information: Date"},
    "hibob": {"external_id": "Employee ID", "name": "Display name", "email": "Email",
              "title": "Job title", "department": "Department", "level": "Grade",
              "manager_external_id": "Reports to ID", "location": "Site",
              "timezone": "Time zone", "hire_date": "Start date", "active": "Lifecycle status",
              "termination_date": "Termination date", "level_effective_date": "Effective date"},
}
REQUIRED = ("external_id", "name", "email")
INACTIVE = {"false", "0", "no", "inactive", "terminated", "left", "employed: no", "n"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y")


@dataclass
class ImportResult:
    """The diff an import makes (or would make, on a dry run), and why it refused."""

    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _cell(row: dict[str, str], source: str | list[str]) -> str:
    if isinstance(source, list):
        return " ".join((row.get(c) or "").strip() for c in source).strip()
    return (row.get(source) or "").strip()


# The refusals below are read by whoever imports (the admin page, the CLI): in their language.
HIRE_DATE, TERMINATION_DATE = N_("hire date"), N_("termination date")
LEVEL_DATE = N_("level effective date")


def _date(text: str, what: str = HIRE_DATE) -> date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("{field} “{value}” is not a date").format(field=_(what),
                                                                 value=text[:40]))


def parse_row(row: dict[str, str], mapping: Mapping) -> PersonRecord:
    """One export row as a record; raises ValueError with a reason a person can act on."""
    get = {k: _cell(row, v) for k, v in mapping.items()}
    for key in REQUIRED:
        if not get.get(key):
            raise ValueError(_("{field} is empty").format(field=field_name(key)))
    if not _EMAIL.match(get["email"]):
        raise ValueError(_("email “{value}” is not an email address").format(
            value=get["email"]))
    # ASCII digits only, and a small number: the column is an integer.
    digits = re.sub(r"[^0-9]", "", get.get("level", ""))
    if len(digits) > len(str(MAX_LEVEL)):
        raise ValueError(_("level “{value}” is not a level").format(value=get["level"][:20]))
    record = PersonRecord(
        external_id=get["external_id"], name=get["name"], email=get["email"].lower(),
        title=get.get("title", ""), department=get.get("department", ""),
        level=int(digits) if digits else None,
        manager_external_id=get.get("manager_external_id") or None,
        location=get.get("location", ""), timezone=get.get("timezone") or "UTC",
        hire_date=_date(get["hire_date"]) if get.get("hire_date") else None,
        active=get.get("active", "").lower() not in INACTIVE,
        left_on=_date(get["termination_date"], TERMINATION_DATE)
        if get.get("termination_date") else None,
        level_since=_date(get["level_effective_date"], LEVEL_DATE)
        if get.get("level_effective_date") else None)
    if problem := too_long(record):
        raise ValueError(problem)
    return record


def import_people(session: Session, workspace: Workspace, text: str, mapping: Mapping, *,
                  now: datetime, deactivate_missing: bool = True,
                  progress: Callable[[int], None] | None = None) -> ImportResult:
    """Apply an export to the workspace. The caller owns the transaction: on ``errors`` it
    must roll back (nothing is written before every row has parsed)."""
    result = ImportResult()
    try:
        return _import(session, workspace, text, mapping, now=now,
                       deactivate_missing=deactivate_missing, progress=progress)
    except csv.Error as exc:
        # A stray carriage return or NUL inside a field: say where, change nothing.
        result.errors.append(_("the file is not CSV we can read: {problem}").format(
            problem=exc))
        return result


def _import(session: Session, workspace: Workspace, text: str, mapping: Mapping, *,
            now: datetime, deactivate_missing: bool,
            progress: Callable[[int], None] | None) -> ImportResult:
    result = ImportResult()
    reader = csv.DictReader(io.StringIO(text))
    columns = set(reader.fieldnames or [])
    needed = {c for k in REQUIRED for c in ([mapping[k]] if isinstance(mapping.get(k), str)
                                            else mapping.get(k) or [])}
    if missing := sorted(needed - columns):
        result.errors.append(ngettext("line 1: missing column: {columns}",
                                      "line 1: missing columns: {columns}",
                                      len(missing)).format(columns=", ".join(missing)))
        return result
    records: list[PersonRecord] = []
    seen: dict[str, int] = {}
    emails: dict[str, int] = {}
    for row in reader:
        try:
            rec = parse_row(row, mapping)
        except ValueError as exc:
            result.errors.append(_("line {line}: {problem}").format(line=reader.line_num,
                                                                     problem=exc))
            continue
        if rec.external_id in seen:
            result.errors.append(_("line {line}: employee id “{value}” repeats line {first}")
                                 .format(line=reader.line_num, value=rec.external_id,
                                         first=seen[rec.external_id]))
            continue
        if rec.email in emails:
            result.errors.append(_("line {line}: email “{value}” repeats line {first}").format(
                line=reader.line_num, value=rec.email, first=emails[rec.email]))
            continue
        seen[rec.external_id] = emails[rec.email] = reader.line_num
        records.append(rec)
    if result.errors:
        return result
    everyone = session.scalars(select(Person).where(Person.workspace_id == workspace.id)).all()
    by_id = {p.external_id: p for p in everyone if p.external_id}
    by_email = {p.email.lower(): p for p in everyone if p.email}
    before = {p.id: p.manager_id for p in everyone}
    applied: list[tuple[Person, PersonRecord]] = []
    for rec in records:
        existing = by_id.get(rec.external_id) or by_email.get(rec.email)
        try:
            person, change = apply_record(session, workspace, rec, now=now, existing=existing,
                                          flush=False)
        except MergeRefused as exc:
            # The row's email is held by a record made from chat that can't join this one.
            result.errors.append(_("line {line}: {problem}").format(
                line=seen[rec.external_id], problem=exc))
            return result
        applied.append((person, rec))
        if change == "unchanged":
            result.unchanged += 1
        else:
            getattr(result, change if change != "deactivated" else "deactivated").append(
                f"{rec.name} <{rec.email}>")
        if progress:
            progress(1)
    if deactivate_missing:
        for person in session.scalars(select(Person).where(
                Person.workspace_id == workspace.id, Person.active.is_(True),
                Person.external_id.is_not(None), Person.external_id.not_in(list(seen)))):
            deactivate(session, person, now=now)
            result.deactivated.append(_("{name} <{email}> (not in the export)").format(
                name=person.name, email=person.email))
    session.flush()
    onboarding = onboarding_programs(session, workspace.id)
    if onboarding:
        fresh = set(result.new + result.changed)
        for person, _rec in applied:
            if f"{person.name} <{person.email}>" in fresh:
                auto_invite(session, person, now=now, programs=onboarding)
    result.warnings += link_managers(
        session, workspace, {p.id: rec.manager_external_id for p, rec in applied})
    listed = set(result.new + result.changed + result.deactivated)
    for person, _rec in applied:
        label = f"{person.name} <{person.email}>"
        if person.id in before and person.manager_id != before[person.id] and label not in listed:
            result.changed.append(label)  # a new manager is a change too
            result.unchanged -= 1
    return result
