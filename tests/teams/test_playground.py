"""End to end in Microsoft's own offline Teams simulator, the 365 Agents Playground (npm
``@microsoft/m365agentsplayground``), driven in Debian's Chromium through Playwright: the real
app serves ``/api/messages``, the playground plays Teams (its Bot Connector, its users, a
personal chat, a group chat, a team with channels) and shows what the bot sent.

One bot and one playground serve every scenario, in order, in one test (a start costs ~15 s,
and pytest-xdist would split separate tests of one module across workers): help, my-data in
the group chat, an admin grant reaching someone who never wrote, enrollment through the card,
an admin publishing a match, and Join on a channel announcement opening privately.

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
from core.models import (
    Enrollment,
    Match,
    OutboxMessage,
    OutboxStatus,
    Person,
    PlatformIdentity,
    Program,
    ProgramKind,
    ProgramStatus,
    Role,
)
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
        _seed_pairs(s)
    with served(app) as url:
        yield f"{url}/api/messages", app.state.sessions
    app.state.engine.dispose()


PAIRS = "Playground pairs"


def _seed_pairs(session: object) -> None:
    """A small program with one mentor, Patti (a playground user who never writes to the bot),
    so that Alex, enrolling through the card, is matched with her."""
    patti = session.scalar(select(Person).where(  # type: ignore[attr-defined]
        Person.email == "pattif@example.com"))
    program = Program(workspace_id=patti.workspace_id, name=PAIRS, kind=ProgramKind.ONE_ON_ONE,
                      description="Try a pairing.", status=ProgramStatus.OPEN, skills=[])
    session.add(program)  # type: ignore[attr-defined]
    session.flush()  # type: ignore[attr-defined]
    session.add(Enrollment(  # type: ignore[attr-defined]
        person_id=patti.id, program_id=program.id, role=Role.MENTOR, capacity=2,
        skills_offered=["Leadership", "Negotiation"], availability="mornings"))


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


def _open(page: object, chat: str) -> None:
    page.get_by_text(chat, exact=True).click()  # type: ignore[attr-defined]


def _combo(page: object, label: str) -> object:
    """An Adaptive Card choice set, as the playground draws it (a Fluent UI combobox)."""
    return page.get_by_role("combobox", name=label)  # type: ignore[attr-defined]


def _cards(page: object, *texts: str) -> object:
    """The bot's cards in the open conversation that contain every one of ``texts``."""
    cards = page.locator(".ac-adaptiveCard")  # type: ignore[attr-defined]
    for text in texts:
        cards = cards.filter(has_text=text)
    return cards


def _help_and_private_data(page: object) -> None:
    """Help in the personal chat; my-data asked in the group chat reaches the 1:1 chat only."""
    chat = page.locator("main").or_(page.locator("body")).first  # type: ignore[attr-defined]
    # Help in the personal chat: commands as Teams people type them, lines kept.
    _open(page, "Personal Chat")
    _say(page, "mentor help")
    page.get_by_text("mentor my-data").first.wait_for()  # type: ignore[attr-defined]
    assert "/mentor" not in chat.inner_text()

    # my-data asked in the group chat: the group reads only the notice.
    _open(page, "Group Chat")
    _say(page, "mentor my-data", mention=True)
    page.get_by_text("I've sent you a private message.").wait_for()  # type: ignore[attr-defined]
    assert PLAYGROUND_ADMIN not in chat.inner_text()
    _open(page, "Personal Chat")
    page.get_by_text("Everything Mentorbot stores about you").wait_for()  # type: ignore[attr-defined]
    assert PLAYGROUND_ADMIN in chat.inner_text()  # linked to his HR record by email


def _grant_reaches_someone_who_never_wrote(page: object, sessions: object) -> None:
    """An admin grant reaches Adele, who never wrote: a 1:1 chat is opened for her."""
    _open(page, "Group Chat")
    _say(page, "mentor admin grant adelev@example.com", mention=True)
    page.get_by_text("createConversation 201").first.wait_for()  # type: ignore[attr-defined]
    _poll(lambda: _all_sent_to(sessions, "adelev@example.com"))
    assert _chat_of(sessions, "adelev@example.com")


def _enroll_through_the_card(page: object, sessions: object) -> None:
    """Alex enrolls in the pairs program through the cards: the program picker, then the form
    with its single and multi-select inputs, a text area, and Enroll."""
    _open(page, "Personal Chat")
    _say(page, "mentor join")
    page.get_by_text("Several programs are open").wait_for()  # type: ignore[attr-defined]
    _combo(page, "Choose a program").click()  # type: ignore[attr-defined]
    page.get_by_role("option", name=PAIRS).click()  # type: ignore[attr-defined]
    page.get_by_role("button", name="Choose").click()  # type: ignore[attr-defined]
    form = _cards(page, "Join a program", PAIRS)
    form.wait_for()  # type: ignore[attr-defined]
    _combo(form, "I want to join as").click()  # type: ignore[attr-defined]
    page.get_by_role("option", name="Mentee (I want to learn)").click()  # type: ignore[attr-defined]
    # A multi-select: its options are checkboxes, and the list stays open between picks.
    _combo(form, "Skills I want to learn").click()  # type: ignore[attr-defined]
    for skill in ("Leadership", "Negotiation"):
        page.get_by_role("menuitemcheckbox", name=skill).click()  # type: ignore[attr-defined]
    page.keyboard.press("Escape")  # type: ignore[attr-defined]
    form.get_by_role("textbox", name="My development goals").fill(  # type: ignore[attr-defined]
        "Lead a team through a reorg")
    _combo(form, "When I can usually meet").click()  # type: ignore[attr-defined]
    page.get_by_role("option", name="Mornings").click()  # type: ignore[attr-defined]
    form.get_by_role("button", name="Enroll").click()  # type: ignore[attr-defined]
    confirmation = _cards(page, "You're enrolled in", PAIRS)
    confirmation.wait_for()  # type: ignore[attr-defined]
    assert "Leadership, Negotiation" in confirmation.inner_text()  # type: ignore[attr-defined]
    with sessions() as s:  # type: ignore[operator]
        [enrollment] = s.scalars(select(Enrollment).join(Person).join(Program).where(
            Person.email == PLAYGROUND_ADMIN, Program.name == PAIRS)).all()
        assert enrollment.role is Role.MENTEE
        assert enrollment.skills_wanted == ["Leadership", "Negotiation"]
        assert (enrollment.goals, enrollment.availability) == (
            "Lead a team through a reorg", "mornings")


