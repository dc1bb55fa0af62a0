"""Maximum-cardinality matching in a general graph: Edmonds' augmenting paths with blossoms.

Pure Python over adjacency lists. It starts from a given matching and searches only from the
vertices that matching leaves free, so finishing a near-maximum heuristic matching is cheap.
A search that finds no augmenting path leaves a Hungarian tree, which no later augmenting path
can enter; its vertices are dropped from every later search, so failed searches cost O(V + E)
in total.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

import numpy as np


def max_cardinality(n: int, nbrs: Sequence[Sequence[int]], mate: np.ndarray | None = None,
                    ) -> np.ndarray:
    """Augment mate (mate[v] = partner or -1; a copy is returned) to maximum cardinality.

    Free vertices are tried in index order; each search is breadth-first and scans neighbours
    in list order, so ordering every list by descending score makes the augmenting path it
    picks lean towards good pairs.
    """
    m = [-1] * n if mate is None else [int(x) for x in mate]
    dead = [False] * n  # in some Hungarian tree: no augmenting path can ever use it
    # Blossoms are sets in a union-find; label[root] is the blossom's base vertex.
    uf = list(range(n))
    size = [1] * n
    label = list(range(n))
    parent = [-1] * n
    even = [False] * n
    mark = [0] * n  # generation stamps for the LCA walk
    stamp = 0

    def base(x: int) -> int:
        r = x
        while uf[r] != r:
            uf[r] = uf[uf[r]]
            r = uf[r]
        return label[r]

    def lca(x: int, y: int) -> int:
        nonlocal stamp
        stamp += 1
        while True:
            x = base(x)
            mark[x] = stamp
            if m[x] == -1:
                break
            x = parent[m[x]]
        while True:
            y = base(y)
            if mark[y] == stamp:
                return y
            y = parent[m[y]]

    def mark_path(v: int, b: int, child: int, bases: list[int]) -> None:
        while base(v) != b:
            bases.append(base(v))
            bases.append(base(m[v]))
            parent[v] = child
            child = m[v]
            v = parent[m[v]]

    def contract(b: int, bases: list[int], queue: deque[int]) -> None:
        # Merge every listed blossom into b's; single odd vertices become even. (A base of
        # a non-trivial blossom, and so all of it, is even already.)
        for x in bases:
            rx, rb = x, b
            while uf[rx] != rx:
                rx = uf[rx]
            while uf[rb] != rb:
                rb = uf[rb]
            if rx != rb:
                if size[rx] > size[rb]:
                    rx, rb = rb, rx
                uf[rx] = rb
                size[rb] += size[rx]
                label[rb] = b
            if not even[x]:
                even[x] = True
                queue.append(x)

    for root in range(n):
        if m[root] != -1 or dead[root]:
            continue
        touched = [root]
        even[root] = True
        queue = deque([root])
        found = -1

        while queue and found < 0:
            v = queue.popleft()
            for to in nbrs[v]:
                if dead[to] or m[v] == to or base(v) == base(to):
                    continue
                if to == root or (m[to] != -1 and parent[m[to]] != -1):
                    # Edge between two even vertices of the tree: contract the odd cycle.
                    cur = lca(v, to)
                    bases: list[int] = []
                    mark_path(v, cur, to, bases)
                    mark_path(to, cur, v, bases)
                    contract(cur, bases, queue)
                elif parent[to] == -1:
                    parent[to] = v
                    touched.append(to)
                    if m[to] == -1:
                        found = to
                        break
                    w = m[to]
                    even[w] = True
                    touched.append(w)
                    queue.append(w)

        if found >= 0:
            v = found
            while v != -1:
                pv = parent[v]
                nxt = m[pv]
                m[v], m[pv] = pv, v
                v = nxt
        else:
            for i in touched:
                dead[i] = True
        for i in touched:
            uf[i] = i
            size[i] = 1
            label[i] = i
            parent[i] = -1
            even[i] = False
    return np.array(m, np.int64)
