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
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from common import fmt_table, parser, write_results  # noqa: E402
from sgm import load_docs  # noqa: E402

from bialign.docmatch import match_documents  # noqa: E402
from bialign.urls import HINT_KINDS, url_hints  # noqa: E402

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


#: What each page of a built collection is: the source document it comes from, and
#: "pair" (its translation is on the other side), "alone" or "copy" (a near duplicate).
Meta = tuple[int, str]


def build(
    docs: list[Doc], rng: random.Random, meta: list[list[Meta]] | None = None
) -> tuple[list[str], list[str], set[tuple[int, int]]]:
    """English and Spanish collections (shuffled) and the gold (en index, es index);
    ``meta``, when given, receives the two sides' :data:`Meta`."""
    en: list[tuple[str, int | None, Meta]] = []  # text, gold pair id, meta
    es: list[tuple[str, int | None, Meta]] = []
    for k, doc in enumerate(docs):
        r = rng.random()
        if r < 0.1:
            es.append((text_of(doc, 1), None, (k, "alone")))  # the English side is missing
        elif r < 0.2:
            en.append((text_of(doc, 0), None, (k, "alone")))  # the Spanish side is missing
        else:
            en.append((text_of(doc, 0), k, (k, "pair")))
            es.append((text_of(doc, 1), k, (k, "pair")))
        if rng.random() < 0.1 and len(doc) >= 3:  # a near-duplicate English distractor
            other = docs[rng.randrange(len(docs))]
            paras = [list(p) for p in doc]
            for m in rng.sample(range(len(paras)), max(1, len(paras) // 3)):
                paras[m] = other[rng.randrange(len(other))]
            en.append((text_of(paras, 0), None, (k, "copy")))
    rng.shuffle(en)
    rng.shuffle(es)
    where = {gid: j for j, (_, gid, _) in enumerate(es) if gid is not None}
    gold = {(i, where[gid]) for i, (_, gid, _) in enumerate(en) if gid is not None}
    if meta is not None:
        meta[:] = [[x for _, _, x in en], [x for _, _, x in es]]
    return [t for t, _, _ in en], [t for t, _, _ in es], gold


#: Four ways a site addresses its two languages (a crawl mixes sites): language folders
#: with a shared id, language subdomains with translated slugs and hreflang links, a
#: lang= query parameter, and opaque addresses that say nothing.
SITE_KINDS = ("folders", "subdomains", "query", "opaque")
STALE_LINKS = 0.05  # share of hreflang links that point at another page


def _slug(text: str) -> str:
    words = re.findall(r"\w+", text.lower())[:5]
    return "-".join(words) or "page"


def addresses(
    en: list[str], es: list[str], meta: list[list[Meta]], rng: random.Random
) -> tuple[list[str], list[str], list[dict[str, str]], list[dict[str, str]]]:
    """An address for every page, and each page's hreflang links, as four sites would
    give them; a near-duplicate copy gets its original's address with an update mark
    (and keeps its links: the stale copy still names the original's translation)."""
    kind = {k: rng.choice(SITE_KINDS) for side in meta for k, _ in side}
    ident = {k: 10_000 + 37 * k for k in kind}
    year = {k: rng.choice(("2008", "2009", "2010", "2011")) for k in kind}

    def url(k: int, lang: str, text: str, copy: bool) -> str:
        site, i = f"{kind[k]}.example.org", ident[k]
        if kind[k] == "folders":
            return f"https://{site}/{lang}/{year[k]}/{i}-{_slug(text)}" + (
                "-updated" if copy else ""
            )
        if kind[k] == "subdomains":
            return f"https://{lang}.{site}/{year[k]}/{_slug(text)}" + ("-2" if copy else "")
        if kind[k] == "query":
            return f"https://{site}/article.php?id={i}&lang={lang}" + ("&rev=2" if copy else "")
        return f"https://{site}/p/{rng.getrandbits(40):010x}"

    en_urls = [url(k, "en", t, what == "copy") for t, (k, what) in zip(en, meta[0], strict=True)]
    es_urls = [url(k, "es", t, False) for t, (k, _) in zip(es, meta[1], strict=True)]
    first = {"en": {}, "es": {}}  # source doc -> the address of its (first) page
    for lang, urls, side in (("en", en_urls, meta[0]), ("es", es_urls, meta[1])):
        for u, (k, what) in zip(urls, side, strict=True):
            if what != "copy":
                first[lang][k] = u
    every = {"en": list(first["en"].values()), "es": list(first["es"].values())}

    def links(k: int, other: str) -> dict[str, str]:
        if kind[k] != "subdomains":
            return {}
        if rng.random() < STALE_LINKS:
            return {other: rng.choice(every[other])}
        # A page names where its translation is (or would be, for a page without one).
        slug = urlsplit(first["en" if other == "es" else "es"].get(k, "x/y")).path
        return {other: first[other].get(k, f"https://{other}.{kind[k]}.example.org{slug}")}

    en_links = [links(k, "es") for k, _ in meta[0]]
    es_links = [links(k, "en") for k, _ in meta[1]]
    return en_urls, es_urls, en_links, es_links


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


def near_copies_of_missing_originals(
    pred: list, gold: set[tuple[int, int]], meta: list[list[Meta]]
) -> int:
    """Matches outside the gold that pair a near-duplicate English distractor with the
    Spanish translation of the document it was copied from, whose English side is
    missing: two thirds of the copy is the original, so its sentence pairs are right."""
    return sum(
        1
        for m in pred
        if (m.src, m.tgt) not in gold
        and meta[0][m.src][1] == "copy"
        and meta[1][m.tgt] == (meta[0][m.src][0], "alone")
    )


def score(pred: list, gold: set[tuple[int, int]]) -> tuple[float, float, int]:
    got = {(m.src, m.tgt) for m in pred}
    tp = len(got & gold)
    return tp / max(1, len(got)), tp / max(1, len(gold)), len(got)


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--split", choices=("dev", "test"), default="dev")
    p.add_argument("--sizes", type=int, nargs="*", default=[100, 300])
    p.add_argument("--grid", action="store_true", help="try the hint thresholds (dev)")
    args = p.parse_args()
    rng = random.Random(SEED)
    sources = source_documents(args.data, args.split)
    encoder = DiskCachedEncoder(args.split)
    rows, numbers = [], {}
    collections = {name: docs for name, docs in sources.items()}
    collections["all"] = [d for docs in sources.values() for d in docs]
    url_rows = []
    grid: dict[tuple[float, float], list[tuple[list, set]]] = {}
    for name, docs in collections.items():
        meta: list[list[Meta]] = []
        en, es, gold = build(docs, random.Random(f"{SEED}-{name}"), meta)
        t0 = time.perf_counter()
        enc0 = encoder.seconds
        pred = match_documents(en, es, model=encoder)
        total = time.perf_counter() - t0
        enc = encoder.seconds - enc0
        prec, rec, n = score(pred, gold)
        copies = near_copies_of_missing_originals(pred, gold, meta)
        rows.append([name, len(en), len(es), len(gold), n, prec, rec, copies,
                     (n * prec + copies) / max(1, n), total - enc])  # fmt: skip
        numbers[name] = {"en_docs": len(en), "es_docs": len(es), "gold": len(gold),
                         "predicted": n, "precision": prec, "recall": rec,
                         "near_copies_of_missing_originals": copies,
                         "seconds_without_encoding": total - enc}  # fmt: skip
        # The same collection with the pages' addresses and hreflang links as evidence.
        en_urls, es_urls, en_links, es_links = addresses(
            en, es, meta, random.Random(f"{SEED}-{name}-urls")
        )
        hints = url_hints(en_urls, es_urls, src_links=en_links, tgt_links=es_links)
        kinds = Counter(hints.pairs.values())
        right = Counter(k for pair, k in hints.pairs.items() if pair in gold)
        pred_h = match_documents(en, es, model=encoder, hints=hints)
        hp, hr, hn = score(pred_h, gold)
        url_rows.append([name, len(gold), prec, rec, hp, hr,
                         ", ".join(f"{k} {right[k]}/{kinds[k]}" for k in HINT_KINDS)])  # fmt: skip
        with_urls = {"precision": hp, "recall": hr, "predicted": hn, "hints": dict(kinds),
                     "right_hints": dict(right)}  # fmt: skip
        numbers[name] |= {"with_urls": with_urls}
        if args.grid and name != "all":
            for h in (0.15, 0.3, 0.45, 0.6):
                for c in (0.6, 0.75, 0.9, 1.01):
                    got = match_documents(en, es, model=encoder, hints=hints, hinted_share=h,
                                          conflict_share=c)  # fmt: skip
                    grid.setdefault((h, c), []).append((got, gold))
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
        ["collection", "en docs", "es docs", "gold pairs", "matched", "P", "R",
         "near copy of a missing original", "P, such copies right", "s (no encoding)"],
        rows,
    )  # fmt: skip
    table += "\n\n" + fmt_table(
        ["document pairs sampled", "en docs", "s (no encoding)", "ms per pair", "P", "R"], growth
    )
    table += "\n\n" + fmt_table(
        ["collection", "gold pairs", "P", "R", "P with addresses", "R with addresses",
         "hints right/given"],
        url_rows,
    )  # fmt: skip
    if grid:
        grid_rows = []
        for (h, c), runs in sorted(grid.items()):
            tp = sum(len({(m.src, m.tgt) for m in got} & gold) for got, gold in runs)
            predicted = sum(len(got) for got, _ in runs)
            total_gold = sum(len(gold) for _, gold in runs)
            grid_rows.append([h, c, tp / max(1, predicted), tp / max(1, total_gold)])
        table += "\n\n" + fmt_table(["hinted_share", "conflict_share", "P", "R"], grid_rows)
    digest = hashlib.sha1(json.dumps(numbers, sort_keys=True).encode()).hexdigest()[:8]
    notes = (
        f"Split {args.split}. 20% of pairs lose a side, 10% of English documents get a "
        "near-duplicate distractor (a third of its paragraphs swapped), both sides shuffled "
        f"(seed {SEED}). 'Near copy of a missing original': a wrong match of a distractor "
        "with the translation of the document it copies, whose own English side is missing "
        "(two thirds of the copy is that document, so its sentence pairs are right). Default "
        f"encoder; time excludes encoding (cached). Result id {digest}."
    )
    print(table)
    if not args.no_write:
        write_results(f"docmatch_{args.split}", f"Document matching ({args.split})",
                      {"collections": numbers, "growth": growth}, table, notes)  # fmt: skip


if __name__ == "__main__":
    main()
