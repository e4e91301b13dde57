"""Monotonic m-to-n alignment of two segment streams from their embeddings.

The aligner never embeds a concatenation of sentences. The similarity of a bead that
merges segments i..i+a-1 with j..j+b-1 is the cosine between the length-weighted sums of
their embeddings, and a sum's dot product is the sum of pairwise dot products. So every
bead's similarity comes from box sums of one banded pairwise similarity matrix and a few
self-similarities of neighbouring segments: encoding costs one pass over the document,
and scoring all bead shapes costs a few vectorised array operations.

Scores are margins: a bead's cosine minus the mean of its members' k nearest
neighbours in the other language, so that a page where every line is about the same
topic does not produce confident pairs from topical similarity alone. A Gale-Church-style
length term and a per-shape penalty complete the bead score. The dynamic programme maximises
the sum of (score - threshold) over beads; skipping a segment scores 0, so a pair is made
only where it beats leaving both sides unaligned.

For long documents the search runs in a band around a coarse path found on block-averaged
embeddings (coarse-to-fine), so time and memory grow linearly with length.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Bead = tuple[tuple[int, ...], tuple[int, ...], float]

NEG = -1e18


@dataclass(frozen=True)
class AlignConfig:
    """Knobs of the aligner. Defaults were tuned on development data only (Text+Berg
    ``dev``); :data:`MIXED` holds the stricter settings used inside one mixed document,
    where most segments usually have no translation. See docs/score.md."""

    #: Largest bead: (a, b) with a, b >= 1 and a + b <= max_side + 1, so the default 4
    #: searches 1-1, 1-2, 2-1, 1-3, 3-1, 2-2, 1-4, 4-1, 2-3 and 3-2.
    max_side: int = 4
    #: The DP forms a pair only where its score beats this; below it, leaving both sides
    #: unaligned wins. Negative for two documents, where nearly everything is translated.
    threshold: float = -0.2
    #: Nearest neighbours averaged for the margin baseline.
    knn: int = 4
    #: How a bead's baseline combines the two sides' neighbourhoods: 0 averages them,
    #: 1 takes the larger (stricter where one side has a topical look-alike).
    margin_max: float = 0.0
    #: Weight of the squared log length-ratio deviation.
    length_weight: float = 0.6
    #: Added cost per segment beyond 1-1 (negative: merges are encouraged a little).
    merge_penalty: float = -0.05
    #: An m-n bead's weakest member (its best similarity to the other side, minus its
    #: own neighbourhood baseline) costs member_weight per unit below member_floor.
    member_floor: float = -0.3
    member_weight: float = 1.0
    #: Cells of the similarity matrix above which the coarse-to-fine band search is used.
    full_dp_cells: int = 4_000_000
    #: Half-width (in segments) of the band around the coarse path.
    band_margin: int = 24

    def bead_shapes(self) -> list[tuple[int, int]]:
        k = self.max_side
        return [(a, b) for a in range(1, k + 1) for b in range(1, k + 1) if a + b <= k + 1]


#: Settings for one mixed-language document: a pair must clearly beat its neighbourhood
#: on both sides, so a caption with no translation stays unaligned.
MIXED = AlignConfig(
    max_side=3,
    threshold=0.0,
    margin_max=1.0,
    length_weight=0.12,
    merge_penalty=0.2,
    member_floor=0.05,
)


@dataclass
class _Band:
    """Cells (i, lo[i] + k) for k < width of the DP grid (i = source segments consumed)."""

    lo: np.ndarray  # (n + 1,) int64, nondecreasing
    width: int

    def cols(self) -> np.ndarray:
        return self.lo[:, None] + np.arange(self.width)[None, :]


def align_embeddings(
    src: np.ndarray,
    tgt: np.ndarray,
    src_len: np.ndarray | None = None,
    tgt_len: np.ndarray | None = None,
    config: AlignConfig | None = None,
    src_breaks: np.ndarray | None = None,
    tgt_breaks: np.ndarray | None = None,
) -> list[Bead]:
    """Align two streams of L2-normalised embeddings; returns beads in order.

    Each bead is ``(src_indices, tgt_indices, score)``. Every index of both streams is in
    exactly one bead; unaligned segments are in 1-0 or 0-1 beads with score 0.0.
    ``src_breaks[k]`` (and ``tgt_breaks``) True forbids merging stream items k and k+1
    into one bead: in a mixed document, items far apart in the page are never one
    sentence split in two.
    """
    cfg = config or AlignConfig()
    n, m = len(src), len(tgt)
    src_len = _lengths(src_len, n)
    tgt_len = _lengths(tgt_len, m)
    if n == 0 or m == 0:
        return [((i,), (), 0.0) for i in range(n)] + [((), (j,), 0.0) for j in range(m)]
    src = np.ascontiguousarray(src, dtype=np.float32)
    tgt = np.ascontiguousarray(tgt, dtype=np.float32)
    band = _choose_band(src, tgt, src_len, tgt_len, cfg)
    sb = np.zeros(n, dtype=bool) if src_breaks is None else np.asarray(src_breaks, dtype=bool)
    tb = np.zeros(m, dtype=bool) if tgt_breaks is None else np.asarray(tgt_breaks, dtype=bool)
    return _banded_dp(src, tgt, src_len, tgt_len, band, cfg, sb, tb)


def _lengths(lengths: np.ndarray | None, n: int) -> np.ndarray:
    if lengths is None:
        return np.ones(n, dtype=np.float64)
    arr = np.asarray(lengths, dtype=np.float64)
    return np.maximum(arr, 1.0)


# ---------------------------------------------------------------------------------------
# Band selection: the full grid for small documents, coarse-to-fine for long ones.


def _choose_band(
    src: np.ndarray, tgt: np.ndarray, src_len: np.ndarray, tgt_len: np.ndarray, cfg: AlignConfig
) -> _Band:
    n, m = len(src), len(tgt)
    if (n + 1) * (m + 1) <= cfg.full_dp_cells:
        return _Band(lo=np.zeros(n + 1, dtype=np.int64), width=m + 1)
    # Block-average both streams so the coarse grid fits the full-DP budget, align that,
    # then search only near the coarse path at full resolution.
    f = int(np.ceil(np.sqrt((n + 1) * (m + 1) / (cfg.full_dp_cells / 4))))
    f = max(f, 2)
    cs, cs_len = _coarsen(src, src_len, f)
    ct, ct_len = _coarsen(tgt, tgt_len, f)
    coarse_cfg = AlignConfig(
        max_side=2, threshold=-1.0, knn=cfg.knn, length_weight=0.0, merge_penalty=0.0,
        full_dp_cells=cfg.full_dp_cells, band_margin=cfg.band_margin,
    )  # fmt: skip
    beads = align_embeddings(cs, ct, cs_len, ct_len, coarse_cfg)
    # The coarse path, as the target position reached after each source block.
    pts_i = [0]
    pts_j = [0]
    ci = cj = 0
    for s_idx, t_idx, _ in beads:
        ci += len(s_idx)
        cj += len(t_idx)
        pts_i.append(min(n, ci * f))
        pts_j.append(min(m, cj * f))
    pts_i_arr = np.asarray(pts_i, dtype=np.int64)
    pts_j_arr = np.asarray(pts_j, dtype=np.int64)
    rows = np.arange(n + 1)
    # Target positions of the path points just before and just after each source row.
    first = np.searchsorted(pts_i_arr, rows, side="left")
    last = np.searchsorted(pts_i_arr, rows, side="right") - 1
    j_low = pts_j_arr[np.clip(first - 1, 0, len(pts_j_arr) - 1)]
    j_high = pts_j_arr[np.clip(last + 1, 0, len(pts_j_arr) - 1)]
    margin = cfg.band_margin + f
    lo = np.clip(j_low - margin, 0, m)
    hi = np.clip(j_high + margin, 0, m)
    width = int((hi - lo).max()) + 1
    lo = np.clip(lo, 0, max(0, m + 1 - width))
    lo = np.maximum.accumulate(lo)
    return _Band(lo=lo, width=min(width, m + 1))


def _coarsen(emb: np.ndarray, lengths: np.ndarray, f: int) -> tuple[np.ndarray, np.ndarray]:
    n = len(emb)
    k = -(-n // f)
    pad = k * f - n
    w = np.concatenate([lengths, np.zeros(pad)])[:, None]
    e = np.concatenate([emb, np.zeros((pad, emb.shape[1]), dtype=emb.dtype)]) * w
    summed = e.reshape(k, f, -1).sum(axis=1)
    summed /= np.maximum(np.linalg.norm(summed, axis=1, keepdims=True), 1e-9)
    return summed.astype(np.float32), w[:, 0].reshape(k, f).sum(axis=1)


# ---------------------------------------------------------------------------------------
# Scoring and the dynamic programme.


def _banded_similarities(
    src: np.ndarray, tgt: np.ndarray, band: _Band, reach: int
) -> tuple[np.ndarray, np.ndarray]:
    """Similarities of each source row with the target columns its beads can touch.

    Returns ``(start, sims)``: row r holds cosines with targets ``start[r] + q``.
    """
    n, m = len(src), len(tgt)
    lo = band.lo
    rows = np.arange(n)
    start = np.clip(lo[np.minimum(rows + 1, n)] - reach, 0, m)
    end = np.minimum(lo[np.minimum(rows + reach, n)] + band.width, m)
    width = int(max(1, (end - start).max()))
    start = np.clip(start, 0, max(0, m - width))
    sims = np.empty((n, width), dtype=np.float32)
    block = 512
    for r0 in range(0, n, block):
        r1 = min(n, r0 + block)
        c0 = int(start[r0])
        c1 = int(min(m, start[r1 - 1] + width))
        dense = src[r0:r1] @ tgt[c0:c1].T
        offs = (start[r0:r1] - c0)[:, None] + np.arange(width)[None, :]
        sims[r0:r1] = np.take_along_axis(dense, offs, axis=1)
    return start, sims


def _knn_baselines(
    start: np.ndarray, sims: np.ndarray, m: int, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Mean of the k largest similarities of each source row and each target column.

    Where a segment has fewer than k candidates (a short document, or a language with
    two lines on the page) the missing neighbours count as a low background similarity
    (the 10th percentile of the document's similarities), so that a tiny document does
    not make every margin small.
    """
    n, width = sims.shape
    background = float(np.quantile(sims, 0.1)) if sims.size >= 50 else 0.1
    kk = min(k, width)
    row_top = -np.partition(-sims, kk - 1, axis=1)[:, :kk]
    base_s = (row_top.sum(axis=1) + (k - kk) * background) / k
    cols = (start[:, None] + np.arange(width)[None, :]).ravel()
    vals = sims.ravel()
    order = np.lexsort((-vals, cols))
    cols_sorted = cols[order]
    vals_sorted = vals[order]
    first = np.searchsorted(cols_sorted, np.arange(m), side="left")
    count = np.searchsorted(cols_sorted, np.arange(m), side="right") - first
    base_t = np.zeros(m, dtype=np.float64)
    take = np.minimum(count, k)
    for t in range(k):
        ok = take > t
        base_t[ok] += vals_sorted[first[ok] + t]
    base_t = (base_t + (k - take) * background) / k
    return base_s.astype(np.float64), base_t


