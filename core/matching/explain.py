"""Plain-words explanations of matches and kind, specific reasons for the unmatched."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from core.matching.constraints import overlap_hours
from core.matching.scoring import ScoreContext, edge_components, score_block


def _english_count(n: float, one: str, many: str) -> str:
    """"2 working hours": the engine writes English whoever reads, because
    core.match_runs.reasons parses its sentences and translates them for the reader; a word
    translated here would leave the rest untranslatable ("2 heures de travail of overlap")."""
    return f"{n:g} {one if n == 1 else many}"


NEXT_ROUND = " You stay in the pool for the next round; we will tell you when a place opens."


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _levels(n: int) -> str:
    return f"{n} level" if n == 1 else f"{n} levels"


def _shared(wanted: tuple[str, ...], offered: tuple[str, ...]) -> list[str]:
    off = {s.lower() for s in offered}
    return [s for s in wanted if s.lower() in off]


class _Who:
    """A person in a reason: by name, or "you" when they are the one reading it."""

    def __init__(self, name: str, reading: bool) -> None:
        self.name, self.you = ("you", True) if reading else (name, False)

    def __str__(self) -> str:
        return self.name

    def verb(self, third: str, second: str) -> str:
        return f"{self.name} {second if self.you else third}"


def _pair(a: _Who, b: _Who) -> str:
    """Two people as a subject, the reader first ("you and Luca")."""
    return f"{b} and {a}" if b.you else f"{a} and {b}"


def explain_edges(ctx: ScoreContext, r: np.ndarray, c: np.ndarray, limit: int = 4,
                  reader: str | None = None) -> list[str]:
    """One sentence per (row, col) edge, strongest score components first.

    ``reader`` is who reads it: None for an admin (both by name), "mentee" (the row) or
    "mentor" (the column), who is then addressed as "you".
    """
    # Plain lists: indexing numpy arrays one scalar at a time costs more than the sentences.
    comps = {k: v.tolist() for k, v in edge_components(ctx, r, c).items()}
    rows, cols, w = ctx.rows, ctx.cols, ctx.w
    levels_r, levels_c = rows.level.tolist(), cols.level.tolist()
    # The goal words both mention: the columns where both goal vectors are non-zero, for every
    # edge in one sparse product instead of tokenising two texts per edge.
    both_goals = sp.csr_matrix(rows.goals[r].multiply(cols.goals[c]))
    both_goals.sort_indices()
    g_ptr, g_ind = both_goals.indptr.tolist(), both_goals.indices.tolist()
    # Overlaps take few distinct values, and writing a number the reader's way is not free.
    hours_text: dict[float, str] = {}
    out = []
    for i, (ri, ci) in enumerate(zip(r.tolist(), c.tolist(), strict=True)):
        mentor = _Who(cols.names[ci], reader == "mentor")
        mentee = _Who(rows.names[ri], reader == "mentee")
        both = _pair(mentor, mentee)
        parts: list[tuple[float, str]] = []
        if comps["skills"][i] > 0:
            shared = _shared(rows.wanted_skills[ri], cols.offered_skills[ci])
            text = (f"{mentor.verb('offers', 'offer')} {_join(shared)}, which "
                    f"{mentee.verb('wants', 'want')} to learn")
            if ctx.peer:
                back = _shared(cols.wanted_skills[ci], rows.offered_skills[ri])
                if back:
                    text = (f"{mentee.verb('offers', 'offer')} {_join(back)}, which "
                            f"{mentor.verb('wants', 'want')} to learn" if not shared
                            else text + f", and {mentee.verb('offers', 'offer')} {_join(back)}")
            parts.append((w["skills"] * comps["skills"][i], text))
        if comps["seniority"][i] > 0:
            d = int(levels_c[ci] - levels_r[ri])
            if ctx.peer or d == 0:
                text = (f"{both} are at the same level" if d == 0
                        else f"{both} are {_levels(abs(d))} apart")
            elif d > 0:
                text = f"{mentor.verb('is', 'are')} {_levels(d)} above {mentee}"
            else:
                text = (f"{mentor.verb('is', 'are')} {_levels(-d)} junior to {mentee}, as "
                        "reverse mentoring intends")
            parts.append((w["seniority"] * comps["seniority"][i], text))
        if comps["goals"][i] > 0:
            common = sorted(rows.goal_words[j] for j in g_ind[g_ptr[i]:g_ptr[i + 1]])
            if common:
                whose = "you both mention {} in your goals" if reader else \
                    "both mention {} in their goals"
                parts.append((w["goals"] * comps["goals"][i], whose.format(_join(common[:3]))))
        if comps["department"][i] > 0:
            if reader:
                depts = (f"{mentor} in {cols.departments[ci]}, {mentee} in "
                         f"{rows.departments[ri]}")
            else:
                depts = f"{cols.departments[ci]} and {rows.departments[ri]}"
            parts.append((w["department"], f"different departments ({depts})"))
        if comps["timezone"][i] > 0:
            h = float(comps["overlap_hours"][i])
            if h not in hours_text:
                hours_text[h] = f"{_english_count(h, 'working hour', 'working hours')} of overlap"
            parts.append((w["timezone"] * comps["timezone"][i], hours_text[h]))
        parts.sort(key=lambda p: -p[0])
        text = "; ".join(t for _, t in parts[:limit]) or "the best available fit this round"
        out.append(text[0].upper() + text[1:] + ".")
    return out


def unmatched_reason(ctx: ScoreContext, r: int, offered_anywhere: set[str],
                     has_allowed: bool | None = None) -> tuple[str, str]:
    """(code, kind sentence) for a seeker row left unmatched; offered_anywhere: lower-case.

    has_allowed: whether the row has any allowed pair, when the caller already knows (the
    engine does, from candidate generation); the row is scored again only when it is None.
    """
    rows, cols = ctx.rows, ctx.cols
    who = "partner" if ctx.peer else "mentor"
    n_cols = len(cols.ids)
    others = n_cols - (1 if ctx.peer else 0)
    if others <= 0:
        return "no_candidates", (f"There was no {who} to pair you with this round." + NEXT_ROUND)
    if has_allowed is None:
        has_allowed = bool(np.isfinite(score_block(ctx, r, r + 1)[0]).any())
    if has_allowed:
        wanted = rows.wanted_skills[r]
        offering = [sk for sk in wanted if sk.lower() in offered_anywhere]
        missing = [sk for sk in wanted if sk not in offering]
        if ctx.peer:
            return "no_room", ("Everyone who could be paired with you was already paired this "
                               "round." + NEXT_ROUND)
        if wanted and not offering:
            return "skill_not_offered", (
                f"No mentor in this program offers {_join(list(wanted))}, and the mentors who "
                "could work with you had no room left." + NEXT_ROUND)
        if offering:
            extra = f" (and nobody offers {_join(missing)})" if missing else ""
            return "no_room", (f"No mentor offering {_join(offering)} had room left{extra}."
                               + NEXT_ROUND)
        return "no_room", ("Every mentor who could work with you was already fully booked."
                           + NEXT_ROUND)
    fr, fc, _ = ctx.forbidden.for_rows(r, r + 1)
    ruled = np.zeros(n_cols, bool)
    ruled[fc] = True
    if ctx.peer:
        ruled[r] = True
    same = cols.dept == rows.dept[r]
    ov = overlap_hours(rows.start_utc[r], rows.end_utc[r], cols.start_utc, cols.end_utc)
    if (ctx.min_overlap is not None and not ruled.all()
            and not (ov + 1e-9 >= ctx.min_overlap)[~ruled].any()):
        hours = _english_count(float(ctx.min_overlap), "working hour", "working hours")
        return "no_overlap", f"No {who} shares {hours} with you." + NEXT_ROUND
    if ctx.require_diff_dept and (same | ruled).all() and not ruled.all():
        return "same_department", (f"Every {who} is in your own department, and this program "
                                   "pairs people across departments." + NEXT_ROUND)
    if ruled.all():
        return "all_excluded", (f"Every possible {who} is in your reporting line, on a "
                                "do-not-match list or was matched with you before." + NEXT_ROUND)
    return "rules", (f"Every {who} was ruled out by this program's rules (reporting line, "
                     "department or working-hours overlap)." + NEXT_ROUND)
