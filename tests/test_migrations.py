"""The schema comes only from Alembic, and the migrations match the models on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bot.migrate import downgrade, upgrade
from core.db import Base, make_engine

TABLES = {"workspaces", "people", "platform_identities", "programs", "invitations",
          "enrollments", "outbox", "admins", "protected_attributes", "do_not_match",
          "match_runs", "matches", "match_mentees", "match_adjustments", "mentor_requests",
          "match_events", "checkins", "meetings", "goals", "survey_responses",
          "scim_tokens", "audit_log", "announcements", "nominations", "admin_links",
          "channel_refs", "level_changes", "training_modules", "training_completions"}


def test_upgrade_then_downgrade_round_trip(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    assert TABLES <= set(inspect(engine).get_table_names())
    downgrade(engine, "base")
    assert not TABLES & set(inspect(engine).get_table_names())
    upgrade(engine)  # and back up again, as a deploy after a rollback would
    assert TABLES <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_models_and_migrations_agree(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    engine.dispose()
    assert diff == [], f"autogenerate found differences; add a migration: {diff}"
