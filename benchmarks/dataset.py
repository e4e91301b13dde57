"""`bialign build-dataset` end to end: pairs out against the gold pairs of a crawl.

    python benchmarks/dataset.py [--data ../shared/data] [--split test] [--docs 1000]

The crawl is benchmarks/docmatch.py's collection (WMT newstest, python_docs_es pages,
FLORES articles; 20% of documents without a partner, near-duplicate distractors,
shuffled), each document written to its own .txt file in a temporary folder, the English
and Spanish pages side by side with nothing but the text to tell them apart.

A published pair is *exact* when it is a gold 1-1 pair, and *right* when every gold
segment inside either side has its translation inside the other side (a 2-1 or 1-2 bead
of gold pairs). Precision is over published pairs; recall over the gold pairs of
documents that kept both sides, counting those inside right pairs. Time: the whole run
against encoding each distinct segment once with the same encoder, in the same process.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import fmt_table, parser, write_results  # noqa: E402
from docmatch import SEED, build, source_documents  # noqa: E402

from bialign.build import build_dataset  # noqa: E402
from bialign.embed import load_embedder  # noqa: E402


def _norm(text: str) -> str:
    return " ".join(text.split())


def _gold_run(text: str, by_start: dict[str, list[str]]) -> list[str] | None:
    """The gold source segments that, joined with spaces, make up ``text``, or None."""
    out: list[str] = []
    pos = 0
    while pos < len(text):
        head = text[pos : pos + 12]
        found = [a for a in by_start.get(head, []) if text.startswith(a, pos)]
        if not found:
            return None
        a = max(found, key=len)
        out.append(a)
        pos += len(a) + 1  # the space bialign joins segments with
    return out


def filter_costs(src: list[str], tgt: list[str]) -> tuple[list[list[object]], dict[str, float]]:
    """Time of each cleaning step on these pairs (each filter applied to every pair)."""
    from bialign.dataset import FILTERS, CleanConfig, PairRecord, _language_filter, deduplicate

    pairs = [PairRecord(a, b, 0.3, f"d{k // 20}", confidence=0.9)
             for k, (a, b) in enumerate(zip(src, tgt, strict=True))]  # fmt: skip
    cfg = CleanConfig(min_score=0.1, min_confidence=0.5, langs=("en", "es"))
    rows: list[list[object]] = []
    costs: dict[str, float] = {}

    def timed(name: str, fn: object) -> None:
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        sec = time.perf_counter() - t0
        costs[name] = sec
        rows.append([name, len(pairs), sec / max(1, len(pairs)) * 1e6, sec])

    for name, f in FILTERS.items():
        timed(name, lambda f=f: [f(p, cfg) for p in pairs])
    from bialign.dataset import CleanReport

    timed("wrong_language", lambda: _language_filter(pairs, ("en", "es"), CleanReport()))
    timed("deduplicate (exact and MinHash)", lambda: deduplicate(pairs))
    return rows, costs


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--split", choices=("dev", "test"), default="test")
    p.add_argument("--docs", type=int, default=1000, help="document pairs sampled")
    p.add_argument("--show-errors", type=int, default=0, help="print this many wrong pairs")
    p.add_argument("--min-confidence", type=float, default=None,
                   help="build-dataset's confidence floor (default: its own default)")  # fmt: skip
    args = p.parse_args()
    sources = source_documents(args.data, args.split)
    pool = [d for docs in sources.values() for d in docs]
    docs = random.Random(SEED).sample(pool, min(args.docs, len(pool)))
    en, es, gold_docs = build(docs, random.Random(f"{SEED}-dataset"))
    # Gold pairs: the segment pairs of every document pair that kept both sides, with
    # whitespace normalised as bialign reads it (a paragraph may span lines).
    from docmatch import text_of

    kept_en, kept_es = set(en), set(es)
    pair_of: dict[str, str] = {}
    gold: set[tuple[str, str]] = set()
    for doc in docs:
        both = text_of(doc, 0) in kept_en and text_of(doc, 1) in kept_es
        for para in doc:
            for a, b in para:
                a, b = _norm(a), _norm(b)
                pair_of[a] = b
                if both:
                    gold.add((a, b))
    with tempfile.TemporaryDirectory() as tmp:
        crawl = Path(tmp) / "crawl"
        crawl.mkdir()
        for k, text in enumerate(en):
            (crawl / f"page{k:05d}a.txt").write_text(text, encoding="utf-8")
        for k, text in enumerate(es):
            (crawl / f"page{k:05d}b.txt").write_text(text, encoding="utf-8")
        lines = list(dict.fromkeys(x for t in en + es for x in t.splitlines() if x.strip()))
        encoder = load_embedder(None)
        encoder.encode(["warm up"])
        t0 = time.perf_counter()
        encoder.encode(lines)
        encode_once = time.perf_counter() - t0
        t0 = time.perf_counter()
        out = Path(tmp) / "dataset"
        from bialign.dataset import CleanConfig

        config = (
            CleanConfig(min_confidence=args.min_confidence or None)
            if args.min_confidence is not None
            else None
        )
        summary = build_dataset(
            crawl, out, sizes={"train": 1.0}, progress=False, clean_config=config
        )
        total = time.perf_counter() - t0
        src = (out / "moses" / "train.en").read_text(encoding="utf-8").splitlines()
        tgt = (out / "moses" / "train.es").read_text(encoding="utf-8").splitlines()
    exact = right = 0
    covered: set[tuple[str, str]] = set()
    by_start: dict[str, list[str]] = {}
    for a, _ in gold:
        by_start.setdefault(a[:12], []).append(a)
    for s, t in zip(map(_norm, src), map(_norm, tgt), strict=True):
        if (s, t) in gold:
            exact += 1
        inside = _gold_run(s, by_start)
        if inside and all(pair_of[a] in t for a in inside):
            right += 1
            covered |= {(a, pair_of[a]) for a in inside}
        elif args.show_errors > 0:
            args.show_errors -= 1
            print(f"WRONG: {s!r}\n   ->  {t!r}")
    n = max(1, len(src))
    recall = len(covered) / max(1, len(gold))
    row = [len(en), len(es), len(gold), len(src), exact / n, right / n, recall,
           total, encode_once, total / encode_once]  # fmt: skip
    table = fmt_table(
        [
            "en docs",
            "es docs",
            "gold pairs",
            "published",
            "P exact",
            "P right",
            "R",
            "s",
            "encode once s",
            "ratio",
        ],  # fmt: skip
        [row],
    )
    removed = ", ".join(f"{k} {v}" for k, v in summary.cleaning.removed.items())
    cost_rows, costs = filter_costs(src, tgt)
    table_costs = fmt_table(["step", "pairs", "µs per pair", "s in all"], cost_rows)
    notes = (
        f"Split {args.split}, {len(docs)} document pairs sampled (seed {SEED}); "
        f"{summary.matched_document_pairs} document pairs matched, {summary.mixed_documents} "
        f"mixed, {summary.aligned_pairs} pairs aligned; removed by the filters: {removed}; "
        f"duplicates: {summary.duplicates}. Encode once: each of {len(lines):,} distinct "
        "lines once with the default encoder; the run embeds each distinct segment once "
        "too (matching and alignment share a cache), so the ratio is bialign's own work."
    )
    print(table)
    print(table_costs)
    print(notes)
    if not args.no_write:
        payload = {"row": row, "removed": dict(summary.cleaning.removed), "costs": costs}
        title = f"build-dataset end to end ({args.split})"
        notes += (
            "\n\nWhat each cleaning step costs, timed alone on the published pairs "
            "(bialign.dataset.FILTERS in order, each on every pair; then the language "
            "check and deduplication):\n\n" + table_costs
        )
        write_results(f"dataset_{args.split}", title, payload, table, notes)


if __name__ == "__main__":
    main()
