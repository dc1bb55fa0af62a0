"""`mentorbot db upgrade`: apply the schema migrations."""

from __future__ import annotations

import typer

from bot.cli.common import app, console, open_engine

db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply pending migrations."""
    from bot.migrate import upgrade

    engine = open_engine()
    upgrade(engine, revision)
    console.print(f"[green]Database is at {revision}[/green] ({engine.url.render_as_string()})")
