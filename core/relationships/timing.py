"""When a message may reach a person: weekdays, daytime, in their own timezone."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

NUDGE_HOUR = 10
# A message may land between these local hours on a weekday, never at night or a weekend.
DAY_START, DAY_END = 8, 20
# A planned message whose 10:00 slot was missed (the bot was down) waits for the next day
# rather than arriving late in the afternoon.
LATE_AFTER_HOURS = 3


def zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def is_daytime(now: datetime, tz: str) -> bool:
    """A weekday between DAY_START and DAY_END, local time."""
    local = now.astimezone(zone(tz))
    return local.weekday() < 5 and DAY_START <= local.hour < DAY_END


def slot_on_or_after(moment: datetime, tz: str, hour: int = NUDGE_HOUR) -> datetime:
    """The first weekday ``hour``:00 local at or after ``moment``, as an aware datetime."""
    z = zone(tz)
    local = moment.astimezone(z)
    day = local.date()
    while True:
        slot = datetime.combine(day, time(hour), z)
        if slot >= local and slot.weekday() < 5:
            return slot
        day += timedelta(days=1)


def sendable(now: datetime, event: datetime, tz: str, *, catch_up: bool = False,
             hour: int = NUDGE_HOUR) -> bool:
    """Whether a message about ``event`` may go now: inside the first weekday ``hour``:00
    local slot on or after it (a window of LATE_AFTER_HOURS). With ``catch_up`` (surveys,
    graduation) any later weekday slot will do; a nudge or check-in whose slot passed (while
    paused, or while the bot was down) is stale and skipped."""
    slot = slot_on_or_after(event, tz, hour)
    if now < slot:
        return False
    if not catch_up:
        return now < slot + timedelta(hours=LATE_AFTER_HOURS)
    local = now.astimezone(zone(tz))
    return local.weekday() < 5 and hour <= local.hour < hour + LATE_AFTER_HOURS


def period_index(start: datetime, now: datetime, cadence_days: int) -> int:
    """Which cadence period ``now`` falls in, counting from the match's start (0-based)."""
    return int((now - start) // timedelta(days=max(cadence_days, 1)))


def period_start(start: datetime, k: int, cadence_days: int) -> datetime:
    return start + timedelta(days=max(cadence_days, 1) * k)


def next_shared_daytime(now: datetime, timezones: Iterable[str],
                        horizon: timedelta = timedelta(days=8)) -> datetime | None:
    """The first moment at or after ``now`` when it is a weekday daytime (``is_daytime``) in
    every one of ``timezones``; None if there is none within ``horizon`` (zones too far apart).

    Such a moment is ``now`` or the start of some zone's working day, so only those are tried.
    """
    zones = sorted(set(timezones)) or ["UTC"]
    if all(is_daytime(now, tz) for tz in zones):
        return now
    candidates = set()
    for tz in zones:
        z = zone(tz)
        day = now.astimezone(z).date()
        for offset in range(horizon.days + 1):
            start = datetime.combine(day + timedelta(days=offset), time(DAY_START), z)
            if now < start <= now + horizon:
                candidates.add(start)
    return next((c for c in sorted(candidates)
                 if all(is_daytime(c, tz) for tz in zones)), None)
