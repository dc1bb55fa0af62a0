"""A live match's history: state changes, check-ins, sessions, goals and surveys."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, stamp_now
from core.models.columns import enum_column


class MatchEvent(Base):
    """One change of a match's state, with its reason; history is appended, never rewritten."""

    __tablename__ = "match_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"))
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(200), default="")
    # Only admins read this: the no-fault exit's real reason.
    private_reason: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now)


class Checkin(Base):
    """One person's answer to "Did you meet?" for one period; answering again updates it."""

    __tablename__ = "checkins"
    __table_args__ = (UniqueConstraint("match_id", "person_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    period: Mapped[int] = mapped_column(Integer)
    answer: Mapped[str] = mapped_column(String(16))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now)


class Meeting(Base):
    """A logged session: from "We met", or a check-in answered "Yes"."""

    __tablename__ = "meetings"
    __table_args__ = (UniqueConstraint("match_id", "logged_by_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"))
    logged_by_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    period: Mapped[int] = mapped_column(Integer)
    met_on: Mapped[date] = mapped_column(Date)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    topics: Mapped[str] = mapped_column(Text, default="")
    rating: Mapped[int | None] = mapped_column(Integer)
    # Only the writer ever sees these.
    private_notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now,
                                                 onupdate=stamp_now)


class GoalStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class Goal(Base):
    """One goal of a mentee's action plan."""

    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(300))
    target_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[GoalStatus] = mapped_column(enum_column(GoalStatus, "goal_status"),
                                               default=GoalStatus.NOT_STARTED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now,
                                                 onupdate=stamp_now)


class SurveyResponse(Base):
    """Midpoint or end-of-program survey answer; answering again updates it."""

    __tablename__ = "survey_responses"
    __table_args__ = (UniqueConstraint("match_id", "person_id", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(16))
    useful: Mapped[int | None] = mapped_column(Integer)
    recommend: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    consent_to_quote: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now)
