"""The domain model: workspaces, people, programs, enrollments and the outbox."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime, stamp_now


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    # Non-native enums are plain VARCHARs: identical on SQLite and PostgreSQL, and cheap to extend.
    return Enum(cls, name=name, native_enum=False, length=32, values_callable=_values)


def _values(cls: type[enum.Enum]) -> list[str]:
    return [m.value for m in cls]


class Platform(enum.StrEnum):
    SLACK = "slack"
    TEAMS = "teams"
    WEBCHAT = "webchat"


class ProgramKind(enum.StrEnum):
    ONE_ON_ONE = "one_on_one"
    GROUP = "group"
    PEER = "peer"
    REVERSE = "reverse"


class ProgramPurpose(enum.StrEnum):
    LEADERSHIP = "leadership"
    HIGH_POTENTIAL = "high_potential"
    ONBOARDING = "onboarding"
    GENERAL = "general"


class ProgramStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    RUNNING = "running"
    ENDED = "ended"


class Role(enum.StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"


class EnrollmentStatus(enum.StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Workspace(Base):
    """One Slack team or one Teams tenant (or the local demo)."""

    __tablename__ = "workspaces"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[Platform] = mapped_column(_enum(Platform, "platform"))
    external_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now)


class Person(Base):
    """An employee, with the HRIS fields matching and reports rely on."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("workspace_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    external_id: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    title: Mapped[str] = mapped_column(String(200), default="")
    department: Mapped[str] = mapped_column(String(120), default="")
    level: Mapped[int | None] = mapped_column(Integer)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    location: Mapped[str] = mapped_column(String(120), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    hire_date: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The day they left the organisation (HRIS or SCIM deactivation): retention reports need it.
    left_on: Mapped[date | None] = mapped_column(Date)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now)

    manager: Mapped[Person | None] = relationship(remote_side=[id])
    identities: Mapped[list[PlatformIdentity]] = relationship(back_populates="person")


class PlatformIdentity(Base):
    """A person's account on one platform, with what proactive messages need."""

    __tablename__ = "platform_identities"
    __table_args__ = (UniqueConstraint("platform", "tenant_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    platform: Mapped[Platform] = mapped_column(_enum(Platform, "platform"))
    tenant_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(128))
    # Teams needs a stored conversation reference (with tenant id and serviceUrl) to DM later.
    conversation_ref: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now)

    person: Mapped[Person] = relationship(back_populates="identities")


class Program(Base):
    """A mentoring program and its rules."""

    __tablename__ = "programs"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[ProgramKind] = mapped_column(_enum(ProgramKind, "program_kind"))
    purpose: Mapped[ProgramPurpose] = mapped_column(
        _enum(ProgramPurpose, "program_purpose"), default=ProgramPurpose.GENERAL
    )
    invite_only: Mapped[bool] = mapped_column(Boolean, default=False)
    enrollment_opens: Mapped[date | None] = mapped_column(Date)
    enrollment_closes: Mapped[date | None] = mapped_column(Date)
    cadence_days: Mapped[int] = mapped_column(Integer, default=14)
    duration_weeks: Mapped[int] = mapped_column(Integer, default=26)
    group_size: Mapped[int] = mapped_column(Integer, default=1)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[ProgramStatus] = mapped_column(
        _enum(ProgramStatus, "program_status"), default=ProgramStatus.DRAFT
    )
    # Matching rules: hard constraints and per-component score weights (empty = defaults).
    require_different_department: Mapped[bool] = mapped_column(Boolean, default=False)
    min_overlap_hours: Mapped[int | None] = mapped_column(Integer)
    cooldown_days: Mapped[int] = mapped_column(Integer, default=365)
    # Opt-in fairness floor: protected attributes (e.g. ["gender"]) whose groups' match rates
    # must reach 4/5 of the best group's where the pool allows. Empty = off, and then matching
    # never reads protected attributes for anything but the after-the-fact audit.
    fairness_floor: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    weights: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    # The first-meeting agenda the introduction suggests, one item per line (empty: default).
    agenda: Mapped[str] = mapped_column(Text, default="")
    # Onboarding programs invite new hires on HRIS sync: hired within N days, or a title match.
    auto_invite_hired_within_days: Mapped[int | None] = mapped_column(Integer)
    auto_invite_title_pattern: Mapped[str] = mapped_column(String(200), default="")
    # Mentors must finish the program's training modules before they can be matched.
    training_required: Mapped[bool] = mapped_column(Boolean, default=False)
    # The ROI report's assumption: what replacing one employee costs (editable, printed).
    replacement_cost: Mapped[int] = mapped_column(Integer, default=50000)
    # Admins get a monthly digest of the report through the outbox.
    monthly_digest: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now)


