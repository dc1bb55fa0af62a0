"""The outbox: every outgoing message, and the shared pacing of its delivery."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, stamp_now
from core.models.columns import enum_column
from core.models.people import Platform


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(Base):
    """A message to deliver, written in the same transaction as the change that caused it."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    platform: Mapped[Platform] = mapped_column(enum_column(Platform, "platform"))
    channel_id: Mapped[str | None] = mapped_column(String(128))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the platform called it (Slack ts, Teams activity id), for updates and audits.
    platform_message_id: Mapped[str | None] = mapped_column(String(128))
    # A message to several people at once (a pair's or group's introduction in Slack).
    group_person_ids: Mapped[list[int] | None] = mapped_column(JSON)
    kind: Mapped[str] = mapped_column(String(32), default="", index=True)
    match_id: Mapped[int | None] = mapped_column(ForeignKey("matches.id", ondelete="SET NULL"))
    # The conversation it goes to ("slack:p:12", "teams:c:general", "slack:g:3,7"): only the
    # oldest pending row of a conversation is ever claimed, so replicas send in queue order.
    target: Mapped[str | None] = mapped_column(String(255))
    # Set when a send starts, cleared when its outcome is recorded: a row claimed again with
    # this still set may have reached the platform (a crash or a timeout mid-send).
    sending_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who caused a DM to someone else (an admin's grant, a mentee's request): told if it
    # can't be delivered. None for what the bot sends of its own accord.
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"))

    __table_args__ = (Index("ix_outbox_target_id", "target", "id"),)


class DeliveryPace(Base):
    """When each paced key (a conversation, or a rate-limited method per workspace) may next be
    sent to, shared by every replica: POSIX seconds of the bucket's theoretical arrival time."""

    __tablename__ = "delivery_pace"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    tat: Mapped[float] = mapped_column(Float)
