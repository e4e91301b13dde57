"""Mixed English/Spanish documents built from WMT news: language accuracy and pair P/R/F1.

    python benchmarks/mixed_enes.py [--data ../shared/data] [--docs 30] [--seed 13]

Four layouts (line-interleaved, paragraph-interleaved, whole blocks, partly translated)
with bilingual boilerplate: a dateline in both languages (a gold pair), "Read in
English" / "Leer en español" (not translations of each other), a Spanish caption from
another document (no counterpart), and name- or number-only lines (gold ``und``).
Peers get the two streams split by plain seeded langdetect and the same embeddings.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CachedEncoder, Timer, fmt_table, parser, write_results  # noqa: E402
from peers import galechurch, vecalign  # noqa: E402
from sgm import load_docs  # noqa: E402

import bialign  # noqa: E402

LAYOUTS = ("line", "paragraph", "blocks", "partial")
NAMES = ["EFE", "Reuters", "María López", "John Smith", "2011", "12:45", "AP"]


def build(doc, layout: str, rng: random.Random, foreign: str):
    """Lines, gold language per line, gold pairs as (en line, es line)."""
    lines: list[tuple[str, str, int]] = []  # (text, lang, pair id)
    day = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2011"
    lines.append(("Read in English", "en", -1))
    lines.append(("Leer en español", "es", -1))
    lines.append((f"Posted on {day}", "en", 10_000))
    lines.append((f"Publicado el {day}", "es", 10_000))
    lines.append((rng.choice(NAMES), "und", -1))
    pid = 0
    en_block, es_block = [], []
    for para in doc:
        drop = layout == "partial" and rng.random() < 0.3
        en_p = []
        es_p = []
        for en, es in para:
            en_p.append((en, "en", pid if not drop else -1))
            if not drop:
                es_p.append((es, "es", pid))
            pid += 1
        if layout == "line":
            for k, item in enumerate(en_p):
                lines.append(item)
                if k < len(es_p):
                    lines.append(es_p[k])
        elif layout == "paragraph":
            lines.extend(en_p + es_p)
        else:
            en_block.extend(en_p)
            es_block.extend(es_p)
    if layout in ("blocks", "partial"):
        lines.extend(en_block)
        lines.append((foreign, "es", -1))  # a caption with no counterpart
        lines.extend(es_block)
    else:
        lines.insert(len(lines) // 2, (foreign, "es", -1))
    lines.append((rng.choice(NAMES), "und", -1))
    texts = [t for t, _, _ in lines]
    langs = [lang for _, lang, _ in lines]
    by_pid: dict[int, dict[str, int]] = {}
    for k, (_, lang, p) in enumerate(lines):
        if p >= 0:
            by_pid.setdefault(p, {})[lang] = k
    gold = {(v["en"], v["es"]) for v in by_pid.values() if "en" in v and "es" in v}
    return texts, langs, gold


def plain_langdetect(texts: list[str]) -> list[str]:
    from langdetect import DetectorFactory, detect

    DetectorFactory.seed = 0
    out = []
    for t in texts:
        try:
            out.append(detect(t))
        except Exception:
            out.append("und")
    return out


def pair_scores(gold_sets, pred_sets):
    tp_s = tp_l = n_pred = n_gold = 0
    for gold, pred in zip(gold_sets, pred_sets, strict=True):
        n_gold += len(gold)
        n_pred += len(pred)
        gold_by_en = {}
        for e, s in gold:
            gold_by_en[e] = s
        for srcs, tgts in pred:
            if len(srcs) == 1 and len(tgts) == 1 and (srcs[0], tgts[0]) in gold:
                tp_s += 1
                tp_l += 1
            elif any(gold_by_en.get(e) in tgts for e in srcs):
                tp_l += 1
    p_s, r_s = tp_s / max(1, n_pred), tp_s / max(1, n_gold)
    p_l = tp_l / max(1, n_pred)
    r_l = min(1.0, tp_l / max(1, n_gold))

    def f(p, r):
        return 2 * p * r / (p + r) if p + r else 0.0

    return {"strict_p": p_s, "strict_r": r_s, "strict_f1": f(p_s, r_s),
            "lax_p": p_l, "lax_r": r_l, "lax_f1": f(p_l, r_l)}  # fmt: skip


def peer_pairs(texts, labels, fn):
    en = [k for k, lab in enumerate(labels) if lab == "en"]
    es = [k for k, lab in enumerate(labels) if lab == "es"]
    beads = fn([texts[k] for k in en], [texts[k] for k in es])
    return [(tuple(en[i] for i in s), tuple(es[j] for j in t)) for s, t in beads if s and t]


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--docs", type=int, default=30)
    p.add_argument("--seed", type=int, default=13)
    args = p.parse_args()
    rng = random.Random(args.seed)
    docs = [d for d in load_docs(args.data) if 4 <= sum(len(p) for p in d) <= 40][: args.docs]
    all_es = [es for d in load_docs(args.data, "newstest2010") for p in d for _, es in p]
    cases = []
    for k, doc in enumerate(docs):
        layout = LAYOUTS[k % len(LAYOUTS)]
        cases.append((layout, *build(doc, layout, rng, rng.choice(all_es))))
    enc = CachedEncoder()
    for _, texts, _, _ in cases:
        enc.encode(texts)
    aligner = bialign.Aligner(model=enc)
    results: dict[str, dict] = {}
    # bialign
    preds, lang_ok, lang_n, short_ok, short_n = [], 0, 0, 0, 0
    with Timer() as t:
        for _, texts, langs, _ in cases:
            corpus = aligner.align(texts)
            preds.append([(b.src, b.tgt) for b in corpus.pairs])
            for seg, gold in zip(corpus.segments, langs, strict=True):
                lang_ok += seg.lang == gold
                lang_n += 1
                if len(seg.text.split()) <= 6:
                    short_ok += seg.lang == gold
                    short_n += 1
    results["bialign"] = {**pair_scores([c[3] for c in cases], preds),
                          "lang_acc": lang_ok / lang_n, "lang_acc_short": short_ok / short_n,
                          "seconds": t.seconds}  # fmt: skip
    labels = [plain_langdetect(texts) for _, texts, _, _ in cases]
    lang_ok = sum(
        a == b
        for (_, _, langs, _), lab in zip(cases, labels, strict=True)
        for a, b in zip(langs, lab, strict=True)
    )
    for name, fn in (("vecalign (sentalign)", lambda s, t: vecalign(s, t, enc)),
                     ("gale-church", galechurch)):  # fmt: skip
        with Timer() as t:
            preds = [peer_pairs(c[1], lab, fn) for c, lab in zip(cases, labels, strict=True)]
        results[name] = {**pair_scores([c[3] for c in cases], preds),
                         "lang_acc": lang_ok / lang_n, "seconds": t.seconds}  # fmt: skip
    headers = ["aligner", "pair P", "pair R", "pair F1", "lax P", "lax R", "lax F1",
               "lang acc", "s"]  # fmt: skip
    rows = [[n, r["strict_p"], r["strict_r"], r["strict_f1"], r["lax_p"], r["lax_r"],
             r["lax_f1"], r["lang_acc"], r["seconds"]] for n, r in results.items()]  # fmt: skip
    table = fmt_table(headers, rows)
    print(table)
    n_lines = sum(len(c[1]) for c in cases)
    notes = (
        f"{len(cases)} mixed documents ({n_lines} lines, {sum(len(c[3]) for c in cases)} gold "
        f"pairs) from WMT newstest2011, layouts {', '.join(LAYOUTS)} in turn, seed {args.seed}. "
        f"bialign's language accuracy on lines of 6 words or fewer: "
        f"{results['bialign']['lang_acc_short']:.3f}. Peers' language accuracy is plain "
        "seeded langdetect (labels outside en/es count as wrong). Times exclude embedding "
        "(same cached default encoder for all)."
    )
    print(notes)
    if not args.no_write:
        write_results("mixed_enes", "Mixed English/Spanish documents", {"results": results},
                      table, notes)  # fmt: skip


if __name__ == "__main__":
    main()
