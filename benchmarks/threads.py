"""Alignment on a shared machine: two 10k-segment documents, embeddings instant.

    python benchmarks/threads.py [--size 10000] [--repeats 3] [--base CHECKOUT]

The documents are those of benchmarks/scaling.py. Embeddings come from a table built
beforehand (so only bialign's own work is timed: language identification, alignment,
attach). Each setting runs in a fresh child process, alone and then next to one busy
process (``python -c 'while 1: pass'``), which is what a shared 2-core machine looks like:
- ``threads=None``: bialign's choice (bialign.threads: affinity and cgroup quota);
- ``threads=1`` and ``threads=2`` given explicitly;
- with ``--base``, the default of another checkout of bialign (say, before this change).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from common import fmt_table, parser, write_results  # noqa: E402
from scaling import build  # noqa: E402

SETTINGS = ("None", "1", "2")


class TableEncoder:
    """Instant embeddings: a fixed random unit vector per distinct text."""

    def __init__(self, texts: list[str]) -> None:
        rng = np.random.default_rng(0)
        vecs = rng.standard_normal((len(texts), 64)).astype(np.float32)
        self.rows = {t: v / np.linalg.norm(v) for t, v in zip(texts, vecs, strict=True)}
        self.rows[""] = vecs[0]

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.rows.get(t, self.rows[""]) for t in texts])


def child(setting: str, size: int, data: Path, repeats: int) -> dict:
    import bialign

    src, tgt, _ = build(data, size)
    # Translations embed close together: give each English/Spanish pair the same vector.
    enc = TableEncoder(list(dict.fromkeys(src + tgt)))
    for a, b in zip(src, tgt, strict=False):
        enc.rows[b] = enc.rows[a] + 0.1 * enc.rows[b]
    options = {} if setting in ("base", "None") else {"threads": int(setting)}
    aligner = bialign.Aligner(model=enc, progress=False, **options)
    aligner.align_documents(src[:50], tgt[:50])  # load lingua
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        aligner.align_documents(src, tgt)
        times.append(time.perf_counter() - t0)
    return {"seconds": min(times), "all": times}


def run_child(setting: str, size: int, data: Path, repeats: int, base: Path | None) -> dict:
    cmd = [sys.executable, __file__, "--child", setting, "--size", str(size)]
    cmd += ["--data", str(data), "--repeats", str(repeats)]
    env = dict(os.environ)
    if setting == "base" and base is not None:
        env["PYTHONPATH"] = str(base)
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--size", type=int, default=10_000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--base", type=Path, default=None, help="another checkout to compare")
    p.add_argument("--child", default=None, help="internal: run one setting")
    args = p.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.size, args.data, args.repeats)))
        return
    results: dict[str, dict[str, dict]] = {}
    for busy in (False, True):
        hog = subprocess.Popen([sys.executable, "-c", "while 1: pass"]) if busy else None
        try:
            for s in (("base",) if args.base else ()) + SETTINGS:
                r = run_child(s, args.size, args.data, args.repeats, args.base)
                results.setdefault(s, {})["busy" if busy else "alone"] = r
                print(s, "busy" if busy else "alone", r, flush=True)
        finally:
            if hog is not None:
                hog.kill()
                hog.wait()
    rows = [
        [f"threads={s}" if s != "base" else f"before ({args.base.name})", r["alone"]["seconds"],
         r["busy"]["seconds"], r["busy"]["seconds"] / r["alone"]["seconds"]]
        for s, r in results.items()
    ]  # fmt: skip
    table = fmt_table(["setting", "alone s", "one busy process s", "slowdown"], rows)
    notes = (
        f"Two documents of {args.size:,} segments (benchmarks/scaling.py's), "
        "`Aligner.align_documents` with instant embeddings, best of "
        f"{args.repeats}; each setting in a fresh process. threads=None is the default."
    )
    if args.no_write:
        print(table)
    else:
        write_results("threads", "Alignment next to a busy process", results, table, notes)


if __name__ == "__main__":
    main()