def _admin_publishes_a_match(page: object, sessions: object) -> None:
    """Alex, an admin, previews and publishes the pairs program's matching: the introduction
    reaches him and Patti, who never wrote to the bot."""
    _open(page, "Personal Chat")
    _say(page, f"mentor admin match {PAIRS}")
    preview = _cards(page, "matching preview", PAIRS)
    preview.wait_for()  # type: ignore[attr-defined]
    preview.get_by_role("button", name="Publish").click()  # type: ignore[attr-defined]
    page.get_by_text(f"Published 1 match in {PAIRS}").wait_for()  # type: ignore[attr-defined]
    intro = _cards(page, "Patti and Alex, meet each other!")
    intro.wait_for()  # type: ignore[attr-defined]
    assert "Lead a team through a reorg" in intro.inner_text()  # type: ignore[attr-defined]
    with sessions() as s:  # type: ignore[operator]
        assert len(s.scalars(select(Match).join(Program).where(Program.name == PAIRS)).all()) == 1
    _poll(lambda: _all_sent_to(sessions, "pattif@example.com"))
    assert _chat_of(sessions, "pattif@example.com")


ANNOUNCEMENT = ("**Mentoring season** is open!\nYou get:\n- a mentor for six months\n"
                "- a session every two weeks\nType `mentor join <program>` or read "
                "[the guide](https://intranet.test/mentoring).")


def _join_from_a_channel_opens_privately(page: object) -> None:
    """Alex announces in #General with a Join button; the announcement's Markdown reads as a
    list and a link; Join clicked in the channel opens the enrollment form in his 1:1 chat, and
    the channel reads only the notice."""
    _open(page, "Personal Chat")
    _say(page, "mentor admin announce")
    form = _cards(page, "Announce", "Channel(s)")
    form.wait_for()  # type: ignore[attr-defined]
    form.get_by_role("textbox", name="Channel(s)").fill("#General")  # type: ignore[attr-defined]
    form.get_by_role("textbox", name="Message (Markdown)").fill(  # type: ignore[attr-defined]
        ANNOUNCEMENT)
    _combo(form, "Add a Join button for").click()  # type: ignore[attr-defined]
    page.get_by_role("option", name="Leadership 1:1").click()  # type: ignore[attr-defined]
    form.get_by_role("button", name="Preview").click()  # type: ignore[attr-defined]
    page.get_by_role("button", name="Post", exact=True).click()  # type: ignore[attr-defined]
    page.get_by_text("Posting to #General now").wait_for()  # type: ignore[attr-defined]

    _open(page, "General")
    # The Markdown as Microsoft's card renderer draws it: a list, a link, <program> shown.
    posted = _cards(page, "Mentoring season").first  # type: ignore[attr-defined]
    posted.wait_for()
    assert posted.locator("ul > li").all_inner_texts() == [
        "a mentor for six months", "a session every two weeks"]
    assert posted.locator('a[href="https://intranet.test/mentoring"]').inner_text() == (
        "the guide")
    shown = posted.inner_text()
    assert "mentor join <program>" in shown and "**" not in shown and "](" not in shown
    page.get_by_role("button", name="Join Leadership 1:1").click()  # type: ignore[attr-defined]
    page.get_by_text("I've sent you a private message.").wait_for()  # type: ignore[attr-defined]
    assert _cards(page, "Join a program").count() == 0  # type: ignore[attr-defined]
    _open(page, "Personal Chat")
    _cards(page, "Join a program", "Leadership 1:1").wait_for()  # type: ignore[attr-defined]


def _all_sent_to(sessions: object, email: str) -> bool:
    with sessions() as s:  # type: ignore[operator]
        person = s.scalar(select(Person).where(Person.email == email))
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.person_id == person.id)).all()
        return bool(rows) and all(r.status is OutboxStatus.SENT for r in rows)


def _chat_of(sessions: object, email: str) -> str:
    """The id of the 1:1 chat stored for someone (opened by the bot when they never wrote)."""
    with sessions() as s:  # type: ignore[operator]
        ref = s.scalar(select(PlatformIdentity.conversation_ref).join(Person).where(
            Person.email == email))
        return str(((ref or {}).get("conversation") or {}).get("id") or "")


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
            # Opening the team's channel installs the app in the team: its channels are stored
            # and its roster links Patti, who never writes, to her HR record.
            _open(page, "General")
            page.get_by_text("getConversationPagedMembers 200").wait_for()

            _help_and_private_data(page)
            _grant_reaches_someone_who_never_wrote(page, sessions)
            _enroll_through_the_card(page, sessions)
            _admin_publishes_a_match(page, sessions)
            _join_from_a_channel_opens_privately(page)
        except Exception:
            page.screenshot(path=str(tmp_path / "playground-failure.png"), full_page=True)
            raise
        finally:
            browser.close()
