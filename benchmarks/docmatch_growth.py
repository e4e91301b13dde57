"""How document matching's time grows with the collection, up to 2,300 documents a side.

    python benchmarks/docmatch_growth.py [--data ../shared/data] [--sizes 100 300 1000 2300]

The documents are runs of four consecutive real sentence pairs: the 10,000 pairs of
benchmarks/scaling.py (WMT newstest, FLORES-200 and Tatoeba sentences, shuffled), of which
9,400 keep both sides. They are built into collections as benchmarks/docmatch.py builds
its own (20% of the pairs lose a side, 10% of the English documents get a near-duplicate
distractor, both sides shuffled). The data holds about 12,000 distinct sentence pairs, so
short documents are the way to a few thousand documents a side; docmatch.py measures
matching on real documents.

Every distinct sentence is embedded once with the default encoder and cached (the cache
of benchmarks/overhead.py); the time is ``match_documents`` alone, with an encoder that
serves those vectors. The log-log slope of time against size says how it grows: 1 is
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
from docmatch import SEED, build, score  # noqa: E402
from overhead import SIZE, InstantEncoder, cached_embeddings  # noqa: E402
from scaling import build as scaling_build  # noqa: E402

from bialign.docmatch import match_documents  # noqa: E402

PAIRS_PER_DOCUMENT = 4


def documents(data: Path) -> list[list[list[tuple[str, str]]]]:
    """Runs of consecutive sentence pairs, each pair a paragraph."""
    src, tgt, gold = scaling_build(data, SIZE)
    pairs = [(src[i], tgt[j]) for i, j in sorted(gold)]
    step = PAIRS_PER_DOCUMENT
    return [[[p] for p in pairs[k : k + step]] for k in range(0, len(pairs) - step + 1, step)]


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="*", default=[100, 300, 1000, 2300])
    args = p.parse_args()
    _, _, vectors, index = cached_embeddings(args.data)
    encoder = InstantEncoder(vectors, index)
    pool = documents(args.data)
    rows, numbers = [], {}
    match_documents(["warm up"], ["calentar"], model=encoder)
    for size in args.sizes:
        docs = random.Random(f"{SEED}-growth-{size}").sample(pool, min(size, len(pool)))
        en, es, gold = build(docs, random.Random(f"{SEED}-growth-build-{size}"))
        t0 = time.perf_counter()
        pred = match_documents(en, es, model=encoder)
        seconds = time.perf_counter() - t0
        prec, rec, n = score(pred, gold)
        rows.append([len(docs), len(en), len(es), len(gold), n, prec, rec, seconds,
                     seconds / len(docs) * 1000])  # fmt: skip
        numbers[str(size)] = {"en_docs": len(en), "es_docs": len(es), "gold": len(gold),
                              "predicted": n, "precision": prec, "recall": rec,
                              "seconds": seconds}  # fmt: skip
    sizes = np.array([r[0] for r in rows], dtype=float)
    times = np.array([r[7] for r in rows], dtype=float)
    slope = float(np.polyfit(np.log(sizes), np.log(times), 1)[0]) if len(rows) > 1 else 0.0
    table = fmt_table(
        ["document pairs", "en docs", "es docs", "gold pairs", "matched", "P", "R",
         "s (no encoding)", "ms per pair"],
        rows,
    )  # fmt: skip
    notes = (
        f"Documents of {PAIRS_PER_DOCUMENT} consecutive sentence pairs from "
        "benchmarks/scaling.py's real sentences; collections built as in "
        f"benchmarks/docmatch.py (seed {SEED}). Time grows as size^{slope:.2f} (log-log "
        f"fit over {', '.join(str(int(s)) for s in sizes)} document pairs). Default "
        "encoder's vectors served from the cache: matching's own time."
    )
    print(table + "\n\n" + notes)
    if not args.no_write:
        payload = {"sizes": numbers, "slope": slope}
        write_results("docmatch_growth", "Document matching: growth with size", payload,
                      table, notes)  # fmt: skip


if __name__ == "__main__":
    main()
