"""What bialign costs besides the encoder: two 10,000-segment documents with instant
embeddings, and the command line's start-up on the example post.

    python benchmarks/overhead.py [--data ../shared/data] [--base PATH] [--repeat 3]

The documents are benchmarks/scaling.py's 10k x 10k pair (real WMT, FLORES and Tatoeba
sentences). Their embeddings come from the default encoder once, cached under
benchmarks/.cache; the aligner then gets an encoder that serves them from memory (texts
it never saw, such as attach's joined texts, get a vector seeded by their hash), so the
time measured is bialign's own: reading, language checks, alignment, attach, the corpus.

``--base`` names a checkout of an earlier bialign (a git worktree) to measure in the same
run, each measurement in a fresh child process with that tree first on ``sys.path``:
these machines are shared and noisy, so only same-run ratios mean much.
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from common import ROOT, fmt_table, parser, write_results  # noqa: E402
from scaling import build  # noqa: E402

CACHE = Path(__file__).resolve().parent / ".cache"
SIZE = 10_000


class InstantEncoder:
    """Serves precomputed vectors; unknown texts get a vector seeded by their hash."""

    def __init__(self, vectors: np.ndarray, index: dict[str, int]) -> None:
        self.vectors, self.index = vectors, index

    def encode(self, texts: list[str]) -> np.ndarray:
        get = self.index.get
        rows = np.fromiter((get(t, -1) for t in texts), dtype=np.int64, count=len(texts))
        out = self.vectors[np.maximum(rows, 0)] if len(texts) else np.zeros((0, 512), np.float32)
        for k in np.flatnonzero(rows < 0):
            seed = int.from_bytes(hashlib.sha1(texts[k].encode()).digest()[:4], "little")
            out[k] = np.random.default_rng(seed).standard_normal(512).astype(np.float32)
        return out


def cached_embeddings(data: Path) -> tuple[list[str], list[str], np.ndarray, dict[str, int]]:
    src, tgt, _ = build(data, SIZE)
    unique = list(dict.fromkeys(src + tgt))
    CACHE.mkdir(exist_ok=True)
    key = hashlib.sha1("\n".join(unique).encode()).hexdigest()[:12]
    path = CACHE / f"overhead-{key}.npy"
    if not path.exists():
        from bialign.embed import USEEmbedder

        np.save(path, USEEmbedder().encode(unique))
    return src, tgt, np.load(path), {t: k for k, t in enumerate(unique)}


def child(data: Path, repeat: int) -> dict:
    """One tree's measurement: align_documents on the 10k x 10k pair, ``repeat`` times."""
    import bialign

    src, tgt, vectors, index = cached_embeddings(data)
    aligner = bialign.Aligner(model=InstantEncoder(vectors, index), progress=False)
    aligner.align_documents(src[:50], tgt[:50])  # load the language detector
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        corpus = aligner.align_documents(src, tgt)
        runs.append({"seconds": time.perf_counter() - t0, **corpus.timings})
    best = min(runs, key=lambda r: r["seconds"])
    return {"bialign": bialign.__file__, "pairs": len(corpus.pairs), "best": best, "runs": runs}


#: ``bialign align`` as installed without the [fast] extra: the default encoder's numpy
#: backend, torch never imported (the README's first command installs no torch).
_WITHOUT_TORCH = (
    "import sys, bialign.use_encoder as u; u._torch_available = lambda: False; "
    "from bialign.cli import main; sys.exit(main(sys.argv[1:]))"
)


def startup(tree: Path, repeat: int, torch: bool = True) -> list[float]:
    """Wall time of ``bialign align`` on the example post, in a fresh process each time
    (``torch=False``: as installed without torch)."""
    example = ROOT / "examples" / "news_post.txt"
    env = {**os.environ, "PYTHONPATH": str(tree)}
    head = ["-m", "bialign.cli"] if torch else ["-c", _WITHOUT_TORCH]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, *head, "align", str(example)],
            env=env,
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - t0)
    return times


def run_child(tree: Path, data: Path, repeat: int, kernels: str = "") -> dict:
    """One tree's measurement in a fresh process; ``kernels`` sets BIALIGN_KERNELS
    ("numpy": the alignment loops as installed without the [fast] extra)."""
    env = {**os.environ, "PYTHONPATH": f"{tree}{os.pathsep}{Path(__file__).resolve().parent}"}
    env["BIALIGN_KERNELS"] = kernels
    out = subprocess.run(
        [sys.executable, __file__, "--child", "--data", str(data), "--repeat", str(repeat)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.splitlines()[-1])


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--base", type=Path, default=None, help="an earlier checkout to compare")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--child", action="store_true", help="internal: measure this tree")
    args = p.parse_args()
    if args.child:
        print(json.dumps(child(args.data, args.repeat)))
        return
    cached_embeddings(args.data)  # embed once, outside every measurement
    trees = {"now": (ROOT, ""), "now, numpy loops": (ROOT, "numpy")}
    if args.base:
        trees["base"] = (args.base.resolve(), "")
    results = {}
    for name, (tree, kernels) in trees.items():
        results[name] = run_child(tree, args.data, args.repeat, kernels)
        if not kernels:
            results[name]["startup"] = startup(tree, args.repeat)
            results[name]["startup_without_torch"] = startup(tree, args.repeat, torch=False)
    rows = []
    for name, r in results.items():
        b = r["best"]
        starts = [
            statistics.median(r[k]) if k in r else "-" for k in ("startup", "startup_without_torch")
        ]
        rows.append([name, b["seconds"], r["runs"][0]["seconds"], b.get("langid", 0.0),
                     b.get("embed", 0.0), b.get("align", 0.0), r["pairs"], *starts])  # fmt: skip
    table = fmt_table(
        [
            "tree",
            "10k x 10k s",
            "first run s",
            "reading + language s",
            "embedding lookups s",
            "align s",
            "pairs",
            "`bialign align` start-up s (median)",
            "same, without torch s",
        ],  # fmt: skip
        rows,
    )
    notes = (
        f"Best of {args.repeat} runs of align_documents on the {SIZE:,} x {SIZE:,} pair of "
        "benchmarks/scaling.py with an encoder that serves cached vectors (bialign's own "
        "time, no encoding); start-up is the wall time of `python -m bialign.cli align "
        "examples/news_post.txt` in a fresh process, encoder included (with torch "
        "installed, the default encoder's bfloat16 backend imports it, about 1 s; 'without "
        "torch' is the numpy backend, as the README's first command installs it). "
        "'now' scores and searches the band with bialign/kernels.py's compiled loops "
        "(numba, the [fast] extra; 'first run' includes importing numba and loading its "
        "cached code); 'now, numpy loops' is the same tree with BIALIGN_KERNELS=numpy, as "
        "installed without the extra. " + (f"'base' is {args.base}." if args.base else "")
    )
    print(table)
    if not args.no_write:
        write_results("overhead", "Overhead besides the encoder", results, table, notes)


if __name__ == "__main__":
    main()
