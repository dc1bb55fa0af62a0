"""The `mentorbot` command, one module per command group.

``common`` holds the app, the console and the clock; ``lookups`` finds workspaces, programs
and people from what an operator typed; each other module registers its commands on import.
"""

from bot.cli import (  # noqa: F401
    bench,
    db,
    demo,
    imports,
    match,
    people,
    report,
    scim,
    serve,
    teams,
)
from bot.cli.common import app

__all__ = ["app"]
