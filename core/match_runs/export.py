"""The run as CSV: the same file in chat, the web chat and `mentorbot match --csv`.

Language: the admin who asks reads it, in a spreadsheet; no import reads it back (people come in
through the HRIS and enrollment imports, which have their own fixed headers). So the whole file
is in the admin's language: headers, status words and each reason. In English the header is
the short snake_case one it always had, which scripts reading `mentorbot match --csv` (run in
the workspace's default language) key on.
"""

from __future__ import annotations

import io

from core.cells import safe_writer
from core.i18n import N_
from core.i18n import gettext as _
from core.match_runs import reasons
from core.models import Match, MatchRun, Person

# Translators: column headings of the matches CSV an admin downloads (a spreadsheet's first
# row): write them as headings ("Mentor email"), not as the English snake_case.
HEADER = [N_("status"), N_("mentor"), N_("mentor_email"), N_("mentee"), N_("mentee_email"),
          N_("score"), N_("reasons")]
# Translators: the status column's two values in the matches CSV.
MATCHED, UNMATCHED = N_("matched"), N_("unmatched")


def run_csv(run: MatchRun, matches: list[Match], people: dict[int, Person]) -> str:
    """One row per mentor-mentee pair, then one per unmatched person with the reason."""
    out = io.StringIO()
    w = safe_writer(out)
    w.writerow([_(h) for h in HEADER])
    for match in sorted(matches, key=lambda m: -m.score):
        mentor = people[match.mentor_id]
        for mentee in match.mentees:
            p = people[mentee.person_id]
            w.writerow([_(MATCHED), mentor.name, mentor.email or "", p.name, p.email or "",
                        f"{match.score:.3f}", "; ".join(reasons.reasons(match.reasons))])
    for u in run.unmatched:
        p = people.get(u["person_id"])
        if p is not None:
            w.writerow([_(UNMATCHED), "", "", p.name, p.email or "", "",
                        reasons.unmatched(u["reason"])])
    return out.getvalue()
