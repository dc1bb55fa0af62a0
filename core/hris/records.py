"""One person as the HR system describes them, before it touches the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


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
