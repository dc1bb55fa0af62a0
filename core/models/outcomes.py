"""Training and outcomes: mentor training modules and completions, level history."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, stamp_now


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


class LevelChange(Base):
    """A change of a person's level seen in HRIS data: promotion reports count the increases."""

    __tablename__ = "level_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"),
                                           index=True)
    from_level: Mapped[int | None] = mapped_column(Integer)
    to_level: Mapped[int | None] = mapped_column(Integer)
    changed_on: Mapped[date] = mapped_column(Date)
