"""One-time admin links: once, before expiry, and only for a current admin."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import select

from core.admin.web_links import login_url, redeem
from core.models import AdminLink, Person
from tests.admin_web.conftest import AdminWeb


def _redeem(web: AdminWeb, token: str) -> Person | None:
    with web.sessions() as s:
        person = redeem(s, token, now=web.clock.now())
        s.commit()
        return person


def test_link_works_once_and_only_its_hash_is_stored(web: AdminWeb) -> None:
    token = web.link()
    with web.sessions() as s:
        stored = s.scalars(select(AdminLink.token_hash)).all()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]
    first = _redeem(web, token)
    assert first is not None and first.id == web.admin_id
    assert _redeem(web, token) is None
    with web.sessions() as s:
        assert s.scalar(select(AdminLink.used_at)) == web.clock.now()


def test_expired_link_fails(web: AdminWeb) -> None:
    token = web.link()
    web.clock.advance(timedelta(minutes=16))
    assert _redeem(web, token) is None


def test_link_still_valid_just_before_expiry(web: AdminWeb) -> None:
    token = web.link()
    web.clock.advance(timedelta(minutes=14, seconds=59))
    assert _redeem(web, token) is not None


def test_revoked_admins_link_fails(web: AdminWeb) -> None:
    assert _redeem(web, web.link(web.revoked_id)) is None


def test_non_admin_cannot_get_in(web: AdminWeb) -> None:
    assert _redeem(web, web.link(web.member_id)) is None


def test_unknown_or_empty_token_fails(web: AdminWeb) -> None:
    web.link()
    assert _redeem(web, "not-a-token") is None
    assert _redeem(web, "") is None
    assert _redeem(web, "x" * 5000) is None


def test_login_url_shape() -> None:
    assert login_url("https://mentor.example.com/", "a b") == \
        "https://mentor.example.com/admin/login?token=a%20b"


async def test_admin_web_in_chat_dms_a_link_that_signs_in(db_url: str, clock) -> None:  # type: ignore[no-untyped-def]
    import re

    import httpx
    from sqlalchemy import select

    from bot.app import create_app
    from bot.migrate import upgrade
    from bot.settings import Settings
    from core.db import make_engine
    from core.events import Actor, CommandEvent
    from core.models import OutboxMessage
    from tests.factories import seed

    upgrade(make_engine(db_url))
    app = create_app(Settings(database_url=db_url, admin_emails="boss.person@acme.test",
                              public_url="https://mentor.acme.test", _env_file=None),
                     clock=clock)
    seed(app.state.sessions, people=[("Boss Person", "boss"), ("Ana Lima", "U1")])
    core = app.state.core
    [reply, *_] = core.handle(CommandEvent(Actor("webchat", "T1", "U1"), "admin web"))
    assert "for program admins" in reply.message.text
    [reply] = core.handle(CommandEvent(Actor("webchat", "T1", "boss"), "admin web"))
    assert "sent you a sign-in link" in reply.message.text
    with app.state.sessions() as s:
        [dm] = s.scalars(select(OutboxMessage)).all()
    # The stored row never holds the secret: the sender writes the address in as it leaves.
    assert "token=" not in str(dm.payload)
    await app.state.worker.flush()
    [delivered] = app.state.worker.senders["webchat"].drain("boss")
    url = re.search(r"https://mentor\.acme\.test/admin/login\?token=([\w-]+)", delivered)
    assert url is not None
    with app.state.sessions() as s:
        assert url.group(1) not in str(s.scalars(select(OutboxMessage)).one().payload)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        first = await client.get(f"/admin/login?token={url.group(1)}")
        assert first.status_code == 303 and "mentorbot_admin" in first.headers["set-cookie"]
        again = await client.get(f"/admin/login?token={url.group(1)}")
        assert again.status_code == 401
