"""What HRIS updates leave behind for outcome reports: level changes and leaving dates.

Reports measure retention and promotion against history, and an HRIS sync only ever shows
the present, so each sync records the differences it sees, dated the day it saw them.
"""

from __future__ import annotations

from datetime import date

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


def mark_left(person: Person, on: date) -> None:
    """Remember the day someone left; an earlier date already recorded wins."""
    if person.left_on is None:
        person.left_on = on


def mark_returned(person: Person) -> None:
    """A reactivated person is employed again: their old leaving date no longer applies."""
    person.left_on = None
