"""The web chat in headless Chromium at phone and desktop width: the searchable picker with
its admin marker, one log per person, a 10,000-character message that neither overflows the
page nor ends in "Something went wrong", and a Markdown announcement drawn with its list and
link, in the preview, in the admin's log and in another person's."""

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


ANNOUNCEMENT = ("**Spring cohort** is open!\nYou get:\n- a mentor for six months\n"
                "- a session every two weeks\nRead [the guide](https://intranet.test/mentoring).")
GUIDE = 'a[href="https://intranet.test/mentoring"]'


def _say(page: object, text: str) -> None:
    page.fill("#text", text)  # type: ignore[attr-defined]
    page.press("#text", "Enter")  # type: ignore[attr-defined]


def _announcement_reads_well(page: object, message: object) -> None:
    """The announcement's Markdown drawn: bold, a two-item list shown as a list, a safe link,
    no stray Markdown, and nothing wider than the window."""
    items = message.locator("ul > li")  # type: ignore[attr-defined]
    assert items.all_text_contents() == ["a mentor for six months", "a session every two weeks"]
    assert items.first.evaluate("li => getComputedStyle(li).display") == "list-item"
    assert "Spring cohort" in message.locator("strong").all_text_contents()  # type: ignore[attr-defined]
    link = message.locator(GUIDE)  # type: ignore[attr-defined]
    assert link.text_content() == "the guide"
    assert link.get_attribute("target") == "_blank"
    assert link.get_attribute("rel") == "noopener noreferrer"
    box, window = link.bounding_box(), page.viewport_size  # type: ignore[attr-defined]
    assert box is not None and 0 <= box["x"] <= box["x"] + box["width"] <= window["width"]
    text = message.text_content()  # type: ignore[attr-defined]
    assert "**" not in text and "](" not in text and "- a mentor" not in text
    _fits(page)


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 800)], ids=["phone", "desktop"])
def test_web_chat_at_phone_and_desktop_width(base_url: str, tmp_path: Path, width: int,
                                             height: int) -> None:
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": width, "height": height})
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

            # Amir first: his page polls, so a channel post later reaches him too.
            with page.expect_response("**/webchat/api/inbox"):
                _pick(page, "amir iv", "Amir Ivanova", "amir.ivanova@example.com")
            _say(page, "/mentor status")
            page.wait_for_selector("#log .msg.bot >> nth=1")

            # Fatima has a log of her own: none of Amir's messages.
            _pick(page, "fatima ok", "Fatima Okoro", "fatima.okoro@example.com")
            assert page.locator("#log .msg.me").count() == 0
            _say(page, "/mentor help")
            page.wait_for_selector("#log .msg.bot >> text=/mentor join")
            _say(page, "y" * 10_000)
            alert = page.wait_for_selector("#log [role=alert]")
            assert "10,000 characters long; the chat takes up to 4,000" in alert.text_content()
            _fits(page)

            # A Markdown announcement: the form, the preview, then the post in the room.
            _say(page, "/mentor admin announce")
            form = page.locator('#log form[data-form-id="announce"]')
            form.locator('[name="channels"]').fill("#general")
            form.locator('[name="text"]').fill(ANNOUNCEMENT)
            form.locator('button[type="submit"]').click()
            preview = page.locator("#log .msg.bot", has=page.locator(
                'button[data-action="announce.confirm"]'))
            preview.wait_for()
            _announcement_reads_well(page, preview)
            preview.locator('button[data-action="announce.confirm"]').click()
            posted = page.locator("#log .msg.bot", has=page.locator(GUIDE)).filter(
                has_not=page.locator("button"))
            posted.wait_for()  # the channel post, polled from the room
            _announcement_reads_well(page, posted)
            page.screenshot(path=str(tmp_path / f"webchat-{width}.png"), full_page=True)

            # Amir's log: his own message and the announcement, none of Fatima's.
            _pick(page, "amir iv", "Amir Ivanova", "amir.ivanova@example.com")
            assert page.locator("#log .msg.me").all_text_contents() == ["/mentor status"]
            assert "the chat takes up to 4,000" not in page.text_content("#log")
            arrived = page.locator("#log .msg.bot", has=page.locator(GUIDE))
            arrived.wait_for()
            _announcement_reads_well(page, arrived)

            # Back to Fatima: her log as she left it.
            _pick(page, "fatima ok", "Fatima Okoro", "fatima.okoro@example.com")
            mine = page.locator("#log .msg.me").all_text_contents()
            assert mine == ["/mentor help", "y" * 10_000, "/mentor admin announce"]
            assert "the chat takes up to 4,000" in page.text_content("#log")
            # The preview became "Posting…"; the post itself stayed.
            assert page.locator("#log .msg.bot", has=page.locator(GUIDE)).count() == 1
            assert "Posting to #general now" in page.text_content("#log")
            _fits(page)

            # Fatima reads German: the page's own words follow her, and Amir's are English.
            _say(page, "/mentor language de")
            page.wait_for_selector('html[lang="de"]')
            assert page.text_content("footer button") == "Senden"
            assert page.text_content('label[for="who"]') == "Du chattest als"
            _fits(page)
            page.screenshot(path=str(tmp_path / f"webchat-de-{width}.png"), full_page=True)
            _pick(page, "amir iv", "Amir Ivanova", "amir.ivanova@example.com")
            page.wait_for_selector('html[lang="en"]')
            assert page.text_content("footer button") == "Send"
        finally:
            browser.close()
