"""One-time sign-in links to the admin web page, and the page's program creation.

Chat hands an admin a link (``/mentor admin web``); the web page redeems it once. Only a
hash of the token is stored, so a leaked database cannot be replayed into a session.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.admin import programs
from core.admin.rights import is_admin
from core.models import AdminLink, Person, Program
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
