"""Matching: runs, matches, adjustments, requests, and what matching must respect."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime, stamp_now
from core.models.columns import enum_column


class MatchStatus(enum.StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"
    DISCARDED = "discarded"


class EndReason(enum.StrEnum):
    COMPLETED = "completed"
    ENDED_EARLY = "ended_early"
    REMATCHED = "rematched"
    LEFT = "left"


class RunStatus(enum.StrEnum):
    PREVIEW = "preview"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"


class AdjustmentKind(enum.StrEnum):
    LOCK = "lock"
    EXCLUDE = "exclude"


class RequestStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"


class ProtectedAttribute(Base):
    """Gender, ethnicity, age band...: kept apart, read only by the fairness audit and admins."""

    __tablename__ = "protected_attributes"
    __table_args__ = (UniqueConstraint("person_id", "attribute"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    attribute: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(String(120))


class DoNotMatch(Base):
    """A pair that must never be matched, from either person's list."""

    __tablename__ = "do_not_match"
    __table_args__ = (UniqueConstraint("person_id", "other_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    other_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now)


class MatchRun(Base):
    """One run of the matcher for a program: a preview until an admin publishes it."""

    __tablename__ = "match_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    status: Mapped[RunStatus] = mapped_column(enum_column(RunStatus, "run_status"),
                                              default=RunStatus.PREVIEW)
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    fairness: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Each unmatched person with the reason they are told: [{"person_id": 1, "reason": "..."}]
    unmatched: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Match(Base):
    """A mentor (or a peer) with one or more mentees, and why they were matched."""

    __tablename__ = "matches"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("match_runs.id", ondelete="SET NULL"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(default=0.0)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[MatchStatus] = mapped_column(enum_column(MatchStatus, "match_status"),
                                                default=MatchStatus.PROPOSED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_reason: Mapped[EndReason | None] = mapped_column(enum_column(EndReason, "end_reason"))
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_meeting_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    mentees: Mapped[list[MatchMentee]] = relationship(back_populates="match",
                                                      cascade="all, delete-orphan")


class MatchMentee(Base):
    __tablename__ = "match_mentees"
    __table_args__ = (UniqueConstraint("match_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))

    match: Mapped[Match] = relationship(back_populates="mentees")


class MatchAdjustment(Base):
    """An admin's lock or exclusion of a pair, respected by every re-run of the program."""

    __tablename__ = "match_adjustments"
    __table_args__ = (UniqueConstraint("program_id", "mentor_id", "mentee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    kind: Mapped[AdjustmentKind] = mapped_column(enum_column(AdjustmentKind, "adjustment_kind"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    mentee_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now)


class MentorRequest(Base):
    """Self-select: a mentee asks a suggested mentor, who accepts or declines."""

    __tablename__ = "mentor_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    mentee_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    status: Mapped[RequestStatus] = mapped_column(enum_column(RequestStatus, "request_status"),
                                                  default=RequestStatus.PENDING)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
