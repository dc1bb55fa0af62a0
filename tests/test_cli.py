"""The `mentorbot` command as an operator uses it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select

from bot.cli import app
from core.db import make_engine, make_session_factory
from core.models import Person, Program, ProgramStatus
from tests.cli_runner import runner
from tests.served import free_port


def test_db_upgrade_demo_and_version(db_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", db_url)
    from bot.settings import get_settings

    get_settings.cache_clear()
    try:
        assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
        first = runner.invoke(app, ["demo"])
        assert first.exit_code == 0 and "217 new people" in first.output
        assert "Fatima Okoro (fatima.okoro@example.com)" in first.output  # the demo's admin
        again = runner.invoke(app, ["demo", "--if-empty"])
        assert again.exit_code == 0 and "already has people" in again.output
        assert runner.invoke(app, ["demo"]).output.count("0 new people") == 1
        assert runner.invoke(app, ["version"]).output.strip() == "0.1.0"
    finally:
        get_settings.cache_clear()
    sessions = make_session_factory(make_engine(db_url))
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Person)) == 217
        assert s.scalar(select(func.count()).select_from(Person)
                        .where(Person.manager_id.is_not(None))) == 216
        open_programs = s.scalars(select(Program.name)
                                  .where(Program.status == ProgramStatus.OPEN)).all()
        assert sorted(open_programs) == ["Leadership 1:1", "Peer circles"]


def test_serve_without_credentials_answers_health_and_serves_the_web_chat(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "MICROSOFT_", "DATABASE_URL", "WEBCHAT_", "TEAMS_"))}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'serve.db'}"
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
                            env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "serve did not start in 20 s"
                time.sleep(0.2)
        assert health.json() == {"status": "ok"}
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
        assert page.status_code == 200 and "Chatting as" in page.text
        assert (tmp_path / "serve.db").exists()  # serve applied the migrations itself
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_logs_never_contain_tokens(capsys) -> None:  # type: ignore[no-untyped-def]
    import logging

    from bot.logs import configure

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    configure("INFO", as_json=True)
    try:
        logging.getLogger("t").info("calling with %s and %s", "xoxb-123-456-abc",
                                    "Authorization: Bearer eyJhbGciOi.x.y")
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    err = capsys.readouterr().err
    assert "xoxb-123" not in err and "eyJhbGciOi" not in err and "[redacted]" in err


def test_teams_package_builds_the_zip_to_upload(tmp_path: Path) -> None:
    import json
    import zipfile

    out = tmp_path / "teams.zip"
    result = runner.invoke(app, ["teams-package", "--out", str(out), "--app-id", "app-123"])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as z:
        manifest = json.loads(z.read("manifest.json"))
        assert {"manifest.json", "color.png", "outline.png"} <= set(z.namelist())
    assert manifest["bots"][0]["botId"] == "app-123"
    missing = runner.invoke(app, ["teams-package", "--out", str(out)],
                            env={"MICROSOFT_APP_ID": ""})
    assert missing.exit_code == 2 and "MICROSOFT_APP_ID" in missing.output


def test_match_dry_run_prints_a_summary_and_csv_and_stores_nothing(
        db_url: str, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from core.models import MatchRun

    monkeypatch.setenv("DATABASE_URL", db_url)
    from bot.settings import get_settings

    get_settings.cache_clear()
    try:
        assert runner.invoke(app, ["demo"]).exit_code == 0
        out = tmp_path / "m.csv"
        result = runner.invoke(app, ["match", "Leadership 1:1", "--dry-run", "--csv", str(out)])
        assert result.exit_code == 0, result.output
        assert "Coverage" in result.output and "Dry run: nothing was stored." in result.output
        lines = out.read_text().splitlines()
        assert lines[0].startswith("status,mentor,") and len(lines) > 20
        with make_session_factory(make_engine(db_url))() as s:
            assert s.scalars(select(MatchRun)).all() == []
        stored = runner.invoke(app, ["match", "leadership 1:1", "--publish"])
        assert "Published" in stored.output
        missing = runner.invoke(app, ["match", "Nope"])
        assert missing.exit_code == 2 and "No program called" in missing.output
    finally:
        get_settings.cache_clear()


def test_bench_matching_prints_its_figures() -> None:
    result = runner.invoke(app, ["bench", "matching", "--participants", "300"])
    assert result.exit_code == 0, result.output
    for figure in ("ours_pct_of_optimum", "greedy_pct_of_optimum", "ratio_end_to_end_to_bare",
                   "peak_rss_mb"):
        assert figure in result.output


def test_bench_delivery_prints_throughput_duplicates_and_losses() -> None:
    result = runner.invoke(app, ["bench", "delivery", "--messages", "20", "--channels", "10"])
    assert result.exit_code == 0, result.output
    for figure in ("throughput ÷ allowed", "duplicates", "lost"):
        assert figure in result.output
