"""What HRIS updates leave behind for outcome reports: level changes and leaving dates.

Reports measure retention and promotion against history, and an HRIS sync only ever shows
the present, so each sync records the differences it sees: dated by the file's termination
and level-effective dates when it has them, else the day it saw them (SCIM: the day it is
told).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import LevelChange, Person


def record_level(session: Session, person: Person, new_level: int | None, on: date) -> bool:
    """Write a LevelChange when ``new_level`` differs from the person's stored level.

    Call before the new level is stored. Returns whether a row was written. A person without
    an id yet (just created) has no history to change, so nothing is written for them.
    """
    if person.id is None or person.level == new_level:
        return False
    session.add(LevelChange(person_id=person.id, from_level=person.level, to_level=new_level,
                            changed_on=on))
    return True


def redate_level(session: Session, person: Person, level: int | None, on: date) -> bool:
    """The file dates the person's current level: the change that reached it, recorded on the
    day an import first saw it, takes the HR system's effective date instead."""
    if person.id is None or level is None or person.level != level:
        return False
    last = session.scalar(select(LevelChange).where(LevelChange.person_id == person.id)
                          .order_by(LevelChange.id.desc()).limit(1))
    if last is None or last.to_level != level or last.changed_on == on:
        return False
    last.changed_on = on
    return True


def mark_left(person: Person, on: date) -> None:
    """Remember the day someone left; an earlier date already recorded wins."""
    if person.left_on is None:
        person.left_on = on


def mark_returned(person: Person) -> None:
    """A reactivated person is employed again: their old leaving date no longer applies."""
    person.left_on = None
