"""The real app with the demo organisation loaded, reached in-process over httpx: what the web
chat tests talk to."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from bot.app import create_app
from bot.migrate import upgrade
from bot.settings import Settings
from core.clock import FakeClock
from core.db import make_engine, transaction
from core.demo import load_demo


@asynccontextmanager
async def demo_chat(db_url: str, clock: FakeClock, *, enrollments: int = 0,
                    **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client for the app (``client.app`` is the app) with the demo loaded, ``enrollments``
    of its people enrolled, and ``settings`` on top of the defaults."""
    upgrade(make_engine(db_url))
    app = create_app(Settings(database_url=db_url, _env_file=None, **settings), clock=clock)
    with transaction(app.state.sessions) as s:
        load_demo(s, enrollments=enrollments)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        client.app = app  # type: ignore[attr-defined]
        yield client
