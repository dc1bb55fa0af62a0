"""Three real `mentorbot serve` processes on one PostgreSQL deliver one outbox to a fake Slack
with Slack's limits: nothing lost, nothing twice, nobody's messages out of order."""

from __future__ import annotations

import pytest

from bot.bench.replicas import run_replicas_benchmark
from tests.conftest import PG_URL

# Real processes run on the real clock; nothing here depends on the date or the hour.
pytestmark = [pytest.mark.wall_clock,
              pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")]


@pytest.mark.parametrize("slow_ms", [0, 300])
def test_three_replicas_deliver_everything_once_in_order_within_the_limit(slow_ms: int) -> None:
    figures = run_replicas_benchmark(PG_URL, replicas=3, messages=150, channels=50,
                                     slow_ms=slow_ms, tick_seconds=0.5, deadline=120)
    assert figures["rows_pending"] == 0 and figures["rows_sent"] == 150
    assert (figures["duplicates"], figures["lost"], figures["out_of_order_pairs"]) == (0, 0, 0)
    assert figures["per_100_messages_429"] <= 1.0
