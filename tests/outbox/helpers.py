"""Builders shared by the outbox tests: Slack people, queued DMs, and outbox reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.clock import FakeClock
from core.models import OutboxMessage, OutboxStatus, Person
from core.outbox import enqueue_dm
from core.ui import Message
from tests.factories import seed


def slack_people(sessions: sessionmaker[Session], count: int) -> dict[str, int]:
    """``count`` Slack people U1..Un in workspace T1; returns user id -> person id."""
    people = [(f"Person {i}", f"U{i}") for i in range(1, count + 1)]
    return seed(sessions, platform="slack", tenant="T1", programs=[], people=people)["people"]


def queue_dms(sessions: sessionmaker[Session], people: dict[str, int],
              per_person: int = 1, tag: str = "dm") -> list[str]:
    """Queue ``per_person`` DMs to each person, round-robin; each text is its unique key."""
    keys = []
    with sessions() as s, s.begin():
        for round_ in range(per_person):
            for user_id, person_id in people.items():
                key = f"{tag}:{user_id}:{round_}"
                person = s.get(Person, person_id)
                assert person is not None
                assert enqueue_dm(s, person, Message(key), key) is not None
                keys.append(key)
    return keys


def rows(sessions: sessionmaker[Session]) -> list[OutboxMessage]:
    """Every outbox row, in id order."""
    with sessions() as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def pending(sessions: sessionmaker[Session]) -> int:
    """How many rows are still pending."""
    return sum(r.status is OutboxStatus.PENDING for r in rows(sessions))


def advancing_sleep(clock: FakeClock):  # type: ignore[no-untyped-def]
    """A sleep for the dispatcher that moves ``clock`` instead of waiting."""

    async def sleep(seconds: float) -> None:
        clock.advance(timedelta(seconds=seconds))

    return sleep


def texts_once(received: Sequence[str], expected: Sequence[str]) -> bool:
    """Every expected text arrived exactly once and nothing else arrived."""
    return sorted(received) == sorted(expected)


def as_utc(value: datetime) -> datetime:
    """A datetime read back from either database, as aware UTC (SQLite returns naive)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
