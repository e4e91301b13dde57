"""A calibrated confidence for every bead: the estimated probability that it is right.

For a pair, "right" means both sides exactly as a careful human aligner would draw them;
for a segment left unaligned, that it truly has no translation. The features are things
the aligner already knows, read from the final beads, the streams and their embeddings:

- pairs: the bead's margin score and raw cosine, how much its cosine would rise if it
  took in the next segment on any side (a bead cut too short) or dropped its first or
  last member (a bead that took in too much), its cosine above its members' nearest
  neighbours, how far each member's best match inside the bead beats its best match
  outside it (and how many members have their best match inside), the length ratio's
  deviation from the document's, the bead's shape, its neighbours' scores, unaligned
  segments next to it, the shortest side's length, and the language labels' confidence;
- unaligned segments: the best similarity to any segment of the other language, how far
  it stands out from the next ones, whether that counterpart is already well paired,
  length, end punctuation, language-label confidence, and a pair next to it.

Neighbours are read in a window of the other stream around the bead's position, so the
cost is linear in the document. A :class:`bialign.profile.Model` per mode and bead kind
maps features to a probability (logistic regression, then an isotonic map), with numpy
only; the fitting itself is :mod:`bialign.calibrate`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from .corpus import Bead, Segment
from .profile import Model, Profile

#: Half-width, in stream items, of the other-language window each item is compared with.
WINDOW = 20

PAIR_FEATURES = [
    "score", "cos", "cos_over_knn", "min_gap", "frac_best_inside", "len_dev", "extra_members",
    "one_to_one", "nb_score", "nb_unaligned", "log_min_chars", "lang_conf", "grow_gain",
    "shrink_gain",
]  # fmt: skip
UNALIGNED_FEATURES = [
    "best", "best_over_next", "best_over_knn", "partner_gap", "next_to_pair", "log_chars",
    "punctuated", "lang_conf",
]  # fmt: skip
#: Features on the encoder's similarity scale; the generic profile divides them by the
#: document's scale (and shifts the raw cosines by its background) before its model.
_SCALED = {"score", "cos_over_knn", "min_gap", "nb_score", "grow_gain", "shrink_gain",
           "best_over_next", "best_over_knn", "partner_gap"}  # fmt: skip
_SHIFTED = {"cos", "best"}
_ENDS_PUNCTUATED = re.compile(r"""[.!?…;:,"'»”’)\]]\s*$""")


@dataclass
class _Side:
    """One stream: each item's window of the other stream and the similarities to it."""

    idx: np.ndarray  # (n, width) positions in the other stream
    sims: np.ndarray  # (n, width)
    knn: np.ndarray  # (n,) mean of the 4 best similarities in the window


def _window(a: np.ndarray, b: np.ndarray, centers: np.ndarray) -> _Side:
    n, m = len(a), len(b)
    width = min(2 * WINDOW + 1, m)
    lo = np.clip(centers - WINDOW, 0, m - width)
    idx = lo[:, None] + np.arange(width)[None, :]
    sims = np.empty((n, width), dtype=np.float32)
    for c in range(0, n, 256):
        sims[c : c + 256] = np.einsum("nd,nkd->nk", a[c : c + 256], b[idx[c : c + 256]])
    k = min(4, width)
    top = -np.partition(-sims, k - 1, axis=1)[:, :k]
    return _Side(idx, sims, top.mean(axis=1))


def _centers(beads: list[tuple[list[int], list[int]]], n: int, m: int) -> tuple[np.ndarray, ...]:
    """Each item's position in the other stream: its partners' middle, or for an
    unaligned item the other stream's position when the walk reaches it."""
    cs = np.zeros(n, dtype=np.int64)
    ct = np.zeros(m, dtype=np.int64)
    i = j = 0
    for s, t in beads:
        if s and t:
            cs[s] = (t[0] + t[-1]) // 2
            ct[t] = (s[0] + s[-1]) // 2
        else:
            cs[s] = min(j, m - 1)
            ct[t] = min(i, n - 1)
        i += len(s)
        j += len(t)
    return cs, ct


@dataclass
class Features:
    """Feature rows of a corpus's beads: which beads are pairs, and one row per bead in
    ``pair`` (pair beads, in order) and ``unaligned`` (the others, in order)."""

    is_pair: np.ndarray
    pair: np.ndarray
    unaligned: np.ndarray
    #: Document scale for the generic profile: (background cosine, typical pair cosine).
    background: float
    typical: float


