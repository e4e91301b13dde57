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


# ---------------------------------------------------------------------------------------
# Diagnostics: what kind of errors an aligner makes, and what fixing them would be worth.


@dataclass(frozen=True)
class ErrorBreakdown:
    """Wrong beads by kind, pooled over documents.

    On Text+Berg most strict errors are not wrong pairs but wrong granularity: the
    annotators kept two sentences that trade clauses as one 2-2 bead, the aligner made two
    1-1 beads. These counts say which kind limits an aligner, and the F1 columns what
    repairing all of one kind would give (with everything else unchanged).
    """

    #: Gold pair beads that the prediction cut into several beads covering exactly them.
    split: int
    #: Predicted pair beads that are exactly the union of several gold beads.
    merged: int
    #: Every other wrong predicted bead (shifted boundaries, wrong pairs, a segment left
    #: unaligned or aligned against gold that is not part of a split).
    other: int
    strict_f1: float
    f1_without_split: float
    f1_without_merged: float

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in self.__dict__.items()}


def _by_segment(beads: set[BeadIdx]) -> tuple[dict[int, BeadIdx], dict[int, BeadIdx]]:
    """Which bead holds each source index and each target index (the beads of one
    alignment never share a segment)."""
    return (
        {i: b for b in beads for i in b[0]},
        {j: b for b in beads for j in b[1]},
    )


def _covering(
    part: BeadIdx, pieces: tuple[dict[int, BeadIdx], dict[int, BeadIdx]]
) -> set[BeadIdx] | None:
    """The beads of ``pieces`` (as indexed by :func:`_by_segment`) that touch ``part``, if
    there are several and together they hold exactly its segments; else None."""
    src, tgt = set(part[0]), set(part[1])
    by_src, by_tgt = pieces
    touching = {by_src[i] for i in src if i in by_src} | {by_tgt[j] for j in tgt if j in by_tgt}
    if len(touching) < 2:
        return None
    if {i for p in touching for i in p[0]} != src or {j for p in touching for j in p[1]} != tgt:
        return None
    return touching


def error_breakdown(
    gold_docs: Sequence[Iterable[Sequence[Sequence[int]]]],
    test_docs: Sequence[Iterable[Sequence[Sequence[int]]]],
) -> ErrorBreakdown:
    """Classify every wrong predicted bead as part of a split gold bead, a merge of gold
    beads, or other; and score the predictions with all splits (or all merges) repaired."""
    if len(gold_docs) != len(test_docs):
        raise ValueError(f"{len(gold_docs)} gold documents but {len(test_docs)} predicted")
    split = merged = other = 0
    unsplit: list[set[BeadIdx]] = []
    unmerged: list[set[BeadIdx]] = []
    golds: list[set[BeadIdx]] = []
    tests: list[set[BeadIdx]] = []
    for gold_raw, test_raw in zip(gold_docs, test_docs, strict=True):
        gold, test = _normalise(gold_raw), _normalise(test_raw)
        wrong = test - gold
        wrong_index, gold_index = _by_segment(wrong), _by_segment(gold)
        split_parts: set[BeadIdx] = set()
        split_gold: set[BeadIdx] = set()
        for g in _pairs_only(gold - test):
            parts = _covering(g, wrong_index)
            if parts is not None:
                split_parts |= parts
                split_gold.add(g)
        merge_beads: set[BeadIdx] = set()
        merge_gold: set[BeadIdx] = set()
        for p in _pairs_only(wrong):
            parts = _covering(p, gold_index)
            if parts is not None:
                merge_beads.add(p)
                merge_gold |= parts
        split += len(split_gold)
        merged += len(merge_beads)
        other += len(wrong - split_parts - merge_beads)
        unsplit.append((test - split_parts) | split_gold)
        unmerged.append((test - merge_beads) | merge_gold)
        golds.append(gold)
        tests.append(test)
    return ErrorBreakdown(
        split=split,
        merged=merged,
        other=other,
        strict_f1=score_alignments(golds, tests).strict_f1,
        f1_without_split=score_alignments(golds, unsplit).strict_f1,
        f1_without_merged=score_alignments(golds, unmerged).strict_f1,
    )


def oracle_choice(
    gold_docs: Sequence[Iterable[Sequence[Sequence[int]]]],
    first_docs: Sequence[Sequence[Sequence[Sequence[int]]]],
    second_docs: Sequence[Sequence[Sequence[Sequence[int]]]],
) -> Score:
    """The score of a referee that knows the gold and, between every two points where both
    alignments have a bead boundary, keeps the one with more right beads (fewer wrong ones
    on a tie). An upper bound on any combination of the two aligners' beads.

    Both alignments must be monotonic partitions listed in order (as every aligner here
    returns them), so that their common boundaries cut both into the same regions.
    """
    chosen = []
    for gold_raw, first, second in zip(gold_docs, first_docs, second_docs, strict=True):
        gold = _normalise(gold_raw)
        a = [(tuple(s), tuple(t)) for s, t in first]
        b = [(tuple(s), tuple(t)) for s, t in second]
        common = _boundaries(a) & _boundaries(b)
        out: list[BeadIdx] = []
        for ra, rb in zip(_regions(a, common), _regions(b, common), strict=True):
            right_a, right_b = sum(x in gold for x in ra), sum(x in gold for x in rb)
            keep_a = right_a > right_b or (right_a == right_b and len(ra) <= len(rb))
            out += ra if keep_a else rb
        chosen.append(out)
    return score_alignments(gold_docs, chosen)


def _boundaries(beads: list[BeadIdx]) -> set[tuple[int, int]]:
    out = {(0, 0)}
    i = j = 0
    for src, tgt in beads:
        i, j = i + len(src), j + len(tgt)
        out.add((i, j))
    return out


def _regions(beads: list[BeadIdx], cuts: set[tuple[int, int]]) -> list[list[BeadIdx]]:
    regions: list[list[BeadIdx]] = [[]]
    i = j = 0
    for src, tgt in beads:
        regions[-1].append((src, tgt))
        i, j = i + len(src), j + len(tgt)
        if (i, j) in cuts:
            regions.append([])
    return regions
