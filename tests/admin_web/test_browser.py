"""The admin page in headless Chromium: 401, one-time link, create a program, see it listed."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from tests.admin_web.conftest import AdminWeb

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    not os.access(CHROMIUM, os.X_OK),
    reason=f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)")
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is missing: pip install -e '.[test]'")

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def base_url(web: AdminWeb) -> Iterator[str]:
    """The real app served by uvicorn in a thread (lifespan off: no scheduler ticks)."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(web.app, host="127.0.0.1", port=port,
                                           lifespan="off", log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_admin_signs_in_and_creates_a_program(
        web: AdminWeb, base_url: str, tmp_path: Path) -> None:
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=ARGS)
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
