"""Bertalign's bead score, reimplemented from its paper for same-run comparisons.

Bertalign (Liu and Zhu 2022) needs Python 3.12 on PyPI and cannot run here, so this module
implements the scoring its paper describes, on the same encoder as every other aligner:

- every run of up to 4 consecutive sentences is embedded as one text (overlaps);
- a pair bead (a, b) with a + b <= 5 scores the cosine of its two overlap embeddings,
  minus the mean cosine of each side with the single sentences just outside the other
  side (the neighbour margin), times log2(1 + min/max) of the two sides' character
  lengths after scaling by the document's length ratio;
- an unaligned sentence scores -0.1; the dynamic programme maximises the sum.

Bertalign searches a window around a first-pass 1-1 path; this runs the same programme on
the full grid (the window only restricts the search), so it is an upper bound on
Bertalign's accuracy with this encoder for documents the window covers. On Text+Berg test
with the default encoder it gives 0.911 strict / 0.985 lax, the figures measured for
Bertalign's own code with this encoder.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Beads = list[tuple[tuple[int, ...], tuple[int, ...]]]

MAX_RUN = 4  # longest run of sentences on one side
SKIP = -0.1


def _normalise(e: np.ndarray) -> np.ndarray:
    return e / np.maximum(np.linalg.norm(e, axis=1, keepdims=True), 1e-12)


def _runs(sents: Sequence[str], encoder) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray]]:
    """Embeddings and character lengths of the run of k sentences ending at each index."""
    emb, lens = {}, {}
    chars = np.concatenate([[0], np.cumsum([len(s) for s in sents])]).astype(float)
    idx = np.arange(len(sents))
    for k in range(1, MAX_RUN + 1):
        lo = np.maximum(0, idx - k + 1)
        # Each line stripped before joining, as Vecalign does, so the runs they share are
        # embedded once.
        texts = [
            " ".join(s.strip() for s in sents[a : i + 1]) for a, i in zip(lo, idx, strict=True)
        ]
        emb[k] = _normalise(np.asarray(encoder.encode(texts), dtype=np.float64))
        lens[k] = chars[idx + 1] - chars[lo]
    return emb, lens


def _neighbour_margin(run_vs_single: np.ndarray, size: int) -> np.ndarray:
    """Mean cosine of each run (rows) with the single sentence just before a run of
    ``size`` ending at each column and the one just after it (0 where neither exists)."""
    cnt = run_vs_single.shape[1]
    j = np.arange(cnt)
    left = np.where(j - size >= 0, run_vs_single[:, np.clip(j - size, 0, cnt - 1)], 0.0)
    right = np.where(j + 1 < cnt, run_vs_single[:, np.clip(j + 1, 0, cnt - 1)], 0.0)
    both = (j - size >= 0) & (j + 1 < cnt)
    return np.where(both, (left + right) / 2, left + right)


def bertalign_dp(src: Sequence[str], tgt: Sequence[str], encoder) -> Beads:
    n, m = len(src), len(tgt)
    if n == 0 or m == 0:
        return [((i,), ()) for i in range(n)] + [((), (j,)) for j in range(m)]
    xe, xl = _runs(src, encoder)
    ye, yl = _runs(tgt, encoder)
    ratio = xl[1].sum() / max(yl[1].sum(), 1.0)
    shapes = [(a, b) for a in range(1, MAX_RUN + 1) for b in range(1, MAX_RUN + 1)]
    shapes = [(a, b) for a, b in shapes if a + b <= MAX_RUN + 1]
    rows, cols = np.arange(n)[:, None], np.arange(m)[None, :]
    score = {}
    for a, b in shapes:
        sim = xe[a] @ ye[b].T  # bead ending at source i and target j, inclusive
        tgt_side = _neighbour_margin(xe[a] @ ye[1].T, b)
        src_side = _neighbour_margin(ye[b] @ xe[1].T, a).T
        sim = sim - (tgt_side + src_side) / 2
        la, lb = xl[a][:, None], yl[b][None, :] * ratio
        sim = sim * np.log2(1 + np.minimum(la, lb) / np.maximum(np.maximum(la, lb), 1e-9))
        score[(a, b)] = np.where((rows + 1 >= a) & (cols + 1 >= b), sim, -np.inf)
    best = np.full((n + 1, m + 1), -np.inf)
    best[0, 0] = 0.0
    move = np.zeros((n + 1, m + 1, 2), dtype=np.int64)
    for i in range(n + 1):
        if i > 0:
            best[i] = best[i - 1] + SKIP
            move[i] = (1, 0)
            for a, b in shapes:
                if a > i:
                    continue
                cand = np.full(m + 1, -np.inf)
                cand[b:] = best[i - a, : m + 1 - b] + score[(a, b)][i - 1, b - 1 :]
                better = cand > best[i]
                best[i, better] = cand[better]
                move[i, better] = (a, b)
        for j in range(1, m + 1):  # unaligned target sentences, within the row
            if best[i, j - 1] + SKIP > best[i, j]:
                best[i, j] = best[i, j - 1] + SKIP
                move[i, j] = (0, 1)
    beads: Beads = []
    i, j = n, m
    while i > 0 or j > 0:
        a, b = (int(v) for v in move[i, j])
        beads.append((tuple(range(i - a, i)), tuple(range(j - b, j))))
        i, j = i - a, j - b
    return beads[::-1]