class Invitation(Base):
    """Who may see and join an invite-only program."""

    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("program_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now)


class Enrollment(Base):
    """One person's enrollment in one program; joining again edits this row."""

    __tablename__ = "enrollments"
    __table_args__ = (UniqueConstraint("person_id", "program_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    skills_offered: Mapped[list[str]] = mapped_column(JSON, default=list)
    skills_wanted: Mapped[list[str]] = mapped_column(JSON, default=list)
    goals: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    availability: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[EnrollmentStatus] = mapped_column(
        _enum(EnrollmentStatus, "enrollment_status"), default=EnrollmentStatus.ACTIVE
    )
    # Bumped only on a real change, so a resubmitted identical form sends no second confirmation.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=stamp_now, onupdate=stamp_now
    )

    person: Mapped[Person] = relationship()
    program: Mapped[Program] = relationship()


class OutboxMessage(Base):
    """A message to deliver, written in the same transaction as the change that caused it."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    platform: Mapped[Platform] = mapped_column(_enum(Platform, "platform"))
    channel_id: Mapped[str | None] = mapped_column(String(128))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[OutboxStatus] = mapped_column(
        _enum(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING
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

    __table_args__ = (Index("ix_outbox_target_id", "target", "id"),)


class DeliveryPace(Base):
    """When each paced key (a conversation, or a rate-limited method per workspace) may next be
    sent to, shared by every replica: POSIX seconds of the bucket's theoretical arrival time."""

    __tablename__ = "delivery_pace"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    tat: Mapped[float] = mapped_column(Float)


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
    status: Mapped[RunStatus] = mapped_column(_enum(RunStatus, "run_status"),
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
    status: Mapped[MatchStatus] = mapped_column(_enum(MatchStatus, "match_status"),
                                                default=MatchStatus.PROPOSED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_reason: Mapped[EndReason | None] = mapped_column(_enum(EndReason, "end_reason"))
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
    kind: Mapped[AdjustmentKind] = mapped_column(_enum(AdjustmentKind, "adjustment_kind"))
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
    status: Mapped[RequestStatus] = mapped_column(_enum(RequestStatus, "request_status"),
                                                  default=RequestStatus.PENDING)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


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
    status: Mapped[GoalStatus] = mapped_column(_enum(GoalStatus, "goal_status"),
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


class ScimToken(Base):
    """A workspace's bearer token for SCIM provisioning; only its SHA-256 is stored."""

    __tablename__ = "scim_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


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
        _enum(AnnouncementStatus, "announcement_status"), default=AnnouncementStatus.DRAFT)
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
        _enum(NominationStatus, "nomination_status"), default=NominationStatus.PENDING)
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
    platform: Mapped[Platform] = mapped_column(_enum(Platform, "platform"))
    tenant_id: Mapped[str] = mapped_column(String(64))
    channel_id: Mapped[str] = mapped_column(String(256))
    name: Mapped[str] = mapped_column(String(200), default="")
    team_name: Mapped[str] = mapped_column(String(200), default="")
    conversation_ref: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now)


class LevelChange(Base):
    """A change of a person's level seen in HRIS data: promotion reports count the increases."""

    __tablename__ = "level_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"),
                                           index=True)
    from_level: Mapped[int | None] = mapped_column(Integer)
    to_level: Mapped[int | None] = mapped_column(Integer)
    changed_on: Mapped[date] = mapped_column(Date)


class TrainingModule(Base):
    """One short lesson a program asks its mentors to finish before they are matched."""

    __tablename__ = "training_modules"
    __table_args__ = (UniqueConstraint("program_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown
    link: Mapped[str] = mapped_column(String(500), default="")
    quiz_question: Mapped[str] = mapped_column(String(300), default="")
    quiz_choices: Mapped[list[str]] = mapped_column(JSON, default=list)
    quiz_answer: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now)


class TrainingCompletion(Base):
    """A mentor marked a module done."""

    __tablename__ = "training_completions"
    __table_args__ = (UniqueConstraint("module_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("training_modules.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"),
                                           index=True)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now)


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
