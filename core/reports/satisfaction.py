"""Satisfaction from the midpoint and end surveys, and anonymised quotes.

Each person counts once per cohort view: their most recent answer in scope (someone who
answered at the midpoint and at the end is counted by the end answer). "Useful" is 4 or 5
on the 1-5 scale; NPS is the share answering 9-10 to "would you recommend" minus the share
answering 0-6, as a number from -100 to +100.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, union
from sqlalchemy.orm import Session

from core.i18n import gettext as _
from core.models import Enrollment, Match, MatchMentee, Person, SurveyResponse
from core.reports.model import MIN_PEOPLE, Figure, figure
from core.reports.scope import Scope, as_utc, raw_datetime

MAX_QUOTES = 20
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Answer:
    """One person's latest survey answer."""

    person_id: int
    match_id: int
    answered_at: datetime
    useful: int | None
    recommend: int | None


def load_answers(session: Session, scope: Scope) -> list[tuple[int, int, datetime, int | None,
                                                               int | None]]:
    """Every scoped survey answer with a score, as (person, match, when, useful, recommend)."""
    rows = session.execute(select(
        SurveyResponse.person_id, SurveyResponse.match_id,
        raw_datetime(SurveyResponse.answered_at), SurveyResponse.useful,
        SurveyResponse.recommend).where(
        SurveyResponse.match_id.in_(scope.match_ids()),
        or_(SurveyResponse.useful.is_not(None), SurveyResponse.recommend.is_not(None)),
        *scope.in_window(SurveyResponse.answered_at)))
    return [(person, match, as_utc(at), useful, recommend)
            for person, match, at, useful, recommend in rows]


def latest(rows: list[tuple[int, int, datetime, int | None, int | None]],
           match_ids: set[int] | None = None) -> list[Answer]:
    """Each person's most recent answer (optionally only for some matches)."""
    best: dict[int, Answer] = {}
    for person_id, match_id, at, useful, recommend in rows:
        if match_ids is not None and match_id not in match_ids:
            continue
        old = best.get(person_id)
        if old is None or at > old.answered_at:
            best[person_id] = Answer(person_id, match_id, at, useful, recommend)
    return list(best.values())


def useful_share(answers: list[Answer]) -> tuple[float | None, int]:
    """(share answering 4 or 5, people who answered the question)."""
    scores = [a.useful for a in answers if a.useful is not None]
    return (sum(s >= 4 for s in scores) / len(scores) if scores else None), len(scores)


def satisfaction(answers: list[Answer]) -> tuple[list[Figure], dict[int, int] | None]:
    """Useful share, NPS and the 1-5 distribution (None under 5 answers)."""
    share, n_useful = useful_share(answers)
    recs = [a.recommend for a in answers if a.recommend is not None]
    nps = ((sum(r >= 9 for r in recs) - sum(r <= 6 for r in recs)) * 100 / len(recs)
           if recs else None)
    scores = [a.useful for a in answers if a.useful is not None]
    distribution = ({k: sum(s == k for s in scores) for k in range(1, 6)}
                    if len(scores) >= MIN_PEOPLE else None)
    figures = [
        figure("respondents", _("People who answered a survey"), len(answers), len(answers),
               "people", count=True),
        figure("useful_share", _("Found it useful (4 or 5 of 5)"), share, n_useful, "%"),
        figure("nps", _("Net promoter score"), nps, len(recs), "nps",
               _("% answering 9-10 minus % answering 0-6 to 'would you recommend it?'")),
    ]
    return figures, distribution


def quotes(session: Session, scope: Scope) -> list[str]:
    """Comments shared with consent, newest first, with no attribution and every first or
    last name of a program participant replaced by "[name]"."""
    rows = session.execute(select(SurveyResponse.comment).where(
        SurveyResponse.match_id.in_(scope.match_ids()),
        SurveyResponse.consent_to_quote.is_(True), SurveyResponse.comment != "",
        *scope.in_window(SurveyResponse.answered_at))
        .order_by(SurveyResponse.answered_at.desc(), SurveyResponse.id.desc())
        .limit(MAX_QUOTES)).scalars().all()
    texts = [t.strip() for t in rows if t and t.strip()]
    if not texts:
        return []
    pid = scope.program.id
    members = union(
        select(Enrollment.person_id).where(Enrollment.program_id == pid),
        select(Match.mentor_id).where(Match.program_id == pid),
        select(MatchMentee.person_id).join(Match, Match.id == MatchMentee.match_id)
        .where(Match.program_id == pid)).subquery()
    names: set[str] = set()
    for (full,) in session.execute(select(Person.name).where(
            Person.id.in_(select(members.c[0])))):
        # Single letters (initials) would blank out "I" and "a"; two letters and up go.
        names.update(w.lower() for w in _WORD.findall(full or "") if len(w) > 1)
    return [anonymise(t, names) for t in texts]


def anonymise(text: str, names: set[str]) -> str:
    """``text`` with every word that is a known first or last name replaced by "[name]"."""
    return _WORD.sub(lambda m: "[name]" if m.group(0).lower() in names else m.group(0), text)
