"""The gold data sets confidence is fitted and measured on, and encoders with a disk cache.

Dev (fitting only): Text+Berg ``dev``; newstest2010 documents as docs_enes.py builds its
dev split (seed 99); mixed pages built as mixed_enes.py does, from newstest2010
documents (seed 13, foreign lines from newstest2009); the even-numbered documents of
python_docs_es; the dev mixed pages of hard_enes.py and foreign_lines.py (WMT,
python_docs_es and FLORES documents with the error classes of unseen pages). Test
(measured once): Text+Berg ``test0..6``; newstest2011 documents (docs_enes.py's test
split, seed 7); mixed pages exactly as mixed_enes.py builds them (newstest2011, 30
documents, seed 13); the odd-numbered python_docs_es documents; the test pages of
hard_enes.py and foreign_lines.py. Those two split by source document on their own, so
each keeps only the documents clear of the other sets' other split (``_apart``).
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import docs_enes  # noqa: E402
import mixed_enes  # noqa: E402
from common import HERE, Timer  # noqa: E402
from sgm import load_docs  # noqa: E402

from bialign.calibrate import Example  # noqa: E402
from bialign.evaluate import read_gold  # noqa: E402

CACHE = HERE / ".cache"

GoldBead = tuple[tuple[int, ...], tuple[int, ...]]


@dataclass
class Case:
    """One gold document: two documents (``tgt`` set) or one mixed page (``tgt`` None)."""

    source: str
    src: list[str]
    tgt: list[str] | None
    gold: set[GoldBead]
    langs: tuple[str, str] = ("en", "es")


class DiskEncoder:
    """An encoder whose vectors are cached in memory and on disk (benchmarks/.cache), so a
    rerun embeds nothing twice; ``name`` is the inner encoder's, so profiles resolve."""

    def __init__(self, model: str) -> None:
        from bialign.embed import load_embedder

        self.inner = load_embedder(model)
        self.name = str(getattr(self.inner, "name", model))
        self.path = CACHE / f"{self.name}.npz"
        self.cache: dict[str, np.ndarray] = {}
        self.timer = Timer()
        self.dirty = False
        self.saved_at = 0.0
        if self.path.exists():
            z = np.load(self.path, allow_pickle=False)
            keys = json.loads(str(z["keys"]))
            self.cache = dict(zip(keys, z["vecs"], strict=True))

    def encode(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self.cache))
        if missing:
            with self.timer:
                vecs = self.inner.encode(missing)
            self.cache.update(zip(missing, np.asarray(vecs, dtype=np.float32), strict=True))
            self.dirty = True
            if self.timer.seconds - self.saved_at > 120:  # a slow encoder: keep what it did
                self.save()
                self.saved_at = self.timer.seconds
        if not texts:
            dim = len(next(iter(self.cache.values()))) if self.cache else 1
            return np.zeros((0, dim), dtype=np.float32)
        return np.stack([self.cache[t] for t in texts])

    def save(self) -> None:
        if not self.dirty:
            return
        CACHE.mkdir(exist_ok=True)
        keys = list(self.cache)
        vecs = np.stack([self.cache[k] for k in keys])
        np.savez(self.path, keys=json.dumps(keys), vecs=vecs)
        self.dirty = False


class ConcatEncoder:
    """Both encoders' L2-normalised vectors side by side, the first weighted ``weight``
    and the second ``1 - weight`` (see ../shared/notes/measurements.md)."""

    def __init__(self, first: DiskEncoder, second: DiskEncoder, weight: float, name: str) -> None:
        self.first, self.second, self.weight, self.name = first, second, weight, name

    def encode(self, texts: list[str]) -> np.ndarray:
        a = _unit(self.first.encode(texts))
        b = _unit(self.second.encode(texts))
        return np.concatenate([np.sqrt(self.weight) * a, np.sqrt(1 - self.weight) * b], axis=1)

    def save(self) -> None:
        self.first.save()
        self.second.save()


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def textberg(data: Path, split: str) -> list[Case]:
    d = data / "textberg_defr"
    names = ["dev"] if split == "dev" else [f"test{k}" for k in range(7)]
    out = []
    for name in names:
        de = (d / f"{name}.de").read_text(encoding="utf-8").splitlines()
        fr = (d / f"{name}.fr").read_text(encoding="utf-8").splitlines()
        gold = {(tuple(s), tuple(t)) for s, t in read_gold(str(d / f"{name}.defr"))}
        out.append(Case("textberg", de, fr, gold, ("de", "fr")))
    return out


