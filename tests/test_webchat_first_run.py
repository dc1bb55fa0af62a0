"""The web chat's first run: an admin to pick, one log per person, links, long messages."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

import httpx
import pytest
from sqlalchemy import func, select

from adapters.webchat.render import file_html, markdown
from core.clock import FakeClock
from core.db import transaction
from core.demo import DEMO_ADMIN_EMAIL, load_demo
from core.models import Admin
from tests.webchat_demo import demo_chat

ADMIN = DEMO_ADMIN_EMAIL  # Fatima Okoro, Chief People Officer


@pytest.fixture
async def chat(db_url: str, clock: FakeClock):
    async with demo_chat(db_url, clock, enrollments=60,
                         admin_emails="amir.adeyemi@example.com") as client:
        yield client


async def _be(chat: httpx.AsyncClient, user: str) -> None:
    assert (await chat.post("/webchat/api/me", json={"user": user})).status_code == 200


async def test_the_picker_marks_the_demo_admin_who_can_run_admin_commands(
        chat: httpx.AsyncClient) -> None:
    people = (await chat.get("/webchat/api/people")).json()
    admins = {p["user"] for p in people if p["admin"]}
    # The demo's own admin, and whoever ADMIN_EMAILS names (an admin from their first message).
    assert admins == {ADMIN, "amir.adeyemi@example.com"}
    fatima = next(p for p in people if p["user"] == ADMIN)
    assert fatima["name"] == "Fatima Okoro" and fatima["title"] == "Chief People Officer"

    await _be(chat, ADMIN)
    preview = (await chat.post("/webchat/api/command", json={
        "user": ADMIN, "text": "admin match Leadership 1:1"})).json()["items"][0]
    assert "matching preview" in preview and "for program admins" not in preview


async def test_nobody_is_picked_and_nobody_s_messages_are_read_until_someone_is(
        chat: httpx.AsyncClient) -> None:
    assert (await chat.get("/webchat/api/me")).json() == {"user": None}
    assert (await chat.get("/webchat/api/inbox")).json() == {"user": None, "items": []}
    await _be(chat, ADMIN)
    assert (await chat.get("/webchat/api/me")).json() == {"user": ADMIN}
    # The inbox names whose messages these are, so a page that switched person meanwhile
    # files them in that person's log.
    await chat.post("/webchat/api/command", json={"user": ADMIN, "text": "admin web"})
    got = (await chat.get("/webchat/api/inbox")).json()
    assert got["user"] == ADMIN and len(got["items"]) == 1


async def test_the_sign_in_link_is_a_link(chat: httpx.AsyncClient) -> None:
    await _be(chat, ADMIN)
    await chat.post("/webchat/api/command", json={"user": ADMIN, "text": "admin web"})
    dm = (await chat.get("/webchat/api/inbox")).json()["items"][0]
    link = re.search(r'<a href="(http://127\.0\.0\.1:8000/admin/login\?token=[^"]+)" '
                     r'target="_blank" rel="noopener noreferrer">', dm)
    assert link is not None, dm
    assert (await chat.get(link.group(1).replace("http://127.0.0.1:8000", ""),
                           follow_redirects=False)).status_code in (302, 303, 307)


async def test_a_too_long_message_is_explained(chat: httpx.AsyncClient) -> None:
    await _be(chat, ADMIN)
    answer = await chat.post("/webchat/api/command", json={"user": ADMIN, "text": "x" * 10_000})
    assert answer.status_code == 413
    assert answer.json()["detail"] == ("That message is 10,000 characters long; the chat takes "
                                       "up to 4,000. Shorten it and send it again.")
    ok = await chat.post("/webchat/api/command", json={"user": ADMIN, "text": "x" * 4000})
    assert ok.status_code == 200


async def test_my_data_downloads_as_json_with_its_size_not_rows(
        chat: httpx.AsyncClient) -> None:
    await _be(chat, ADMIN)
    item = (await chat.post("/webchat/api/command", json={
        "user": ADMIN, "text": "my-data"})).json()["items"][0]
    href = re.search(r'href="data:application/json;charset=utf-8,([^"]+)"', item)
    assert href is not None, item
    assert json.loads(unquote(href.group(1)))
    assert "rows)" not in item and re.search(r"\(\d+ (KB|bytes?)\)", item)


def test_a_csv_counts_its_records_not_its_lines() -> None:
    html = file_html("m.csv", 'a,b\n"two\nlines",1\n2,3\n')
    assert "data:text/csv;charset=utf-8," in html and "(2 rows)" in html
    assert "(1 row)" in file_html("m.csv", "a,b\n1,2\n")


def test_links_are_links_and_people_s_words_stay_text() -> None:
    # An admin's text (an announcement) draws labelled links; bare addresses are always links.
    assert markdown("See [the guide](https://x.test/a_b?c=1&d=2) or https://y.test/p_q.",
                    links=True) == (
        'See <a href="https://x.test/a_b?c=1&amp;d=2" target="_blank" '
        'rel="noopener noreferrer">the guide</a> or <a href="https://y.test/p_q" '
        'target="_blank" rel="noopener noreferrer">https://y.test/p_q</a>.')
    hostile = markdown('[x](javascript:alert(1)) <img src=x onerror=alert(1)> '
                       'https://a.test/"onmouseover=alert(1) [<b>](https://b.test)', links=True)
    assert "<img" not in hostile and "<b>" not in hostile and 'href="javascript' not in hostile
    assert '<a href="https://a.test/" target' in hostile and "&quot;onmouseover" in hostile
    assert '<a href="https://b.test" target="_blank" rel="noopener noreferrer">&lt;b&gt;</a>' \
        in hostile
    # In people's words a label could hide where a link goes: it stays as typed.
    assert markdown("[Re-verify](https://evil.test/x)") == (
        '[Re-verify](<a href="https://evil.test/x" target="_blank" rel="noopener noreferrer">'
        "https://evil.test/x</a>)")
    assert markdown("*bold* and _it_ and `code`") == (
        "<strong>bold</strong> and <em>it</em> and <code>code</code>")


def test_the_demo_admin_is_made_in_the_web_chat_only(sessions) -> None:  # type: ignore[no-untyped-def]
    """In a real workspace (`demo --workspace slack:T…`) admins are real people: none is made."""
    with transaction(sessions) as s:
        load_demo(s, enrollments=0, platform="slack", tenant_id="T9")
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Admin)) == 0


def test_an_announcement_s_markdown_keeps_its_list_bold_and_link() -> None:
    html = markdown("**Spring cohort** is open!\nYou get:\n- a mentor\n- *six* sessions\n"
                    "1. join\n2. meet\nRead [the guide](https://x.test/guide).", links=True)
    assert html == (
        "<strong>Spring cohort</strong> is open!<br>You get:"
        "<ul><li>a mentor</li><li><strong>six</strong> sessions</li></ul>"
        "<ol><li>join</li><li>meet</li></ol>Read <a href=\"https://x.test/guide\" "
        "target=\"_blank\" rel=\"noopener noreferrer\">the guide</a>.")
    assert "**" not in html
    assert markdown("- <b>x</b>") == "<ul><li>&lt;b&gt;x&lt;/b&gt;</li></ul>"


async def test_a_markdown_announcement_reaches_others_with_its_list_and_link(
        chat: httpx.AsyncClient) -> None:
    transport = chat._transport  # the same app: a second browser of its own
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as other:
        await other.post("/webchat/api/me", json={"user": "amir.ivanova@example.com"})
        assert (await other.get("/webchat/api/inbox")).json()["items"] == []
        await _be(chat, ADMIN)
        await chat.post("/webchat/api/command", json={"user": ADMIN, "text": "admin announce"})
        text = ("**Spring cohort** is open!\n- a mentor for six months\n- a session every two "
                "weeks\nRead [the guide](https://intranet.test/mentoring).")
        preview = (await chat.post("/webchat/api/submit", json={
            "user": ADMIN, "form_id": "announce", "context": "new",
            "values": {"channels": "#general", "text": text, "program": "", "when": "now",
                       "day": None, "at": None}})).json()["items"][0]
        announcement_id = re.search(r'data-action="announce.confirm" data-value="(\d+)"',
                                    preview).group(1)
        await chat.post("/webchat/api/action", json={
            "user": ADMIN, "action_id": "announce.confirm", "value": announcement_id})
        [posted] = (await other.get("/webchat/api/inbox")).json()["items"]
    assert "<strong>Spring cohort</strong> is open!<ul><li>a mentor for six months</li>" \
        in posted
    assert ('<a href="https://intranet.test/mentoring" target="_blank" '
            'rel="noopener noreferrer">the guide</a>') in posted and "**" not in posted
