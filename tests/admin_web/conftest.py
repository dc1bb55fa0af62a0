"""The real app on a migrated test database, with an admin, a member and a revoked admin."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from bot.app import create_app
from bot.migrate import upgrade
from bot.settings import Settings
from core.admin.rights import grant
from core.admin.web_links import issue_link
from core.clock import FakeClock
from core.db import make_engine
from core.models import Admin, Person, Platform, Workspace

START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


@dataclass
class AdminWeb:
    """What a test needs: the app, its sessions and clock, and who is who."""

    app: FastAPI
    sessions: sessionmaker[Session]
    clock: FakeClock
    workspace_id: int
    admin_id: int
    member_id: int
    revoked_id: int

    def link(self, person_id: int | None = None) -> str:
        """A fresh one-time token for ``person_id`` (default: the admin)."""
        with self.sessions() as s:
            person = s.get(Person, person_id or self.admin_id)
            assert person is not None
            token = issue_link(s, person, now=self.clock.now())
            s.commit()
            return token


def seed_people(sessions: sessionmaker[Session]) -> tuple[int, int, int, int]:
    """A workspace with Ada (admin), Bo (member) and Cy (admin, revoked)."""
    with sessions() as s, s.begin():
        ws = Workspace(platform=Platform.WEBCHAT, external_id="demo", name="Acme")
        s.add(ws)
        s.flush()
        ada, bo, cy = (Person(workspace_id=ws.id, name=n, email=f"{n.lower()}@acme.test",
                              external_id=f"E{i}") for i, n in enumerate(("Ada", "Bo", "Cy")))
        s.add_all([ada, bo, cy])
        s.flush()
        grant(s, ada)
        grant(s, cy)
        revoked = s.query(Admin).filter_by(person_id=cy.id).one()
        revoked.revoked_at = START
        return ws.id, ada.id, bo.id, cy.id


@pytest.fixture
def web(db_url: str) -> Iterator[AdminWeb]:
    """The real app (no lifespan, so no scheduler) on ``db_url`` with a fake clock."""
    engine = make_engine(db_url)
    upgrade(engine)
    engine.dispose()
    clock = FakeClock(START)
    app = create_app(Settings(database_url=db_url, _env_file=None), clock=clock)
    sessions = app.state.sessions
    ws_id, ada, bo, cy = seed_people(sessions)
    yield AdminWeb(app, sessions, clock, ws_id, ada, bo, cy)
    app.state.engine.dispose()
