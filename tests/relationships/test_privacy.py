"""Data rights: `/mentor my-data` exports; `mentorbot forget` leaves no trace of the person."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select, text

from bot.cli import app
from core.db import Base
from core.events import ButtonAction, CommandEvent, FormSubmission, SendFile
from core.models import Match, Meeting, Person
from core.privacy import REDACTED
from tests.cli_runner import runner
from tests.relationships.helpers import build_world

NOW = datetime(2027, 3, 3, 12, tzinfo=UTC)


def _dump(sessions) -> str:  # type: ignore[no-untyped-def]
    """Every value in every table, as one string (what a database dump would show)."""
    out = []
    with sessions() as s:
        for table in Base.metadata.sorted_tables:
            for row in s.execute(text(f'SELECT * FROM "{table.name}"')):
                out.append(" ".join(str(v) for v in row))
    return "\n".join(out)


def _world(sessions):  # type: ignore[no-untyped-def]
    world = build_world(sessions, NOW, [("anastasia", "bartholomew")],
                        {"anastasia": "UTC", "bartholomew": "UTC"})
    world.bot.tick()  # the introductions, which name both people
    [form] = world.bot.handle(ButtonAction(world.actor("bartholomew"), "rel.met",
                                           str(world.matches[0])))
    world.bot.handle(FormSubmission(world.actor("bartholomew"), "meeting", {
        "met_on": "2027-03-03", "duration": "30", "topics": "talked with Anastasia",
        "notes": "Anastasia was great"}, form.form.context))
    world.bot.handle(CommandEvent(world.actor("bartholomew"), "avoid anastasia@acme.test"))
    return world


def test_my_data_exports_everything_about_me(sessions) -> None:  # type: ignore[no-untyped-def]
    world = _world(sessions)
    [file] = world.bot.handle(CommandEvent(world.actor("bartholomew"), "my-data"))
    assert isinstance(file, SendFile) and file.filename.endswith(".json")
    data = json.loads(file.content)
    assert data["person"]["email"] == "bartholomew@acme.test"
    assert data["accounts"][0]["user_id"] == "bartholomew"
    assert data["sessions_logged"][0]["private_notes"] == "Anastasia was great"
    assert len(data["matches"]) == 1 and len(data["do_not_match"]) == 1
    assert any("meet each other" in m for m in data["messages_sent_to_you"])


def test_forget_leaves_no_name_email_or_platform_id_anywhere(sessions, db_url, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    world = _world(sessions)
    dump = _dump(sessions)
    assert "Anastasia" in dump and "anastasia@acme.test" in dump  # there before
    monkeypatch.setenv("DATABASE_URL", db_url)
    from bot.settings import get_settings

    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["forget", "anastasia@acme.test", "--yes"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    dump = _dump(sessions).lower()
    leaks = [line for line in dump.splitlines() if "anastasia" in line]
    assert leaks == []  # her name, email and user id all contain "anastasia"
    with sessions() as s:
        # Counts survive for reports: the match and the session still exist, wordless.
        assert len(s.scalars(select(Match)).all()) == 1
        # Bartholomew's own notes named her: redacted, the rest of his session kept.
        assert s.scalar(select(Meeting.private_notes)) == REDACTED
        assert s.scalar(select(Person.name).where(Person.id == world.people["anastasia"])) \
            .startswith("Former participant")
    assert "forget" in _dump(sessions)
