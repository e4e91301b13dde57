"""End to end against encoding alone: is bialign at the encoder's limit?

    python benchmarks/end_to_end.py [--years newstest2010 newstest2011]

On every English/Spanish document pair of the given WMT newstest years, in one run:
- encode once: every distinct line, one call of the default encoder (the floor: no
  aligner can need less than embedding each line once);
- ``align_many`` with 1 and 2 worker processes (encoder loading excluded for 1 worker,
  included for 2, as a user would see);
- Bertalign's method (benchmarks/bertalign_dp.py) with the same encoder, which embeds
  every run of up to four consecutive sentences.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bertalign_dp import bertalign_dp  # noqa: E402
from common import fmt_table, parser, write_results  # noqa: E402
from sgm import load_docs  # noqa: E402

import bialign  # noqa: E402
from bialign.embed import load_embedder  # noqa: E402


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--years", nargs="+", default=["newstest2010", "newstest2011"])
    args = p.parse_args()
    pairs = []
    for year in args.years:
        for d in load_docs(args.data, year):
            pairs.append(
                ([en for para in d for en, _ in para], [es for para in d for _, es in para])
            )
    distinct = list(dict.fromkeys(t for a, b in pairs for t in (*a, *b)))
    enc = load_embedder(None)
    enc.encode(["warm up"])
    bialign.align_documents(["The house is red."], ["La casa es roja."])  # load lingua

    t0 = time.perf_counter()
    enc.encode(distinct)
    once = time.perf_counter() - t0
    runs = {"encode each distinct line once": once}
    for workers in (1, 2):
        t0 = time.perf_counter()
        for r in bialign.align_many(pairs, workers=workers, progress=False, on_error="raise"):
            assert r.corpus is not None
        runs[f"align_many, {workers} worker(s)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    for src, tgt in pairs:
        bertalign_dp(src, tgt, enc)
    runs["Bertalign's method, same encoder"] = time.perf_counter() - t0

    rows = [[name, sec, sec / once] for name, sec in runs.items()]
    table = fmt_table(["run", "seconds", "vs encode once"], rows)
    notes = (
        f"{len(pairs)} WMT document pairs ({', '.join(args.years)}), {len(distinct):,} "
        f"distinct lines; default encoder ({getattr(enc, 'backend', type(enc).__name__)})."
    )
    payload = {"pairs": len(pairs), "distinct_lines": len(distinct), "seconds": runs}
    print(table + "\n\n" + notes)
    if not args.no_write:
        write_results("end_to_end", "End to end against encoding alone", payload, table, notes)


if __name__ == "__main__":
    main()
