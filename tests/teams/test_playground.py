"""End to end in Microsoft's own offline Teams simulator, the 365 Agents Playground (npm
``@microsoft/m365agentsplayground``), driven in Debian's Chromium through Playwright: the real
app serves ``/api/messages``, the playground plays Teams (its Bot Connector, its users, a
personal chat, a group chat) and shows what the bot sent.

Skipped, with the reason, when node/npm, the playground package or Chromium is unavailable.
The playground is installed once into ``.e2e-cache/`` (gitignored); ``make playground`` uses it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import create_app
from bot.migrate import upgrade
from bot.settings import Settings
from core.clock import FakeClock
from core.db import make_engine
from core.demo.playground import PLAYGROUND_ADMIN, load_playground
from core.models import OutboxMessage, OutboxStatus, Person, PlatformIdentity
from tests.served import CHROMIUM, CHROMIUM_ARGS, free_port, needs_chromium, served

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".e2e-cache"
PLAYGROUND = "@microsoft/m365agentsplayground@0.2.28"
BIN = CACHE / "node_modules" / ".bin" / "agentsplayground"
pytestmark = needs_chromium
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is missing: pip install -e '.[test]'")


def _playground_bin() -> Path:
    """The playground's CLI, installed from npm into .e2e-cache on first use."""
    if BIN.exists():
        return BIN
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        pytest.skip("node and npm are needed to install the Teams playground")
    CACHE.mkdir(exist_ok=True)
    try:
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(CACHE),
                        PLAYGROUND], check=True, capture_output=True, timeout=240)
    except (subprocess.SubprocessError, OSError) as exc:
        pytest.skip(f"could not install {PLAYGROUND} from npm: {type(exc).__name__}")
    if not BIN.exists():
        pytest.skip(f"{PLAYGROUND} installed no agentsplayground command")
    return BIN


def _wait_for_port(port: int, proc: subprocess.Popen[bytes] | None, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"the playground exited: {proc.stdout.read().decode()[-2000:]}"  # type: ignore[union-attr]
                        )
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    pytest.fail(f"nothing listened on port {port}")


@pytest.fixture
def bot(tmp_path: Path, clock: FakeClock) -> Iterator[tuple[str, object]]:
    """The real app with the playground's tenant seeded, served by uvicorn in a thread."""
    url = f"sqlite:///{tmp_path / 'playground.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    app = create_app(Settings(database_url=url, teams_enabled=True, webchat_enabled=False,
                              admin_emails=PLAYGROUND_ADMIN, _env_file=None), clock=clock)
    with app.state.sessions() as s, s.begin():
        load_playground(s, enrollments=10)
    with served(app) as url:
        yield f"{url}/api/messages", app.state.sessions
    app.state.engine.dispose()


@pytest.fixture
def playground(bot: tuple[str, object]) -> Iterator[str]:
    binary = _playground_bin()
    port = free_port()
    proc = subprocess.Popen(
        [str(binary), "-e", bot[0], "-c", "msteams", "-p", str(port), "--disable-telemetry"],
        env={**os.environ, "TEAMSAPPTESTER_BROWSER": "none"}, cwd=CACHE,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        _wait_for_port(port, proc, 60)
        yield f"http://localhost:{port}/"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _say(page: object, text: str, *, mention: bool = False) -> None:
    box = page.locator("[data-lexical-editor=true]")  # type: ignore[attr-defined]
    box.click()
    if mention:  # in a group chat the bot hears only what @mentions it
        box.type("@Test")
        page.locator("#typeahead-menu").get_by_text("Test Bot").click()  # type: ignore[attr-defined]
        text = " " + text
    box.type(text)
    page.keyboard.press("Enter")  # type: ignore[attr-defined]


def _poll(check: object, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_teams_in_the_playground(bot: tuple[str, object], playground: str,
                                 tmp_path: Path) -> None:
    sessions = bot[1]
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(30_000)
            page.goto(playground)
            page.get_by_text("Connected.").wait_for(timeout=60_000)
            chat = page.locator("main").or_(page.locator("body")).first

            # Help in the personal chat: commands as Teams people type them, lines kept.
            page.get_by_text("Personal Chat", exact=True).click()
            _say(page, "mentor help")
            page.get_by_text("mentor my-data").first.wait_for()
            assert "/mentor" not in chat.inner_text()

            # my-data asked in the group chat: the group reads only the notice.
            page.get_by_text("Group Chat", exact=True).click()
            _say(page, "mentor my-data", mention=True)
            page.get_by_text("I've sent you a private message.").wait_for()
            assert PLAYGROUND_ADMIN not in chat.inner_text()
            page.get_by_text("Personal Chat", exact=True).click()
            page.get_by_text("Everything Mentorbot stores about you").wait_for()
            assert PLAYGROUND_ADMIN in chat.inner_text()  # linked to his HR record by email

            # An admin grant reaches Adele, who never wrote: a 1:1 chat is opened for her.
            page.get_by_text("Group Chat", exact=True).click()
            _say(page, "mentor admin grant adelev@example.com", mention=True)
            page.get_by_text("createConversation 201").wait_for()

            def adele_told() -> bool:
                with sessions() as s:  # type: ignore[operator]
                    adele = s.scalar(select(Person).where(Person.email == "adelev@example.com"))
                    rows = s.scalars(select(OutboxMessage).where(
                        OutboxMessage.person_id == adele.id)).all()
                    return bool(rows) and all(r.status is OutboxStatus.SENT for r in rows)

            _poll(adele_told)
            with sessions() as s:  # type: ignore[operator]
                ref = s.scalar(select(PlatformIdentity.conversation_ref).join(Person).where(
                    Person.email == "adelev@example.com"))
                assert ref and ref["conversation"]["id"]
        except Exception:
            page.screenshot(path=str(tmp_path / "playground-failure.png"), full_page=True)
            raise
        finally:
            browser.close()
