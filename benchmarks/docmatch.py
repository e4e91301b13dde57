"""Document matching: which English page translates which Spanish page.

    python benchmarks/docmatch.py [--data ../shared/data] [--split dev|test] [--sizes ...]

Collections are built from three sources of real translated documents: WMT newstest
documents (news), python_docs_es pages (technical documentation, cut into pages of 25
paragraphs) and FLORES-200 devtest articles (Wikinews/Wikivoyage/Wikibooks, grouped by
URL). dev: newstest2008 and newstest2009, the tutorial pages, the first half of FLORES's
articles; test: newstest2010 and newstest2011, the howto and faq pages, the second half.
In each collection, with a fixed seed:

- 20% of the document pairs lose one side (half the English, half the Spanish), so those
  documents have no partner;
- 10% of the English documents get a near-duplicate distractor (the same story with a
  third of its paragraphs replaced by paragraphs of another document), which has no
  partner either and must not take the original's;
- both sides are shuffled, and nothing but the text is given.

Precision is over predicted matches, recall over the gold pairs that kept both sides.
Time is bialign.match_documents without embedding (the default encoder, cached on disk
under benchmarks/.cache), and with the encoding of each distinct segment once.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from common import fmt_table, parser, write_results  # noqa: E402
from sgm import load_docs  # noqa: E402

from bialign.docmatch import match_documents  # noqa: E402

CACHE = Path(__file__).resolve().parent / ".cache"
SEED = 23
Doc = list[list[tuple[str, str]]]  # paragraphs of (english, spanish) segments

SPLITS = {
    "dev": {"wmt": ("news-test2008", "newstest2009"), "python": ("tutorial",), "flores": 0},
    "test": {"wmt": ("newstest2010", "newstest2011"), "python": ("howto", "faq"), "flores": 1},
}


def source_documents(data: Path, split: str) -> dict[str, list[Doc]]:
    spec = SPLITS[split]
    out: dict[str, list[Doc]] = {}
    out["wmt"] = [d for year in spec["wmt"] for d in load_docs(data, year)]
    pages: list[Doc] = []
    for part in spec["python"]:
        by_doc: dict[str, list[tuple[str, str]]] = defaultdict(list)
        with open(data / "python_docs_es" / f"{part}.jsonl", encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                if row["en"].strip() and row["es"].strip():
                    by_doc[row["doc"]].append((row["en"].strip(), row["es"].strip()))
        for paras in by_doc.values():
            for k in range(0, len(paras), 25):
                chunk = paras[k : k + 25]
                if len(chunk) >= 3:
                    pages.append([[p] for p in chunk])
    out["python"] = pages
    flores = data / "flores200_devtest"
    en = (flores / "eng_Latn.devtest").read_text(encoding="utf-8").splitlines()
    es = (flores / "spa_Latn.devtest").read_text(encoding="utf-8").splitlines()
    urls = [line.split("\t")[0] for line in (flores / "metadata_devtest.tsv").read_text(
        encoding="utf-8").splitlines()[1:]]  # fmt: skip
    articles: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for url, a, b in zip(urls, en, es, strict=True):
        articles[url].append((a, b))
    ordered = sorted(articles)
    half = ordered[: len(ordered) // 2] if spec["flores"] == 0 else ordered[len(ordered) // 2 :]
    out["flores"] = [[[p] for p in articles[u]] for u in half]
    return out


def text_of(doc: Doc, side: int) -> str:
    return "\n".join(seg[side] for para in doc for seg in para)


def build(docs: list[Doc], rng: random.Random) -> tuple[list[str], list[str], set[tuple[int, int]]]:
    """English and Spanish collections (shuffled) and the gold (en index, es index)."""
    en: list[tuple[str, int | None]] = []  # text, gold pair id
    es: list[tuple[str, int | None]] = []
    for k, doc in enumerate(docs):
        r = rng.random()
        if r < 0.1:
            es.append((text_of(doc, 1), None))  # the English side is missing
        elif r < 0.2:
            en.append((text_of(doc, 0), None))  # the Spanish side is missing
        else:
            en.append((text_of(doc, 0), k))
            es.append((text_of(doc, 1), k))
        if rng.random() < 0.1 and len(doc) >= 3:  # a near-duplicate English distractor
            other = docs[rng.randrange(len(docs))]
            paras = [list(p) for p in doc]
            for m in rng.sample(range(len(paras)), max(1, len(paras) // 3)):
                paras[m] = other[rng.randrange(len(other))]
            en.append((text_of(paras, 0), None))
    rng.shuffle(en)
    rng.shuffle(es)
    where = {gid: j for j, (_, gid) in enumerate(es) if gid is not None}
    gold = {(i, where[gid]) for i, (_, gid) in enumerate(en) if gid is not None}
    return [t for t, _ in en], [t for t, _ in es], gold


class DiskCachedEncoder:
    """The default encoder with its vectors kept on disk between runs (and timed)."""

    def __init__(self, name: str) -> None:
        from bialign.embed import USEEmbedder

        self.inner = USEEmbedder()
        self.path = CACHE / f"docmatch-{name}.npz"
        self.cache: dict[str, np.ndarray] = {}
        if self.path.exists():
            z = np.load(self.path, allow_pickle=False)
            self.cache = dict(zip(z["texts"].tolist(), z["vectors"], strict=True))
        self.seconds = 0.0
        self.encoded = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if missing:
            t0 = time.perf_counter()
            for t, v in zip(missing, self.inner.encode(missing), strict=True):
                self.cache[t] = v
            self.seconds += time.perf_counter() - t0
            self.encoded += len(missing)
        return np.stack([self.cache[t] for t in texts])

    def save(self) -> None:
        CACHE.mkdir(exist_ok=True)
        texts = list(self.cache)
        np.savez(self.path, texts=np.array(texts), vectors=np.stack([self.cache[t] for t in texts]))


def score(pred: list, gold: set[tuple[int, int]]) -> tuple[float, float, int]:
    got = {(m.src, m.tgt) for m in pred}
    tp = len(got & gold)
    return tp / max(1, len(got)), tp / max(1, len(gold)), len(got)


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--split", choices=("dev", "test"), default="dev")
    p.add_argument("--sizes", type=int, nargs="*", default=[100, 300])
    args = p.parse_args()
    rng = random.Random(SEED)
    sources = source_documents(args.data, args.split)
    encoder = DiskCachedEncoder(args.split)
    rows, numbers = [], {}
    collections = {name: docs for name, docs in sources.items()}
    collections["all"] = [d for docs in sources.values() for d in docs]
    for name, docs in collections.items():
        en, es, gold = build(docs, random.Random(f"{SEED}-{name}"))
        t0 = time.perf_counter()
        enc0 = encoder.seconds
        pred = match_documents(en, es, model=encoder)
        total = time.perf_counter() - t0
        enc = encoder.seconds - enc0
        prec, rec, n = score(pred, gold)
        rows.append([name, len(en), len(es), len(gold), n, prec, rec, total - enc])
        numbers[name] = {"en_docs": len(en), "es_docs": len(es), "gold": len(gold),
                         "predicted": n, "precision": prec, "recall": rec,
                         "seconds_without_encoding": total - enc}  # fmt: skip
    growth = []
    pool = collections["all"]
    for size in args.sizes:
        docs = rng.sample(pool, min(size, len(pool)))
        en, es, gold = build(docs, random.Random(f"{SEED}-{size}"))
        t0 = time.perf_counter()
        enc0 = encoder.seconds
        pred = match_documents(en, es, model=encoder)
        sec = time.perf_counter() - t0 - (encoder.seconds - enc0)
        prec, rec, _ = score(pred, gold)
        growth.append([len(docs), len(en), sec, sec / len(docs) * 1000, prec, rec])
    encoder.save()
    table = fmt_table(
        ["collection", "en docs", "es docs", "gold pairs", "matched", "P", "R", "s (no encoding)"],
        rows,
    )
    table += "\n\n" + fmt_table(
        ["document pairs sampled", "en docs", "s (no encoding)", "ms per pair", "P", "R"], growth
    )
    digest = hashlib.sha1(json.dumps(numbers, sort_keys=True).encode()).hexdigest()[:8]
    notes = (
        f"Split {args.split}. 20% of pairs lose a side, 10% of English documents get a "
        "near-duplicate distractor (a third of its paragraphs swapped), both sides shuffled "
        f"(seed {SEED}). Default encoder; time excludes encoding (cached). Result id {digest}."
    )
    print(table)
    if not args.no_write:
        write_results(f"docmatch_{args.split}", f"Document matching ({args.split})",
                      {"collections": numbers, "growth": growth}, table, notes)  # fmt: skip


if __name__ == "__main__":
    main()
