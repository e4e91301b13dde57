"""Documents and segments per second for many documents: align_many and Ray Data.

    python benchmarks/throughput.py [--data ../shared/data] [--docs 110] [--repeat 1]

The documents are the mixed English/Spanish pages of the langid benchmark (every WMT
newstest2011 document, four layouts in turn, seed 13). Measured, all in one run and
each from a cold start of its workers (encoder loading included, as a user would see):
align_many with 1 worker (the encoder using both cores) and with 2 workers (one core
each), and Ray Data's map_batches with bialign.ray_data.PairAligner on a local Ray
instance of 2 CPUs with 2 actors (Ray's own start-up not included). ``--repeat N``
builds the documents N times over (each time in other layouts), to see how start-up
costs amortise over a longer job.
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import fmt_table, parser, write_results  # noqa: E402
from mixed_enes import LAYOUTS, build  # noqa: E402
from sgm import load_docs  # noqa: E402

import bialign  # noqa: E402


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--docs", type=int, default=110)
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--no-ray", action="store_true")
    args = p.parse_args()
    rng = random.Random(13)
    all_es = [es for d in load_docs(args.data, "newstest2010") for p in d for _, es in p]
    docs = []
    source = load_docs(args.data, "newstest2011")[: args.docs]
    for r in range(args.repeat):
        for k, doc in enumerate(source):
            texts, _, _ = build(doc, LAYOUTS[(k + r) % len(LAYOUTS)], rng, rng.choice(all_es))
            docs.append("\n".join(texts))
    n_segments = sum(len(d.splitlines()) for d in docs)
    results: dict[str, dict[str, float]] = {}

    def record(name: str, seconds: float, pairs: int) -> None:
        results[name] = {
            "seconds": seconds,
            "docs_per_s": len(docs) / seconds,
            "segments_per_s": n_segments / seconds,
            "pairs": pairs,
        }
        print(name, results[name], flush=True)

    for workers in (1, 2):
        t0 = time.perf_counter()
        pairs = sum(
            len(r.corpus.pairs)
            for r in bialign.align_many(docs, workers=workers, progress=False)
            if r.corpus
        )
        record(f"align_many, {workers} worker(s)", time.perf_counter() - t0, pairs)

    if not args.no_ray:
        import ray

        from bialign.ray_data import PairAligner

        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        try:
            ds = ray.data.from_items([{"id": str(k), "text": d} for k, d in enumerate(docs)])
            t0 = time.perf_counter()
            rows = ds.map_batches(
                PairAligner,
                fn_constructor_kwargs={"text_column": "text", "id_column": "id"},
                concurrency=2,
                num_cpus=1,
                batch_size=8,
            ).take_all()
            record("Ray Data, 2 actors", time.perf_counter() - t0, len(rows))
        finally:
            ray.shutdown()

    headers = ["runner", "seconds", "documents/s", "segments/s", "pairs"]
    rows_out = [
        [n, r["seconds"], r["docs_per_s"], round(r["segments_per_s"]), r["pairs"]]
        for n, r in results.items()
    ]
    table = fmt_table(headers, rows_out)
    notes = (
        f"{len(docs)} mixed documents, {n_segments} segments. Times include loading the "
        "encoder in every worker or actor. Segments per second count every line of the "
        "input (English, Spanish and und)."
    )
    print(table)
    print(notes)
    if not args.no_write:
        name = "throughput" if args.repeat == 1 else f"throughput_x{args.repeat}"
        title = "Many documents: throughput" + (f" (x{args.repeat})" if args.repeat > 1 else "")
        write_results(name, title, {"results": results}, table, notes)


if __name__ == "__main__":
    main()
