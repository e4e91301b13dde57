"""Compiled versions of the aligner's two hot loops, used when numba is installed.

bialign.search computes a band's bead gains with whole-array numpy operations, one
temporary per term and bead shape, and fills the dynamic programme row by row (a bead
reaches up to ``max_side`` rows back, so rows cannot be vectorised together). On two
10,000-segment documents that is most of the alignment's time. The functions here do the
same arithmetic cell by cell, compiled by numba (``pip install 'bialign-corpus[fast]'``).

search.py keeps the numpy versions: they are the reference, run wherever numba is
missing or fails, and serve every document below COMPILED_MIN_CELLS. Both do the same float64
operations in the same order and break ties the same way, so they give the same beads;
tests/test_kernels.py checks gains, scores and beads against the numpy versions.
"""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .errors import BialignWarning

#: Bands of fewer cells (rows x band width; about 5,000 segments a side at the default
#: band, and never a document small enough for the full grid) run the numpy loops. A
#: fresh process pays about 0.45 s to import numba and load the cached machine code,
#: which the loops save back on every band from about 13,000 segments a side, or from
#: the second long document a process aligns (docs/scale.md). BIALIGN_KERNELS=numpy (or
#: numba) forces one; "numba" without numba installed falls back to numpy.
COMPILED_MIN_CELLS = 500_000


def _fill_rows(
    flat: np.ndarray,
    reads: np.ndarray,
    gains: np.ndarray,
    i0: int,
    i1: int,
    ring_rows: int,
    width: int,
    clipped: np.ndarray,
    invalid: np.ndarray,
    k_best: np.ndarray,
    skipped: np.ndarray,
    neg: float,
) -> None:  # pragma: no cover - runs compiled
    """search._fill_rows, cell by cell."""
    moves = reads.shape[1]
    best = np.empty(width)
    for i in range(max(i0, 1), i1):
        r = i - i0
        for c in range(width):
            best[c] = flat[reads[r, 0, c]] + gains[r, 0, c]
            k_best[r, c] = 0
        for k in range(1, moves):
            for c in range(width):
                v = flat[reads[r, k, c]] + gains[r, k, c]
                if v > best[c]:
                    best[c] = v
                    k_best[r, c] = k
        out = (i % ring_rows) * 3 * width + width
        run = -np.inf
        for c in range(width):
            b = best[c]
            if b > run:
                run = b
                skipped[r, c] = False
            else:
                skipped[r, c] = run > b
            flat[out + c] = neg if (clipped[i] and invalid[i, c]) else run