def news_docs(data: Path, split: str) -> list[Case]:
    year, seed = ("newstest2010", 99) if split == "dev" else ("newstest2011", 7)
    rng = random.Random(seed)
    other = "newstest2009"
    pool = [pair for d in load_docs(data, other) for para in d for pair in para]
    foreign_en = [e for e, _ in pool]
    foreign_es = [s for _, s in pool]
    out = []
    for doc in load_docs(data, year):
        src, tgt, gold = docs_enes.build(doc, rng, foreign_en, foreign_es)
        out.append(Case("news_docs", src, tgt, set(gold)))
    return out


def mixed(data: Path, split: str) -> list[Case]:
    year, foreign_year, n_docs = (
        ("newstest2010", "newstest2009", 60)
        if split == "dev"
        else ("newstest2011", "newstest2010", 30)
    )
    rng = random.Random(13)
    docs = [d for d in load_docs(data, year) if 4 <= sum(len(p) for p in d) <= 40][:n_docs]
    all_es = [es for d in load_docs(data, foreign_year) for p in d for _, es in p]
    out = []
    for k, doc in enumerate(docs):
        layout = mixed_enes.LAYOUTS[k % len(mixed_enes.LAYOUTS)]
        texts, _, gold = mixed_enes.build(doc, layout, rng, rng.choice(all_es))
        out.append(Case("mixed", texts, None, {((e,), (s,)) for e, s in gold}))
    return out


def python_docs(data: Path, split: str) -> list[Case]:
    docs: dict[str, list[tuple[int, str, str]]] = {}
    for f in sorted((data / "python_docs_es").glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            if r["en"].strip() and r["es"].strip():
                docs.setdefault(r["doc"], []).append((r["idx"], r["en"], r["es"]))
    names = sorted(docs)
    chosen = names[0::2] if split == "dev" else names[1::2]
    out = []
    for name in chosen:
        rows = sorted(docs[name])
        en = [" ".join(e.split()) for _, e, _ in rows]
        es = [" ".join(s.split()) for _, _, s in rows]
        out.append(Case("python_docs", en, es, {((k,), (k,)) for k in range(len(rows))}))
    return out


def _apart(data: Path, split: str) -> Callable[[str], bool]:
    """Whether a benchmarks/hard_data.py source document (by key) stays clear of the
    other sets' other split: its dev pages hold no newstest2011 document and no
    odd-numbered python_docs_es document (the test sets' sources), its test pages no
    newstest2010 or newstest2009 document (the fit's documents, and the foreign lines of
    its mixed pages and news documents) and no even-numbered python_docs_es one."""
    names = sorted({json.loads(line)["doc"] for f in (data / "python_docs_es").glob("*.jsonl")
                    for line in f.read_text(encoding="utf-8").splitlines()})  # fmt: skip
    if split == "dev":
        held = {f"pydocs/{n}" for n in names[1::2]}
        years = ("wmt/newstest2011/",)
    else:
        held = {f"pydocs/{n}" for n in names[0::2]}
        years = ("wmt/newstest2010/", "wmt/newstest2009/")
    return lambda key: key not in held and not key.startswith(years)


def hard_mixed(data: Path, split: str) -> list[Case]:
    """benchmarks/hard_enes.py's mixed pages (translator splits, short lines, numbers,
    names), from documents clear of the other sets' other split."""
    import hard_data
    from hard_enes import MIXED_DOCS

    return [
        Case("hard_mixed", c.texts, None, set(c.gold))
        for c in hard_data.mixed_cases(data, split, 15, MIXED_DOCS, _apart(data, split))
    ]


def foreign_lines(data: Path, split: str) -> list[Case]:
    """benchmarks/foreign_lines.py's pages (untranslated paragraphs beside another
    article's), from documents clear of the other sets' other split."""
    import foreign_lines as fl

    return [Case("foreign_lines", lines, None, gold)
            for _, lines, gold in fl.pages(data, split, _apart(data, split))]  # fmt: skip


SETS = {"textberg": textberg, "news_docs": news_docs, "mixed": mixed, "python_docs": python_docs,
        "hard_mixed": hard_mixed, "foreign_lines": foreign_lines}  # fmt: skip


def cases(data: Path, split: str, sets: list[str] | None = None) -> list[Case]:
    return [c for name in (sets or list(SETS)) for c in SETS[name](data, split)]


def align_cases(items: list[Case], encoder: object, profile: object) -> list[Example]:
    """Each case aligned by bialign with ``encoder`` and ``profile``, with its gold."""
    import bialign

    aligners: dict[tuple[str, str], bialign.Aligner] = {}
    out = []
    for c in items:
        if c.langs not in aligners:
            aligners[c.langs] = bialign.Aligner(
                langs=c.langs,
                model=encoder,
                profile=profile,
                progress=False,  # type: ignore[arg-type]
            )
        a = aligners[c.langs]
        corpus = a.align(c.src) if c.tgt is None else a.align_documents(c.src, c.tgt)
        out.append(Example(corpus, c.gold, c.source))
    return out
