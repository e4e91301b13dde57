"""The persistent embedding cache: a corpus aligned cold, then again with the cache warm.

    python benchmarks/cache.py [--year newstest2011]

The corpus: every English/Spanish document pair of one WMT newstest year (the documents
of benchmarks/docs_enes.py, unaltered), aligned by ``align_many`` with the default encoder
and ``cache_dir`` in a fresh temporary folder: first cold (empty cache), then the same run
again (every document's finished alignment read back), and once more with the finished
alignments deleted (as after a change of settings: vectors and language counts read
back, the rest recomputed). Reported: wall time of the whole run, and the time inside
the encoder step, for each; and a run without the cache for the cache's own cost on a
cold run.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import fmt_table, parser, write_results  # noqa: E402
from sgm import load_docs  # noqa: E402

import bialign  # noqa: E402
from bialign.embed import load_embedder  # noqa: E402


class _Timed:
    """Time spent in an encode method (align_many embeds documents ahead, in calls of
    their own, so the corpora's per-document timings do not hold it)."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def wrap(self, owner: object, name: str = "encode") -> None:
        real = getattr(owner, name)

        def timed(this: object, texts: list[str]) -> object:
            t0 = time.perf_counter()
            try:
                return real(this, texts)
            finally:
                self.seconds += time.perf_counter() - t0

        setattr(owner, name, timed)
        self.restore = lambda: setattr(owner, name, real)


def run(pairs: list[tuple[list[str], list[str]]], cache_dir: Path | None) -> dict[str, float]:
    """One align_many run; the embedding step is the time in the aligner's encoder (the
    cache in front of the default encoder when there is one)."""
    from bialign.cache import CachedEmbedder

    timer = _Timed()
    timer.wrap(CachedEmbedder if cache_dir else type(load_embedder(None)))
    try:
        t0 = time.perf_counter()
        for r in bialign.align_many(pairs, cache_dir=cache_dir, progress=False, on_error="raise"):
            assert r.corpus is not None
        seconds = time.perf_counter() - t0
    finally:
        timer.restore()
    return {"seconds": seconds, "embed_seconds": timer.seconds}


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--year", default="newstest2011")
    args = p.parse_args()
    docs = load_docs(args.data, args.year)
    pairs = [([en for para in d for en, _ in para], [es for para in d for _, es in para])
             for d in docs]  # fmt: skip
    segments = sum(len(a) + len(b) for a, b in pairs)
    load_embedder(None).encode(["warm up"])  # load the encoder before any timing
    bialign.align_documents(["The house is red."], ["La casa es roja."])  # and lingua
    results = {"no cache": run(pairs, None)}
    with tempfile.TemporaryDirectory() as tmp:
        results["cache, cold"] = run(pairs, Path(tmp))
        results["cache, warm"] = run(pairs, Path(tmp))
        size = (Path(tmp) / "embeddings.sqlite").stat().st_size
        # The same re-run after a change of settings: no finished alignment matches, every
        # vector and language count still does.
        with sqlite3.connect(Path(tmp) / "embeddings.sqlite") as db:
            db.execute("DELETE FROM results")
        results["cache, warm, vectors only"] = run(pairs, Path(tmp))
    cold, warm = results["cache, cold"], results["cache, warm"]
    vectors = results["cache, warm, vectors only"]
    rows = [
        [name, r["seconds"], r["embed_seconds"], cold["seconds"] / r["seconds"]]
        for name, r in results.items()
    ]
    table = fmt_table(["run", "wall s", "embedding step s", "cold / this"], rows)
    notes = (
        f"{len(pairs)} WMT {args.year} document pairs ({segments:,} segments), "
        "`align_many` with the default encoder, one process, the encoder loaded before "
        "every run. Warm: the cache holds every document's finished alignment, read back "
        f"whole ({cold['seconds'] / warm['seconds']:.1f}x faster than cold). Warm, vectors "
        "only: the finished alignments deleted first, as after a change of settings; the "
        "vectors and language-check counts are read back and the rest runs again "
        f"(embedding step {cold['embed_seconds'] / vectors['embed_seconds']:.1f}x faster, "
        f"whole run {cold['seconds'] / vectors['seconds']:.1f}x). Cache file after the "
        f"warm run: {size / 1e6:.1f} MB."
    )
    payload = {"pairs": len(pairs), "segments": segments, "runs": results, "bytes": size}
    print(table + "\n\n" + notes)
    if not args.no_write:
        write_results("cache", "Persistent embedding cache: cold and warm", payload, table, notes)


if __name__ == "__main__":
    main()
