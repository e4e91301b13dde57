"""Time and memory against document length: 1k, 10k and 100k segments per side.

    python benchmarks/scaling.py [--data ../shared/data] [--sizes 1000 10000 100000]

Each document pair is built by concatenating real English/Spanish documents (WMT
newstest 2008-2011, FLORES-200 devtest, Tatoeba), shuffled with a fixed seed and repeated
where a size needs more than the ~12,000 distinct pairs there are (repeats are thousands
of segments apart). 3% of the segments are deleted from each side, so the gold is 1-1
beads with gaps. Every measurement runs in a fresh child process, so peak memory (max RSS)
is that stage's own: embedding (the default encoder over the unique texts), alignment
alone (``align_embeddings`` on given embeddings), end to end (``align_documents``), and
the peers on the same embeddings: Vecalign's DP (sentalign, which also embeds runs of up
to 4 consecutive sentences on each side, served from the same cache) and Gale-Church.
A peer that runs past ``--peer-timeout`` seconds at a size is reported as such.
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from common import fmt_table, parser, write_results  # noqa: E402
from sgm import load_docs  # noqa: E402

SEED = 5


def real_pairs(data: Path) -> list[list[tuple[str, str]]]:
    """Real documents as lists of (english, spanish) segment pairs."""
    docs = []
    for year in ("news-test2008", "newstest2009", "newstest2010", "newstest2011"):
        for doc in load_docs(data, year):
            docs.append([pair for para in doc for pair in para])
    flores = data / "flores200_devtest"
    en = (flores / "eng_Latn.devtest").read_text(encoding="utf-8").splitlines()
    es = (flores / "spa_Latn.devtest").read_text(encoding="utf-8").splitlines()
    docs += [list(zip(en[k : k + 20], es[k : k + 20], strict=True)) for k in range(0, len(en), 20)]
    tat = data / "tatoeba_spa_eng"
    en = (tat / "tatoeba.spa-eng.eng").read_text(encoding="utf-8").splitlines()
    es = (tat / "tatoeba.spa-eng.spa").read_text(encoding="utf-8").splitlines()
    docs += [list(zip(en[k : k + 20], es[k : k + 20], strict=True)) for k in range(0, len(en), 20)]
    return docs


def build(data: Path, size: int) -> tuple[list[str], list[str], set[tuple[int, int]]]:
    rng = random.Random(SEED)
    docs = real_pairs(data)
    pairs: list[tuple[str, str]] = []
    while len(pairs) < size:
        order = list(range(len(docs)))
        rng.shuffle(order)
        for k in order:
            pairs.extend(docs[k])
    pairs = pairs[:size]
    src, tgt, gold = [], [], set()
    for en, es in pairs:
        keep_s, keep_t = rng.random() >= 0.03, rng.random() >= 0.03
        if keep_s and keep_t:
            gold.add((len(src), len(tgt)))
        if keep_s:
            src.append(en)
        if keep_t:
            tgt.append(es)
    return src, tgt, gold


def f1(gold: set[tuple[int, int]], beads: list) -> float:
    pred = {(s[0], t[0]) for s, t, *_ in beads if len(s) == 1 and len(t) == 1}
    n_pred = sum(1 for s, t, *_ in beads if s and t)
    tp = len(pred & gold)
    p, r = tp / max(1, n_pred), tp / max(1, len(gold))
    return 2 * p * r / (p + r) if p + r else 0.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- child processes: one measurement each ----------------------------------------------


def child(stage: str, work: Path, size: int, data: Path) -> dict:
    src, tgt, gold = build(data, size)
    out: dict = {}
    if stage == "embed":
        from bialign.embed import load_embedder

        enc = load_embedder(None)
        enc.encode(["warm up"])
        unique = list(dict.fromkeys(src + tgt))
        rss0 = peak_mb()
        t0 = time.perf_counter()
        vecs = enc.encode(unique)
        out["seconds"] = time.perf_counter() - t0
        out["texts"] = len(unique)
        out["rate"] = len(unique) / out["seconds"]
        out["peak_mb"], out["delta_mb"] = peak_mb(), peak_mb() - rss0
        index = {t: k for k, t in enumerate(unique)}
        np.save(work / "vecs.npy", vecs)
        (work / "index.json").write_text(json.dumps(index))
        return out
    vecs = np.load(work / "vecs.npy")
    index = json.loads((work / "index.json").read_text())
    es_ = vecs[[index[t] for t in src]]
    et_ = vecs[[index[t] for t in tgt]]
    if stage == "align":
        from bialign.search import align_embeddings

        sl = np.array([len(t) for t in src], dtype=np.float64)
        tl = np.array([len(t) for t in tgt], dtype=np.float64)
        rss0 = peak_mb()
        t0 = time.perf_counter()
        beads = align_embeddings(es_, et_, sl, tl)
        out["seconds"] = time.perf_counter() - t0
        out["peak_mb"], out["delta_mb"] = peak_mb(), peak_mb() - rss0
        out["f1"] = f1(gold, beads)
    elif stage == "e2e":
        import bialign

        aligner = bialign.Aligner(progress=False)
        aligner.align_documents(["The house is red."], ["La casa es roja."])  # load models
        t0 = time.perf_counter()
        corpus = aligner.align_documents(src, tgt)
        out["seconds"] = time.perf_counter() - t0
        out["timings"] = corpus.timings
        out["peak_mb"] = peak_mb()
        out["f1"] = f1(gold, [(b.src, b.tgt) for b in corpus.beads])
        out["segments_per_s"] = (len(src) + len(tgt)) / out["seconds"]
    elif stage == "vecalign":
        from common import CachedEncoder
        from peers import vecalign

        enc = CachedEncoder()
        enc.cache.update({t: vecs[k] for t, k in index.items()})
        t0 = time.perf_counter()
        beads = vecalign(src, tgt, enc)
        out["e2e_seconds"] = time.perf_counter() - t0
        out["overlap_texts_embedded"] = len(enc.cache) - len(index)
        out["overlap_embed_seconds"] = enc.timer.seconds
        out["seconds"] = out["e2e_seconds"] - enc.timer.seconds
        out["peak_mb"] = peak_mb()
        out["f1"] = f1(gold, beads)
    elif stage == "galechurch":
        from peers import galechurch

        t0 = time.perf_counter()
        beads = galechurch(src, tgt)
        out["seconds"] = time.perf_counter() - t0
        out["peak_mb"] = peak_mb()
        out["f1"] = f1(gold, beads)
    return out


def run_child(stage: str, work: Path, size: int, data: Path, timeout: float) -> dict:
    cmd = [sys.executable, __file__, "--child", stage, "--work", str(work)]
    cmd += ["--size", str(size), "--data", str(data)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return {"timeout": timeout}
    except subprocess.CalledProcessError as exc:
        return {"error": exc.stderr.strip().splitlines()[-1:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    p.add_argument("--peer-timeout", type=float, default=1200.0)
    p.add_argument(
        "--peer-max-size", type=int, default=10_000, help="run the peers up to this size"
    )
    p.add_argument("--child", default=None, help="internal: run one measurement")
    p.add_argument("--work", type=Path, default=None, help="internal")
    p.add_argument("--size", type=int, default=0, help="internal")
    args = p.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.work, args.size, args.data)))
        return
    results: dict[str, dict] = {}
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            row = {"embed": run_child("embed", work, size, args.data, 3600)}
            for stage in ("align", "e2e"):
                row[stage] = run_child(stage, work, size, args.data, 3600)
            for stage in ("vecalign", "galechurch"):
                row[stage] = (
                    run_child(stage, work, size, args.data, args.peer_timeout)
                    if size <= args.peer_max_size
                    else {"skipped": f"size above --peer-max-size {args.peer_max_size}"}
                )
        results[str(size)] = row
        print(size, json.dumps(row), flush=True)

    def cell(r: dict, key: str = "seconds", fmt: str = "{:.2f}") -> str:
        if "timeout" in r:
            return f"> {r['timeout']:.0f} s"
        if "error" in r:
            return "error"
        if "skipped" in r:
            return "not run"
        return fmt.format(r[key])

    headers = ["segments/side", "embed s (unique texts)", "align s", "align MB", "align F1",
               "e2e s", "e2e F1", "vecalign s", "vecalign F1", "gale-church s",
               "gale-church F1", "vecalign/bialign: align", "vecalign/bialign: e2e",
               "bialign e2e / raw encode"]  # fmt: skip
    rows = []
    for size, r in results.items():
        va, al, e2e, emb = r["vecalign"], r["align"], r["e2e"], r["embed"]
        ratio = f"{va['seconds'] / al['seconds']:.0f}x" if "seconds" in va else "-"
        # Vecalign end to end: the same sentence embeddings, plus its overlap embeddings.
        ratio_e2e = (
            f"{(va['e2e_seconds'] + emb['seconds']) / e2e['seconds']:.0f}x"
            if "e2e_seconds" in va
            else "-"
        )
        rows.append([
            size, f"{emb['seconds']:.1f} ({emb['texts']})", cell(al),
            cell(al, "delta_mb", "{:.0f}"), cell(al, "f1", "{:.3f}"), cell(e2e),
            cell(e2e, "f1", "{:.3f}"), cell(va), cell(va, "f1", "{:.3f}"),
            cell(r["galechurch"]), cell(r["galechurch"], "f1", "{:.3f}"), ratio, ratio_e2e,
            f"{e2e['seconds'] / emb['seconds']:.2f}",
        ])  # fmt: skip
    sizes = [int(s) for s in results]
    times = [results[str(s)]["align"].get("seconds", float("nan")) for s in sizes]
    slope = (
        float(np.polyfit(np.log(sizes), np.log(times), 1)[0]) if len(sizes) > 1 else float("nan")
    )
    table = fmt_table(headers, rows)
    first = results[str(sizes[0])]
    notes = (
        f"Alignment time grows as size^{slope:.2f} (log-log fit over {sizes}). 'align MB' is "
        "the rise of the child process's peak RSS during alignment, the given embeddings "
        "(float32, 512-d) not counted. 'embed s' is the default encoder over each size's "
        "unique texts (repeated documents are embedded once). 'e2e' is align_documents on "
        "the raw texts: language identification, embedding with deduplication, alignment. "
        "vecalign s is its alignment with every embedding served from the cache; it also "
        "embeds overlaps (runs of up to 4 sentences): "
        + ", ".join(
            f"{s}: {results[str(s)]['vecalign'].get('overlap_texts_embedded', '-')} texts in "
            f"{results[str(s)]['vecalign'].get('overlap_embed_seconds', float('nan')):.1f} s"
            for s in sizes
            if "e2e_seconds" in results[str(s)]["vecalign"]
        )
        + f". Encoder rate at {sizes[0]}: {first['embed']['rate']:.0f} texts/s. Vecalign end to "
        "end is its alignment plus its overlap embeddings plus the sentence embeddings. "
        "'bialign e2e / raw encode' divides align_documents' time by the encoder's time on "
        "the same unique texts. F1 counts 1-1 pairs against the gold 1-1 pairs (precision "
        "over every predicted pair)."
    )
    print(table)
    print(notes)
    if not args.no_write:
        write_results("scaling", "Scaling with document length", {"results": results},
                      table, notes)  # fmt: skip


if __name__ == "__main__":
    main()
