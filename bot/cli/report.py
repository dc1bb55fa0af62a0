"""`mentorbot report`: a program's report as HTML, PDF, XLSX or CSV."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer

from bot.cli.common import app, command_clock, console, open_sessions
from bot.cli.lookups import WORKSPACE_OPTION, find_workspace, program_named


@app.command("report")
def report_cmd(
    program: str = typer.Argument(..., help="Program name or id."),
    fmt: str = typer.Option("html", "--format", "-f", help="html, pdf, xlsx or csv."),
    out: Path = typer.Option(None, "--out", "-o",
                             help="File to write (default report-<program>.<format>)."),
    cohort: int = typer.Option(None, "--cohort", help="Only this matching run (cohort) id."),
    since: datetime = typer.Option(None, "--since", formats=["%Y-%m-%d"],
                                   help="First day, YYYY-MM-DD."),
    until: datetime = typer.Option(None, "--until", formats=["%Y-%m-%d"],
                                   help="Last day, YYYY-MM-DD."),
    replacement_cost: int = typer.Option(None, "--replacement-cost", min=0,
                                         help="Cost of replacing one employee, for this report "
                                              "only (default: the program's setting)."),
    workspace: str = WORKSPACE_OPTION,
    language: str = typer.Option(None, "--language", "-l",
                                 help="Write it in this language (en, de, fr, es, pt_BR); "
                                      "default: DEFAULT_LANGUAGE."),
) -> None:
    """Write a program's report: figures, charts and tables as HTML, PDF, XLSX or CSV."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from bot.settings import get_settings
    from core import i18n
    from core.reports import metrics
    from core.reports.render import FORMATS, filename, render

    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        console.print(f"[red]Unknown format “{fmt}”: pick one of {', '.join(FORMATS)}.[/red]")
        raise typer.Exit(2)
    if since and until and since > until:
        console.print("[red]--since must not be after --until.[/red]")
        raise typer.Exit(2)
    chosen = i18n.normalise(language or get_settings().default_language)
    if chosen is None:
        console.print(f"[red]Unknown language “{language}”: pick one of "
                      f"{', '.join(i18n.LANGUAGES)}.[/red]")
        raise typer.Exit(2)
    sessions = open_sessions()
    # Read only: the session closes without a commit, so a report never changes anything.
    # The report's words, numbers and dates in the chosen language (the operator's reader).
    with sessions() as session, i18n.reading(chosen):
        ws = find_workspace(session, workspace)
        prog = program_named(session, ws, program)
        # The bar's length: the metrics stages if the module names them, then our two.
        stages = len(getattr(metrics, "STAGES", ())) or 8
        with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                      console=console, transient=True) as bar:
            task = bar.add_task("Loading the program", total=stages + 2)

            def step(name: object = "", *_: object) -> None:
                bar.update(task, description=str(name) or "Measuring", advance=1)

            try:
                report = metrics.build_report(
                    session, prog, now=command_clock().now(),
                    since=since.date() if since else None,
                    until=until.date() if until else None,
                    run_id=cohort, replacement_cost=replacement_cost, progress=step)
            except ValueError as exc:  # an unknown cohort, a period the program never ran
                console.print(f"[red]{exc}[/red]")
                raise typer.Exit(2) from exc
            bar.update(task, completed=stages)
            data = render(report, fmt, progress=lambda name: bar.update(
                task, description=name, advance=0.5))
            bar.update(task, completed=stages + 2)
    path = out or Path(filename(report, fmt))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    console.print(f"[green]Wrote {path}[/green] ({len(data) / 1024:,.0f} KB): "
                  f"{report.program}, {report.scope}.")
    withheld = sum(f.suppressed for _, figures in report.sections() for f in figures)
    if withheld:
        console.print(f"{withheld} figure(s) about fewer than 5 people are shown as "
                      "“fewer than 5”.")
