"""One person as the HR system describes them, before it touches the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.i18n import N_
from core.i18n import gettext as _


@dataclass(frozen=True)
class PersonRecord:
    """The HRIS fields Mentorbot keeps; ``external_id`` is the HR system's employee id."""

    external_id: str
    name: str
    email: str
    title: str = ""
    department: str = ""
    level: int | None = None
    manager_external_id: str | None = None
    location: str = ""
    timezone: str = "UTC"
    hire_date: date | None = None
    active: bool = True
    # When the file says so: the day they left, and the day their current level took effect.
    # Without them a change is dated the day it is seen.
    left_on: date | None = None
    level_since: date | None = None


# The people columns' lengths: PostgreSQL refuses longer values, so imports check them first.
MAX_LENGTHS = {"external_id": 64, "name": 200, "email": 320, "title": 200, "department": 120,
               "location": 120, "timezone": 64, "manager_external_id": 64}
# Levels are small numbers (1-20 in every HRIS we know); the column is an integer.
MAX_LEVEL = 999


# A field as an import's refusal names it, in the reader's language.
FIELD_NAMES = {"external_id": N_("employee id"), "name": N_("name"), "email": N_("email"),
               "title": N_("title"), "department": N_("department"),
               "location": N_("location"), "timezone": N_("time zone"),
               "manager_external_id": N_("manager's employee id")}


def field_name(name: str) -> str:
    return _(FIELD_NAMES[name]) if name in FIELD_NAMES else name.replace("_", " ")


def too_long(record: PersonRecord) -> str | None:
    """A sentence naming the first field longer than its column, or None."""
    for name, limit in MAX_LENGTHS.items():
        value = getattr(record, name)
        if value and len(value) > limit:
            return _("{field} is longer than {n} characters").format(field=field_name(name),
                                                                    n=limit)
    return None