def _weakest_member(
    sims: np.ndarray,
    start: np.ndarray,
    base_s: np.ndarray,
    base_t: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    a: int,
    b: int,
) -> np.ndarray:
    """For each cell's (a, b) bead: min over members of (best similarity to a member of
    the other side - own baseline)."""
    n, width = sims.shape
    m = len(base_t)
    best_t = np.full((b, *cols.shape), -np.inf)  # per target member: max over source rows
    best_s = np.full((a, *cols.shape), -np.inf)
    for d in range(1, a + 1):
        r = np.clip(rows - d, 0, n - 1)
        for e in range(1, b + 1):
            q = np.clip(cols - e - start[r][:, None], 0, width - 1)
            v = np.take_along_axis(sims[r], q, axis=1)
            best_t[e - 1] = np.maximum(best_t[e - 1], v)
            best_s[d - 1] = np.maximum(best_s[d - 1], v)
    weakest = np.full(cols.shape, np.inf)
    for e in range(1, b + 1):
        weakest = np.minimum(weakest, best_t[e - 1] - base_t[np.clip(cols - e, 0, m - 1)])
    for d in range(1, a + 1):
        weakest = np.minimum(weakest, best_s[d - 1] - base_s[np.clip(rows - d, 0, n - 1)][:, None])
    return weakest


