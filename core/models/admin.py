"""Administration: admins, SCIM tokens, the audit log, announcements, nominations, sign-in
links and sessions, and the channels announcements go to."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, stamp_now
from core.models.columns import enum_column
from core.models.people import Platform


class Admin(Base):
    """A person who may run admin commands in a workspace."""

    __tablename__ = "admins"
    __table_args__ = (UniqueConstraint("workspace_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now)
    # Kept, not deleted, so a revoked admin named in ADMIN_EMAILS is not re-seeded.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ScimToken(Base):
    """A workspace's bearer token for SCIM provisioning; only its SHA-256 is stored."""

    __tablename__ = "scim_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A token stops working at once when revoked or past its expiry (none: never expires).
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    """Every admin action: who did what, when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now)


class AnnouncementStatus(enum.StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    POSTED = "posted"
    CANCELLED = "cancelled"


class Announcement(Base):
    """A post to one or more channels, now or at a set time, optionally with a Join button."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id",
                                                                 ondelete="SET NULL"))
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    text: Mapped[str] = mapped_column(Text)
    join_program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id",
                                                                   ondelete="SET NULL"))
    post_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[AnnouncementStatus] = mapped_column(
        enum_column(AnnouncementStatus, "announcement_status"), default=AnnouncementStatus.DRAFT)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now)


class NominationStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class Nomination(Base):
    """A manager puts a report forward for an invite-only program; an admin decides."""

    __tablename__ = "nominations"
    __table_args__ = (UniqueConstraint("program_id", "nominee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    nominee_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    nominated_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id",
                                                                   ondelete="SET NULL"))
    status: Mapped[NominationStatus] = mapped_column(
        enum_column(NominationStatus, "nomination_status"), default=NominationStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AdminLink(Base):
    """A one-time, 15-minute sign-in link to the admin web page (only its hash is kept)."""

    __tablename__ = "admin_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ChannelRef(Base):
    """A channel the bot can post in, with what the platform needs to reach it (Teams keeps a
    conversation reference per team channel, captured when the app is installed there)."""

    __tablename__ = "channel_refs"
    __table_args__ = (UniqueConstraint("platform", "tenant_id", "channel_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[Platform] = mapped_column(enum_column(Platform, "platform"))
    tenant_id: Mapped[str] = mapped_column(String(64))
    channel_id: Mapped[str] = mapped_column(String(256))
    name: Mapped[str] = mapped_column(String(200), default="")
    team_name: Mapped[str] = mapped_column(String(200), default="")
    conversation_ref: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # A group chat the bot is in (not a team channel): its people's platform user ids, kept
    # current from the chat's member events; a group's introduction may be posted there.
    member_ids: Mapped[list[str] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now)


class AdminWebSession(Base):
    """A signed-in admin page: the cookie holds a secret, only its hash is kept here.

    Server-side so that signing out, revoking the admin or a deactivation ends it at once, and
    re-granting an admin never revives an old cookie.
    """

    __tablename__ = "admin_web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"),
                                           index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
