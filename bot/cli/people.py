"""People and their rights: Slack linking, invitations, erasure."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer

from bot.cli.common import app, command_clock, console, open_sessions
from bot.cli.lookups import WORKSPACE_OPTION, find_workspace, person_by_email, program_named
from bot.settings import get_settings


@app.command("link-slack")
def link_slack(workspace: str = WORKSPACE_OPTION) -> None:
    """Find HRIS people's Slack accounts by email so the bot can DM them first."""
    from slack_sdk.web.async_client import AsyncWebClient

    from adapters.slack.linking import link_by_email

    settings = get_settings()
    if not settings.slack_bot_token:
        console.print("[red]Set SLACK_BOT_TOKEN first.[/red]")
        raise typer.Exit(2)
    sessions = open_sessions()
    with sessions() as session:
        ws_id = find_workspace(session, workspace).id
    client = AsyncWebClient(token=settings.slack_bot_token.get_secret_value(),
                            base_url=settings.slack_api_url)
    with console.status("Looking people up in Slack by email…"):
        result = asyncio.run(link_by_email(client, sessions, ws_id))
    console.print(f"[green]Linked {result.linked}[/green]; not in Slack: {result.not_in_slack}; "
                  f"accounts already someone else's: {result.conflicts}.")


@app.command()
def invite(
    program: str = typer.Argument(..., help="Invite-only program name."),
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV with an email column."),
    workspace: str = WORKSPACE_OPTION,
) -> None:
    """Invite people by email from a CSV; each gets a DM with a Join button."""
    import csv as csv_module

    from core.admin.invitations import invite as invite_person

    sessions = open_sessions()
    with sessions() as session, session.begin():
        ws = find_workspace(session, workspace)
        prog = program_named(session, ws, program)
        rows = list(csv_module.DictReader(file.read_text("utf-8-sig").splitlines()))
        if not rows or "email" not in rows[0]:
            console.print("[red]The CSV needs an “email” column.[/red]")
            raise typer.Exit(2)
        added, unknown = 0, []
        for line, row in enumerate(rows, start=2):
            email = (row.get("email") or "").strip().lower()
            person = person_by_email(session, ws, email) if email else None
            if person is None:
                unknown.append(f"line {line}: {email or '(empty)'}")
                continue
            added += invite_person(session, prog, person, now=command_clock().now())
    console.print(f"[green]Invited {added} new people to {prog.name}.[/green]")
    for miss in unknown:
        console.print(f"[yellow]Not found, skipped: {miss}[/yellow]")


@app.command()
def forget(
    email: str = typer.Argument(..., help="The person's email."),
    yes: bool = typer.Option(False, "--yes", help="Don't ask for confirmation."),
    workspace: str = WORKSPACE_OPTION,
) -> None:
    """Erase or anonymise a person everywhere (a data-subject request); counts stay."""

    from core.privacy import forget as forget_person

    sessions = open_sessions()
    with sessions() as session, session.begin():
        ws = find_workspace(session, workspace)
        person = person_by_email(session, ws, email)
        if person is None:
            console.print(f"[red]No person with email {email}.[/red]")
            raise typer.Exit(2)
        if not yes and not typer.confirm(f"Erase {person.name} <{email}> everywhere?"):
            raise typer.Exit(1)
        redacted = forget_person(session, person, now=command_clock().now())
    console.print(f"[green]Done.[/green] {redacted} stored values mentioning them were redacted; "
                  "the request is in the audit log.")
