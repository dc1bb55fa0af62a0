"""The enrollment form for one program, prefilled from an existing enrollment."""

from __future__ import annotations

from typing import Any

from core.i18n import N_
from core.i18n import gettext as _
from core.models import Enrollment, Program, Role
from core.ui import FieldErrors, FieldKind, Form, FormField, Option

FORM_ID = "enroll"
GOALS_MAX = 500
CAPACITY_MAX = 5
AVAILABILITY = {
    "mornings": N_("Mornings"),
    "afternoons": N_("Afternoons"),
    "flexible": N_("Flexible"),
}
DEFAULT_SKILLS = [
    "Leadership", "Communication", "Career growth", "Negotiation", "Public speaking",
    "Strategy", "Product thinking", "Data analysis", "People management", "Time management",
]


def _options(items: list[str]) -> list[Option]:
    return [Option(value=s, label=s) for s in items]


def enrollment_form(program: Program, existing: Enrollment | None = None) -> Form:
    """The dialog that asks role, skills, goals, capacity and availability."""
    skills = _options(program.skills or DEFAULT_SKILLS)
    e = existing
    return Form(
        form_id=FORM_ID,
        title=_("Join a program")[:24],
        submit_label=_("Update") if e else _("Enroll"),
        intro=f"*{program.name}*" + (f"\n{program.description}" if program.description else ""),
        context=str(program.id),
        fields=[
            FormField(
                "role", _("I want to join as"), FieldKind.SINGLE_SELECT, required=True,
                options=[Option(Role.MENTEE.value, _("Mentee (I want to learn)")),
                         Option(Role.MENTOR.value,
                                _("Mentor (I want to help others grow)"))],
                initial=e.role.value if e else None,
            ),
            FormField(
                "skills_offered", _("Skills I can share"), FieldKind.MULTI_SELECT, options=skills,
                initial=list(e.skills_offered) if e else None,
                hint=_("Mentors: pick at least one."),
            ),
            FormField(
                "skills_wanted", _("Skills I want to learn"), FieldKind.MULTI_SELECT,
                options=skills,
                initial=list(e.skills_wanted) if e else None, hint=_("Mentees: pick at least one."),
            ),
            FormField(
                "goals", _("My development goals"), FieldKind.LONG_TEXT, max_length=GOALS_MAX,
                initial=e.goals if e and e.goals else None,
                placeholder=_("What would you like to be better at in six months?"),
            ),
            FormField(
                "capacity", _("Mentees I can take on"), FieldKind.NUMBER, min_value=1,
                max_value=CAPACITY_MAX, initial=e.capacity if e else 1, hint=_("Mentors only."),
            ),
            FormField(
                "availability", _("When I can usually meet"), FieldKind.SINGLE_SELECT,
                required=True, options=[Option(k, _(v)) for k, v in AVAILABILITY.items()],
                initial=e.availability if e and e.availability in AVAILABILITY else None,
            ),
        ],
    )


def role_errors(values: dict[str, Any]) -> FieldErrors:
    """Rules across fields: a mentor shares a skill, a mentee wants one."""
    if values.get("role") == Role.MENTOR.value and not values.get("skills_offered"):
        return {"skills_offered": _("Pick at least one skill you can share.")}
    if values.get("role") == Role.MENTEE.value and not values.get("skills_wanted"):
        return {"skills_wanted": _("Pick at least one skill you want to learn.")}
    return {}
