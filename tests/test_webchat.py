"""The local web chat: what a newcomer sees after `make run`."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import select

from bot.app import create_app
from bot.migrate import upgrade
from bot.settings import Settings
from core.clock import FakeClock
from core.db import make_engine, transaction
from core.demo import load_demo
from core.models import Enrollment, Person, Role
from tests.webchat_demo import demo_chat


@pytest.fixture
async def chat(db_url: str, clock: FakeClock):
    async with demo_chat(db_url, clock) as client:
        yield client


async def _someone(chat: httpx.AsyncClient) -> str:
    people = (await chat.get("/webchat/api/people")).json()
    assert len(people) >= 200
    # Each browser acts only as the person it picked.
    assert (await chat.post("/webchat/api/me", json={"user": people[0]["user"]})).status_code \
        == 200
    return people[0]["user"]


async def test_page_and_health(chat: httpx.AsyncClient) -> None:
    page = await chat.get("/")
    assert page.status_code == 200 and "Mentorbot" in page.text and "/mentor join" in page.text
    assert (await chat.get("/healthz")).json() == {"status": "ok"}
    assert (await chat.get("/readyz")).json() == {"status": "ok"}


async def test_enrolling_in_the_web_chat_creates_an_enrollment(chat: httpx.AsyncClient) -> None:
    user = await _someone(chat)
    listing = (await chat.post("/webchat/api/command", json={"user": user, "text": "join"})).json()
    html = listing["items"][0]
    assert "Leadership 1:1" in html and "Peer circles" in html and 'data-select="join.pick"' in html
    program_id = re.search(r'<option value="(\d+)">Leadership 1:1', html).group(1)
    picked = (await chat.post("/webchat/api/action", json={
        "user": user, "action_id": "join.pick", "value": program_id})).json()
    form = picked["items"][0]
    assert '<form class="msg bot form" data-form-id="enroll"' in form
    assert 'type="checkbox" data-multi name="skills_wanted" value="Negotiation"' in form

    bad = (await chat.post("/webchat/api/submit", json={
        "user": user, "form_id": "enroll", "context": program_id,
        "values": {"role": "mentee", "skills_wanted": [], "availability": "mornings"}})).json()
    assert "Pick at least one skill you want to learn." in bad["form"]
    assert bad["close_form"] is False

    ok = (await chat.post("/webchat/api/submit", json={
        "user": user, "form_id": "enroll", "context": program_id,
        "values": {"role": "mentee", "skills_wanted": ["Negotiation"], "goals": "Run a team",
                   "capacity": "", "availability": "mornings"}})).json()
    assert ok["close_form"] is True
    with chat.app.state.sessions() as s:  # type: ignore[attr-defined]
        e = s.scalar(select(Enrollment).join(Person).where(Person.email == user))
        assert e is not None and e.role is Role.MENTEE and e.skills_wanted == ["Negotiation"]
    inbox = (await chat.get("/webchat/api/inbox", params={"user": user})).json()["items"]
    assert any("You&#x27;re enrolled in <strong>Leadership 1:1</strong>" in m for m in inbox)
    assert (await chat.get("/webchat/api/inbox", params={"user": user})).json()["items"] == []


async def test_bad_input_gets_4xx_or_help(chat: httpx.AsyncClient) -> None:
    user = await _someone(chat)
    assert (await chat.post("/webchat/api/command", content=b"{not json",
                            headers={"content-type": "application/json"})).status_code == 422
    assert (await chat.post("/webchat/api/me",
                            json={"user": "nobody@x"})).status_code == 404
    assert (await chat.post("/webchat/api/command",
                            json={"user": "nobody@x", "text": "join"})).status_code == 403
    odd = (await chat.post("/webchat/api/command", json={"user": user, "text": "dance"})).json()
    assert "don&#x27;t know <code>dance</code>" in odd["items"][0]
    stale = (await chat.post("/webchat/api/action", json={
        "user": user, "action_id": "nope.nothing", "value": "1"})).json()
    assert "out of date" in stale["items"][0]


async def test_admin_gets_the_preview_and_a_csv_download_link(db_url: str,
                                                             clock: FakeClock) -> None:
    from urllib.parse import unquote

    upgrade(make_engine(db_url))
    app = create_app(Settings(database_url=db_url, admin_emails="amir.adeyemi@example.com",
                              _env_file=None), clock=clock)
    with transaction(app.state.sessions) as s:
        load_demo(s)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as chat:
        admin = "amir.adeyemi@example.com"
        await chat.post("/webchat/api/me", json={"user": admin})
        preview = (await chat.post("/webchat/api/command", json={
            "user": admin, "text": "admin match Leadership 1:1"})).json()["items"][0]
        assert "matching preview" in preview and "Lowest-scoring matches" in preview
        run_id = re.search(r'data-action="match.csv" data-value="(\d+)"', preview).group(1)
        got = (await chat.post("/webchat/api/action", json={
            "user": admin, "action_id": "match.csv", "value": run_id})).json()["items"][0]
        href = re.search(r'href="data:text/csv;charset=utf-8,([^"]+)"', got).group(1)
        assert unquote(href).startswith("status,mentor,mentor_email")
        await chat.post("/webchat/api/me", json={"user": "amir.ivanova@example.com"})
        someone_else = (await chat.post("/webchat/api/command", json={
            "user": "amir.ivanova@example.com", "text": "admin match Leadership 1:1"})).json()
        assert "for program admins" in someone_else["items"][0]
