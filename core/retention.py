"""Free-text retention: notes and comments older than the configured months are erased.

Rows stay (a meeting still counts as a meeting, a survey answer still counts toward the
scores); only what people wrote in their own words goes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from core.models import MatchEvent, Meeting, SurveyResponse

# A month, for retention purposes: generous rather than early.
MONTH = timedelta(days=31)


@dataclass(frozen=True)
class Purged:
    meetings: int
    survey_comments: int
    end_notes: int

    @property
    def total(self) -> int:
        return self.meetings + self.survey_comments + self.end_notes


def cutoff(now: datetime, months: int) -> datetime:
    """Free text written before this moment is past retention."""
    return now - months * MONTH


def purge_free_text(session: Session, now: datetime, months: int) -> Purged:
    """Erase meeting notes and topics, survey comments and private end notes older than
    ``months``. Returns how many rows lost their text."""
    before = cutoff(now, months)
    meetings = session.execute(
        update(Meeting).where(Meeting.updated_at < before,
                              or_(Meeting.topics != "", Meeting.private_notes != ""))
        .values(topics="", private_notes="")).rowcount
    comments = session.execute(
        update(SurveyResponse).where(SurveyResponse.answered_at < before,
                                     SurveyResponse.comment != "")
        .values(comment="")).rowcount
    notes = session.execute(
        update(MatchEvent).where(MatchEvent.at < before, MatchEvent.private_reason != "")
        .values(private_reason="")).rowcount
    return Purged(meetings or 0, comments or 0, notes or 0)
