"""The domain model, one module per domain; every name is re-exported here, so
``from core.models import Person`` keeps working wherever it is written.

- ``people``: workspaces, people and their chat accounts
- ``programs``: programs, invitations, enrollments
- ``matching``: match runs, matches, adjustments, mentor requests, protected attributes
- ``relationships``: a live match's events, check-ins, sessions, goals, surveys
- ``outbox``: outgoing messages and shared delivery pacing
- ``admin``: admins, SCIM tokens, audit log, announcements, nominations, sign-in
- ``outcomes``: mentor training and level history
- ``installations``: app installs (encrypted tokens) and OAuth install states
- ``directory``: what the identity provider (SCIM) said about each person
"""

from core.models.admin import (
    Admin,
    AdminLink,
    AdminWebSession,
    Announcement,
    AnnouncementStatus,
    AuditEntry,
    ChannelRef,
    Nomination,
    NominationStatus,
    ScimToken,
)
from core.models.directory import DirectoryProfile
from core.models.installations import AppInstallation, InstallationTeam, OAuthState
from core.models.matching import (
    AdjustmentKind,
    DoNotMatch,
    EndReason,
    Match,
    MatchAdjustment,
    MatchMentee,
    MatchRun,
    MatchStatus,
    MentorRequest,
    ProtectedAttribute,
    RequestStatus,
    RunStatus,
)
from core.models.outbox import (
    DeliveryPace,
    OutboxMessage,
    OutboxStatus,
)
from core.models.outcomes import (
    LevelChange,
    TrainingCompletion,
    TrainingModule,
)
from core.models.people import (
    Person,
    Platform,
    PlatformIdentity,
    Workspace,
)
from core.models.programs import (
    Enrollment,
    EnrollmentStatus,
    Invitation,
    Program,
    ProgramKind,
    ProgramPurpose,
    ProgramStatus,
    Role,
)
from core.models.relationships import (
    Checkin,
    Goal,
    GoalStatus,
    MatchEvent,
    Meeting,
    SurveyResponse,
)

__all__ = [
    "AdjustmentKind",
    "Admin",
    "AdminLink",
    "AdminWebSession",
    "Announcement",
    "AnnouncementStatus",
    "AppInstallation",
    "AuditEntry",
    "ChannelRef",
    "Checkin",
    "DeliveryPace",
    "DirectoryProfile",
    "DoNotMatch",
    "EndReason",
    "Enrollment",
    "EnrollmentStatus",
    "Goal",
    "GoalStatus",
    "InstallationTeam",
    "Invitation",
    "LevelChange",
    "Match",
    "MatchAdjustment",
    "MatchEvent",
    "MatchMentee",
    "MatchRun",
    "MatchStatus",
    "Meeting",
    "MentorRequest",
    "Nomination",
    "NominationStatus",
    "OAuthState",
    "OutboxMessage",
    "OutboxStatus",
    "Person",
    "Platform",
    "PlatformIdentity",
    "Program",
    "ProgramKind",
    "ProgramPurpose",
    "ProgramStatus",
    "ProtectedAttribute",
    "RequestStatus",
    "Role",
    "RunStatus",
    "ScimToken",
    "SurveyResponse",
    "TrainingCompletion",
    "TrainingModule",
    "Workspace",
]
