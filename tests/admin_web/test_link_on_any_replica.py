"""An admin sign-in link issued by one replica can be sent by any other: they share a key,
and the database alone never holds enough to rebuild a link."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.admin import web_links
from core.admin.rights import grant
from core.clock import FakeClock
from core.models import AdminLink, OutboxMessage, Person
from tests.factories import seed


@pytest.fixture
def replicas() -> Iterator[None]:
    saved = web_links._SECRET[0]
    yield
    web_links._SECRET[0] = saved


def _as_replica(secret: str | None) -> None:
    """This process now behaves like a freshly started replica with that setting."""
    web_links._SECRET[0] = b"\0" * 32 if secret is None else web_links._SECRET[0]
    web_links.configure_secret(secret)


def _issue(sessions: sessionmaker[Session], clock: FakeClock) -> tuple[int, str]:
    ids = seed(sessions, people=[("Ana Lima", "U1")])
    with sessions() as s, s.begin():
        ana = s.get(Person, ids["people"]["U1"])
        assert ana is not None
        grant(s, ana)
        placeholder = web_links.pending_link(s, ana, now=clock.now(),
                                             base_url="https://mentor.acme.test")
    return ids["people"]["U1"], placeholder


def test_a_link_queued_on_one_replica_is_filled_by_another(
        sessions: sessionmaker[Session], clock: FakeClock, replicas: None) -> None:
    _as_replica("shared-key-of-the-deployment")
    ana_id, placeholder = _issue(sessions, clock)
    # What the database holds: a hash and a placeholder, never the token.
    with sessions() as s:
        [link] = s.scalars(select(AdminLink)).all()
        assert link.token_hash not in placeholder
    _as_replica(None)  # a different process...
    _as_replica("shared-key-of-the-deployment")  # ...configured like every replica
    filled = web_links.fill_links(f"Your admin page: {placeholder}", now=clock.now())
    url = urlparse(filled.removeprefix("Your admin page: "))
    assert (url.scheme, url.netloc, url.path) == ("https", "mentor.acme.test", "/admin/login")
    [token] = parse_qs(url.query)["token"]
    with sessions() as s, s.begin():
        person = web_links.redeem(s, token, now=clock.now())
        assert person is not None and person.id == ana_id


def test_a_replica_without_the_key_says_ask_again_instead_of_a_broken_link(
        sessions: sessionmaker[Session], clock: FakeClock, replicas: None) -> None:
    _as_replica("key-one")
    _, placeholder = _issue(sessions, clock)
    _as_replica("key-two")
    assert web_links.fill_links(placeholder, now=clock.now()) == web_links.EXPIRED_TEXT


def test_an_expired_or_forged_placeholder_is_never_filled(
        sessions: sessionmaker[Session], clock: FakeClock, replicas: None) -> None:
    _as_replica("shared")
    _, placeholder = _issue(sessions, clock)
    later = clock.now() + web_links.LINK_TTL + timedelta(seconds=1)
    assert web_links.fill_links(placeholder, now=later) == web_links.EXPIRED_TEXT
    # Someone types a placeholder of their own (say, into a goal that is echoed back to
    # them): they get no token computed for them.
    body = "1:aaaaaaaaaaaaaaaa:9999999999:https%3A%2F%2Fevil.test"
    forged = f"[[admin-link:{body}:{'A' * 22}]]"
    assert web_links.fill_links(forged, now=clock.now()) == web_links.EXPIRED_TEXT
    assert "token" not in web_links.fill_links(f"x {forged} y", now=clock.now())


def test_the_outbox_row_holds_the_placeholder_not_the_address(
        sessions: sessionmaker[Session], clock: FakeClock, replicas: None) -> None:
    from core.mentorbot import Mentorbot

    _as_replica("shared")
    ids = seed(sessions, people=[("Ana Lima", "U1")])
    with sessions() as s, s.begin():
        ana = s.get(Person, ids["people"]["U1"])
        assert ana is not None
        grant(s, ana)
    bot = Mentorbot(sessions, clock=clock, public_url="https://mentor.acme.test")
    from core.events import Actor, CommandEvent

    bot.handle(CommandEvent(Actor("webchat", "T1", "U1", "Ana Lima"), "admin web"))
    with sessions() as s:
        payloads = [str(p) for p in s.scalars(select(OutboxMessage.payload))]
    assert any("[[admin-link:" in p for p in payloads)
    assert not any("token=" in p for p in payloads)
