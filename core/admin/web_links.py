"""One-time sign-in links to the admin web page, and the page's program creation.

Chat hands an admin a link (``/mentor admin web``); the web page redeems it once. Only a
hash of the token is stored, so a leaked database cannot be replayed into a session. The DM
that carries the link goes through the outbox, whose rows are kept: so the row holds only a
placeholder (the link's id and a random nonce), and the sender writes the address in at send
time (:class:`FillsSignInLinks`). The token is an HMAC of id and nonce under a secret every
replica shares (``ADMIN_LINK_SECRET``) and the database never sees, so whichever replica
sends the DM can fill it in, and the database alone is not enough to rebuild it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, unquote

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core import i18n
from core.admin import programs
from core.admin.rights import is_admin
from core.clock import Clock
from core.events import Delivery, Sender
from core.i18n import N_
from core.i18n import gettext as _
from core.models import AdminLink, Person, Program
from core.ui import Context, Fields, Message, Section
from core.ui.form import FieldErrors, Form

LINK_TTL = timedelta(minutes=15)
LOGIN_PATH = "/admin/login"
# Tokens we issue are 43 characters; anything far longer is not ours and is not hashed.
_MAX_TOKEN = 200


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_link(session: Session, person: Person, *, now: datetime,
               ttl: timedelta = LINK_TTL) -> str:
    """Store a new one-time link for ``person`` and return its secret token (shown once)."""
    token = secrets.token_urlsafe(32)
    session.add(AdminLink(person_id=person.id, token_hash=_hash(token), expires_at=now + ttl))
    session.flush()
    return token


def login_url(base_url: str, token: str) -> str:
    """The address to DM: ``{base_url}/admin/login?token=...``."""
    return f"{base_url.rstrip('/')}{LOGIN_PATH}?token={quote(token, safe='')}"


# The key sign-in tokens are derived with. Without ADMIN_LINK_SECRET it is random per process,
# which is right for one process; several replicas must share one (configure_secret).
_SECRET: list[bytes] = [secrets.token_bytes(32)]
_ANY_PLACEHOLDER = re.compile(r"\[\[admin-link:[^\]\s]{0,800}\]\]")
# id : nonce : expiry (POSIX seconds) : quoted base URL : seal [: reader's language]
_PLACEHOLDER = re.compile(r"\[\[admin-link:(\d{1,10}):([A-Za-z0-9_-]{8,64}):(\d{1,12}):"
                          r"([A-Za-z0-9%._~-]{0,600}):([A-Za-z0-9_-]{22})(?::([A-Za-z_]{2,8}))?"
                          r"\]\]")
# The language a placeholder names, even one that is not ours (its note is still written).
_LANGUAGE_TAIL = re.compile(r":([A-Za-z_]{2,8})\]\]$")
# A msgid: written in the language of the message that carries the link (expired_text).
EXPIRED_TEXT = N_("(that sign-in link is no longer available: ask again with `admin web`)")


def expired_text(language: str | None = None) -> str:
    """The note that replaces a link no longer usable, in ``language`` (the message's)."""
    with i18n.reading(language or i18n.language()):
        return _(EXPIRED_TEXT)


def configure_secret(secret: str | None) -> None:
    """Use ``secret`` (every replica the same) for sign-in tokens; None keeps a random one."""
    if secret:
        _SECRET[0] = hashlib.sha256(b"mentorbot-admin-link:" + secret.encode("utf-8")).digest()


def _mac(text: str, size: int = 32) -> str:
    mac = hmac.new(_SECRET[0], text.encode("ascii"), hashlib.sha256).digest()[:size]
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def _token(link_id: int, nonce: str) -> str:
    return _mac(f"token:{link_id}:{nonce}")


def _seal(body: str) -> str:
    # Only placeholders we made are filled: a user who types one into a goal or a message
    # that is echoed back gets "no longer available", never a token computed for them.
    return _mac(f"placeholder:{body}", 16)


def pending_link(session: Session, person: Person, *, now: datetime, base_url: str) -> str:
    """Issue a link for ``person`` and return the placeholder a message carries instead of it."""
    expires = now + LINK_TTL
    # The row needs its id before the token exists: hold its unique hash column with a
    # random value for the moment of the flush.
    link = AdminLink(person_id=person.id, token_hash=secrets.token_hex(32), expires_at=expires)
    session.add(link)
    session.flush()
    nonce = secrets.token_urlsafe(16)
    link.token_hash = _hash(_token(link.id, nonce))
    session.flush()
    body = f"{link.id}:{nonce}:{int(expires.timestamp())}:{quote(base_url, safe='')}"
    # The message is written now, in its reader's language; the sender fills the link in
    # later, without the reader at hand, so the placeholder says which language its
    # "no longer available" note is to be in. Outside the seal: it grants nothing.
    return f"[[admin-link:{body}:{_seal(body)}:{i18n.language()}]]"


def fill_links(text: str, *, now: datetime) -> str:
    """``text`` with each placeholder replaced by its address (or a note that it expired)."""
    def one(found: re.Match[str]) -> str:
        match = _PLACEHOLDER.fullmatch(found.group(0))
        if match is None:
            tail = _LANGUAGE_TAIL.search(found.group(0))
            return expired_text(tail.group(1) if tail else None)
        link_id, nonce, expires, base, seal, language = match.groups()
        body = f"{link_id}:{nonce}:{expires}:{base}"
        if not hmac.compare_digest(seal, _seal(body)) or now.timestamp() >= int(expires):
            return expired_text(language)
        return login_url(unquote(base), _token(int(link_id), nonce))
    return _ANY_PLACEHOLDER.sub(one, text) if "[[admin-link:" in text else text


def fill_message(message: Message, *, now: datetime) -> Message:
    """The message with every sign-in placeholder filled in, in its text and blocks."""
    if "[[admin-link:" not in repr(message):
        return message
    blocks: list[Any] = []
    for block in message.blocks:
        if isinstance(block, Section):
            block = replace(block, text=fill_links(block.text, now=now))
        elif isinstance(block, Fields | Context):
            block = replace(block, items=[fill_links(i, now=now) for i in block.items])
        blocks.append(block)
    return replace(message, text=fill_links(message.text, now=now), blocks=blocks)


class FillsSignInLinks:
    """Wraps an adapter's Sender: sign-in addresses are written in only as a message leaves."""

    def __init__(self, sender: Sender, clock: Clock) -> None:
        self._sender = sender
        self._clock = clock
        self.supports_group_chat = getattr(sender, "supports_group_chat", False)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sender, name)

    async def deliver(self, delivery: Delivery) -> str | None:
        """Fill in any sign-in address, then send through the wrapped sender."""
        message = fill_message(delivery.message, now=self._clock.now())
        if message is not delivery.message:
            delivery = replace(delivery, message=message)
        return await self._sender.deliver(delivery)


