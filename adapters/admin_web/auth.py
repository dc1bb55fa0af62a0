"""The admin page's session: an HMAC-signed cookie, and a CSRF token tied to it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

COOKIE = "mentorbot_admin"
SESSION_TTL = timedelta(hours=8)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class WebSession:
    """Who a valid cookie names; ``nonce`` is per sign-in and keys the CSRF token."""

    person_id: int
    expires: int
    nonce: str


class Signer:
    """Signs and checks session cookies and CSRF tokens with one secret."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _mac(self, purpose: str, data: str) -> str:
        # The purpose prefix keeps a CSRF token from ever being valid as a cookie, or back.
        msg = f"{purpose}:{data}".encode()
        return _b64(hmac.new(self._secret, msg, hashlib.sha256).digest())

    def issue(self, person_id: int, *, now: datetime) -> str:
        """A cookie value for ``person_id``, valid for SESSION_TTL."""
        body = {"p": person_id, "e": int((now + SESSION_TTL).timestamp()),
                "n": secrets.token_urlsafe(16)}
        payload = _b64(json.dumps(body, separators=(",", ":")).encode())
        return f"{payload}.{self._mac('session', payload)}"

    def read(self, value: str | None, *, now: datetime) -> WebSession | None:
        """The session a cookie value carries, or None if forged, malformed or expired."""
        if not value or value.count(".") != 1 or len(value) > 1000:
            return None
        payload, mac = value.split(".")
        if not hmac.compare_digest(mac, self._mac("session", payload)):
            return None
        try:
            body: dict[str, Any] = json.loads(_unb64(payload))
            found = WebSession(int(body["p"]), int(body["e"]), str(body["n"]))
        except (ValueError, KeyError, TypeError):
            return None
        return found if found.expires > now.timestamp() else None

    def csrf(self, web: WebSession) -> str:
        """The CSRF token forms of this session must echo back."""
        return self._mac("csrf", web.nonce)