def features(
    beads: Sequence[Bead],
    src_segs: Sequence[Segment],
    tgt_segs: Sequence[Segment],
    src_stream: Sequence[int],
    tgt_stream: Sequence[int],
    src_emb: np.ndarray,
    tgt_emb: np.ndarray,
) -> Features:
    """The features of every bead (see the module docstring)."""
    spos = {g: k for k, g in enumerate(src_stream)}
    tpos = {g: k for k, g in enumerate(tgt_stream)}
    loc = [([spos[i] for i in b.src], [tpos[j] for j in b.tgt]) for b in beads]
    n, m = len(src_stream), len(tgt_stream)
    is_pair = np.array([bool(s and t) for s, t in loc], dtype=bool)
    if n == 0 or m == 0 or len(src_emb) != n or len(tgt_emb) != m:
        empty_p = np.zeros((int(is_pair.sum()), len(PAIR_FEATURES)))
        empty_u = np.zeros((int((~is_pair).sum()), len(UNALIGNED_FEATURES)))
        return Features(is_pair, empty_p, empty_u, 0.0, 0.3)
    src_emb = np.asarray(src_emb, dtype=np.float32)
    tgt_emb = np.asarray(tgt_emb, dtype=np.float32)
    cs, ct = _centers(loc, n, m)
    S, T = _window(src_emb, tgt_emb, cs), _window(tgt_emb, src_emb, ct)
    slen = np.array([len(src_segs[g].text) for g in src_stream], dtype=np.float64)
    tlen = np.array([len(tgt_segs[g].text) for g in tgt_stream], dtype=np.float64)
    slang = np.array([src_segs[g].lang_confidence for g in src_stream])
    tlang = np.array([tgt_segs[g].lang_confidence for g in tgt_stream])
    pair_k = np.flatnonzero(is_pair)
    scores = np.array([b.score for b in beads])
    # The document's length ratio, from its 1-1 pairs.
    ratios = [np.log((tlen[t].sum() + 8) / (slen[s].sum() + 8)) for s, t in loc if s and t]
    doc_ratio = float(np.median(ratios)) if ratios else 0.0
    # Each item's partner bead score, to tell an unaligned item whether its best match is
    # already well paired.
    s_bead = np.full(n, -1)
    t_bead = np.full(m, -1)
    for k, (s, t) in enumerate(loc):
        s_bead[s] = k
        t_bead[t] = k

    def members_gap(side: _Side, members: list[int], inside: list[int]) -> tuple[float, float]:
        gaps = []
        for r in members:
            mask = np.isin(side.idx[r], inside)
            row = side.sims[r]
            best_in = float(row[mask].max()) if mask.any() else -1.0
            best_out = float(row[~mask].max()) if (~mask).any() else -1.0
            gaps.append(best_in - best_out)
        return min(gaps), float(np.mean([g > 0 for g in gaps]))

    pair_rows = []
    pair_cos = []
    for k in pair_k.tolist():
        s, t = loc[k]
        vs, vt = src_emb[s].sum(axis=0), tgt_emb[t].sum(axis=0)
        cos = _cos(vs, vt)
        grown = [_cos(vs + src_emb[x], vt) for x in (s[0] - 1, s[-1] + 1) if 0 <= x < n]
        grown += [_cos(vs, vt + tgt_emb[x]) for x in (t[0] - 1, t[-1] + 1) if 0 <= x < m]
        shrunk = [_cos(vs - src_emb[x], vt) for x in {s[0], s[-1]} if len(s) > 1]
        shrunk += [_cos(vs, vt - tgt_emb[x]) for x in {t[0], t[-1]} if len(t) > 1]
        # A 1-1 bead cannot shrink: it counts as losing everything it has.
        grow_gain = max(grown) - cos if grown else -cos
        shrink_gain = max(shrunk) - cos if shrunk else -cos
        knn = 0.5 * (S.knn[s].mean() + T.knn[t].mean())
        gap_s, frac_s = members_gap(S, s, t)
        gap_t, frac_t = members_gap(T, t, s)
        dev = abs(np.log((tlen[t].sum() + 8) / (slen[s].sum() + 8)) - doc_ratio)
        nb = [scores[x] for x in (k - 1, k + 1) if 0 <= x < len(beads) and is_pair[x]]
        nb_un = sum(1 for x in (k - 1, k + 1) if 0 <= x < len(beads) and not is_pair[x])
        min_chars = min(slen[s].sum(), tlen[t].sum())
        lang = min(slang[s].min(), tlang[t].min())
        pair_cos.append(cos)
        pair_rows.append([
            scores[k], cos, cos - knn, min(gap_s, gap_t), 0.5 * (frac_s + frac_t), dev,
            len(s) + len(t) - 2, float(len(s) == 1 and len(t) == 1),
            float(np.mean(nb)) if nb else 0.0, nb_un, np.log1p(min_chars), lang, grow_gain,
            shrink_gain,
        ])  # fmt: skip
    un_rows = []
    for k in np.flatnonzero(~is_pair).tolist():
        s, t = loc[k]
        side, r, own_bead, other_bead = (
            (S, s[0], s_bead, t_bead) if s else (T, t[0], t_bead, s_bead)
        )
        row = np.sort(side.sims[r])[::-1]
        best = float(row[0])
        nxt = float(row[1]) if len(row) > 1 else best
        partner = int(side.idx[r][int(np.argmax(side.sims[r]))])
        pb = other_bead[partner]
        partner_score = scores[pb] if pb >= 0 and is_pair[pb] else 0.0
        next_to_pair = any(0 <= x < len(beads) and is_pair[x] for x in (k - 1, k + 1))
        chars = slen[r] if s else tlen[r]
        text = (src_segs[src_stream[r]] if s else tgt_segs[tgt_stream[r]]).text
        lang = slang[r] if s else tlang[r]
        un_rows.append([
            best, best - nxt, best - side.knn[r], best - partner_score, float(next_to_pair),
            np.log1p(chars), float(bool(_ENDS_PUNCTUATED.search(text))), lang,
        ])  # fmt: skip
    background = float(np.median(np.concatenate([S.knn, T.knn])))
    typical = float(np.median(pair_cos)) if len(pair_cos) >= 3 else background + 0.3
    return Features(
        is_pair,
        np.asarray(pair_rows, dtype=np.float64).reshape(-1, len(PAIR_FEATURES)),
        np.asarray(un_rows, dtype=np.float64).reshape(-1, len(UNALIGNED_FEATURES)),
        background,
        typical,
    )


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / max(1e-12, float(np.linalg.norm(a) * np.linalg.norm(b))))


