"""Is Bead.confidence calibrated? ECE and precision/recall by confidence, per benchmark.

    python benchmarks/confidence.py [--data ../shared/data] [--model default|e5-small]
        [--profile generic] [--split test]

Aligns each test set of benchmarks/calibration_data.py with the encoder and its shipped
profile (or ``--profile``: a shipped profile's name or a JSON path) and reports, per
benchmark, over the pairs: precision, the expected calibration error (10 equal-width
bins, weighted by pairs), and for confidence thresholds 0.5 / 0.8 / 0.9 / 0.95 the
precision, the strict recall (right pairs kept / gold pairs) and the share of the
aligner's right pairs kept; the same ECE over unaligned beads. The profiles were fitted
on the dev split only (benchmarks/calibrate.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from calibration_data import SETS, DiskEncoder, align_cases, cases  # noqa: E402
from common import Timer, fmt_table, parser, write_results  # noqa: E402

from bialign.calibrate import labels  # noqa: E402
from bialign.profile import Profile, shipped  # noqa: E402

THRESHOLDS = (0.5, 0.8, 0.9, 0.95)


def ece(conf: np.ndarray, right: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: |accuracy - mean confidence| per equal-width bin,
    weighted by the bin's share of beads."""
    if len(conf) == 0:
        return 0.0
    which = np.minimum((conf * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        sel = which == b
        if sel.any():
            total += sel.mean() * abs(right[sel].mean() - conf[sel].mean())
    return float(total)


def measure(examples) -> dict:
    conf_p, right_p, conf_u, right_u = [], [], [], []
    n_gold = 0
    for ex in examples:
        y = labels(ex.corpus, ex.gold)
        c = np.array([b.confidence for b in ex.corpus.beads], dtype=np.float64)
        pair = np.array([b.is_pair for b in ex.corpus.beads], dtype=bool)
        conf_p.append(c[pair])
        right_p.append(y[pair])
        conf_u.append(c[~pair])
        right_u.append(y[~pair])
        n_gold += sum(1 for s, t in ex.gold if s and t)
    cp, rp = np.concatenate(conf_p), np.concatenate(right_p)
    cu, ru = np.concatenate(conf_u), np.concatenate(right_u)
    out = {
        "pairs": int(len(cp)),
        "gold_pairs": n_gold,
        "precision": float(rp.mean()) if len(rp) else 0.0,
        "recall": float(rp.sum() / max(1, n_gold)),
        "mean_confidence": float(cp.mean()) if len(cp) else 0.0,
        "ece_pairs": ece(cp, rp),
        "unaligned": int(len(cu)),
        "unaligned_right": float(ru.mean()) if len(ru) else 0.0,
        "ece_unaligned": ece(cu, ru),
        "at": {},
    }
    for th in THRESHOLDS:
        keep = cp >= th
        out["at"][str(th)] = {
            "pairs": int(keep.sum()),
            "precision": float(rp[keep].mean()) if keep.any() else 1.0,
            "recall": float(rp[keep].sum() / max(1, n_gold)),
            "kept": float(rp[keep].sum() / max(1, rp.sum())),
        }
    return out


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--model", default="default")
    p.add_argument("--profile", default=None)
    p.add_argument("--split", default="test", choices=["test", "dev"])
    p.add_argument("--sets", nargs="*", default=list(SETS))
    args = p.parse_args()
    enc = DiskEncoder(args.model)
    profile = None
    if args.profile:
        profile = shipped(args.profile) or Profile.load(args.profile)
    results = {}
    with Timer() as t:
        for name in args.sets:
            examples = align_cases(cases(args.data, args.split, [name]), enc, profile)
            results[name] = measure(examples)
            prof_used = examples[0].corpus.signature
    enc.save()
    headers = ["benchmark", "pairs", "P", "R", "ECE", "P@.5", "R@.5", "P@.8", "R@.8",
               "P@.9", "R@.9", "kept@.9", "P@.95", "R@.95", "ECE unaligned"]  # fmt: skip
    rows = []
    for name, r in results.items():
        at = r["at"]
        rows.append([name, r["pairs"], r["precision"], r["recall"], r["ece_pairs"],
                     at["0.5"]["precision"], at["0.5"]["recall"], at["0.8"]["precision"],
                     at["0.8"]["recall"], at["0.9"]["precision"], at["0.9"]["recall"],
                     at["0.9"]["kept"], at["0.95"]["precision"], at["0.95"]["recall"],
                     r["ece_unaligned"]])  # fmt: skip
    table = fmt_table(headers, rows)
    notes = (
        f"Split {args.split}; encoder {enc.name}; signature of the last corpus: `{prof_used}`. "
        "P, R: strict pair precision and recall of all pairs; P@x, R@x: of the pairs with "
        "confidence >= x (R over all gold pairs); kept@.9: share of the right pairs kept "
        "at 0.9. ECE: 10 equal-width bins over pairs (and over unaligned beads, whose "
        "'right' means the segment has no gold translation). Profiles fitted on the dev "
        f"split only (benchmarks/calibrate.py). {t.seconds:.0f} s in all."
    )
    print(table)
    print(notes)
    if not args.no_write:
        tag = args.model if not args.profile else f"{args.model}_{Path(args.profile).stem}"
        name = f"confidence_{tag}" + ("" if args.split == "test" else "_dev")
        write_results(name, f"Confidence calibration ({enc.name}, "
                      f"{args.profile or 'its profile'}, {args.split})",
                      {"results": results}, table, notes)  # fmt: skip


if __name__ == "__main__":
    main()
