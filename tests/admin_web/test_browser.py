"""The admin page in headless Chromium: 401, one-time link, create a program, see it listed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.admin_web.conftest import AdminWeb
from tests.served import CHROMIUM, CHROMIUM_ARGS, needs_chromium, served

pytestmark = needs_chromium
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is missing: pip install -e '.[test]'")

@pytest.fixture
def base_url(web: AdminWeb) -> Iterator[str]:
    """The real app served by uvicorn in a thread (lifespan off: no scheduler ticks)."""
    with served(web.app) as url:
        yield url


def test_admin_signs_in_and_creates_a_program(
        web: AdminWeb, base_url: str, tmp_path: Path) -> None:
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            denied = page.goto(f"{base_url}/admin")
            assert denied is not None and denied.status == 401
            assert "/mentor admin web" in page.text_content("body")

            token = web.link()
            page.goto(f"{base_url}/admin/login?token={token}")
            assert page.url == f"{base_url}/admin"
            assert page.locator("h1").first.text_content() == "Programs"

            page.click("text=New program")
            page.select_option("#template", "peer_circles")
            page.click("text=Use template")
            assert page.input_value("#f-group_size") == "4"
            page.fill("#f-name", "Peer circles spring")
            page.click("button:has-text('Create')")

            page.wait_for_url(f"{base_url}/admin?created=*")
            assert "Created the draft program “Peer circles spring”" in page.text_content("body")
            row = page.locator("tr", has_text="Peer circles spring")
            assert "draft" in row.text_content() and "Group" in row.text_content()
            shot = tmp_path / "admin-programs.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 0

            # The link was spent: opening it again is refused.
            reused = page.goto(f"{base_url}/admin/login?token={token}")
            assert reused is not None and reused.status == 401
        finally:
            browser.close()
