"""The run as CSV: the same file in chat, the web chat and `mentorbot match --csv`."""

from __future__ import annotations

import io

from core.cells import safe_writer
from core.models import Match, MatchRun, Person

HEADER = ["status", "mentor", "mentor_email", "mentee", "mentee_email", "score", "reasons"]


def run_csv(run: MatchRun, matches: list[Match], people: dict[int, Person]) -> str:
    """One row per mentor-mentee pair, then one per unmatched person with the reason."""
    out = io.StringIO()
    w = safe_writer(out)
    w.writerow(HEADER)
    for match in sorted(matches, key=lambda m: -m.score):
        mentor = people[match.mentor_id]
        for mentee in match.mentees:
            p = people[mentee.person_id]
            w.writerow(["matched", mentor.name, mentor.email or "", p.name, p.email or "",
                        f"{match.score:.3f}", "; ".join(match.reasons)])
    for u in run.unmatched:
        p = people.get(u["person_id"])
        if p is not None:
            w.writerow(["unmatched", "", "", p.name, p.email or "", "", u["reason"]])
    return out.getvalue()
