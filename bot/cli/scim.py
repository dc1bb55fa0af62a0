"""`mentorbot scim-token create|list|revoke`: the bearer tokens identity providers use."""

from __future__ import annotations

from datetime import datetime, timedelta

import typer

from bot.cli.common import app, command_clock, console, open_sessions
from bot.cli.lookups import WORKSPACE_OPTION, find_workspace

tokens = typer.Typer(help="SCIM bearer tokens for Okta or Microsoft Entra at /scim/v2: "
                          "create, list, revoke.", no_args_is_help=True)
app.add_typer(tokens, name="scim-token")


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "–"


@tokens.command("create")
def create(
    label: str = typer.Option("identity provider", help="What the token is for."),
    expires_in: int = typer.Option(0, "--expires-in", min=0, max=3650,
                                   help="Days until it stops working (0: never)."),
    workspace: str = WORKSPACE_OPTION,
) -> None:
    """Create a token; it is shown once and only its hash is stored."""
    from adapters.scim.tokens import create_token

    now = command_clock().now()
    expires_at = now + timedelta(days=expires_in) if expires_in else None
    with open_sessions()() as session, session.begin():
        token = create_token(session, find_workspace(session, workspace), label[:120],
                             expires_at=expires_at)
    console.print("SCIM base URL: https://YOUR-HOST/scim/v2")
    console.print(f"Bearer token (shown once): [bold]{token}[/bold]")
    if expires_at:
        console.print(f"It stops working at {_when(expires_at)} UTC.")


@tokens.command("list")
def list_tokens(workspace: str = WORKSPACE_OPTION) -> None:
    """Every token with its label, when it was created and last used, and its expiry."""
    from adapters.scim.tokens import status_of, tokens_of

    now = command_clock().now()
    with open_sessions()() as session:
        rows = tokens_of(session, find_workspace(session, workspace))
        if not rows:
            console.print("No SCIM tokens yet: `mentorbot scim-token create`.")
        for row in rows:
            console.print(f"#{row.id} {row.label}: {status_of(row, now)}; created "
                          f"{_when(row.created_at)}, last used {_when(row.last_used_at)}, "
                          f"expires {_when(row.expires_at)} (UTC)", soft_wrap=True)


@tokens.command("revoke")
def revoke(
    token_id: int = typer.Argument(..., help="The token's id, from `scim-token list`."),
    workspace: str = WORKSPACE_OPTION,
) -> None:
    """Revoke a token: the identity provider gets 401 from its next request on."""
    from adapters.scim.tokens import revoke_token

    with open_sessions()() as session, session.begin():
        row = revoke_token(session, find_workspace(session, workspace), token_id,
                           now=command_clock().now())
    if row is None:
        console.print(f"[red]No SCIM token {token_id} in this workspace.[/red]")
        raise typer.Exit(1)
    console.print(f"[green]Revoked token {token_id} ({row.label}).[/green]")
