"""How document matching's time grows with the collection, up to 10,000 documents a side.

    python benchmarks/docmatch_growth.py [--data ../shared/data] [--sizes 100 300 1000 2300]
        [--drawn-sizes 100 1000 3000 10000]

The documents are runs of four consecutive real sentence pairs: the 10,000 pairs of
benchmarks/scaling.py (WMT newstest, FLORES-200 and Tatoeba sentences, shuffled), of which
9,400 keep both sides. They are built into collections as benchmarks/docmatch.py builds
its own (20% of the pairs lose a side, 10% of the English documents get a near-duplicate
distractor, both sides shuffled). The data holds about 12,000 distinct sentence pairs, so
short documents are the way to a few thousand documents a side; docmatch.py measures
matching on real documents. A second setting draws each document's four pairs at random
from all of them, which reaches 10,000 documents a side.

Every distinct sentence is embedded once with the default encoder and cached (the cache
of benchmarks/overhead.py; a document's lines that are not one cached sentence are
embedded too, before the clock starts); the time is ``match_documents`` alone, with an
encoder that serves those vectors. The log-log slope of time against size says how it grows: 1 is
linear, 2 quadratic.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from common import fmt_table, parser, write_results  # noqa: E402
from docmatch import SEED, Meta, build, near_copies_of_missing_originals, score  # noqa: E402
from overhead import SIZE, InstantEncoder, cached_embeddings  # noqa: E402
from scaling import build as scaling_build  # noqa: E402

from bialign.docmatch import match_documents  # noqa: E402
from bialign.segment import MAX_SEGMENT_CHARS, read_document  # noqa: E402

PAIRS_PER_DOCUMENT = 4


def documents(data: Path) -> list[list[list[tuple[str, str]]]]:
    """Runs of consecutive sentence pairs, each pair a paragraph."""
    src, tgt, gold = scaling_build(data, SIZE)
    pairs = [(src[i], tgt[j]) for i, j in sorted(gold)]
    step = PAIRS_PER_DOCUMENT
    return [[[p] for p in pairs[k : k + step]] for k in range(0, len(pairs) - step + 1, step)]


def drawn(pool: list[Doc], size: int, rng: random.Random) -> list[Doc]:
    """``size`` documents of PAIRS_PER_DOCUMENT sentence pairs drawn at random from all of
    the pool's pairs: past the pool's 2,350 runs, each pair serves about four documents,
    and two documents rarely share more than one of their four pairs."""
    pairs = [para for doc in pool for para in doc]
    return [rng.sample(pairs, PAIRS_PER_DOCUMENT) for _ in range(size)]


Doc = list[list[tuple[str, str]]]


def complete(encoder: InstantEncoder, collections: list[list[str]]) -> int:
    """Embed, with the default encoder, the segments the cache lacks (matching reads a
    document's lines as segments, and a few lines differ from the cached sentences, e.g.
    two sentences on one line): served as random vectors, they would cost true pairs
    their match. Returns how many were embedded."""
    texts = [
        s.text[:MAX_SEGMENT_CHARS]
        for docs in collections
        for doc in docs
        for s in read_document(doc, name="doc")
        if s.text
    ]
    missing = [t for t in dict.fromkeys(texts) if t not in encoder.index]
    if missing:
        from bialign.embed import load_embedder

        new = load_embedder(None).encode(missing)
        encoder.index.update({t: len(encoder.vectors) + k for k, t in enumerate(missing)})
        encoder.vectors = np.concatenate([encoder.vectors, new])
    return len(missing)


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="*", default=[100, 300, 1000, 2300])
    p.add_argument("--drawn-sizes", type=int, nargs="*", default=[100, 1000, 3000, 10000])
    args = p.parse_args()
    _, _, vectors, index = cached_embeddings(args.data)
    encoder = InstantEncoder(vectors, index)
    pool = documents(args.data)
    rows, numbers = [], {}
    match_documents(["warm up"], ["calentar"], model=encoder)
    settings = [("runs", size) for size in args.sizes]
    settings += [("drawn", size) for size in args.drawn_sizes]
    for setting, size in settings:
        if setting == "runs":
            docs = random.Random(f"{SEED}-growth-{size}").sample(pool, min(size, len(pool)))
        else:
            docs = drawn(pool, size, random.Random(f"{SEED}-drawn-{size}"))
        meta: list[list[Meta]] = []
        en, es, gold = build(docs, random.Random(f"{SEED}-growth-build-{size}"), meta)
        embedded = complete(encoder, [en, es])
        t0 = time.perf_counter()
        pred = match_documents(en, es, model=encoder)
        seconds = time.perf_counter() - t0
        prec, rec, n = score(pred, gold)
        copies = near_copies_of_missing_originals(pred, gold, meta)
        rows.append([setting, len(docs), len(en), len(es), len(gold), n, prec, rec, copies,
                     (n * prec + copies) / max(1, n), seconds,
                     seconds / len(docs) * 1000])  # fmt: skip
        numbers[f"{setting}-{size}"] = {"en_docs": len(en), "es_docs": len(es),
                                        "gold": len(gold), "predicted": n, "precision": prec,
                                        "recall": rec, "near_copies_of_missing_originals": copies,
                                        "seconds": seconds,
                                        "embedded_outside_cache": embedded}  # fmt: skip
        print(rows[-1], flush=True)
    slopes = {}
    for setting in ("runs", "drawn"):
        got = [r for r in rows if r[0] == setting]
        if len(got) > 1:
            x, y = np.log([r[1] for r in got]), np.log([r[10] for r in got])
            slopes[setting] = float(np.polyfit(x, y, 1)[0])
    table = fmt_table(
        ["documents", "document pairs", "en docs", "es docs", "gold pairs", "matched", "P",
         "R", "near copy of a missing original", "P, such copies right", "s (no encoding)",
         "ms per pair"],
        rows,
    )  # fmt: skip
    slope = slopes.get("runs", 0.0)
    notes = (
        f"'runs': documents of {PAIRS_PER_DOCUMENT} consecutive sentence pairs from "
        "benchmarks/scaling.py's real sentences, each pair in one document; 'drawn': "
        f"{PAIRS_PER_DOCUMENT} pairs drawn at random per document, so that collections "
        "can pass the 2,350 runs the data holds (a pair serves about four documents at "
        f"10,000). Collections built as in benchmarks/docmatch.py (seed {SEED}). Time "
        "grows as size^"
        + ", ".join(f"{v:.2f} ({k})" for k, v in slopes.items())
        + " (log-log fit of time against document pairs). Default encoder's vectors "
        "served from the cache (segments the cache lacks embedded before the clock "
        "starts): matching's own time. 'Near copy of a missing original': as "
        "in docmatch.py, a match of a distractor with the translation of the document it "
        "copies, whose own English side is missing (three of its four pairs are that "
        "document's, so its sentence pairs are right)."
    )
    print(table + "\n\n" + notes)
    if not args.no_write:
        payload = {"sizes": numbers, "slope": slope, "slopes": slopes}
        write_results("docmatch_growth", "Document matching: growth with size", payload,
                      table, notes)  # fmt: skip


if __name__ == "__main__":
    main()
