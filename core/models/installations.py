"""App installations for distributed chat apps (Slack's OAuth installs) and their install states.

Credentials are stored only as ciphertext: the adapter encrypts before writing and decrypts
after reading (a database dump without the key holds no usable token). core never reads them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, stamp_now


class AppInstallation(Base):
    """One install of the app: a workspace (team), or an Enterprise Grid org (org-wide, no team).

    One row per (platform, enterprise, team); installing again replaces the tokens.
    """

    __tablename__ = "app_installations"
    __table_args__ = (UniqueConstraint("platform", "install_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    # "<enterprise or ->:<team or ->": unique even where the ids are absent (NULLs never clash).
    install_key: Mapped[str] = mapped_column(String(140))
    enterprise_id: Mapped[str | None] = mapped_column(String(64))
    team_id: Mapped[str | None] = mapped_column(String(64), index=True)
    is_enterprise_install: Mapped[bool] = mapped_column(Boolean, default=False)
    app_id: Mapped[str | None] = mapped_column(String(64))
    bot_id: Mapped[str | None] = mapped_column(String(64))
    bot_user_id: Mapped[str | None] = mapped_column(String(64))
    bot_scopes: Mapped[str] = mapped_column(Text, default="")
    # Ciphertext only (Fernet tokens), written and read by the adapter.
    bot_token: Mapped[str] = mapped_column(Text)
    bot_refresh_token: Mapped[str | None] = mapped_column(Text)
    bot_token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    installer_user_id: Mapped[str | None] = mapped_column(String(128))
    # Names and other non-secret details of the install, as the platform gave them.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    installed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now,
                                                 onupdate=stamp_now)


class InstallationTeam(Base):
    """A team seen inside an Enterprise Grid org: messages to it go out with the org's token."""

    __tablename__ = "installation_teams"
    __table_args__ = (UniqueConstraint("platform", "team_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    team_id: Mapped[str] = mapped_column(String(64))
    enterprise_id: Mapped[str] = mapped_column(String(64))


class OAuthState(Base):
    """An install in progress: the random state sent to the platform, used once, short-lived."""

    __tablename__ = "oauth_states"

    state: Mapped[str] = mapped_column(String(128), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