def _run_sums(values: np.ndarray, length: int) -> np.ndarray:
    """``out[i] = values[i-length:i].sum()`` for i >= length, NaN before."""
    c = np.concatenate([[0.0], np.cumsum(values, dtype=np.float64)])
    out = np.full(len(values) + 1, np.nan)
    out[length:] = c[length:] - c[:-length]
    return out


def _self_norms(emb: np.ndarray, w: np.ndarray, length: int) -> np.ndarray:
    """Squared norm of ``sum(w_r e_r)`` over each run of ``length`` ending before i."""
    n = len(emb)
    out = np.full(n + 1, np.nan)
    if length > n:
        return out
    total = np.zeros(n + 1 - length)
    for p in range(length):
        for q in range(length):
            a = emb[p : n - length + 1 + p]
            b = emb[q : n - length + 1 + q]
            dots = np.einsum("ij,ij->i", a, b) if p != q else np.ones(len(a))
            total += w[p : n - length + 1 + p] * w[q : n - length + 1 + q] * dots
    out[length:] = total
    return out


def _banded_dp(
    src: np.ndarray,
    tgt: np.ndarray,
    src_len: np.ndarray,
    tgt_len: np.ndarray,
    band: _Band,
    cfg: AlignConfig,
    src_breaks: np.ndarray,
    tgt_breaks: np.ndarray,
) -> list[Bead]:
    n, m = len(src), len(tgt)
    # A run of a items ending before i may merge only if items i-a..i-2 have no break.
    sbreak = src_breaks[: max(0, n - 1)].astype(np.float64)
    tbreak = tgt_breaks[: max(0, m - 1)].astype(np.float64)
    shapes = cfg.bead_shapes()
    reach = max(max(a, b) for a, b in shapes)
    start, sims = _banded_similarities(src, tgt, band, reach)
    base_s, base_t = _knn_baselines(start, sims, m, cfg.knn)

    # Weights: square root of length, so that a long sentence dominates a merged bead's
    # meaning without drowning a short one completely.
    ws = np.sqrt(src_len)
    wt = np.sqrt(tgt_len)
    weighted = sims.astype(np.float64) * ws[:, None]
    wt_rows = wt[np.clip(start[:, None] + np.arange(sims.shape[1])[None, :], 0, m - 1)]
    weighted *= wt_rows
    # Row-wise prefix sums H[r, q] = sum of weighted[r, :q].
    pref = np.zeros((n, sims.shape[1] + 1))
    np.cumsum(weighted, axis=1, out=pref[:, 1:])

    ratio = _length_ratio(src_len, tgt_len, sims, start, base_s)
    cols = band.cols()  # (n+1, W) target position j of each cell
    rows = np.arange(n + 1)
    width = band.width
    valid = cols <= m

    gains: dict[tuple[int, int], np.ndarray] = {}
    scores: dict[tuple[int, int], np.ndarray] = {}
    for a, b in shapes:
        num = np.zeros(cols.shape)
        ok = valid & (rows[:, None] >= a) & (cols >= b)
        for d in range(1, a + 1):
            r = np.clip(rows - d, 0, n - 1)
            q_hi = cols - start[r][:, None]
            q_lo = q_hi - b
            inside = (q_lo >= 0) & (q_hi <= sims.shape[1])
            ok &= inside
            qh = np.clip(q_hi, 0, sims.shape[1])
            ql = np.clip(q_lo, 0, sims.shape[1])
            num += np.take_along_axis(pref[r], qh, axis=1) - np.take_along_axis(pref[r], ql, axis=1)
        weakest = _weakest_member(sims, start, base_s, base_t, rows, cols, a, b) if a + b > 2 else 0
        ns = _self_norms(src, ws, a)[rows][:, None]
        nt = _self_norms(tgt, wt, b)[np.clip(cols, 0, m)]
        sim = num / np.sqrt(np.maximum(ns * nt, 1e-12))
        bs = (_run_sums(base_s * ws, a) / _run_sums(ws, a))[rows][:, None]
        bt_all = _run_sums(base_t * wt, b) / _run_sums(wt, b)
        bt = bt_all[np.clip(cols, 0, m)]
        if a > 1:
            ok &= (_run_sums(sbreak, a - 1)[np.clip(rows - 1, 0, n - 1)] == 0)[:, None]
        if b > 1:
            ok &= _run_sums(tbreak, b - 1)[np.clip(cols - 1, 0, max(0, m - 2))] == 0
        ls = _run_sums(src_len, a)[rows][:, None]
        lt = _run_sums(tgt_len, b)[np.clip(cols, 0, m)]
        with np.errstate(invalid="ignore", divide="ignore"):
            dev = np.log((lt + 8.0) / (ratio * ls + 8.0))
        base = cfg.margin_max * np.maximum(bs, bt) + (1 - cfg.margin_max) * 0.5 * (bs + bt)
        score = sim - base - cfg.length_weight * dev * dev
        gain = score - cfg.threshold - cfg.merge_penalty * (a + b - 2)
        # Every member of an m-n bead must itself resemble the other side: otherwise a
        # boilerplate line ("Leer más") rides along with its neighbour's translation.
        gain = gain - cfg.member_weight * np.maximum(0.0, cfg.member_floor - weakest)
        gain = np.where(ok & np.isfinite(gain), gain, NEG)
        gains[(a, b)] = gain
        scores[(a, b)] = score

    # Forward pass, one row at a time; each row is vectorised over its band.
    all_shapes = [(1, 0), (0, 1), *shapes]
    pad = reach + 1
    dp = np.full((n + 1, width + 2 * pad), NEG)
    back = np.zeros((n + 1, width), dtype=np.int8)
    lo = band.lo
    for i in range(n + 1):
        best = np.full(width, NEG)
        arg = np.zeros(width, dtype=np.int8)
        if i == 0:
            best[cols[0] == 0] = 0.0
        for t, (a, b) in enumerate(all_shapes):
            if a == 0 or i < a:
                continue
            prev = _shifted(dp[i - a], int(lo[i] - lo[i - a]) - b, pad, width)
            cand = prev + (gains[(a, b)][i] if b > 0 else 0.0)
            better = cand > best
            best = np.where(better, cand, best)
            arg[better] = t
        # 0-1 beads stay in the row: best[k] = max(best[k], best[k-1]) (a skip gains 0).
        run = np.maximum.accumulate(best)
        moved = run > best
        arg[moved] = 1
        best = run
        best[~valid[i]] = NEG
        dp[i, pad : pad + width] = best
        back[i] = arg

    # Backtrack from (n, m).
    beads: list[Bead] = []
    i, j = n, m
    while i > 0 or j > 0:
        k = j - int(lo[i])
        t = int(back[i, k])
        a, b = all_shapes[t]
        if t == 1 and not (i == 0 or k > 0):
            raise RuntimeError("alignment backtrack left the band")  # pragma: no cover
        if a == 0 or b == 0:
            beads.append(((i - 1,), (), 0.0) if a else ((), (j - 1,), 0.0))
        else:
            s = float(scores[(a, b)][i, k])
            beads.append((tuple(range(i - a, i)), tuple(range(j - b, j)), s))
        i -= a
        j -= b
    beads.reverse()
    return beads


def _shifted(row: np.ndarray, off: int, pad: int, width: int) -> np.ndarray:
    """Values of a padded DP row at band offsets ``k + off`` for k < width (NEG outside)."""
    lo = pad + off
    if lo >= 0 and lo + width <= len(row):
        return row[lo : lo + width]
    out = np.full(width, NEG)
    src_lo, src_hi = max(0, lo), min(len(row), lo + width)
    if src_hi > src_lo:
        out[src_lo - lo : src_hi - lo] = row[src_lo:src_hi]
    return out


def _length_ratio(
    src_len: np.ndarray,
    tgt_len: np.ndarray,
    sims: np.ndarray,
    start: np.ndarray,
    base_s: np.ndarray,
) -> float:
    """Expected target/source length ratio, from the document's confident 1-1 matches."""
    best_q = sims.argmax(axis=1)
    best = sims[np.arange(len(sims)), best_q]
    confident = best - base_s > 0.15
    if confident.sum() >= 3:
        j = start[confident] + best_q[confident]
        r = np.median(np.log(tgt_len[j] / src_len[confident]))
        return float(np.exp(np.clip(r, -1.0, 1.0)))
    return float(np.clip(tgt_len.sum() / src_len.sum(), 0.5, 2.0))
