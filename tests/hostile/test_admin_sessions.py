"""Admin page sessions live server-side: sign-out and revocation end them for good."""

from __future__ import annotations

import logging

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from bot.logs import RedactingFilter
from core.admin.rights import grant
from core.clock import FakeClock
from core.events import Actor, CommandEvent
from core.models import Admin, AdminWebSession, Person
from tests.fakes.connector import FakeConnector
from tests.fakes.slack_api import FakeSlackApi
from tests.hostile.conftest import Surfaces, build, sign_in

COOKIE = "mentorbot_admin"


async def replay(app: FastAPI, cookie: str) -> httpx.Response:
    """A browser that kept a copy of the cookie."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test",
                                 cookies={COOKIE: cookie}) as other:
        return await other.get("/admin")


async def test_sign_out_ends_the_session_on_the_server(surfaces: Surfaces) -> None:
    assert (await replay(surfaces.app, surfaces.admin_cookie)).status_code == 200
    out = await surfaces.http.post("/admin/logout", data={"csrf": surfaces.csrf})
    assert out.status_code == 303
    assert (await replay(surfaces.app, surfaces.admin_cookie)).status_code == 401


async def test_revoking_ends_the_session_and_regranting_does_not_revive_it(
        surfaces: Surfaces, clock: FakeClock) -> None:
    core = surfaces.app.state.core
    with surfaces.app.state.sessions() as s, s.begin():
        ben = s.get(Person, surfaces.ids["people"]["U2"])
        assert ben is not None
        grant(s, ben)
    transport = httpx.ASGITransport(app=surfaces.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as bens:
        ben_cookie, _ = await sign_in(bens, surfaces.app, surfaces.ids["people"]["U2"], clock)
    # Ana revokes Ben in chat, then grants him again.
    ana = Actor("slack", "T1", "U1")
    core.handle(CommandEvent(ana, "admin revoke ben.okoro@acme.test"))
    assert (await replay(surfaces.app, ben_cookie)).status_code == 401
    core.handle(CommandEvent(ana, "admin grant ben.okoro@acme.test"))
    with surfaces.app.state.sessions() as s:
        assert s.scalar(select(Admin).where(Admin.person_id == surfaces.ids["people"]["U2"])
                        ).revoked_at is None
    assert (await replay(surfaces.app, ben_cookie)).status_code == 401


async def test_the_cookie_holds_no_session_data_and_the_database_no_cookie(
        surfaces: Surfaces) -> None:
    with surfaces.app.state.sessions() as s:
        stored = [r.token_hash for r in s.scalars(select(AdminWebSession))]
    assert stored and surfaces.admin_cookie not in stored


async def test_cookie_is_secure_and_pages_send_hsts_when_public_url_is_https(
        db_url: str, clock: FakeClock, connector: FakeConnector,
        slack_api: FakeSlackApi) -> None:
    app = build(db_url, clock, connector, slack_api, public_url="https://mentor.acme.test")
    from tests.factories import seed

    ids = seed(app.state.sessions, platform="slack", tenant="T1", people=[("Ana Lima", "U1")])
    with app.state.sessions() as s, s.begin():
        ana = s.get(Person, ids["people"]["U1"])
        assert ana is not None
        grant(s, ana)
    from core.admin.web_links import issue_link

    with app.state.sessions() as s:
        token = issue_link(s, s.get(Person, ids["people"]["U1"]), now=clock.now())
        s.commit()
    # The proxy in front terminates TLS and talks plain http to the app.
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        signed = await http.get("/admin/login", params={"token": token})
        assert signed.status_code == 303
        cookie = signed.headers["set-cookie"].lower()
        assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie
        page = await http.get("/admin")
        assert page.headers["strict-transport-security"].startswith("max-age=")
        assert page.headers["x-content-type-options"] == "nosniff"
    app.state.engine.dispose()


def test_access_logs_never_keep_a_sign_in_token() -> None:
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/admin/login?token=s3cr3t-Tok_en&x=1", "1.1", 303), None)
    RedactingFilter().filter(record)
    assert "s3cr3t" not in record.getMessage()
    assert "/admin/login?token=[redacted]&x=1" in record.getMessage()


def test_a_sign_in_placeholder_this_process_never_issued_says_ask_again(
        clock: FakeClock) -> None:
    from core.admin.web_links import EXPIRED_TEXT, fill_links

    filled = fill_links("Your admin page: [[admin-link:987654]]", now=clock.now())
    assert filled == f"Your admin page: {EXPIRED_TEXT}"
    assert "token" not in filled
