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


@app.command("teams-playground")
def teams_playground(
    port: int = typer.Option(3978, help="The port `mentorbot serve` will listen on."),
    playground_port: int = typer.Option(56150, help="The playground's web UI port."),
) -> None:
    """Load demo data into the Microsoft 365 Agents Playground's tenant, linked to its users,
    and say how to start the bot and the playground (`make playground` does both)."""
    from bot.cli.common import open_engine, open_sessions
    from bot.migrate import upgrade
    from core.db import transaction
    from core.demo.playground import PLAYGROUND_ADMIN, load_playground

    engine = open_engine()
    upgrade(engine)
    with transaction(open_sessions(engine)) as session:
        summary = load_playground(session)
    console.print(f"[green]Playground tenant ready:[/green] {summary.people} new people, "
                  f"{summary.programs} open programs, {summary.enrollments} sample enrollments.")
    console.print(
        f"Start the bot:  TEAMS_ENABLED=true WEBCHAT_ENABLED=false "
        f"ADMIN_EMAILS={PLAYGROUND_ADMIN} mentorbot serve --port {port}\n"
        f"Then:           TEAMSAPPTESTER_BROWSER=none npx -p @microsoft/m365agentsplayground "
        f"agentsplayground "
        f"-e http://127.0.0.1:{port}/api/messages -c msteams -p {playground_port} "
        f"--disable-telemetry\n"
        f"and open http://localhost:{playground_port}/ (you are Alex Wilber, an admin).")
