"""`mentorbot teams-package`: the Teams app package to upload."""

from __future__ import annotations

from pathlib import Path

import typer

from bot.cli.common import app, console
from bot.settings import get_settings


@app.command("teams-package")
def teams_package(
    out: Path = typer.Option(Path("mentorbot-teams.zip"), help="Where to write the zip."),
    app_id: str = typer.Option(None, help="Bot app id (default MICROSOFT_APP_ID)."),
) -> None:
    """Build the Teams app package (manifest and icons) to upload."""
    from adapters.teams.package import build_package

    app_id = app_id or get_settings().microsoft_app_id
    if not app_id:
        console.print("[red]Set MICROSOFT_APP_ID or pass --app-id.[/red]")
        raise typer.Exit(2)
    path = build_package(out, app_id=app_id)
    console.print(f"[green]Wrote {path}[/green]: upload it in Teams → Apps → Manage your apps.")
