"""`mentorbot import people|enrollments`: bulk imports from CSV files."""

from __future__ import annotations

from pathlib import Path

import typer

from bot.cli.common import app, command_clock, console, open_sessions
from bot.cli.lookups import WORKSPACE_OPTION, find_workspace

import_app = typer.Typer(help="Bulk imports from CSV files.", no_args_is_help=True)
app.add_typer(import_app, name="import")


@import_app.command("people")
def import_people_cmd(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="HRIS export (CSV)."),
    preset: str = typer.Option("mentorbot", help="Column names of: mentorbot, workday, "
                               "bamboohr or hibob."),
    mapping: Path = typer.Option(None, "--mapping", exists=True, dir_okay=False,
                                 help="JSON file: field -> column (or list of columns)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the diff; change nothing."),
    keep_missing: bool = typer.Option(False, "--keep-missing",
                                      help="Don't deactivate people missing from the file."),
    workspace: str = WORKSPACE_OPTION,
) -> None:
    """Sync people from an HRIS export: new, changed and deactivated, all or nothing."""
    import json

    from rich.progress import Progress

    from core.hris.csv_import import PRESETS, import_people

    if preset not in PRESETS:
        console.print(f"[red]Unknown preset “{preset}”: pick one of {', '.join(PRESETS)}.[/red]")
        raise typer.Exit(2)
    columns = json.loads(mapping.read_text("utf-8")) if mapping else PRESETS[preset]
    text = file.read_text("utf-8-sig")
    rows = max(text.count("\n") - 1, 1)
    sessions = open_sessions()
    # No session.begin(): closing without commit is how a dry run or a bad file changes nothing.
    with sessions() as session:
        ws = find_workspace(session, workspace)
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("Importing people", total=rows)
            result = import_people(session, ws, text, columns, now=command_clock().now(),
                                   deactivate_missing=not keep_missing,
                                   progress=lambda n: bar.advance(task, n))
        if result.errors:
            for error in result.errors:
                console.print(f"[red]{error}[/red]")
            console.print(f"[red]Nothing was imported:[/red] fix the {len(result.errors)} "
                          "row(s) above and run it again.")
            raise typer.Exit(1)
        for label, names, colour in (("New", result.new, "green"),
                                     ("Changed", result.changed, "yellow"),
                                     ("Deactivated", result.deactivated, "red")):
            console.print(f"[{colour}]{label}: {len(names)}[/{colour}]")
            for name in names[:20]:
                console.print(f"  {name}")
            if len(names) > 20:
                console.print(f"  …and {len(names) - 20} more")
        console.print(f"Unchanged: {result.unchanged}")
        for warning in result.warnings:
            console.print(f"[yellow]⚠ {warning}[/yellow]")
        if dry_run:
            console.print("[yellow]Dry run: nothing was changed.[/yellow]")
            return
        session.commit()
    console.print("[green]Import complete.[/green]")


@import_app.command("enrollments")
def import_enrollments_cmd(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV file."),
    workspace: str = WORKSPACE_OPTION,
) -> None:
    """Enroll people in bulk (email, program, role, skills..., goals, capacity, availability)."""
    from rich.progress import Progress

    from core.enrollment.bulk import import_enrollments

    text = file.read_text("utf-8-sig")
    rows = max(text.count("\n") - 1, 1)
    sessions = open_sessions()
    with sessions() as session, session.begin():
        ws = find_workspace(session, workspace)
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("Importing enrollments", total=rows)
            result = import_enrollments(session, ws, text,
                                        progress=lambda n: bar.advance(task, n))
        if result.errors:
            for error in result.errors:
                console.print(f"[red]{error}[/red]")
            console.print(f"[red]Nothing was imported:[/red] fix the {len(result.errors)} "
                          "row(s) above and run it again.")
            raise typer.Exit(1)
    console.print(f"[green]Imported:[/green] {result.created} new, {result.updated} updated, "
                  f"{result.unchanged} unchanged.")
