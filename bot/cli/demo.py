"""`mentorbot demo`: a sample organisation (and a finished cohort) to try the bot with."""

from __future__ import annotations

import typer

from bot.cli.common import app, command_clock, console, open_engine, open_sessions


@app.command()
def demo(
    enrollments: int = typer.Option(60, help="Sample enrollments to create."),
    if_empty: bool = typer.Option(False, "--if-empty",
                                  help="Do nothing when the database already has people."),
    history: bool = typer.Option(
        False, "--history", help="Also play a finished 12-week Leadership cohort (started 13 "
        "months ago, with a year of HRIS outcomes) so reports have data to show."),
    workspace: str | None = typer.Option(
        None, "--workspace", help="slack:T0123 or teams:<tenant id>: load the demo into that "
        "real workspace, so a trial there has data; whoever uses the bot there is linked to a "
        "demo person with the same email. Default: the web chat's workspace."),
) -> None:
    """Load a sample organisation (217 people, two open programs) for the web chat, or into a
    real Slack or Teams workspace."""
    from bot.migrate import upgrade
    from core.db import transaction
    from core.demo import DEMO_ADMIN_EMAIL, has_people, load_demo

    platform, tenant = "webchat", None
    if workspace:
        platform, _, tenant = workspace.partition(":")
        if platform not in ("slack", "teams", "webchat") or not tenant:
            console.print("[red]--workspace is PLATFORM:TENANT, for example slack:T0123 or "
                          "teams:<tenant id>.[/red]")
            raise typer.Exit(2)
    engine = open_engine()
    upgrade(engine)
    if if_empty and has_people(engine):
        console.print("Database already has people; demo not loaded.")
        return
    with console.status("Loading the demo organisation…"), \
            transaction(open_sessions(engine)) as session:
        summary = load_demo(session, enrollments=enrollments, platform=platform,
                            **({"tenant_id": tenant} if tenant else {}))
    console.print(f"[green]Demo ready:[/green] {summary.people} new people, "
                  f"{summary.programs} open programs, {summary.enrollments} sample enrollments.")
    if platform == "webchat" and summary.people:
        console.print(f"Fatima Okoro ({DEMO_ADMIN_EMAIL}) is the demo's program admin: chat "
                      "as her to try admin commands.")
    if history and platform != "webchat":
        console.print("[yellow]--history plays the web chat's demo workspace only.[/yellow]")
    elif history:
        from datetime import timedelta

        from core.demo import simulate_program

        now = command_clock().now()
        try:
            with console.status("Playing 12 weeks of the Leadership program…"):
                played = simulate_program(open_sessions(engine),
                                          start=now - timedelta(days=400), now=now)
        except ValueError as exc:  # the program already has matches: history was played
            console.print(f"[yellow]History not added:[/yellow] {exc}")
            return
        console.print(f"[green]History added:[/green] {played.matches} pairs, "
                      f"{played.meetings} sessions, {played.survey_answers} survey answers. Try "
                      "[bold]mentorbot report \"Leadership 1:1\" --format pdf[/bold].")
    if platform != "webchat":
        console.print(f"Loaded into {platform}:{tenant}. People who use the bot there with the "
                      "same email as a demo person become that person.")
        return
    console.print("Run [bold]mentorbot serve[/bold] and open http://127.0.0.1:8000/")
