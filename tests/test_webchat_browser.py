"""The web chat in headless Chromium at phone and desktop width: the searchable picker with
its admin marker, one log per person, and a 10,000-character message that neither overflows
the page nor ends in "Something went wrong"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import create_app
from bot.migrate import upgrade
from bot.settings import Settings
from core.clock import FakeClock
from core.db import make_engine, transaction
from core.demo import load_demo
from tests.served import CHROMIUM, CHROMIUM_ARGS, needs_chromium, served

pytestmark = needs_chromium
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is missing: pip install -e '.[test]'")

@pytest.fixture
def base_url(db_url: str, clock: FakeClock) -> Iterator[str]:
    """The real app with the demo loaded, served by uvicorn in a thread (no scheduler)."""
    upgrade(make_engine(db_url))
    app = create_app(Settings(database_url=db_url, _env_file=None), clock=clock)
    with transaction(app.state.sessions) as s:
        load_demo(s, enrollments=0)
    with served(app) as url:
        yield url
    app.state.engine.dispose()


def _fits(page: object) -> None:
    """Nothing is wider than the window: no sideways scrolling, the header included."""
    widths = page.evaluate(  # type: ignore[attr-defined]
        "() => ({doc: document.documentElement.scrollWidth, win: window.innerWidth,"
        " header: document.querySelector('header').scrollWidth,"
        " headerBox: document.querySelector('header').clientWidth})")
    assert widths["doc"] <= widths["win"], widths
    assert widths["header"] <= widths["headerBox"], widths


def _pick(page: object, typed: str, name: str, user: str) -> None:
    """Type part of a name, click the person, wait until the page shows their log."""
    page.fill("#who", typed)  # type: ignore[attr-defined]
    page.locator("#who-list li", has_text=name).first.click()  # type: ignore[attr-defined]
    page.wait_for_selector(f'#log[data-user="{user}"]')  # type: ignore[attr-defined]
    assert page.input_value("#who") == name  # type: ignore[attr-defined]


def test_web_chat_at_phone_and_desktop_width(base_url: str, tmp_path: Path) -> None:
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 390, "height": 844})
        try:
            page = browser.new_page()
            page.goto(base_url)
            page.wait_for_selector("text=Fatima Okoro")  # the welcome names the admin
            _fits(page)
            # Nobody is picked on load, so nobody's messages are collected behind your back.
            assert page.input_value("#who") == ""
            assert page.evaluate("fetch('/webchat/api/me').then(r => r.json())") == {
                "user": None}

            # Type to search ~200 names; the admin is marked.
            page.fill("#who", "okoro")
            options = page.locator("#who-list li")
            assert options.count() == 10  # every Okoro, the admin first and marked
            assert options.first.locator(".badge").text_content() == "admin"
            assert options.locator(".badge").count() == 1
            page.fill("#who", "fatima okoro")
            assert options.count() == 1 and "Chief People Officer" in options.first.text_content()
            page.fill("#who", "nobody like this")
            assert options.first.text_content() == "Nobody by that name"
            _pick(page, "fatima ok", "Fatima Okoro", "fatima.okoro@example.com")

            page.fill("#text", "/mentor help")
            page.press("#text", "Enter")
            page.wait_for_selector("#log .msg.bot >> text=/mentor join")

            page.fill("#text", "y" * 10_000)
            page.press("#text", "Enter")
            alert = page.wait_for_selector("#log [role=alert]")
            assert "10,000 characters long; the chat takes up to 4,000" in alert.text_content()
            _fits(page)

            # Another person has a log of their own; switching back brings Fatima's back.
            _pick(page, "amir iv", "Amir Ivanova", "amir.ivanova@example.com")
            assert page.locator("#log .msg.me").count() == 0
            assert "the chat takes up to 4,000" not in page.text_content("#log")
            page.fill("#text", "/mentor status")
            page.press("#text", "Enter")
            page.wait_for_function(
                "() => document.querySelectorAll('#log .msg.bot').length >= 2")
            _pick(page, "fatima ok", "Fatima Okoro", "fatima.okoro@example.com")
            mine = page.locator("#log .msg.me").all_text_contents()
            assert mine == ["/mentor help", "y" * 10_000]  # not Amir's "/mentor status"
            assert "the chat takes up to 4,000" in page.text_content("#log")
            page.screenshot(path=str(tmp_path / "webchat-390.png"), full_page=True)

            page.set_viewport_size({"width": 1280, "height": 800})
            _fits(page)
        finally:
            browser.close()
