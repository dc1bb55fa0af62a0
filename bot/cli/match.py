"""`mentorbot match`: run matching for a program, preview, publish."""

from __future__ import annotations

from pathlib import Path

import typer

from bot.cli.common import app, console, open_sessions
from bot.cli.lookups import WORKSPACE_OPTION, find_workspace, program_named


@app.command("match")
def match_cmd(
    program: str = typer.Argument(..., help="Program name."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the result; store nothing."),
    csv_out: Path = typer.Option(None, "--csv", help="Write the matches and reasons as CSV."),
    publish_now: bool = typer.Option(False, "--publish", help="Publish the run at once."),
    floor: list[str] = typer.Option(
        None, "--fairness-floor", metavar="ATTRIBUTE",
        help="Switch on the program's fairness floor for this protected attribute (repeat "
             "for more): each group's match rate at least 4/5 of the best group's where the "
             "pool allows. Stays on for later runs; audited."),
    floor_off: bool = typer.Option(False, "--no-fairness-floor",
                                   help="Switch the program's fairness floor off (audited)."),
    workspace: str = WORKSPACE_OPTION,
) -> None:
    """Run matching for a program: a preview admins publish from chat (or --publish)."""
    from rich.progress import Progress
    from rich.table import Table
    from sqlalchemy import select

    from core.match_runs.export import run_csv
    from core.match_runs.runs import (
        proposed_matches,
        publish,
        run_program,
        set_fairness_floor,
        tell_unmatched,
    )
    from core.match_runs.texts import fairness_lines, floor_cost_line
    from core.models import Person
    from core.sql_lists import among

    sessions = open_sessions()
    # No session.begin(): closing without commit is how --dry-run leaves nothing behind.
    with sessions() as session:
        ws = find_workspace(session, workspace)
        prog = program_named(session, ws, program)
        if floor or floor_off:
            set_fairness_floor(session, prog, [] if floor_off else list(floor))
        if prog.fairness_floor:
            console.print(f"Fairness floor on: {', '.join(prog.fairness_floor)} (each group's "
                          "match rate at least 4/5 of the best group's where the pool allows)")
        steps = ["Loading the pool", "Scoring and solving", "Auditing fairness"]
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("Matching", total=len(steps) + 1)

            def step(name: str) -> None:
                bar.update(task, description=name, completed=steps.index(name))

            run = run_program(session, prog, progress=step)
            bar.update(task, completed=len(steps) + 1)
        matches = proposed_matches(session, run)
        stats = run.stats
        table = Table(title=f"{prog.name}: matching summary")
        table.add_column("Figure")
        table.add_column("Value", justify="right")
        table.add_row("Matched", f"{stats['matched_seekers']} of {stats['seekers']}")
        table.add_row("Coverage", f"{stats['coverage']:.1%}")
        table.add_row("Matches", str(len(matches)))
        table.add_row("Mean score", f"{stats['mean_score']:.3f}")
        table.add_row("Unmatched", str(len(run.unmatched)))
        for phase, seconds in stats.get("timings", {}).items():
            table.add_row(f"Time: {phase}", f"{seconds:.2f} s")
        console.print(table)
        for line in fairness_lines(run.fairness) or ["✅ no fairness flags"]:
            console.print(line)
        if floor_cost_line(stats):
            console.print(floor_cost_line(stats))
        if csv_out:
            # Only the CSV names people: loading all 5,000 of them otherwise cost a tenth
            # of a publish.
            ids = {m.mentor_id for m in matches} | {x.person_id for m in matches
                                                    for x in m.mentees}
            ids |= {u["person_id"] for u in run.unmatched}
            people = {p.id: p for p in session.scalars(select(Person).where(
                among(session, Person.id, ids)))}
            csv_out.write_text(run_csv(run, matches, people), "utf-8")
            console.print(f"Wrote {csv_out}")
        if dry_run:
            console.print("[yellow]Dry run: nothing was stored.[/yellow]")
            return
        told = 0
        if publish_now:
            live = publish(session, run)
            # As Publish in chat does: everyone left out is told why and what happens next.
            told = tell_unmatched(session, run, prog)
        session.commit()
        if publish_now:
            console.print(f"[green]Published {len(live)} matches.[/green] "
                          f"{told} of {len(run.unmatched)} unmatched people were sent their "
                          "reason (people with no chat account can't be messaged).")
        else:
            console.print(f"Stored as preview run {run.id}: publish it from chat "
                          "(`/mentor admin match`) or rerun with --publish.")