def normalised(x: np.ndarray, names: list[str], background: float, typical: float) -> np.ndarray:
    """Features on a document-relative scale: similarities divided by the gap between a
    typical pair's cosine and the background, raw cosines shifted by the background too."""
    scale = max(0.05, typical - background)
    out = x.copy()
    for c, name in enumerate(names):
        if name in _SCALED:
            out[:, c] = x[:, c] / scale
        elif name in _SHIFTED:
            out[:, c] = (x[:, c] - background) / scale
    return out


def predict(model: Model, x: np.ndarray) -> np.ndarray:
    """The model's calibrated probability for each feature row."""
    if len(x) == 0:
        return np.zeros(0)
    z = (x - np.asarray(model.mean)) / np.asarray(model.scale)
    logit = z @ np.asarray(model.coef) + model.intercept
    p = 1.0 / (1.0 + np.exp(-np.clip(logit, -40, 40)))
    return np.clip(np.interp(p, model.iso_x, model.iso_y), 0.0, 1.0)


def model_inputs(feats: Features, profile: Profile) -> tuple[np.ndarray, np.ndarray]:
    """The pair and unaligned feature rows as the profile's models read them."""
    if not profile.normalise:
        return feats.pair, feats.unaligned
    return (
        normalised(feats.pair, PAIR_FEATURES, feats.background, feats.typical),
        normalised(feats.unaligned, UNALIGNED_FEATURES, feats.background, feats.typical),
    )


def with_confidence(
    beads: list[Bead], feats: Features, profile: Profile, mixed: bool
) -> list[Bead]:
    """The beads with their ``confidence`` set from the profile's models."""
    mode = "mixed" if mixed else "docs"
    xp, xu = model_inputs(feats, profile)
    conf = np.zeros(len(beads))
    conf[feats.is_pair] = predict(profile.models[f"{mode}/pair"], xp)
    conf[~feats.is_pair] = predict(profile.models[f"{mode}/unaligned"], xu)
    return [replace(b, confidence=round(float(c), 4)) for b, c in zip(beads, conf, strict=True)]
