"""What an identity provider (SCIM) said about each person, kept apart from the HRIS columns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, stamp_now


class DirectoryProfile(Base):
    """A person as their identity provider last described them over SCIM.

    ``attributes`` holds the SCIM attributes Mentorbot publishes in ``/Schemas`` exactly as
    they were set (name parts, display name, emails, organization...), so they read back as
    written; the person's columns hold what the bot works with. ``manager_ref`` names a
    manager who had not arrived yet; ``deleted_at`` hides the person from SCIM for good while
    their history stays for reports.
    """

    __tablename__ = "directory_profiles"
    __table_args__ = (Index("ix_directory_profiles_ws_external", "workspace_id", "external_id"),)

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"),
                                           primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    # The identity provider's own id for the user (SCIM externalId).
    external_id: Mapped[str | None] = mapped_column(String(255))
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    manager_ref: Mapped[str | None] = mapped_column(String(320))
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=stamp_now,
                                                 onupdate=stamp_now)
