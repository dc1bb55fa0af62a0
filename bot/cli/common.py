"""What every command shares: the app, the console, the database and the clock it runs at."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

import typer
from rich.console import Console

from bot.settings import get_settings
from core.clock import Clock, SystemClock

app = typer.Typer(help="Mentorbot: mentoring programs in Slack, Teams and a local web chat.",
                  no_args_is_help=True, add_completion=False)
console = Console()

# The clock commands run at. Tests pass a FakeClock as the context object
# (``runner.invoke(app, args, obj=clock)``); the root callback publishes it here.
_command_clock: ContextVar[Clock | None] = ContextVar("command_clock", default=None)


@app.callback()
def _root(ctx: typer.Context) -> None:
    _command_clock.set(ctx.obj if hasattr(ctx.obj, "now") else None)


def command_clock() -> Clock:
    """The clock this command runs at: the system clock unless one was injected."""
    return _command_clock.get() or SystemClock()


def open_engine() -> Any:
    """An engine on the configured database."""
    from core.db import make_engine

    return make_engine(get_settings().database_url)


def open_sessions(engine: Any = None) -> Any:
    """A session factory on the configured database, stamping rows with the command's clock."""
    from core.db import make_session_factory

    return make_session_factory(engine if engine is not None else open_engine(),
                                command_clock())
