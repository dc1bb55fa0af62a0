"""Apply Alembic migrations programmatically (`mentorbot db upgrade`, `serve` at start, tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from core import coordination

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(engine: Engine | None = None, url: str | None = None) -> Config:
    """An Alembic config pointing at our migrations, bound to ``engine`` or ``url``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database behind ``engine`` up to ``revision``.

    Replicas starting together take turns (a PostgreSQL advisory lock held for the whole
    migration transaction): the first migrates, the others then find nothing to do.
    """
    with engine.begin() as conn:
        coordination.wait_for_turn(conn, coordination.MIGRATIONS)
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
