"""The `mentorbot` command: serve, demo, db upgrade, match, report, teams-package, version."""

from __future__ import annotations

import asyncio
from contextvars import ContextVar
from datetime import datetime
from importlib.metadata import version as pkg_version
from pathlib import Path

import typer
from rich.console import Console

from bot.settings import get_settings
from core.clock import Clock, SystemClock

app = typer.Typer(help="Mentorbot: mentoring programs in Slack, Teams and a local web chat.",
                  no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")
import_app = typer.Typer(help="Bulk imports from CSV files.", no_args_is_help=True)
app.add_typer(import_app, name="import")
console = Console()


def _engine():  # type: ignore[no-untyped-def]
    from core.db import make_engine

    return make_engine(get_settings().database_url)


# The clock commands run at. Tests pass a FakeClock as the context object
# (``runner.invoke(app, args, obj=clock)``); the root callback publishes it here.
_command_clock: ContextVar[Clock | None] = ContextVar("command_clock", default=None)


@app.callback()
def _root(ctx: typer.Context) -> None:
    _command_clock.set(ctx.obj if hasattr(ctx.obj, "now") else None)


def _clock() -> Clock:
    """The clock this command runs at: the system clock unless one was injected."""
    return _command_clock.get() or SystemClock()


def _sessions(engine=None):  # type: ignore[no-untyped-def]
    """A session factory on the configured database, stamping rows with the command's clock."""
    from core.db import make_session_factory

    return make_session_factory(engine if engine is not None else _engine(), _clock())


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply pending migrations."""
    from bot.migrate import upgrade

    engine = _engine()
    upgrade(engine, revision)
    console.print(f"[green]Database is at {revision}[/green] ({engine.url.render_as_string()})")


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
    upgrade(_engine())
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
def demo(
    enrollments: int = typer.Option(60, help="Sample enrollments to create."),
    if_empty: bool = typer.Option(False, "--if-empty",
                                  help="Do nothing when the database already has people."),
    history: bool = typer.Option(
        False, "--history", help="Also play a finished 12-week Leadership cohort (started 13 "
        "months ago, with a year of HRIS outcomes) so reports have data to show."),
) -> None:
    """Load a sample organisation (217 people, two open programs) for the web chat."""
    from bot.migrate import upgrade
    from core.db import transaction
    from core.demo import has_people, load_demo

    engine = _engine()
    upgrade(engine)
    if if_empty and has_people(engine):
        console.print("Database already has people; demo not loaded.")
        return
    with console.status("Loading the demo organisation…"), \
            transaction(_sessions(engine)) as session:
        summary = load_demo(session, enrollments=enrollments)
    console.print(f"[green]Demo ready:[/green] {summary.people} new people, "
                  f"{summary.programs} open programs, {summary.enrollments} sample enrollments.")
    if history:
        from datetime import timedelta

        from core.demo import simulate_program

        now = _clock().now()
        try:
            with console.status("Playing 12 weeks of the Leadership program…"):
                played = simulate_program(_sessions(engine),
                                          start=now - timedelta(days=400), now=now)
        except ValueError as exc:  # the program already has matches: history was played
            console.print(f"[yellow]History not added:[/yellow] {exc}")
            return
        console.print(f"[green]History added:[/green] {played.matches} pairs, "
                      f"{played.meetings} sessions, {played.survey_answers} survey answers. Try "
                      "[bold]mentorbot report \"Leadership 1:1\" --format pdf[/bold].")
    console.print("Run [bold]mentorbot serve[/bold] and open http://127.0.0.1:8000/")


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


def _workspace(session, spec: str | None):  # type: ignore[no-untyped-def]
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


def _program_named(session, ws, name: str):  # type: ignore[no-untyped-def]
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


def _person_by_email(session, ws, email: str):  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from core.models import Person

    return session.scalar(select(Person).where(
        Person.workspace_id == ws.id, func.lower(Person.email) == email.strip().lower()))


WORKSPACE_OPTION = typer.Option(None, "--workspace", help="PLATFORM:TENANT, e.g. slack:T0123.")


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
    sessions = _sessions()
    # No session.begin(): closing without commit is how a dry run or a bad file changes nothing.
    with sessions() as session:
        ws = _workspace(session, workspace)
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("Importing people", total=rows)
            result = import_people(session, ws, text, columns, now=_clock().now(),
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
    sessions = _sessions()
    with sessions() as session, session.begin():
        ws = _workspace(session, workspace)
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


bench_app = typer.Typer(help="Benchmarks that print their figures.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")


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

    sessions = _sessions()
    # No session.begin(): closing without commit is how --dry-run leaves nothing behind.
    with sessions() as session:
        ws = _workspace(session, workspace)
        prog = _program_named(session, ws, program)
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
        ids = {m.mentor_id for m in matches} | {x.person_id for m in matches for x in m.mentees}
        ids |= {u["person_id"] for u in run.unmatched}
        people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(ids)))}
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
) -> None:
    """Write a program's report: figures, charts and tables as HTML, PDF, XLSX or CSV."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from core.reports import metrics
    from core.reports.render import FORMATS, filename, render

    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        console.print(f"[red]Unknown format “{fmt}”: pick one of {', '.join(FORMATS)}.[/red]")
        raise typer.Exit(2)
    if since and until and since > until:
        console.print("[red]--since must not be after --until.[/red]")
        raise typer.Exit(2)
    sessions = _sessions()
    # Read only: the session closes without a commit, so a report never changes anything.
    with sessions() as session:
        ws = _workspace(session, workspace)
        prog = _program_named(session, ws, program)
        # The bar's length: the metrics stages if the module names them, then our two.
        stages = len(getattr(metrics, "STAGES", ())) or 8
        with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                      console=console, transient=True) as bar:
            task = bar.add_task("Loading the program", total=stages + 2)

            def step(name: object = "", *_: object) -> None:
                bar.update(task, description=str(name) or "Measuring", advance=1)

            try:
                report = metrics.build_report(
                    session, prog, now=_clock().now(),
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


@bench_app.command("matching")
def bench_matching(
    participants: int = typer.Option(10_000, "--participants", "-n", min=2),
    seed: int = typer.Option(0, "--seed"),
    peer: bool = typer.Option(False, "--peer", help="A single peer pool instead of mentors."),
    exact: bool = typer.Option(None, "--exact/--no-exact",
                               help="Solve over every allowed pair with SciPy for the % of the "
                                    "true optimum (default: up to 10,000 participants)."),
    db_people: int = typer.Option(None, "--db-people", min=0,
                                  help="Also time 'import enrollments' and 'match --publish' "
                                       "for this many people (default: as many as "
                                       "--participants, at most 5,000; 0: skip)."),
    database_url: str | None = typer.Option(
        None, "--database-url", help="PostgreSQL URL for the database figures too (a schema "
        "of its own, dropped afterwards); SQLite (a temporary file) always runs."),
) -> None:
    """Time the matching engine end to end on a synthetic organisation, against a bare
    OR-Tools solve of the same graph and the optimum over every allowed pair; then the
    database path (enrollment import, match --publish) on SQLite and PostgreSQL."""
    from core.matching.bench import print_benchmark, run_benchmark

    with console.status(f"Benchmarking {participants:,} participants…"):
        result = run_benchmark(participants, seed=seed, peer=peer, exact=exact)
    print_benchmark(result)
    if db_people is None:
        db_people = min(participants, 5_000)
    if db_people:
        from rich.table import Table

        from bot.bench_matching_db import run_db_benchmark

        runs = []
        for url in (None, database_url) if database_url else (None,):
            with console.status(f"Timing the database path on {url or 'SQLite'}…"):
                runs.append(run_db_benchmark(db_people, url, seed=seed))
        targets = {"import_enrollments_s": "target ≤ 2 s at 5,000",
                   "match_publish_s": "target ≤ 3 s at 5,000"}
        table = Table(title=f"Database path: {db_people:,} people")
        table.add_column("figure")
        for figures in runs:
            table.add_column(str(figures["backend"]), justify="right")
        for name in runs[0]:
            if name == "backend":
                continue
            label = f"{name} ({targets[name]})" if name in targets else name
            table.add_row(label, *(f"{f[name]:.3f}" if isinstance(f[name], float)
                                   else str(f[name]) for f in runs))
        console.print(table)


@bench_app.command("delivery")
def bench_delivery(
    messages: int = typer.Option(5000, "--messages", "-n", min=1),
    channels: int = typer.Option(50, "--channels", min=1),
    seed: int = typer.Option(0, "--seed"),
    replicas: int = typer.Option(
        1, "--replicas", min=1, help="Real `mentorbot serve` processes on one PostgreSQL "
        "(needs --database-url); 1 runs the dispatcher in this process."),
    database_url: str | None = typer.Option(
        None, "--database-url", help="PostgreSQL for --replicas; a schema of its own is "
        "made and dropped afterwards."),
    kill_every: float | None = typer.Option(
        None, "--kill-every", metavar="SECONDS", help="kill -9 a replica this often and "
        "start it again."),
    slow_ms: int = typer.Option(0, "--slow-ms", min=0, help="Slack answers this late."),
    db_outage: float | None = typer.Option(
        None, "--db-outage", metavar="SECONDS", help="Cut every database connection for "
        "this long, 5 s in."),
) -> None:
    """Deliver N messages through a local fake Slack that enforces Slack's limits."""
    if replicas > 1 or kill_every or slow_ms or db_outage:
        from bot.bench.replicas import run_replicas_benchmark

        if not database_url:
            console.print("[red]--replicas and the faults need --database-url "
                          "postgresql+psycopg://…[/red]")
            raise typer.Exit(2)
        figures = run_replicas_benchmark(
            database_url, replicas=replicas, messages=messages, channels=channels, seed=seed,
            kill_every=kill_every, slow_ms=slow_ms, db_outage=db_outage,
            note=lambda text: console.print(text))
        _print_figures(f"Delivery by {replicas} replica(s) on one PostgreSQL", figures)
        return
    from bot.bench.delivery import print_delivery_benchmark, run_delivery_benchmark
    from core.clock import RunningClock

    with console.status(f"Delivering {messages:,} messages at Slack's pace…"):
        result = run_delivery_benchmark(messages, channels, seed,
                                        clock=RunningClock(_clock().now()))
    print_delivery_benchmark(result, console)


def _print_figures(title: str, figures: dict) -> None:  # type: ignore[type-arg]
    from rich.table import Table

    table = Table(title=title)
    table.add_column("figure")
    table.add_column("value", justify="right")
    for name, value in figures.items():
        table.add_row(name.replace("_", " "), "—" if value is None else str(value))
    console.print(table)


@bench_app.command("report")
def bench_report(
    people: int = typer.Option(50_000, "--people", "-n", min=10),
    months: int = typer.Option(12, "--months", min=1, max=36),
    database_url: str | None = typer.Option(
        None, "--database-url", help="Default: a temporary SQLite file. A PostgreSQL URL gets "
        "a schema of its own, dropped afterwards."),
) -> None:
    """Generate an organisation with months of activity, then time the report in every format."""
    from bot.bench.report import run_benchmark

    run_benchmark(people, months, database_url, console=console, now=_clock().now())


@app.command("scim-token")
def scim_token(
    label: str = typer.Option("identity provider", help="What the token is for."),
    workspace: str = WORKSPACE_OPTION,
) -> None:
    """Create a SCIM bearer token for a workspace; it is shown once and stored hashed."""
    from adapters.scim.tokens import create_token

    sessions = _sessions()
    with sessions() as session, session.begin():
        token = create_token(session, _workspace(session, workspace), label)
    console.print("SCIM base URL: https://YOUR-HOST/scim/v2")
    console.print(f"Bearer token (shown once): [bold]{token}[/bold]")


@app.command("link-slack")
def link_slack(workspace: str = WORKSPACE_OPTION) -> None:
    """Find HRIS people's Slack accounts by email so the bot can DM them first."""
    from slack_sdk.web.async_client import AsyncWebClient

    from adapters.slack.linking import link_by_email

    settings = get_settings()
    if not settings.slack_bot_token:
        console.print("[red]Set SLACK_BOT_TOKEN first.[/red]")
        raise typer.Exit(2)
    sessions = _sessions()
    with sessions() as session:
        ws_id = _workspace(session, workspace).id
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

    sessions = _sessions()
    with sessions() as session, session.begin():
        ws = _workspace(session, workspace)
        prog = _program_named(session, ws, program)
        rows = list(csv_module.DictReader(file.read_text("utf-8-sig").splitlines()))
        if not rows or "email" not in rows[0]:
            console.print("[red]The CSV needs an “email” column.[/red]")
            raise typer.Exit(2)
        added, unknown = 0, []
        for line, row in enumerate(rows, start=2):
            email = (row.get("email") or "").strip().lower()
            person = _person_by_email(session, ws, email) if email else None
            if person is None:
                unknown.append(f"line {line}: {email or '(empty)'}")
                continue
            added += invite_person(session, prog, person, now=_clock().now())
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

    sessions = _sessions()
    with sessions() as session, session.begin():
        ws = _workspace(session, workspace)
        person = _person_by_email(session, ws, email)
        if person is None:
            console.print(f"[red]No person with email {email}.[/red]")
            raise typer.Exit(2)
        if not yes and not typer.confirm(f"Erase {person.name} <{email}> everywhere?"):
            raise typer.Exit(1)
        redacted = forget_person(session, person, now=_clock().now())
    console.print(f"[green]Done.[/green] {redacted} stored values mentioning them were redacted; "
                  "the request is in the audit log.")


@app.command()
def version() -> None:
    """Print the installed version."""
    console.print(pkg_version("mentorbot"))


if __name__ == "__main__":
    app()
