"""The `mentorbot` command, one module per command group.

``common`` holds the app, the console and the clock; ``lookups`` finds workspaces, programs
and people from what an operator typed; each other module registers its commands on import.
"""

from bot.cli import bench, db, demo, imports, match, people, report, serve, teams  # noqa: F401
from bot.cli.common import app

__all__ = ["app"]
