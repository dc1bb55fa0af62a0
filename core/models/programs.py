"""Programs, invitations and enrollments."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime, stamp_now
from core.models.columns import enum_column
from core.models.people import Person


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


class Program(Base):
    """A mentoring program and its rules."""

    __tablename__ = "programs"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[ProgramKind] = mapped_column(enum_column(ProgramKind, "program_kind"))
    purpose: Mapped[ProgramPurpose] = mapped_column(
        enum_column(ProgramPurpose, "program_purpose"), default=ProgramPurpose.GENERAL
    )
    invite_only: Mapped[bool] = mapped_column(Boolean, default=False)
    enrollment_opens: Mapped[date | None] = mapped_column(Date)
    enrollment_closes: Mapped[date | None] = mapped_column(Date)
    cadence_days: Mapped[int] = mapped_column(Integer, default=14)
    duration_weeks: Mapped[int] = mapped_column(Integer, default=26)
    group_size: Mapped[int] = mapped_column(Integer, default=1)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[ProgramStatus] = mapped_column(
        enum_column(ProgramStatus, "program_status"), default=ProgramStatus.DRAFT
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
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    skills_offered: Mapped[list[str]] = mapped_column(JSON, default=list)
    skills_wanted: Mapped[list[str]] = mapped_column(JSON, default=list)
    goals: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    availability: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[EnrollmentStatus] = mapped_column(
        enum_column(EnrollmentStatus, "enrollment_status"), default=EnrollmentStatus.ACTIVE
    )
    # Bumped only on a real change, so a resubmitted identical form sends no second confirmation.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=stamp_now, onupdate=stamp_now
    )

    person: Mapped[Person] = relationship()
    program: Mapped[Program] = relationship()
