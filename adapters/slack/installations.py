"""Slack installs in our database: Bolt's installation and OAuth state stores, tokens encrypted.

Any number of workspaces and Enterprise Grid orgs install the app through `/slack/install`;
each install's bot token (and refresh token, with token rotation) is stored only as a Fernet
ciphertext under ``SLACK_TOKEN_ENCRYPTION_KEY`` (comma-separated keys, newest first: the first
encrypts, every one decrypts, so a key can be rotated without re-installing).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from core.db import session_clock, transaction
from core.models import AppInstallation, InstallationTeam, OAuthState

log = logging.getLogger(__name__)

PLATFORM = "slack"
# The bot scopes an install asks for; tests/test_manifest.py keeps manifest.json equal to it.
BOT_SCOPES = (
    "commands", "chat:write", "im:write", "mpim:write", "users:read", "users:read.email",
    "files:write", "im:history", "mpim:history", "app_mentions:read", "channels:read",
    "groups:read",
)
STATE_LIFETIME = timedelta(minutes=10)
# How long a looked-up install is remembered by this process (an uninstall seen by another
# replica takes at most this long to stop this one's sends).
CACHE_SECONDS = 10.0


class TokenCipher:
    """Encrypts tokens with the newest key; decrypts with any of them (MultiFernet)."""

    def __init__(self, keys: str) -> None:
        parts = [k.strip() for k in keys.split(",") if k.strip()]
        if not parts:
            raise ValueError("SLACK_TOKEN_ENCRYPTION_KEY holds no key")
        try:
            self._fernet = MultiFernet([Fernet(k.encode()) for k in parts])
        except (ValueError, TypeError) as exc:
            raise ValueError("SLACK_TOKEN_ENCRYPTION_KEY must be Fernet keys "
                             "(Fernet.generate_key()), comma-separated") from exc

    def encrypt(self, token: str) -> str:
        return self._fernet.encrypt(token.encode()).decode()

    def decrypt(self, stored: str) -> str:
        try:
            return self._fernet.decrypt(stored.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("a stored Slack token cannot be decrypted with any "
                             "SLACK_TOKEN_ENCRYPTION_KEY") from exc


def install_key(enterprise_id: str | None, team_id: str | None) -> str:
    return f"{enterprise_id or '-'}:{team_id or '-'}"


def _epoch(at: datetime | None) -> int | None:
    return int(at.timestamp()) if at is not None else None


def _from_epoch(value: int | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value else None


class DbInstallationStore(AsyncInstallationStore):
    """Bolt's installation store over ``app_installations``: one row per workspace or org."""

    def __init__(self, sessions: sessionmaker[Session], cipher: TokenCipher,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.sessions = sessions
        self.cipher = cipher
        self._clock = clock
        self._cache: dict[str, tuple[float, AppInstallation | None]] = {}
        self._known_teams: dict[str, str] = {}  # team -> its org, already remembered

    @property
    def logger(self) -> logging.Logger:
        return log

    # --- writing ----------------------------------------------------------------------------

    async def async_save(self, installation: Installation) -> None:
        await asyncio.to_thread(self._save, installation)

    async def async_save_bot(self, bot: Bot) -> None:
        """After a token rotation: the bot's new tokens replace the old ones."""
        await asyncio.to_thread(self._save, bot)

    def _save(self, item: Installation | Bot) -> None:
        enterprise_id = item.enterprise_id
        team_id = None if item.is_enterprise_install else item.team_id
        key = install_key(enterprise_id, team_id)
        if not item.bot_token:
            raise ValueError("an install without a bot token")
        with transaction(self.sessions) as session:
            row = session.scalar(select(AppInstallation).where(
                AppInstallation.platform == PLATFORM, AppInstallation.install_key == key))
            if row is None:
                row = AppInstallation(platform=PLATFORM, install_key=key)
                session.add(row)
            row.enterprise_id, row.team_id = enterprise_id, team_id
            row.is_enterprise_install = bool(item.is_enterprise_install)
            row.app_id, row.bot_id, row.bot_user_id = item.app_id, item.bot_id, item.bot_user_id
            scopes = item.bot_scopes
            row.bot_scopes = ",".join(scopes) if isinstance(scopes, list) else str(scopes or "")
            row.bot_token = self.cipher.encrypt(item.bot_token)
            refresh = item.bot_refresh_token
            row.bot_refresh_token = self.cipher.encrypt(refresh) if refresh else None
            row.bot_token_expires_at = _from_epoch(item.bot_token_expires_at)
            if isinstance(item, Installation):
                row.installer_user_id = item.user_id
                row.details = {"enterprise_name": item.enterprise_name,
                               "team_name": item.team_name,
                               "enterprise_url": item.enterprise_url}
        self._cache.pop(key, None)
        log.info("Slack install saved for %s", key)

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None,
                               is_enterprise_install: bool | None = False) -> None:
        await self.async_delete_all(enterprise_id=enterprise_id, team_id=team_id,
                                    is_enterprise_install=is_enterprise_install)

    async def async_delete_installation(self, *, enterprise_id: str | None,
                                        team_id: str | None, user_id: str | None = None,
                                        is_enterprise_install: bool | None = False) -> None:
        if user_id is None:  # we keep no user tokens: only the whole install can go
            await self.async_delete_all(enterprise_id=enterprise_id, team_id=team_id,
                                        is_enterprise_install=is_enterprise_install)

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None,
                               is_enterprise_install: bool | None = False) -> None:
        key = install_key(enterprise_id, None if is_enterprise_install else team_id)
        await asyncio.to_thread(self._delete, key)

    def _delete(self, key: str) -> None:
        with transaction(self.sessions) as session:
            gone = session.execute(delete(AppInstallation).where(
                AppInstallation.platform == PLATFORM, AppInstallation.install_key == key))
        self._cache.clear()
        log.info("Slack install removed for %s (%s row(s)); its data stays", key,
                 getattr(gone, "rowcount", "?"))

    # --- reading ----------------------------------------------------------------------------

    def _row(self, enterprise_id: str | None, team_id: str | None,
             is_enterprise_install: bool | None) -> AppInstallation | None:
        """The install that covers this workspace: its own, else its org's org-wide one."""
        now = self._clock()
        for key in self._keys(enterprise_id, team_id, is_enterprise_install):
            cached = self._cache.get(key)
            if cached is not None and now - cached[0] < CACHE_SECONDS:
                row = cached[1]
            else:
                with self.sessions() as session:
                    row = session.scalar(select(AppInstallation).where(
                        AppInstallation.platform == PLATFORM,
                        AppInstallation.install_key == key))
                self._cache[key] = (now, row)
            if row is not None:
                return row
        return None

    def _installation(self, row: AppInstallation) -> Installation:
        refresh = row.bot_refresh_token
        details: dict[str, Any] = row.details or {}
        return Installation(
            app_id=row.app_id, enterprise_id=row.enterprise_id,
            enterprise_name=details.get("enterprise_name"),
            enterprise_url=details.get("enterprise_url"),
            team_id=row.team_id, team_name=details.get("team_name"),
            bot_token=self.cipher.decrypt(row.bot_token), bot_id=row.bot_id,
            bot_user_id=row.bot_user_id, bot_scopes=row.bot_scopes,
            bot_refresh_token=self.cipher.decrypt(refresh) if refresh else None,
            bot_token_expires_at=_epoch(row.bot_token_expires_at),
            user_id=row.installer_user_id or "", is_enterprise_install=row.is_enterprise_install,
            token_type="bot", installed_at=row.installed_at.timestamp())

    async def async_find_installation(self, *, enterprise_id: str | None, team_id: str | None,
                                      user_id: str | None = None,
                                      is_enterprise_install: bool | None = False,
                                      ) -> Installation | None:
        if user_id is not None:
            return None  # no user tokens are kept: the bot's install answers for everyone
        row = self._cached(enterprise_id, team_id, is_enterprise_install)
        if row is False:  # not remembered: ask the database, off the event loop
            row = await asyncio.to_thread(self._row, enterprise_id, team_id,
                                          is_enterprise_install)
        return self._installation(row) if row is not None else None

    def _keys(self, enterprise_id: str | None, team_id: str | None,
              is_enterprise_install: bool | None) -> list[str]:
        keys = [install_key(enterprise_id, None)] if is_enterprise_install else [
            install_key(enterprise_id, team_id)]
        if enterprise_id and not is_enterprise_install:
            keys.append(install_key(enterprise_id, None))
        return keys

    def _cached(self, enterprise_id: str | None, team_id: str | None,
                is_enterprise_install: bool | None) -> AppInstallation | None | bool:
        """The remembered answer (a row or None), or False when it must be looked up: the
        ack path of a known workspace then costs no database round trip."""
        now = self._clock()
        for key in self._keys(enterprise_id, team_id, is_enterprise_install):
            cached = self._cache.get(key)
            if cached is None or now - cached[0] >= CACHE_SECONDS:
                return False
            if cached[1] is not None:
                return cached[1]
        return None

    async def async_find_bot(self, *, enterprise_id: str | None, team_id: str | None,
                             is_enterprise_install: bool | None = False) -> Bot | None:
        found = await self.async_find_installation(
            enterprise_id=enterprise_id, team_id=team_id,
            is_enterprise_install=is_enterprise_install)
        return found.to_bot() if found is not None else None

    # --- teams of an org and the sender's lookup ---------------------------------------------

    async def remember_team(self, enterprise_id: str, team_id: str) -> None:
        """A workspace seen inside an org: its messages go out with the org's install."""
        if self._known_teams.get(team_id) != enterprise_id:
            await asyncio.to_thread(self._remember_team, enterprise_id, team_id)
            self._known_teams[team_id] = enterprise_id

    def _remember_team(self, enterprise_id: str, team_id: str) -> None:
        try:
            with transaction(self.sessions) as session:
                known = session.scalar(select(InstallationTeam).where(
                    InstallationTeam.platform == PLATFORM, InstallationTeam.team_id == team_id))
                if known is None:
                    session.add(InstallationTeam(platform=PLATFORM, team_id=team_id,
                                                 enterprise_id=enterprise_id))
                else:
                    known.enterprise_id = enterprise_id
        except IntegrityError:
            pass  # another request (or replica) remembered it first

    async def bot_for_team(self, team_id: str) -> Bot | None:
        """The bot that speaks in ``team_id`` (a workspace's own install, else its org's)."""
        return await asyncio.to_thread(self._bot_for_team, team_id)

    def _bot_for_team(self, team_id: str) -> Bot | None:
        with self.sessions() as session:
            enterprise_id = session.scalar(select(InstallationTeam.enterprise_id).where(
                InstallationTeam.platform == PLATFORM, InstallationTeam.team_id == team_id))
            row = session.scalar(select(AppInstallation).where(
                AppInstallation.platform == PLATFORM, AppInstallation.team_id == team_id)
                .order_by(AppInstallation.id.desc()).limit(1))
        if row is None and enterprise_id:
            row = self._row(enterprise_id, None, True)
        return self._installation(row).to_bot() if row is not None else None


class DbOAuthStateStore(AsyncOAuthStateStore):
    """Install states in ``oauth_states``: random, used once, expired after 10 minutes, so any
    replica can finish an install another one started."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(32)
        await asyncio.to_thread(self._issue, state)
        return state

    def _issue(self, state: str) -> None:
        with transaction(self.sessions) as session:
            now = session_clock(session).now()
            session.execute(delete(OAuthState).where(OAuthState.expires_at < now))
            session.add(OAuthState(state=state, expires_at=now + STATE_LIFETIME))

    async def async_consume(self, state: str) -> bool:
        return await asyncio.to_thread(self._consume, state)

    def _consume(self, state: str) -> bool:
        if not state or len(state) > 128:
            return False
        with transaction(self.sessions) as session:
            row = session.get(OAuthState, state)
            if row is None:
                return False
            session.delete(row)
            return row.expires_at >= session_clock(session).now()
