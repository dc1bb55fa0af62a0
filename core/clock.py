"""Time as a dependency: production reads the system clock, tests move a fake one."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        self._now = start if start.tzinfo else start.replace(tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, when: datetime) -> None:
        self._now = when


class RunningClock:
    """A clock that starts at a chosen instant and then runs at real speed.

    For work paced against something that measures real elapsed time (a rate-limited API),
    while the date and hour stay those the caller chose.
    """

    def __init__(self, start: datetime) -> None:
        self._start = start if start.tzinfo else start.replace(tzinfo=UTC)
        self._t0 = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._t0)