def redeem(session: Session, token: str, *, now: datetime,
           seeded: frozenset[str] = frozenset()) -> Person | None:
    """The admin a link signs in, or None: unknown, used, expired, or no longer an admin.

    A link is spent by the first attempt, even one refused because its owner lost admin
    rights, so it can never be tried twice.
    """
    if not token or len(token) > _MAX_TOKEN:
        return None
    link = session.scalar(select(AdminLink).where(AdminLink.token_hash == _hash(token)))
    if link is None or link.used_at is not None or now >= link.expires_at:
        return None
    # A conditional UPDATE, not a read-then-write: two requests racing with the same link
    # cannot both see it unused.
    spent = session.execute(
        update(AdminLink).where(AdminLink.id == link.id, AdminLink.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False))
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        return None
    session.refresh(link)
    person = session.get(Person, link.person_id)
    if person is None or not person.active or not is_admin(session, person, seeded):
        return None
    return person


@dataclass
class ProgramSubmission:
    """What creating a program from the web form came to: a program, or errors to show."""

    form: Form
    values: dict[str, Any]
    errors: FieldErrors = field(default_factory=dict)
    program: Program | None = None


def new_program_form(template_key: str | None) -> Form:
    """The create form, prefilled from a template (unknown or empty key: blank defaults)."""
    chosen = programs.template(template_key or "")
    key = chosen.key if chosen else ""
    return programs.program_form(context=f"new:{key}",
                                 defaults=chosen.values if chosen else {})


def create_program(session: Session, actor: Person, values: dict[str, Any],
                   template_key: str | None, *, now: datetime) -> ProgramSubmission:
    """Validate and create a draft program: the same path as the chat form, audited."""
    done = programs.submit(session, actor, values, f"new:{template_key or 'blank'}", now=now,
                           channel="web")
    if done.program is None:
        return ProgramSubmission(new_program_form(template_key), values, done.errors)
    return ProgramSubmission(done.form, values, program=done.program)
