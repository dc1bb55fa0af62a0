"""Vectorised 0..1 scores: a weighted sum of named components over blocks of pairs.

The scorer only ever sees PersonFeatures, which has no field for protected attributes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain, repeat

import numpy as np
import scipy.sparse as sp

from core.matching.constraints import Forbidden, overlap_hours
from core.matching.types import Enrollment, Kind, Person

# A goal's content words: lower-case, three letters or more, stop words aside.
_TOKEN = re.compile(r"[a-z][a-z\-]{2,}")
_STOP = frozenset(
    "and the for with that this from into have more about want learn like how get better "
    "our their them they you your been being also some would could should will".split()
)


@dataclass(frozen=True, eq=False)
class PersonFeatures:
    """Scoring features of a list of people (rows of every matrix follow ids)."""

    ids: tuple[str, ...]
    names: tuple[str, ...]
    departments: tuple[str, ...]
    level: np.ndarray
    dept: np.ndarray
    start_utc: np.ndarray
    end_utc: np.ndarray
    offered: sp.csr_matrix
    wanted: sp.csr_matrix
    goals: sp.csr_matrix
    offered_skills: tuple[tuple[str, ...], ...]
    wanted_skills: tuple[tuple[str, ...], ...]
    # The word behind each column of goals (shared by subsets, like the matrix's columns).
    goal_words: tuple[str, ...]


def _csr(rows: list[list[int]], vals: list[list[float]] | None, ncols: int) -> sp.csr_matrix:
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    ind = np.fromiter((c for r in rows for c in r), dtype=np.int32, count=int(indptr[-1]))
    if vals is None:
        data = np.ones(len(ind), dtype=np.float32)
    else:
        data = np.fromiter((v for r in vals for v in r), dtype=np.float32, count=len(ind))
    return sp.csr_matrix((data, ind, indptr), shape=(len(rows), ncols))


def build_features(
    people: Sequence[Person], enrollments: Sequence[Enrollment], departments: dict[str, int]
) -> PersonFeatures:
    """Features of the enrolled people; skill IDF and goal TF-IDF are fitted on this list."""
    skill_ix: dict[str, int] = {}
    # People pick skills from the same few lists: each distinct tuple is indexed once.
    indexed: dict[tuple[str, ...], list[int]] = {}

    def skill_row(skills: tuple[str, ...]) -> list[int]:
        row = indexed.get(skills)
        if row is None:
            row = indexed[skills] = sorted({skill_ix.setdefault(s.lower(), len(skill_ix))
                                            for s in skills})
        return row

    off_rows = [skill_row(e.skills_offered) for e in enrollments]
    want_rows = [skill_row(e.skills_wanted) for e in enrollments]
    n, n_skills = len(enrollments), max(1, len(skill_ix))
    offered = _csr(off_rows, None, n_skills)
    wanted_bin = _csr(want_rows, None, n_skills)
    # Rare skills count for more: IDF over everyone who mentions the skill.
    df = np.asarray(((offered + wanted_bin) > 0).sum(axis=0)).ravel()
    idf = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)
    wanted = sp.csr_matrix(wanted_bin @ sp.diags(idf))
    norm = np.asarray(wanted.sum(axis=1)).ravel()
    wanted = sp.csr_matrix(sp.diags(1.0 / np.where(norm > 0, norm, 1.0)) @ wanted,
                           dtype=np.float32)

    # Every word of every goal in one flat list, indexed and counted without a Python loop per
    # word (scipy sums the duplicates): a per-person dict of counts cost most of the features'
    # time at 50,000 people. Stop words are dropped once, from the vocabulary.
    found = [_TOKEN.findall(e.goals.lower()) for e in enrollments]
    words = list(chain.from_iterable(found))
    vocab = {t: i for i, t in enumerate(t for t in dict.fromkeys(words) if t not in _STOP)}
    word_ix = np.fromiter(map(vocab.get, words, repeat(-1)), np.int64, count=len(words))
    kept = word_ix >= 0
    goals = sp.csr_matrix((np.ones(int(kept.sum()), np.float32),
                           (np.repeat(np.arange(n), [len(f) for f in found])[kept],
                            word_ix[kept])),
                          shape=(n, max(1, len(vocab))))
    goals.sum_duplicates()
    gdf = np.bincount(goals.indices, minlength=goals.shape[1])
    gidf = (np.log((1.0 + n) / (1.0 + gdf)) + 1.0).astype(np.float32)
    goals = sp.csr_matrix(goals @ sp.diags(gidf), dtype=np.float32)
    gnorm = np.sqrt(np.asarray(goals.multiply(goals).sum(axis=1)).ravel())
    goals = sp.csr_matrix(sp.diags(1.0 / np.where(gnorm > 0, gnorm, 1.0)) @ goals,
                          dtype=np.float32)

    level = np.array([p.level for p in people], dtype=np.int64)
    offset = np.array([p.utc_offset for p in people], dtype=np.float64)
    start = np.array([p.work_start for p in people], dtype=np.float64) - offset
    length = np.array([(p.work_end - p.work_start) % 24 or 24 for p in people], dtype=np.float64)
    return PersonFeatures(
        ids=tuple(p.id for p in people),
        names=tuple(p.name for p in people),
        departments=tuple(p.department for p in people),
        level=level,
        dept=np.array([departments.setdefault(p.department, len(departments)) for p in people],
                      dtype=np.int32),
        start_utc=np.mod(start, 24.0),
        end_utc=np.mod(start, 24.0) + length,
        offered=offered,
        wanted=wanted,
        goals=goals,
        offered_skills=tuple(tuple(e.skills_offered) for e in enrollments),
        wanted_skills=tuple(tuple(e.skills_wanted) for e in enrollments),
        goal_words=tuple(vocab),
    )


def seniority_score(kind: Kind, purpose: str, diff: np.ndarray) -> np.ndarray:
    """Seniority fit from diff = mentor level - mentee level (peers: symmetric)."""
    d = diff.astype(np.float64)
    if kind == "peer":
        a = np.abs(d)
        return np.where(a <= 1, 1.0, np.where(a == 2, 0.4, 0.0))
    if kind == "reverse":
        return np.where(d <= -1, 1.0, np.where(d == 0, 0.3, 0.0))
    # Leadership programs care more that the mentor has actually been there.
    same = 0.1 if purpose == "leadership" else 0.3
    return np.where((d >= 1) & (d <= 3), 1.0,
                    np.where(d == 4, 0.6, np.where(d == 5, 0.3, np.where(d == 0, same, 0.0))))


@dataclass(frozen=True, eq=False)
class ScoreContext:
    """Everything the block scorer needs for rows (seekers) against cols (mentors or peers)."""

    kind: Kind
    purpose: str
    w: dict[str, float]
    rows: PersonFeatures
    cols: PersonFeatures
    forbidden: Forbidden
    require_diff_dept: bool
    min_overlap: float | None
    rkey: np.ndarray
    ckey: np.ndarray
    table: np.ndarray
    offered_t: np.ndarray | sp.csr_matrix
    wanted_t: np.ndarray | sp.csr_matrix | None
    goals_t: np.ndarray | sp.csr_matrix
    # The row feature matrices times their component's weight (peers: half of it each way),
    # so a block's products are its weighted terms as they come, with no pass to scale them.
    wanted_w: sp.csr_matrix
    offered_w: sp.csr_matrix | None
    goals_w: sp.csr_matrix

    @property
    def peer(self) -> bool:
        """Rows and cols are the same pool."""
        return self.kind == "peer"


def _dense_t(m: sp.csr_matrix) -> np.ndarray | sp.csr_matrix:
    # A dense transpose makes sparse @ dense products fast; keep sparse if it would be huge.
    if m.shape[0] * m.shape[1] <= 60_000_000:
        return np.ascontiguousarray(m.T.toarray(), dtype=np.float32)
    return sp.csr_matrix(m.T)


def make_context(
    kind: Kind,
    purpose: str,
    weights: dict[str, float],
    rows: PersonFeatures,
    cols: PersonFeatures,
    forbidden: Forbidden,
    require_diff_dept: bool,
    min_overlap: float | None,
) -> ScoreContext:
    """Precompute the small level x working-window table and transposed feature matrices."""
    def keys(f: PersonFeatures) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        stacked = np.stack([f.level.astype(np.float64), f.start_utc, f.end_utc], axis=1)
        if len(stacked) == 0:
            return np.zeros(0, np.int64), np.zeros(0), np.zeros(0), np.zeros(0)
        uniq, inv = np.unique(stacked, axis=0, return_inverse=True)
        return inv.ravel(), uniq[:, 0], uniq[:, 1], uniq[:, 2]

    rkey, rl, rs, re_ = keys(rows)
    ckey, cl, cs, ce = keys(cols)
    ov = overlap_hours(rs[:, None], re_[:, None], cs[None, :], ce[None, :])
    shorter = np.minimum((re_ - rs)[:, None], (ce - cs)[None, :])
    tz = np.clip(ov / np.maximum(shorter, 1e-9), 0.0, 1.0)
    sen = seniority_score(kind, purpose, cl[None, :] - rl[:, None])
    table = weights["seniority"] * sen + weights["timezone"] * tz + weights["department"]
    if min_overlap is not None:
        table = np.where(ov + 1e-9 >= min_overlap, table, -np.inf)
    skills_w = 0.5 * weights["skills"] if kind == "peer" else weights["skills"]

    def weighted(m: sp.csr_matrix, wt: float) -> sp.csr_matrix:
        out = sp.csr_matrix(m, dtype=np.float32, copy=True)
        out.data *= np.float32(wt)
        return out

    return ScoreContext(
        kind=kind, purpose=purpose, w=weights, rows=rows, cols=cols, forbidden=forbidden,
        require_diff_dept=require_diff_dept, min_overlap=min_overlap,
        rkey=rkey, ckey=ckey, table=table.astype(np.float32),
        offered_t=_dense_t(cols.offered),
        wanted_t=_dense_t(cols.wanted) if kind == "peer" else None,
        goals_t=_dense_t(cols.goals),
        wanted_w=weighted(rows.wanted, skills_w),
        offered_w=weighted(rows.offered, skills_w) if kind == "peer" else None,
        goals_w=weighted(rows.goals, weights["goals"]),
    )


def _dense(x: np.ndarray | sp.spmatrix) -> np.ndarray:
    return x.toarray() if sp.issparse(x) else np.asarray(x)


Product = Callable[[sp.csr_matrix, np.ndarray | sp.csr_matrix], np.ndarray]


def _add_terms(ctx: ScoreContext, s: np.ndarray, product: Product, same: np.ndarray) -> None:
    """Add the skills and goals terms to s in place, and apply the department rule.

    score_block and score_sub both go through here, so a pair scores the same float32 bits
    whichever way it is scored: the optimality proof compares exact integer scores. The row
    matrices carry their weights already (make_context), so each product is added as it is.
    ``product(rows, cols_t)`` multiplies the block's rows of a (weighted) row feature matrix
    by the matching col one.
    """
    w = ctx.w
    # Each term is added as it comes, in this order, whichever way a block is scored.
    if w["skills"] > 0:
        skills = product(ctx.wanted_w, ctx.offered_t)
        if ctx.peer:
            # Both directions summed before they join s: a's wanted . b's offered is b's
            # offered . a's wanted bit for bit, so a peer pair scores the same either way round.
            assert ctx.wanted_t is not None and ctx.offered_w is not None
            skills += product(ctx.offered_w, ctx.wanted_t)
        s += skills
    if w["goals"] > 0:
        s += product(ctx.goals_w, ctx.goals_t)
    if ctx.require_diff_dept:
        s[same] = -np.inf
    elif w["department"] > 0:
        np.subtract(s, np.float32(w["department"]), out=s, where=same)


def score_block(
    ctx: ScoreContext, r0: int, r1: int, col_ok: np.ndarray | None = None
) -> np.ndarray:
    """Scores of rows [r0, r1) against every col; -inf where a hard constraint is broken."""
    s = np.take(ctx.table[ctx.rkey[r0:r1]], ctx.ckey, axis=1)
    _add_terms(ctx, s, lambda m, mt: _dense(m[r0:r1] @ mt),
               ctx.rows.dept[r0:r1, None] == ctx.cols.dept[None, :])
    fr, fc, _ = ctx.forbidden.for_rows(r0, r1)
    s[fr - r0, fc] = -np.inf
    if col_ok is not None:
        s[:, ~col_ok] = -np.inf
    return s


def edge_components(ctx: ScoreContext, r: np.ndarray, c: np.ndarray) -> dict[str, np.ndarray]:
    """Unweighted component values (0..1) of the given (row, col) edges."""
    rows, cols = ctx.rows, ctx.cols

    def rowdot(a: sp.csr_matrix, b: sp.csr_matrix) -> np.ndarray:
        return np.asarray(a[r].multiply(b[c]).sum(axis=1)).ravel()

    skills = rowdot(rows.wanted, cols.offered)
    if ctx.peer:
        skills = 0.5 * (skills + rowdot(rows.offered, cols.wanted))
    ov = overlap_hours(rows.start_utc[r], rows.end_utc[r], cols.start_utc[c], cols.end_utc[c])
    shorter = np.minimum(rows.end_utc[r] - rows.start_utc[r], cols.end_utc[c] - cols.start_utc[c])
    return {
        "skills": skills,
        "seniority": seniority_score(ctx.kind, ctx.purpose, cols.level[c] - rows.level[r]),
        "goals": rowdot(rows.goals, cols.goals),
        "department": (rows.dept[r] != cols.dept[c]).astype(np.float64),
        "timezone": np.clip(ov / np.maximum(shorter, 1e-9), 0.0, 1.0),
        "overlap_hours": ov,
    }


def subset(f: PersonFeatures, idx: np.ndarray) -> PersonFeatures:
    """The features of some of the people, sharing skill and goal vocabularies."""
    ix = idx.tolist()
    return PersonFeatures(
        ids=tuple(f.ids[i] for i in ix),
        names=tuple(f.names[i] for i in ix),
        departments=tuple(f.departments[i] for i in ix),
        level=f.level[idx],
        dept=f.dept[idx],
        start_utc=f.start_utc[idx],
        end_utc=f.end_utc[idx],
        offered=f.offered[idx],
        wanted=f.wanted[idx],
        goals=f.goals[idx],
        offered_skills=tuple(f.offered_skills[i] for i in ix),
        wanted_skills=tuple(f.wanted_skills[i] for i in ix),
        goal_words=f.goal_words,
    )


def score_sub(ctx: ScoreContext, ri: np.ndarray, ci: np.ndarray) -> np.ndarray:
    """Scores of rows ri against cols ci (index arrays); -inf where a hard rule is broken.

    The same float32 operations in the same order as score_block, so a pair scores the same
    bits whichever way it is scored: the optimality proof compares exact integer scores.
    """
    ri = np.asarray(ri, np.int64)
    ci = np.asarray(ci, np.int64)
    # Two 1-D gathers (a thin table of these cols, then its rows) beat one 2-D fancy index.
    s = np.take(ctx.table[:, ctx.ckey[ci]], ctx.rkey[ri], axis=0)
    # Gathering a wide set of columns out of the col features costs far more than multiplying
    # by all of them and keeping the wanted columns of the (few rows') product; a cell's value
    # is the same bits either way (the same terms, summed in the same order).
    wide = 4 * len(ci) >= len(ctx.cols.ids)
    # Every row, in order (a col-wise pass): the row matrix as it is, no gathered copy.
    all_rows = len(ri) == len(ctx.rows.ids) and bool((ri == np.arange(len(ri))).all())

    def product(m: sp.csr_matrix, mt: np.ndarray | sp.csr_matrix) -> np.ndarray:
        mr = m if all_rows else m[ri]
        if wide:
            return _dense(mr @ mt)[:, ci]
        return _dense(mr @ mt[:, ci])

    _add_terms(ctx, s, product, ctx.rows.dept[ri][:, None] == ctx.cols.dept[ci][None, :])
    _forbid(ctx, s, ri, ci)
    return s


def _forbid(ctx: ScoreContext, s: np.ndarray, ri: np.ndarray, ci: np.ndarray | None) -> None:
    """Set the forbidden pairs of rows ri (against cols ci, or every col) to -inf in s."""
    f = ctx.forbidden
    if not (len(f.rows) and len(ri) and (ci is None or len(ci))):
        return
    # Only the forbidden pairs of these rows (the list is sorted by row), placed by their
    # position in the sub-block (callers pass distinct indices).
    start = np.searchsorted(f.rows, ri, side="left")
    counts = np.searchsorted(f.rows, ri, side="right") - start
    total = int(counts.sum())
    if not total:
        return
    idx = np.repeat(start - np.cumsum(counts) + counts, counts) + np.arange(total)
    pr = np.repeat(np.arange(len(ri)), counts)
    if ci is None:
        s[pr, f.cols[idx]] = -np.inf
        return
    pos_c = np.full(len(ctx.cols.ids), -1, np.int64)
    pos_c[ci] = np.arange(len(ci))
    pc = pos_c[f.cols[idx]]
    hit = pc >= 0
    s[pr[hit], pc[hit]] = -np.inf


def score_rows(ctx: ScoreContext, ri: np.ndarray, col_ok: np.ndarray | None = None
               ) -> np.ndarray:
    """Scores of rows ri (distinct, sorted) against every col, as score_block scores them
    (the same bits); -inf where a hard rule is broken or col_ok is False."""
    ri = np.asarray(ri, np.int64)
    s = np.take(ctx.table[ctx.rkey[ri]], ctx.ckey, axis=1)
    run = len(ri) > 0 and int(ri[-1]) - int(ri[0]) + 1 == len(ri)
    r0 = int(ri[0]) if len(ri) else 0

    def product(m: sp.csr_matrix, mt: np.ndarray | sp.csr_matrix) -> np.ndarray:
        return _dense((m[r0:r0 + len(ri)] if run else m[ri]) @ mt)

    _add_terms(ctx, s, product, ctx.rows.dept[ri][:, None] == ctx.cols.dept[None, :])
    _forbid(ctx, s, ri, None)
    if col_ok is not None:
        s[:, ~col_ok] = -np.inf
    return s
