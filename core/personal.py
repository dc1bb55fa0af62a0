"""A person's own corner: home (programs, matches, next nudge, plan) and their data."""

from __future__ import annotations

from core.events import Intent, Reply, SendFile
from core.home import home
from core.privacy import export_json
from core.routing import Command, Routes, Turn


def _home(turn: Turn, _word: str, _arg: str) -> list[Intent]:
    return [Reply(home(turn.session, turn.person, turn.platform, turn.now, turn.admin_emails))]


def _my_data(turn: Turn, _word: str, _arg: str) -> list[Intent]:
    return [SendFile("my-mentorbot-data.json", export_json(turn.session, turn.person),
                     "Everything Mentorbot stores about you")]


ROUTES = Routes(
    "personal",
    commands=(
        Command("home", _home, "home", "your programs, matches, next nudge and plan", (), 100),
        Command("my-data", _my_data, "my-data", "a copy of everything stored about you",
                ("mydata",), 110),
    ),
)
