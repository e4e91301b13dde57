"""Bead-level precision, recall and F1 against a gold alignment.

The metric of Sennrich & Volk (2011) as Vecalign and Bertalign report it on Text+Berg,
pooled over documents: precision counts every non-empty predicted bead (1-0 and 0-1
included); recall drops every bead with an empty side from both gold and prediction.
*Strict*: a bead is right when gold has a bead with the same indices on both sides.
*Lax*: it is right when it shares at least one source index and one target index with
one gold bead (for a one-sided bead: when gold has exactly that bead).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

BeadIdx = tuple[tuple[int, ...], tuple[int, ...]]


@dataclass
class Counts:
    strict_hit: int = 0
    lax_hit: int = 0
    total: int = 0

    def add(self, other: Counts) -> None:
        self.strict_hit += other.strict_hit
        self.lax_hit += other.lax_hit
        self.total += other.total


def _normalise(beads: Iterable[Sequence[Sequence[int]]]) -> set[BeadIdx]:
    out = set()
    for src, tgt in beads:
        if src or tgt:
            out.add((tuple(src), tuple(tgt)))
    return out


def _pairs_only(beads: set[BeadIdx]) -> set[BeadIdx]:
    """The beads with both sides non-empty: recall ignores insertions and deletions."""
    return {b for b in beads if b[0] and b[1]}


def _count(reference: set[BeadIdx], predicted: set[BeadIdx]) -> Counts:
    """How many predicted beads match a reference bead, strictly and laxly."""
    by_src: dict[int, list[BeadIdx]] = defaultdict(list)
    for bead in reference:
        for i in bead[0]:
            by_src[i].append(bead)
    c = Counts(total=len(predicted))
    for bead in predicted:
        if bead in reference:
            c.strict_hit += 1
            c.lax_hit += 1
            continue
        src, tgt = bead
        if not src or not tgt:
            continue
        gold_tgt = {j for i in src for g in by_src.get(i, []) for j in g[1]}
        if gold_tgt.intersection(tgt):
            c.lax_hit += 1
    return c


@dataclass(frozen=True)
class Score:
    strict_p: float
    strict_r: float
    strict_f1: float
    lax_p: float
    lax_r: float
    lax_f1: float

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 4) for k, v in self.__dict__.items()}


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score_alignments(
    gold_docs: Sequence[Iterable[Sequence[Sequence[int]]]],
    test_docs: Sequence[Iterable[Sequence[Sequence[int]]]],
) -> Score:
    """Pooled strict and lax precision, recall and F1 over several documents."""
    if len(gold_docs) != len(test_docs):
        raise ValueError(f"{len(gold_docs)} gold documents but {len(test_docs)} predicted")
    p = Counts()
    r = Counts()
    for gold_raw, test_raw in zip(gold_docs, test_docs, strict=True):
        gold = _normalise(gold_raw)
        test = _normalise(test_raw)
        p.add(_count(gold, test))
        r.add(_count(_pairs_only(test), _pairs_only(gold)))
    sp = p.strict_hit / p.total if p.total else 0.0
    lp = p.lax_hit / p.total if p.total else 0.0
    sr = r.strict_hit / r.total if r.total else 0.0
    lr = r.lax_hit / r.total if r.total else 0.0
    return Score(sp, sr, _f1(sp, sr), lp, lr, _f1(lp, lr))


def read_gold(path: str) -> list[BeadIdx]:
    """A gold file with one bead per line, ``[6, 7]:[9, 10]`` or ``[]:[51]``."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            src, tgt = line.split(":")
            out.append((tuple(ast.literal_eval(src)), tuple(ast.literal_eval(tgt))))
    return out
