"""Monotonic m-to-n alignment of two segment streams from their embeddings.

The aligner never embeds a concatenation of sentences. The similarity of a bead that
merges segments i..i+a-1 with j..j+b-1 is the cosine between the sums of their embeddings
(optionally length-weighted), and a sum's dot product is the sum of pairwise dot products. So every
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

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import kernels
from .errors import ConfigError
from .threads import dot_t

Bead = tuple[tuple[int, ...], tuple[int, ...], float]

NEG = -1e18


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """The cosine of two vectors (of summed embeddings: a bead's sides), 0 for a zero one."""
    return float(a @ b / max(1e-12, float(np.linalg.norm(a) * np.linalg.norm(b))))


@dataclass(frozen=True)
class AlignConfig:
    """Knobs of the aligner. Defaults were tuned on development data only: Text+Berg
    ``dev`` and the newstest2010 split of benchmarks/docs_enes.py, strict F1 summed.
    :data:`MIXED` holds the stricter settings used inside one mixed document, where most
    segments usually have no translation. See docs/score.md."""

    #: Largest bead: (a, b) with a, b >= 1 and a + b <= max_side + 1, so the default 4
    #: searches 1-1, 1-2, 2-1, 1-3, 3-1, 2-2, 1-4, 4-1, 2-3 and 3-2.
    max_side: int = 4
    #: The DP forms a pair only where its score beats this; below it, leaving both sides
    #: unaligned wins. Negative for two documents, where nearly everything is translated.
    threshold: float = -0.4
    #: Nearest neighbours averaged for the margin baseline.
    knn: int = 4
    #: How a bead's baseline combines the two sides' neighbourhoods: 0 averages them,
    #: 1 takes the larger (stricter where one side has a topical look-alike).
    margin_max: float = 0.5
    #: Weight of the squared log length-ratio deviation.
    length_weight: float = 0.5
    #: Added cost per segment beyond 1-1 (negative: merges are encouraged, since a
    #: fragment left unaligned next to its translation is a worse error than a merge).
    merge_penalty: float = -0.1
    #: An m-n bead's weakest member (its best similarity to the other side, minus its
    #: own neighbourhood baseline) costs member_weight per unit below member_floor.
    member_floor: float = -0.5
    member_weight: float = 1.0
    #: The floor for a member that stands alone on the page (a short line with no end
    #: punctuation: a heading, a byline, "Most popular"; bialign.attach.stands_alone, passed
    #: as ``src_alone`` of :func:`align_embeddings`): such a line joins an m-n bead only
    #: when it resembles the other side itself, so page furniture does not ride along with
    #: a merged pair; unless every line of the other side stands alone too (a heading
    #: broken in two lines against one: not "Back to top" + a sentence against the
    #: sentence's translation + "Iniciar sesión").
    #: Chosen on the dev split of benchmarks/hard_enes.py with Text+Berg dev (docs/score.md).
    alone_floor: float = 0.2
    #: A merged bead's embedding is the sum of its members' embeddings weighted by
    #: length**length_power: 0 lets a short fragment ("Unwahrscheinliches Glück:") count
    #: as much as its long neighbour, 0.5 (square root) lets long sentences dominate.
    length_power: float = 0.0
    #: Cost of a pair bead whose end falls inside a sentence on one side and between two
    #: sentences on the other (``src_open`` of :func:`align_embeddings`): a sentence
    #: that the two languages cut at different words ("...dijo" + "uno de ellos. Dijo
    #: que...") is one bead, not two pairs that each miss a piece.
    #: Chosen on the dev splits of benchmarks/hard_enes.py and docs_enes.py (newstest2010)
    #: with Text+Berg dev: 0.6 is where all three stop changing (docs/score.md).
    boundary_weight: float = 0.6
    #: After the search, a member of a 1-2 or 2-1 pair whose removal raises the pair's
    #: cosine by this much is let go as an unaligned segment (bialign.absorbed); inf: never.
    #: Mixed pages only: between two documents a loosely translated clause looks the same.
    absorbed_gain: float = math.inf
    #: Cells of the similarity matrix above which the coarse-to-fine band search is used.
    full_dp_cells: int = 250_000
    #: Half-width (in segments) of the band around the coarse path.
    band_margin: int = 24

    def bead_shapes(self) -> list[tuple[int, int]]:
        k = self.max_side
        return [(a, b) for a in range(1, k + 1) for b in range(1, k + 1) if a + b <= k + 1]


#: Settings for one mixed-language document: a pair must clearly beat its neighbourhood
#: on both sides, so a caption with no translation stays unaligned.
MIXED = AlignConfig(
    # 1-1, 1-2 and 2-1 only: with larger beads, three bullet lines rode along with one
    # headline of the other language (the example post).
    max_side=2,
    knn=4,
    threshold=0.0,
    margin_max=1.0,
    length_weight=0.12,
    # No extra cost for a 1-2 or 2-1 bead: a translator's split sentence is one unit of
    # the page. Chosen on the dev split of benchmarks/hard_enes.py (max_side 3, 0.2 and
    # 0.05 before: merge recall 0.24 -> 0.97, pair F1 0.951 -> 0.990); see docs/score.md.
    merge_penalty=0.0,
    member_floor=0.0,
    length_power=0.5,
    # No boundary term: a stream's neighbours need not be neighbours on the page, and on
    # the dev mixed pages of benchmarks/hard_enes.py 0.6 lowered pair recall 0.993 -> 0.990.
    boundary_weight=0.0,
    # An untranslated line folded into its neighbour's pair dilutes it; a translator's
    # split does not (dev: no right 1-2 / 2-1 bead gained over 0.056). See bialign.absorbed.
    absorbed_gain=0.08,
)


#: Largest shrink factor of one coarse-to-fine level.
COARSEN = 8


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
    src_alone: np.ndarray | None = None,
    tgt_alone: np.ndarray | None = None,
    src_open: np.ndarray | None = None,
    tgt_open: np.ndarray | None = None,
) -> list[Bead]:
    """Align two streams of L2-normalised embeddings; returns beads in order.

    Each bead is ``(src_indices, tgt_indices, score)``. Every index of both streams is in
    exactly one bead; unaligned segments are in 1-0 or 0-1 beads with score 0.0.
    ``src_breaks[k]`` (and ``tgt_breaks``) True forbids merging stream items k and k+1
    into one bead: in a mixed document, items far apart in the page are never one
    sentence split in two. ``src_alone[k]`` (and ``tgt_alone``) True marks an item that
    stands alone on the page: in an m-n bead it must meet ``config.alone_floor``.
    ``src_open[k]`` (length n + 1; and ``tgt_open``) says whether the boundary before
    item k falls inside a sentence (bialign.sentences.open_boundaries: CLOSED 0, OPEN 1,
    SOFT 2): a pair bead ending where one side's boundary is OPEN and the other's CLOSED
    costs ``config.boundary_weight``. A segment left unaligned pays nothing: it ends no
    pair.
    """
    cfg = config or AlignConfig()
    n, m = len(src), len(tgt)
    src_len = _lengths(src_len, n)
    tgt_len = _lengths(tgt_len, m)
    if n == 0 or m == 0:
        return [((i,), (), 0.0) for i in range(n)] + [((), (j,), 0.0) for j in range(m)]
    src = np.ascontiguousarray(src, dtype=np.float32)
    tgt = np.ascontiguousarray(tgt, dtype=np.float32)
    for name, arr in (("src", src), ("tgt", tgt), ("src_len", src_len), ("tgt_len", tgt_len)):
        if not np.isfinite(arr).all():
            raise ConfigError(f"{name} holds NaN or infinite values", argument=name)
    band = _choose_band(src, tgt, src_len, tgt_len, cfg)
    sb = np.zeros(n, dtype=bool) if src_breaks is None else np.asarray(src_breaks, dtype=bool)
    tb = np.zeros(m, dtype=bool) if tgt_breaks is None else np.asarray(tgt_breaks, dtype=bool)
    sa = np.zeros(n, dtype=bool) if src_alone is None else np.asarray(src_alone, dtype=bool)
    ta = np.zeros(m, dtype=bool) if tgt_alone is None else np.asarray(tgt_alone, dtype=bool)
    so = np.zeros(n + 1, np.int8) if src_open is None else np.asarray(src_open, dtype=np.int8)
    to = np.zeros(m + 1, np.int8) if tgt_open is None else np.asarray(tgt_open, dtype=np.int8)
    for name, arr, size in (("src_open", so, n + 1), ("tgt_open", to, m + 1)):
        if arr.shape != (size,):
            raise ConfigError(f"{name} must hold {size} flags, one per boundary", argument=name)
        if arr.min() < 0 or arr.max() > 2:
            raise ConfigError(
                f"{name} holds a value outside 0 (closed), 1 (open), 2 (soft)", argument=name
            )
    if not (np.isfinite(cfg.boundary_weight) and cfg.boundary_weight >= 0):
        raise ConfigError(
            f"boundary_weight must be a finite number >= 0, not {cfg.boundary_weight!r}",
            argument="boundary_weight",
        )
    scorer = _Scorer(src, tgt, src_len, tgt_len, band, cfg, sb, tb, (sa, ta), (so, to))
    return _banded_dp(scorer)


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
    # Each level shrinks both sides by at most COARSEN: the coarse level recurses until
    # it fits the full search, so every level is a narrow band and time stays linear.
    f = int(np.ceil(np.sqrt((n + 1) * (m + 1) / (cfg.full_dp_cells / 4))))
    f = min(max(f, 2), COARSEN)
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
    """Length-weighted sums of each run of f embeddings, normalised; and summed lengths.

    Done in float32 and in chunks, so a long document costs no full-size temporary."""
    n, dim = emb.shape
    k = -(-n // f)
    out = np.zeros((k, dim), dtype=np.float32)
    step = f * max(1, 8192 // f)
    for c0 in range(0, n, step):
        part = emb[c0 : c0 + step] * lengths[c0 : c0 + step, None].astype(np.float32)
        pad = -len(part) % f
        if pad:
            part = np.concatenate([part, np.zeros((pad, dim), dtype=np.float32)])
        out[c0 // f : c0 // f + len(part) // f] = part.reshape(-1, f, dim).sum(axis=1)
    out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
    sums = np.concatenate([lengths, np.zeros(-n % f)]).reshape(k, f).sum(axis=1)
    return out, sums


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
        dense = dot_t(src[r0:r1], tgt[c0:c1])
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
    not make every margin small. Columns are read through the transposed band, block by
    block, so memory stays proportional to the band.
    """
    n, width = sims.shape
    background = _background(sims)
    kk = min(k, width)
    row_top = -np.partition(-sims, kk - 1, axis=1)[:, :kk]
    base_s = (row_top.sum(axis=1) + (k - kk) * background) / k
    if width == m and not start.any():
        # The full grid (a short document): column j is sims[:, j] for every row, the
        # same values in the same order as the blocked pass below reads them.
        kc = min(k, n)
        # (Contiguous, so that each column's sum adds in the blocked pass's order.)
        top = -np.partition(-np.ascontiguousarray(sims.T), kc - 1, axis=1)[:, :kc]
        # (Missing neighbours counted as an integer array, as below, for equal rounding.)
        base_t = (top.sum(axis=1) + np.full(m, k - kc) * background) / k
        return base_s.astype(np.float64), base_t.astype(np.float64)
    return base_s.astype(np.float64), _column_baselines(start, sims, m, k, background)


def _column_baselines(
    start: np.ndarray, sims: np.ndarray, m: int, k: int, background: float
) -> np.ndarray:
    """The columns' baselines of :func:`_knn_baselines`, read through the transposed
    band block by block (any band; the full grid has a faster path there)."""
    n, width = sims.shape
    # Rows whose band holds column j: start[r] <= j < start[r] + width (start is sorted).
    j_all = np.arange(m)
    r_first = np.searchsorted(start + width, j_all, side="right")
    r_stop = np.searchsorted(start, j_all, side="right")
    height = int(max(1, (r_stop - r_first).max()))
    kc = min(k, height)
    base_t = np.empty(m, dtype=np.float64)
    block = max(1, 4_000_000 // height)
    for j0 in range(0, m, block):
        j = j_all[j0 : j0 + block]
        rr = r_first[j][:, None] + np.arange(height)[None, :]
        ok = rr < r_stop[j][:, None]
        rr = np.minimum(rr, n - 1)
        q = j[:, None] - start[rr]
        ok &= (q >= 0) & (q < width)
        vals = np.where(ok, sims[rr, np.clip(q, 0, width - 1)], -np.inf)
        top = -np.partition(-vals, kc - 1, axis=1)[:, :kc]
        found = np.isfinite(top)
        total = np.where(found, top, 0.0).sum(axis=1)
        base_t[j0 : j0 + len(j)] = (total + (k - found.sum(axis=1)) * background) / k
    return base_t


def _background(sims: np.ndarray) -> float:
    """10th percentile of the similarities (on an evenly strided sample when huge)."""
    if sims.size < 50:
        return 0.1
    flat = sims.ravel()
    step = max(1, flat.size // 2_000_000)
    return float(np.quantile(flat[::step], 0.1))


class _RunSums:
    """``self(length)[i] = values[i-length:i].sum()`` for i >= length, NaN before; one
    cumulative sum serves every run length (a short document's scorer was mostly these
    small set-up calls)."""

    def __init__(self, values: np.ndarray) -> None:
        self.c = np.concatenate([[0.0], np.cumsum(values, dtype=np.float64)])

    def __call__(self, length: int) -> np.ndarray:
        out = np.full(len(self.c), np.nan)
        out[length:] = self.c[length:] - self.c[:-length]
        return out


def _self_norms(emb: np.ndarray, w: np.ndarray, length: int, near: list[np.ndarray]) -> np.ndarray:
    """Squared norm of ``sum(w_r e_r)`` over each run of ``length`` ending before i;
    ``near[k][i]`` is the dot product of items i and i + k (see :func:`_near_dots`)."""
    n = len(emb)
    out = np.full(n + 1, np.nan)
    if length > n:
        return out
    total = np.zeros(n + 1 - length)
    for p in range(length):
        for q in range(length):
            k = n - length + 1
            dots = near[abs(p - q)][min(p, q) : min(p, q) + k] if p != q else np.ones(k)
            total += w[p : k + p] * w[q : k + q] * dots
    out[length:] = total
    return out


def _near_dots(emb: np.ndarray, reach: int) -> list[np.ndarray]:
    """``out[k][i] = emb[i] . emb[i + k]`` for 0 < k < reach (out[0] unused)."""
    out = [np.zeros(0)]
    for k in range(1, reach):
        out.append(np.einsum("ij,ij->i", emb[: len(emb) - k], emb[k:]))
    return out


class _Scorer:
    """Bead gains for any block of DP rows, from quantities computed once per alignment.

    Scores are built block by block (``rows(i0, i1)``) so that memory stays proportional
    to the band times a block of rows, never to the whole grid times the bead shapes.
    """

    def __init__(
        self,
        src: np.ndarray,
        tgt: np.ndarray,
        src_len: np.ndarray,
        tgt_len: np.ndarray,
        band: _Band,
        cfg: AlignConfig,
        src_breaks: np.ndarray,
        tgt_breaks: np.ndarray,
        alone: tuple[np.ndarray, np.ndarray],
        open_: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        n, m = len(src), len(tgt)
        self.alone_s, self.alone_t = alone
        # Where a bead's end on one side is inside a sentence and on the other is not.
        zeros = (np.zeros(n + 1, np.int8), np.zeros(m + 1, np.int8))
        self.open_s: np.ndarray
        self.open_t: np.ndarray
        self.open_s, self.open_t = open_ if open_ is not None else zeros
        # Only an OPEN boundary (1) can disagree with another (CLOSED 0, SOFT 2).
        self.use_open = cfg.boundary_weight != 0.0 and bool(
            (self.open_s == 1).any() or (self.open_t == 1).any()
        )
        self.n, self.m, self.band, self.cfg = n, m, band, cfg
        self.shapes = cfg.bead_shapes()
        self.reach = max(max(a, b) for a, b in self.shapes)
        self.start, self.sims = _banded_similarities(src, tgt, band, self.reach)
        self.base_s, self.base_t = _knn_baselines(self.start, self.sims, m, cfg.knn)
        # Member weights of a merged bead (see AlignConfig.length_power).
        self.ws = src_len**cfg.length_power
        self.wt = tgt_len**cfg.length_power
        self.ratio = _length_ratio(src_len, tgt_len, self.sims, self.start, self.base_s)
        # Per run length: O(n) arrays, indexed by the position where a run ends.
        sides = {a for a, _ in self.shapes}
        tsides = {b for _, b in self.shapes}
        near_s, near_t = _near_dots(src, max(sides)), _near_dots(tgt, max(tsides))
        self.ns = {a: _self_norms(src, self.ws, a, near_s) for a in sides}
        self.nt = {b: _self_norms(tgt, self.wt, b, near_t) for b in tsides}
        bs, ws = _RunSums(self.base_s * self.ws), _RunSums(self.ws)
        bt, wt = _RunSums(self.base_t * self.wt), _RunSums(self.wt)
        self.bs = {a: bs(a) / ws(a) for a in sides}
        self.bt = {b: bt(b) / wt(b) for b in tsides}
        # Log run lengths for the length term log((lt + 8) / (ratio * ls + 8)).
        ls, lt = _RunSums(src_len), _RunSums(tgt_len)
        with np.errstate(invalid="ignore"):
            self.log_ls = {a: np.log(self.ratio * ls(a) + 8.0) for a in sides}
            self.log_lt = {b: np.log(lt(b) + 8.0) for b in tsides}
        # How many items of each run stand alone on the page.
        alone_s, alone_t = _RunSums(self.alone_s), _RunSums(self.alone_t)
        self.as_runs = {a: alone_s(a) for a in sides}
        self.at_runs = {b: alone_t(b) for b in tsides}
        # A run of a items ending before i may merge only if items i-a..i-2 have no break.
        sbreak = _RunSums(src_breaks[: max(0, n - 1)])
        tbreak = _RunSums(tgt_breaks[: max(0, m - 1)])
        self.sbreaks = {a: sbreak(a - 1) for a in sides if a > 1}
        self.tbreaks = {b: tbreak(b - 1) for b in tsides if b > 1}

        self.kernels = kernels.compiled((n + 1) * band.width)
        self._kernel_args: tuple | None = None

    def rows(self, i0: int, i1: int) -> tuple[np.ndarray, np.ndarray]:
        """Gains (i1-i0, 1 + shapes, width) for DP rows i0..i1-1, move 0 being the skip of
        a source segment, and the pair shapes' bead scores (i1-i0, shapes, width)."""
        if not self.kernels:
            return _RowBlock(self, i0, i1).gains_and_scores()
        p0, pref = _prefix_sums(self, i0, i1)
        gains = np.empty((i1 - i0, len(self.shapes) + 1, self.band.width))
        scores = np.empty((i1 - i0, len(self.shapes), self.band.width), dtype=np.float32)
        try:
            self.kernels["pair_gains"](
                i0, i1, self.band.lo, self.band.width, self.n, self.m, self.start, self.sims,
                pref, p0, *self.kernel_args(), gains, scores,
            )  # fmt: skip
        except Exception as exc:  # numba failed to compile: it raises before running
            kernels.disable(exc)
            self.kernels = None
            return _RowBlock(self, i0, i1).gains_and_scores()
        return gains, scores

    def kernel_args(self) -> tuple:
        """The per-run quantities as dense arrays for bialign.kernels._pair_gains: shape
        sides, each shape's fixed cost, then per side ``runs[a, k, i]`` (k: 1 / norm,
        baseline, log length, count standing alone, of the run of ``a`` items ending
        before i) and ``breaks[a, i]``, the items' own flags, and the scalar settings."""
        if self._kernel_args is None:
            cfg = self.cfg
            shape_a = np.array([a for a, _ in self.shapes], dtype=np.int64)
            shape_b = np.array([b for _, b in self.shapes], dtype=np.int64)
            cost = np.array(
                [cfg.threshold + cfg.merge_penalty * (a + b - 2) for a, b in self.shapes]
            )

            def runs(size: int, parts: list[dict[int, np.ndarray]]) -> np.ndarray:
                out = np.full((max(parts[0]) + 1, len(parts), size), np.nan)
                for k, part in enumerate(parts):
                    for a, values in part.items():
                        out[a, k] = values
                return out

            def breaks(size: int, part: dict[int, np.ndarray]) -> np.ndarray:
                out = np.zeros((max(part, default=1) + 1, size))
                for a, values in part.items():
                    out[a] = values
                return out

            params = np.array([
                cfg.margin_max, cfg.length_weight, cfg.member_floor, cfg.alone_floor,
                cfg.member_weight, cfg.boundary_weight, float(self.use_open), NEG,
            ])  # fmt: skip
            self._kernel_args = (
                shape_a, shape_b, cost,
                runs(self.n + 1, [_inv_norms(self.ns), self.bs, self.log_ls, self.as_runs]),
                runs(self.m + 1, [_inv_norms(self.nt), self.bt, self.log_lt, self.at_runs]),
                breaks(self.n, self.sbreaks), breaks(self.m, self.tbreaks),
                self.alone_s, self.alone_t, self.base_s, self.base_t,
                self.open_s, self.open_t, params,
            )  # fmt: skip
        return self._kernel_args


def _inv_norms(norms: dict[int, np.ndarray]) -> dict[int, np.ndarray]:
    """1 / norm from squared norms, as _RowBlock computes it (the same values)."""
    return {a: 1.0 / np.sqrt(np.maximum(v, 1e-12)) for a, v in norms.items()}


def _prefix_sums(sc: _Scorer, i0: int, i1: int) -> tuple[int, np.ndarray]:
    """Row-wise prefix sums of the weighted similarities of the source rows that DP rows
    i0..i1-1 reach: ``(p0, pref)``, row r of pref being source row p0 + r."""
    n, m = sc.n, sc.m
    wide = sc.sims.shape[1]
    p0, p1 = max(0, i0 - sc.reach), max(1, min(n, i1))
    weighted = sc.sims[p0:p1].astype(np.float64) * sc.ws[p0:p1, None]
    weighted *= sc.wt[_clamp(sc.start[p0:p1, None] + np.arange(wide), 0, m - 1)]
    pref = np.zeros((p1 - p0, wide + 1))
    np.cumsum(weighted, axis=1, out=pref[:, 1:])
    return p0, pref


def _clamp(x: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """np.clip for the integer index arrays of a row block, without np.clip's per-call
    dtype checks (thousands of calls on a long document)."""
    return np.minimum(np.maximum(x, lo), hi)


class _RowBlock:
    """The scores of one block of DP rows. Values gathered from the banded similarity
    matrix are cached per offset, since the bead shapes share most of them."""

    def __init__(self, sc: _Scorer, i0: int, i1: int) -> None:
        self.sc = sc
        m = sc.m
        self.rows = np.arange(i0, i1)
        self.cols = sc.band.lo[i0:i1, None] + np.arange(sc.band.width)[None, :]
        self.ccols = _clamp(self.cols, 0, m)
        self.p0, pref = _prefix_sums(sc, i0, i1)
        self.pref = pref.reshape(-1)
        self._q: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._hi: dict[int, np.ndarray] = {}
        self._box: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
        self._sim: dict[tuple[int, int], np.ndarray] = {}
        self._t: dict[int, dict[str, np.ndarray]] = {}
        self._s: dict[int, dict[str, np.ndarray]] = {}
        self._wt: dict[tuple[int, int], np.ndarray] = {}
        self._tm: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._ws: dict[tuple[int, int], np.ndarray] = {}
        self._bt: dict[tuple[int, int], np.ndarray] = {}
        self._bs: dict[tuple[int, int], np.ndarray] = {}
        self._nums: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}

    def _row_q(self, d: int) -> tuple[np.ndarray, np.ndarray]:
        """Source row i-d of each cell, and the band offset of the cell's column in it."""
        if d not in self._q:
            r = _clamp(self.rows - d, 0, self.sc.n - 1)
            self._q[d] = (r, self.cols - self.sc.start[r][:, None])
        return self._q[d]

    def box(self, d: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        """Weighted similarity of source row i-d with targets j-b..j-1, and where defined."""
        if (d, b) not in self._box:
            r, q = self._row_q(d)
            wide = self.sc.sims.shape[1]
            base = ((r - self.p0) * (wide + 1))[:, None]
            if d not in self._hi:
                self._hi[d] = self.pref[base + _clamp(q, 0, wide)]
            lo_q = q - b
            inside = (lo_q >= 0) & (q <= wide)
            self._box[(d, b)] = (self._hi[d] - self.pref[base + _clamp(lo_q, 0, wide)], inside)
        return self._box[(d, b)]

    def sim(self, d: int, e: int) -> np.ndarray:
        """Cosine of source row i-d with target column j-e."""
        if (d, e) not in self._sim:
            r, q = self._row_q(d)
            wide = self.sc.sims.shape[1]
            idx = (r * wide)[:, None] + _clamp(q - e, 0, wide - 1)
            self._sim[(d, e)] = self.sc.sims.reshape(-1)[idx]
        return self._sim[(d, e)]

    # Quantities of one side of a bead, shared by every shape with that side: gathered
    # once per block rather than once per shape.

    def _tcol(self, b: int) -> dict[str, np.ndarray]:
        """Per cell, for the run of b targets ending before its column."""
        if b not in self._t:
            sc, c = self.sc, self.ccols
            ok = (self.cols >= b) & (self.cols <= sc.m)
            if b > 1:
                ok &= sc.tbreaks[b][_clamp(self.cols - 1, 0, max(0, sc.m - 2))] == 0
            self._t[b] = {
                "ok": ok,
                "inv_norm": 1.0 / np.sqrt(np.maximum(sc.nt[b][c], 1e-12)),
                "base": sc.bt[b][c],
                # margin_max times the baseline (max(m x, m y) = m max(x, y) exactly).
                "mbase": sc.bt[b][c] * sc.cfg.margin_max,
                # The averaged half of a bead's baseline, (1 - margin_max) / 2 per side.
                "half": sc.bt[b][c] * ((1 - sc.cfg.margin_max) * 0.5),
                "log_len": sc.log_lt[b][c],
                "all_alone": sc.at_runs[b][c] >= b,
            }
        return self._t[b]

    def _srow(self, a: int) -> dict[str, np.ndarray]:
        """Per row, for the run of a sources ending before it (column vectors)."""
        if a not in self._s:
            sc, r = self.sc, self.rows
            ok = r >= a
            if a > 1:
                ok &= sc.sbreaks[a][_clamp(r - 1, 0, sc.n - 1)] == 0
            self._s[a] = {
                "ok": ok[:, None],
                "inv_norm": (1.0 / np.sqrt(np.maximum(sc.ns[a][r], 1e-12)))[:, None],
                "base": sc.bs[a][r][:, None],
                "mbase": sc.bs[a][r][:, None] * sc.cfg.margin_max,
                "half": sc.bs[a][r][:, None] * ((1 - sc.cfg.margin_max) * 0.5),
                "log_len": sc.log_ls[a][r][:, None],
                "all_alone": (sc.as_runs[a][r] >= a)[:, None],
            }
        return self._s[a]

    def _floors(self, alone: np.ndarray, base: np.ndarray, other_all: np.ndarray) -> np.ndarray:
        """floor + baseline of members: the stricter floor for a member that stands
        alone unless every member of the other side of the bead stands alone too."""
        cfg = self.sc.cfg
        plain = base + cfg.member_floor
        if not alone.any():
            return plain
        strict = base + max(cfg.member_floor, cfg.alone_floor)
        return np.where(alone & ~other_all, strict, plain)

    def _worst_t(self, a: int, b: int) -> np.ndarray:
        """Max over targets j-b..j-1 of (floor - (best similarity to sources i-a..i-1 -
        baseline)), grown one target at a time."""
        if (a, b) not in self._wt:
            sc = self.sc
            if b not in self._tm:
                col = _clamp(self.cols - b, 0, sc.m - 1)
                self._tm[b] = (sc.alone_t[col], sc.base_t[col])
            alone, base = self._tm[b]
            x = self._floors(alone, base, self._srow(a)["all_alone"])
            x -= self._best_of_t(a, b)
            self._wt[(a, b)] = x if b == 1 else np.maximum(self._worst_t(a, b - 1), x, out=x)
        return self._wt[(a, b)]

    def _worst_s(self, a: int, b: int) -> np.ndarray:
        """The same over sources i-a..i-1 against targets j-b..j-1."""
        if (a, b) not in self._ws:
            sc = self.sc
            row = _clamp(self.rows - a, 0, sc.n - 1)[:, None]
            x = self._floors(sc.alone_s[row], sc.base_s[row], self._tcol(b)["all_alone"])
            x = x - self._best_of_s(a, b)
            self._ws[(a, b)] = x if a == 1 else np.maximum(self._worst_s(a - 1, b), x, out=x)
        return self._ws[(a, b)]

    def _best_of_t(self, a: int, e: int) -> np.ndarray:
        """Best similarity of target j-e with sources i-a..i-1."""
        if (a, e) not in self._bt:
            x = self.sim(a, e)
            self._bt[(a, e)] = x if a == 1 else np.maximum(self._best_of_t(a - 1, e), x)
        return self._bt[(a, e)]

    def _best_of_s(self, d: int, b: int) -> np.ndarray:
        """Best similarity of source i-d with targets j-b..j-1."""
        if (d, b) not in self._bs:
            x = self.sim(d, b)
            self._bs[(d, b)] = x if b == 1 else np.maximum(self._best_of_s(d, b - 1), x)
        return self._bs[(d, b)]

    def _num(self, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        """Weighted similarity sum of the (a, b) bead ending at each cell, and whether
        every source row of it has the targets inside its band."""
        if (a, b) not in self._nums:
            part, inside = self.box(a, b)
            if a > 1:
                prev, prev_inside = self._num(a - 1, b)
                part, inside = prev + part, prev_inside & inside
            self._nums[(a, b)] = (part, inside)
        return self._nums[(a, b)]

    def shortfall(self, a: int, b: int) -> np.ndarray:
        """For each cell's (a, b) bead: max over members of (the member's floor - (its
        best similarity to a member of the other side - its own baseline)).

        A member that stands alone on the page has the stricter ``alone_floor`` unless
        every member of the other side stands alone too (a heading broken in two lines
        against a heading on one)."""
        return np.maximum(self._worst_t(a, b), self._worst_s(a, b))

    def gains_and_scores(self) -> tuple[np.ndarray, np.ndarray]:
        """Gains (rows, 1 + shapes, width), move 0 being the skip of a source segment
        (gain 0), and the pair shapes' scores (rows, shapes, width)."""
        sc, cfg = self.sc, self.sc.cfg
        shape = (len(self.rows), len(sc.shapes), sc.band.width)
        gains = np.empty((shape[0], shape[1] + 1, shape[2]))
        gains[:, 0] = 0.0
        scores = np.empty(shape, dtype=np.float32)
        mismatch = None
        if sc.use_open:
            # Shape-independent: any pair bead ending at the cell ends at its boundaries.
            # One side inside a sentence, the other between two (see open_boundaries).
            disagree = (sc.open_s[self.rows][:, None] ^ sc.open_t[self.ccols]) == 1
            mismatch = np.where(disagree, cfg.boundary_weight, 0.0)
        for t, (a, b) in enumerate(sc.shapes):
            S, T = self._srow(a), self._tcol(b)
            num, inside = self._num(a, b)
            ok = S["ok"] & T["ok"]
            ok &= inside
            # score = cosine - baseline - length term, computed in place.
            score = num * S["inv_norm"]
            score *= T["inv_norm"]
            base = np.maximum(S["mbase"], T["mbase"])
            base += T["half"]
            base += S["half"]
            score -= base
            with np.errstate(invalid="ignore"):
                dev = np.subtract(T["log_len"], S["log_len"], out=base)
                dev *= dev
                dev *= cfg.length_weight
                score -= dev
                gain = score - (cfg.threshold + cfg.merge_penalty * (a + b - 2))
            # Every member of an m-n bead must itself resemble the other side: otherwise
            # a boilerplate line ("Leer más") rides along with its neighbour's translation.
            if a + b > 2:
                short = self.shortfall(a, b)
                np.maximum(short, 0.0, out=short)
                short *= cfg.member_weight
                gain -= short
            if mismatch is not None:
                gain -= mismatch
            # Where ok, every term is finite (align_embeddings checks its inputs); the
            # NaN of a run that starts before the document is masked here.
            gains[:, t + 1] = np.where(ok, gain, NEG)
            # Only cells whose gain is finite can be chosen, so no mask here.
            scores[:, t] = score
        return gains, scores


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
) -> None:
    """DP rows max(i0, 1)..i1-1, written into the ring buffer ``flat``.

    ``reads[r, k, c]``: where move k into cell c of row i0 + r reads its previous cell in
    ``flat``; ``gains[r, k, c]``: what that move gains. Fills ``k_best`` (the best move,
    the first of equal ones) and ``skipped`` (the cell is better reached by skipping a
    target in the row); a cell past the target's end (``invalid`` in a ``clipped`` row)
    gets ``neg``. bialign.kernels has the compiled version."""
    ring = flat.reshape(ring_rows + 1, 3 * width)
    for i in range(max(i0, 1), i1):
        cand = flat[reads[i - i0]]
        cand += gains[i - i0]
        k = cand.argmax(axis=0)
        best = cand.max(axis=0)
        # 0-1 beads stay in the row: best[k] = max(best[k], best[k-1]) (a skip gains 0).
        run = np.maximum.accumulate(best)
        skipped[i - i0] = run > best
        if clipped[i]:
            run[invalid[i]] = neg
        ring[i % ring_rows, width : 2 * width] = run
        k_best[i - i0] = k


def _fill_rows_safely(compiled: Callable[..., None]) -> Callable[..., None]:
    """The compiled row filler, falling back to the numpy one for good if numba fails
    (it fails while compiling, before it writes anything)."""
    state = {"fill": compiled}

    def fill(*args: Any) -> None:
        try:
            state["fill"](*args)
        except Exception as exc:
            kernels.disable(exc)
            state["fill"] = _fill_rows
            _fill_rows(*args)

    return fill


def _banded_dp(scorer: _Scorer) -> list[Bead]:
    """The best monotonic path through the scorer's band, as beads in order."""
    n, m, band = scorer.n, scorer.m, scorer.band
    shapes = scorer.shapes
    # Moves into a cell: (1, 0) skips a source segment, then every pair shape; (0, 1)
    # skips a target segment within the row and is applied after.
    moves = [(1, 0), *shapes]
    all_shapes = [(1, 0), (0, 1), *shapes]
    move_id = np.array([0, *range(2, len(all_shapes))], dtype=np.int8)
    # Move k reads gains[:, k] of scorer.rows: the skip move (1, 0) first, gaining 0.
    move_a = np.array([a for a, _ in moves])
    move_b = np.array([b for _, b in moves])
    width = band.width
    lo = band.lo
    ar = np.arange(width)
    # The DP rows a move can come from live in a ring buffer, each padded with NEG by one
    # band width on both sides, plus one all-NEG row for moves from before row 0; a move
    # reads a contiguous window of it, so the loop below needs no clipping or masks.
    ring_rows = scorer.reach + 1
    ring = np.full((ring_rows + 1, 3 * width), NEG)
    flat = ring.reshape(-1)
    prev_i = np.arange(n + 1)[:, None] - move_a[None, :]
    off = lo[:, None] - lo[np.maximum(prev_i, 0)] - move_b[None, :]
    window = np.where(
        prev_i >= 0,
        (prev_i % ring_rows) * 3 * width + width + np.clip(off, -width, width),
        ring_rows * 3 * width + width,
    )
    back = np.zeros((n + 1, width), dtype=np.int8)
    chosen = np.zeros((n + 1, width), dtype=np.float32)
    invalid = lo[:, None] + ar[None, :] > m
    clipped: np.ndarray = np.asarray(invalid.any(axis=1))
    block = max(16, 200_000 // (width * len(moves)))
    fill_rows = _fill_rows_safely(scorer.kernels["fill_rows"]) if scorer.kernels else _fill_rows
    for i0 in range(0, n + 1, block):
        i1 = min(n + 1, i0 + block)
        pair_gains, pair_scores = scorer.rows(i0, i1)
        # Where each move into each cell of the block reads the ring buffer.
        reads = window[i0:i1, :, None] + ar[None, None, :]
        k_best = np.zeros((i1 - i0, width), dtype=np.intp)
        skipped = np.zeros((i1 - i0, width), dtype=bool)
        if i0 == 0:
            # Row 0: only the origin is reached, then target skips along the row.
            start = np.where(lo[0] + ar == 0, 0.0, NEG)
            run = np.maximum.accumulate(start)
            skipped[0] = run > start
            run[invalid[0]] = NEG
            ring[0, width : 2 * width] = run
        fill_rows(
            flat, reads, pair_gains, i0, i1, ring_rows, width, clipped, invalid, k_best,
            skipped, NEG,
        )  # fmt: skip
        # Back pointers and the chosen beads' scores, for the whole block at once.
        arg = move_id[k_best]
        arg[skipped] = 1
        back[i0:i1] = arg
        rr, cc = np.nonzero(k_best > 0)
        score_rows = np.zeros((i1 - i0, width), dtype=np.float32)
        score_rows[rr, cc] = pair_scores[rr, k_best[rr, cc] - 1, cc]
        chosen[i0:i1] = score_rows

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
            beads.append((tuple(range(i - a, i)), tuple(range(j - b, j)), float(chosen[i, k])))
        i -= a
        j -= b
    beads.reverse()
    return beads


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