def _pair_gains(
    i0: int,
    i1: int,
    lo: np.ndarray,
    width: int,
    n: int,
    m: int,
    start: np.ndarray,
    sims: np.ndarray,
    pref: np.ndarray,
    p0: int,
    shape_a: np.ndarray,
    shape_b: np.ndarray,
    shape_cost: np.ndarray,
    src_runs: np.ndarray,
    tgt_runs: np.ndarray,
    sbreaks: np.ndarray,
    tbreaks: np.ndarray,
    alone_s: np.ndarray,
    alone_t: np.ndarray,
    base_s: np.ndarray,
    base_t: np.ndarray,
    open_s: np.ndarray,
    open_t: np.ndarray,
    params: np.ndarray,
    gains: np.ndarray,
    scores: np.ndarray,
) -> None:  # pragma: no cover - runs compiled
    """search._RowBlock.gains_and_scores, cell by cell (see search._Scorer.kernel_args
    for what each array holds)."""
    margin_max, length_weight, member_floor, alone_floor = (
        params[0],
        params[1],
        params[2],
        params[3],
    )
    member_weight, boundary_weight, use_open, neg = params[4], params[5], params[6], params[7]
    half_w = (1 - margin_max) * 0.5
    strict_floor = max(member_floor, alone_floor)
    wide = sims.shape[1]
    n_shapes = len(shape_a)
    reach_a = shape_a.max()
    reach_b = shape_b.max()
    # Per cell: the source rows in reach, their band offsets, and the cosines of source
    # i-d with target j-e (d, e from 1), read once for every shape.
    rows = np.empty(reach_a + 1, np.int64)
    offs = np.empty(reach_a + 1, np.int64)
    sim = np.empty((reach_a + 1, reach_b + 1))
    for i in range(i0, i1):
        r = i - i0
        for d in range(1, reach_a + 1):
            rows[d] = min(max(i - d, 0), n - 1)
        for c in range(width):
            j = lo[i] + c
            cc = min(max(j, 0), m)
            gains[r, 0, c] = 0.0
            for d in range(1, reach_a + 1):
                rr = rows[d]
                offs[d] = j - start[rr]
                for e in range(1, reach_b + 1):
                    sim[d, e] = sims[rr, min(max(offs[d] - e, 0), wide - 1)]
            mismatch = use_open != 0.0 and (open_s[i] ^ open_t[cc]) == 1
            for t in range(n_shapes):
                a = shape_a[t]
                b = shape_b[t]
                ok = i >= a and j >= b and j <= m
                if a > 1 and sbreaks[a, min(max(i - 1, 0), n - 1)] != 0:
                    ok = False
                if b > 1 and tbreaks[b, min(max(j - 1, 0), max(0, m - 2))] != 0:
                    ok = False
                num = 0.0
                for d in range(1, a + 1):
                    q = offs[d]
                    at = rows[d] - p0
                    part = pref[at, min(max(q, 0), wide)] - pref[at, min(max(q - b, 0), wide)]
                    num = part if d == 1 else num + part
                    if q - b < 0 or q > wide:
                        ok = False
                # runs[a, k, i]: 1 / norm, baseline, log length, count standing alone.
                s_base = src_runs[a, 1, i]
                t_base = tgt_runs[b, 1, cc]
                score = num * src_runs[a, 0, i]
                score *= tgt_runs[b, 0, cc]
                base = max(s_base * margin_max, t_base * margin_max)
                base += t_base * half_w
                base += s_base * half_w
                score -= base
                dev = tgt_runs[b, 2, cc] - src_runs[a, 2, i]
                dev *= dev
                dev *= length_weight
                score -= dev
                gain = score - shape_cost[t]
                if a + b > 2:
                    s_all = src_runs[a, 3, i] >= a
                    t_all = tgt_runs[b, 3, cc] >= b
                    worst = -np.inf
                    for e in range(1, b + 1):
                        col = min(max(j - e, 0), m - 1)
                        floor = strict_floor if alone_t[col] and not s_all else member_floor
                        best = sim[1, e]
                        for d in range(2, a + 1):
                            best = max(best, sim[d, e])
                        worst = max(worst, (base_t[col] + floor) - best)
                    for d in range(1, a + 1):
                        rr = rows[d]
                        floor = strict_floor if alone_s[rr] and not t_all else member_floor
                        best = sim[d, 1]
                        for e in range(2, b + 1):
                            best = max(best, sim[d, e])
                        worst = max(worst, (base_s[rr] + floor) - best)
                    if worst < 0.0:
                        worst = 0.0
                    gain -= worst * member_weight
                if mismatch:
                    gain -= boundary_weight
                gains[r, t + 1, c] = gain if ok else neg
                scores[r, t, c] = score


#: The compiled loops once loaded; None after a failed attempt (numba missing, or unable
#: to compile or to cache: the numpy loops run then).
_loaded: dict[str, dict[str, Callable[..., None]] | None] = {}
_lock = threading.Lock()


def compiled(cells: int) -> dict[str, Callable[..., Any]] | None:
    """The compiled loops for a band of ``cells`` cells, or None where the numpy ones
    should run: numba missing or unusable, a small band, or BIALIGN_KERNELS=numpy."""
    choice = os.environ.get("BIALIGN_KERNELS", "")
    if choice == "numpy" or (choice != "numba" and cells < COMPILED_MIN_CELLS):
        return None
    if "kernels" not in _loaded:
        with _lock:
            if "kernels" not in _loaded:
                _loaded["kernels"] = _compile()
    return _loaded["kernels"]


def _compile() -> dict[str, Callable[..., None]] | None:
    try:
        import numba
    except ImportError:
        return None
    try:
        jit = numba.njit(cache=True, nogil=True)
        return {"fill_rows": jit(_fill_rows), "pair_gains": jit(_pair_gains)}
    except Exception as exc:  # e.g. no writable folder for numba's cache
        disable(exc)
        return None


def disable(exc: BaseException) -> None:
    """Give up the compiled loops for this process (numba could not cache or compile
    them), with one warning; the numpy loops give the same beads."""
    if "kernels" in _loaded and _loaded["kernels"] is None:
        return  # said already
    _loaded["kernels"] = None
    warnings.warn(
        f"bialign: the compiled alignment loops are unavailable ({type(exc).__name__}: "
        f"{exc}); using the numpy ones (same results, slower on long documents)",
        BialignWarning,
        stacklevel=3,
    )
