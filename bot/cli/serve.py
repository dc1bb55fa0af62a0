"""`mentorbot serve` and `mentorbot version`."""

from __future__ import annotations

import asyncio
from importlib.metadata import version as pkg_version

import typer

from bot.cli.common import app, console, open_engine
from bot.settings import get_settings


@app.command()
def serve(
    host: str = typer.Option(None, help="Bind address (default from HOST, 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (default from PORT, 8000)."),
    socket_mode: bool = typer.Option(False, "--socket-mode",
                                     help="Connect to Slack over Socket Mode (SLACK_APP_TOKEN)."),
) -> None:
    """Apply migrations, then run the bot."""
    import uvicorn

    from bot.app import create_app
    from bot.logs import configure
    from bot.migrate import upgrade

    settings = get_settings()
    configure(settings.log_level, as_json=settings.log_json)
    upgrade(open_engine())
    web = create_app(settings)
    host, port = host or settings.host, port or settings.port
    if settings.webchat_on:
        console.print(f"[bold]Web chat:[/bold] http://{host}:{port}/  (no Slack or Teams "
                      "credentials set; `mentorbot demo` loads people to chat as)")
    if not socket_mode:
        uvicorn.run(web, host=host, port=port, log_config=None)
        return
    if not settings.slack_app_token or not settings.slack_bot_token:
        console.print("[red]Socket Mode needs SLACK_APP_TOKEN and SLACK_BOT_TOKEN.[/red]")
        raise typer.Exit(2)
    from adapters.slack.mount import socket_mode_handler

    async def main() -> None:
        handler = socket_mode_handler(core=web.state.core, kick=web.state.worker.kick,
                                      settings=settings)
        server = uvicorn.Server(uvicorn.Config(web, host=host, port=port, log_config=None))
        await asyncio.gather(handler.start_async(), server.serve())

    asyncio.run(main())


@app.command()
def version() -> None:
    """Print the installed version."""
    console.print(pkg_version("mentorbot"))
