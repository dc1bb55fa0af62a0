"""`mentorbot bench …`: benchmarks that print their figures."""

from __future__ import annotations

import typer

from bot.cli.common import app, command_clock, console

bench_app = typer.Typer(help="Benchmarks that print their figures.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")


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
    from bot.bench.matching import print_benchmark, run_benchmark

    with console.status(f"Benchmarking {participants:,} participants…"):
        result = run_benchmark(participants, seed=seed, peer=peer, exact=exact)
    print_benchmark(result)
    if db_people is None:
        db_people = min(participants, 5_000)
    if db_people:
        from rich.table import Table

        from bot.bench.matching_db import run_db_benchmark

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
        "(needs --database-url); without --database-url the dispatcher runs in this process."),
    database_url: str | None = typer.Option(
        None, "--database-url", help="PostgreSQL for --replicas; a schema of its own is "
        "made and dropped afterwards."),
    kill_every: float | None = typer.Option(
        None, "--kill-every", metavar="SECONDS", help="kill -9 a replica this often and "
        "start it again."),
    slow_ms: int = typer.Option(0, "--slow-ms", min=0, help="Slack answers this late."),
    db_outage: float | None = typer.Option(
        None, "--db-outage", metavar="SECONDS", help="Cut every database connection for "
        "this long, 5 s after the first message arrives."),
) -> None:
    """Deliver N messages through a local fake Slack that enforces Slack's limits."""
    if replicas > 1 or database_url or kill_every or slow_ms or db_outage:
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
                                        clock=RunningClock(command_clock().now()))
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

    run_benchmark(people, months, database_url, console=console, now=command_clock().now())


@bench_app.command("acks")
def bench_acks(
    rate: float = typer.Option(200.0, "--rate", min=1, help="Commands a second, to each app."),
    seconds: float = typer.Option(15.0, "--seconds", min=1),
    database_url: str | None = typer.Option(
        None, "--database-url", help="PostgreSQL URL (a schema of its own, dropped "
        "afterwards); default: a temporary SQLite file."),
) -> None:
    """Signed /mentor commands, open loop, to the project and a bare Bolt app served the same
    way, interleaved: p50/p95/p99 of acks, views.open and replies, CPU per command, ratios."""
    from rich.table import Table

    from bot.bench.acks import figures, run_acks_benchmark

    with console.status(f"{rate:g} commands/s to each app for {seconds:g} s…"):
        f = figures(run_acks_benchmark(rate, seconds, database_url))
    table = Table(title=f"Acks at {rate:g}/s for {seconds:g} s on {f['backend']} "
                        f"({f['commands_each']} commands each, {f['joins']} joins)")
    for column in ("figure", "project", "bare Bolt", "project / bare"):
        table.add_column(column, justify="right" if column != "figure" else "left")
    for tag in ("p50", "p95", "p99"):
        mine, bare = f[f"ack_{tag}_ms"]["project"], f[f"ack_{tag}_ms"]["bare"]
        table.add_row(f"ack {tag} (ms)", f"{mine:.1f}", f"{bare:.1f}",
                      f"{mine / bare:.2f}×" if bare else "–")
    for tag in ("p50", "p95", "p99"):
        table.add_row(f"views.open {tag} after the command (ms)",
                      f"{f[f'views_open_{tag}_ms']:.0f}", "–", "–")
    for tag in ("p50", "p95", "p99"):
        table.add_row(f"reply {tag} (ms)", f"{f[f'reply_{tag}_ms']:.0f}", "–", "–")
    cpu = f["cpu_ms_per_command"]
    table.add_row("server CPU per command (ms)", f"{cpu['project']:.2f}", f"{cpu['bare']:.2f}",
                  f"{f['cpu_ratio']:.2f}×")
    table.add_row("failed requests", str(f["failed"]["project"]), str(f["failed"]["bare"]), "")
    table.add_row("views.open / replies arrived", f"{f['views_open_arrived']} / "
                  f"{f['replies_arrived']}", "", "")
    console.print(table)
    start, end = f["load_average_1min"]
    # Above the number of cores, other work competed with both apps for the CPU.
    console.print(f"load average (1 min): {start:.2f} at the start, {end:.2f} at the end")
    met = {
        "ack p99 ≤ 2× bare": f["ack_p99_ratio"] <= 2,
        "views.open p99 ≤ 1 s": f["views_open_p99_ms"] <= 1000,
        "replies p99 ≤ 2 s": f["reply_p99_ms"] <= 2000,
        "CPU per command ≤ 3 ms": cpu["project"] <= 3,
    }
    for name, ok in met.items():
        console.print(f"{'[green]met[/green]' if ok else '[red]missed[/red]'}  {name}")
