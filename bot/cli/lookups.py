"""Finding a workspace, a program or a person from what an operator typed."""

from __future__ import annotations

import typer

from bot.cli.common import console


def find_workspace(session, spec: str | None):  # type: ignore[no-untyped-def]
    """The workspace named ``platform:tenant``, or the only one there is."""
    from sqlalchemy import select

    from core.models import Platform, Workspace

    if spec:
        platform, _, tenant = spec.partition(":")
        ws = session.scalar(select(Workspace).where(Workspace.platform == Platform(platform),
                                                    Workspace.external_id == tenant))
    else:
        found = session.scalars(select(Workspace).limit(2)).all()
        ws = found[0] if len(found) == 1 else None
    if ws is None:
        console.print("[red]Name the workspace with --workspace PLATFORM:TENANT "
                      "(for example slack:T0123 or webchat:demo).[/red]")
        raise typer.Exit(2)
    return ws


def program_named(session, ws, name: str):  # type: ignore[no-untyped-def]
    """The workspace's program called ``name`` (any case) or with that id, or exit listing
    the programs there are."""
    from sqlalchemy import func, select

    from core.models import Program

    program = session.scalar(select(Program).where(
        Program.workspace_id == ws.id, func.lower(Program.name) == name.strip().lower()))
    if program is None and name.strip().isdigit():
        # A name wins over an id, so a program really called "2" stays reachable.
        program = session.scalar(select(Program).where(
            Program.workspace_id == ws.id, Program.id == int(name)))
    if program is None:
        known = session.execute(select(Program.id, Program.name).where(
            Program.workspace_id == ws.id).order_by(Program.name)).all()
        console.print(f"[red]No program called “{name}”.[/red]")
        if known:
            console.print("Programs: " + ", ".join(f"{n} (id {i})" for i, n in known))
        else:
            console.print("There are no programs yet.")
        raise typer.Exit(2)
    return program


def person_by_email(session, ws, email: str):  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from core.models import Person

    return session.scalar(select(Person).where(
        Person.workspace_id == ws.id, func.lower(Person.email) == email.strip().lower()))


WORKSPACE_OPTION = typer.Option(None, "--workspace", help="PLATFORM:TENANT, e.g. slack:T0123.")
