"""Programs from chat (and the admin page): templates, the program form, open/close/list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.admin.audit import record
from core.enrollment.form import DEFAULT_SKILLS
from core.i18n import N_
from core.i18n import gettext as _
from core.ids import get_by_id
from core.models import (
    Enrollment,
    EnrollmentStatus,
    Person,
    Program,
    ProgramKind,
    ProgramPurpose,
    ProgramStatus,
    Workspace,
)
from core.ui import FieldKind, Form, FormField, Option, validate

FORM_ID = "program"


@dataclass(frozen=True)
class Template:
    key: str
    label: str
    values: dict[str, Any]


TEMPLATES = [
    Template("leadership", N_("Leadership 1:1 (6 months, every 2 weeks)"),
             dict(kind="one_on_one", purpose="leadership", cadence_days=14, duration_weeks=26,
                  group_size=1, invite_only=False)),
    Template("high_potential", N_("High-potential (invite-only)"),
             dict(kind="one_on_one", purpose="high_potential", cadence_days=14,
                  duration_weeks=26, group_size=1, invite_only=True)),
    Template("onboarding", N_("New-leader onboarding (reverse option, 90 days)"),
             dict(kind="reverse", purpose="onboarding", cadence_days=14, duration_weeks=13,
                  group_size=1, invite_only=True, auto_invite_hired_within_days=30)),
    Template("peer_circles", N_("Peer circles (groups of 4)"),
             dict(kind="group", purpose="general", cadence_days=14, duration_weeks=12,
                  group_size=4, invite_only=False)),
]
KIND_LABELS = {"one_on_one": N_("One-on-one"), "group": N_("Group"), "peer": N_("Peer"),
               "reverse": N_("Reverse")}
PURPOSE_LABELS = {"leadership": N_("Leadership"), "high_potential": N_("High-potential"),
                  "onboarding": N_("Onboarding"), "general": N_("General")}


def template(key: str) -> Template | None:
    return next((t for t in TEMPLATES if t.key == key), None)


def _lines(text: str | None) -> list[str]:
    parts = (text or "").replace(",", "\n").splitlines()
    return [p.strip() for p in parts if p.strip()]


def program_form(*, context: str, program: Program | None = None,
                 defaults: dict[str, Any] | None = None) -> Form:
    """Create (``context`` "new:<template>") or edit (``context`` = the program id)."""
    d = dict(defaults or {})
    if program is not None:
        d = dict(name=program.name, description=program.description, kind=program.kind.value,
                 purpose=program.purpose.value, invite_only=program.invite_only,
                 opens=program.enrollment_opens, closes=program.enrollment_closes,
                 cadence_days=program.cadence_days, duration_weeks=program.duration_weeks,
                 group_size=program.group_size, skills=", ".join(program.skills),
                 agenda=program.agenda)
    return Form(FORM_ID, _("Edit program") if program else _("New program"), [
        FormField("name", _("Name"), FieldKind.SHORT_TEXT, required=True, max_length=120,
                  initial=d.get("name")),
        FormField("description", _("Description"), FieldKind.LONG_TEXT, max_length=1000,
                  initial=d.get("description")),
        FormField("kind", _("Kind"), FieldKind.SINGLE_SELECT, required=True,
                  options=[Option(k, _(v)) for k, v in KIND_LABELS.items()],
                  initial=d.get("kind", "one_on_one")),
        FormField("purpose", _("Purpose"), FieldKind.SINGLE_SELECT, required=True,
                  options=[Option(k, _(v)) for k, v in PURPOSE_LABELS.items()],
                  initial=d.get("purpose", "general")),
        FormField("invite_only", _("Invite-only"), FieldKind.CHECKBOX,
                  initial=bool(d.get("invite_only"))),
        FormField("opens", _("Enrollment opens"), FieldKind.DATE,
                  initial=d["opens"].isoformat() if d.get("opens") else None),
        FormField("closes", _("Enrollment closes"), FieldKind.DATE,
                  initial=d["closes"].isoformat() if d.get("closes") else None),
        FormField("cadence_days", _("Meet every (days)"), FieldKind.NUMBER, required=True,
                  min_value=7, max_value=60, initial=d.get("cadence_days", 14)),
        FormField("duration_weeks", _("Duration (weeks)"), FieldKind.NUMBER, required=True,
                  min_value=1, max_value=104, initial=d.get("duration_weeks", 26)),
        FormField("group_size", _("Group size (mentees per mentor in group programs)"),
                  FieldKind.NUMBER, required=True, min_value=1, max_value=10,
                  initial=d.get("group_size", 1)),
        FormField("skills", _("Skills (comma-separated)"), FieldKind.LONG_TEXT, max_length=2000,
                  initial=d.get("skills") or ", ".join(DEFAULT_SKILLS)),
        FormField("agenda", _("First-meeting agenda (one item per line)"), FieldKind.LONG_TEXT,
                  max_length=2000, initial=d.get("agenda")),
    ], submit_label=_("Save") if program else _("Create"), context=context)


def check(clean: dict[str, Any], session: Session, workspace_id: int,
          program: Program | None) -> dict[str, str]:
    """Rules across fields: a unique name, a window that ends after it starts, some skills."""
    errors = {}
    name = clean.get("name")
    clash = session.scalar(select(Program.id).where(
        Program.workspace_id == workspace_id, func.lower(Program.name) == name.lower())) \
        if isinstance(name, str) and name else None
    if clash is not None and (program is None or clash != program.id):
        errors["name"] = _("A program with this name exists already.")
    opens, closes = clean.get("opens"), clean.get("closes")
    if isinstance(opens, date) and isinstance(closes, date) and closes < opens:
        errors["closes"] = _("Enrollment must close after it opens.")
    if not _lines(clean.get("skills")):
        errors["skills"] = _("List at least one skill people can offer or learn.")
    return errors


def save(session: Session, workspace: Workspace | int, clean: dict[str, Any],
         program: Program | None = None, extra: dict[str, Any] | None = None) -> Program:
    """Create a draft program, or update one, from validated form values."""
    ws_id = workspace if isinstance(workspace, int) else workspace.id
    values = dict(
        name=clean["name"], description=clean.get("description") or "",
        kind=ProgramKind(clean["kind"]), purpose=ProgramPurpose(clean["purpose"]),
        invite_only=bool(clean.get("invite_only")), enrollment_opens=clean.get("opens"),
        enrollment_closes=clean.get("closes"), cadence_days=int(clean["cadence_days"]),
        duration_weeks=int(clean["duration_weeks"]), group_size=int(clean["group_size"]),
        skills=_lines(clean.get("skills")), agenda=clean.get("agenda") or "", **(extra or {}))
    if program is None:
        program = Program(workspace_id=ws_id, status=ProgramStatus.DRAFT, **values)
        session.add(program)
    else:
        for k, v in values.items():
            setattr(program, k, v)
    session.flush()
    return program


def listing(session: Session, workspace_id: int) -> list[tuple[Program, int]]:
    """Every program with its number of active enrollments."""
    counts = dict(session.execute(
        select(Enrollment.program_id, func.count()).where(
            Enrollment.status == EnrollmentStatus.ACTIVE).group_by(Enrollment.program_id)).all())
    programs = session.scalars(select(Program).where(Program.workspace_id == workspace_id)
                               .order_by(Program.name)).all()
    return [(p, counts.get(p.id, 0)) for p in programs]


@dataclass(frozen=True)
class Submitted:
    """What a program form submission came to: field errors, or the saved program."""

    form: Form
    errors: dict[str, str]
    program: Program | None = None
    created: bool = False


def submit(session: Session, actor: Person, values: dict[str, Any], context: str, *,
           now: datetime, channel: str = "chat") -> Submitted:
    """The one path from a filled program form (chat or web) to a saved, audited program.

    ``context`` is "new:<template>" or a program id.
    """
    program = None
    if context[:1].isdigit():
        program = get_by_id(session, Program, context)
        if program is None or program.workspace_id != actor.workspace_id:
            form = program_form(context=context)
            return Submitted(form, {"name": _("That program no longer exists.")})
    form = program_form(context=context, program=program)
    clean, errors = validate(form, values)
    # Every problem in one round: rules across fields next to each field's own errors.
    errors = {**check(clean, session, actor.workspace_id, program), **errors}
    if errors:
        return Submitted(form, errors)
    chosen = template(context.partition(":")[2]) if program is None else None
    # A template's auto-invite rules are not form fields, but they still apply.
    extra = {k: v for k, v in (chosen.values if chosen else {}).items()
             if k.startswith("auto_invite")}
    saved = save(session, actor.workspace_id, clean, program, extra)
    action = "program edit" if program else "program new"
    record(session, actor, action if channel == "chat" else f"{action} ({channel})", now=now,
           program=saved.name)
    return Submitted(form, {}, saved, created=program is None)
