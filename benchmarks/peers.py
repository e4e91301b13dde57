"""The peers, run on the same embeddings: Vecalign's DP (sentalign) and Gale-Church."""

from __future__ import annotations

from collections.abc import Sequence

Beads = list[tuple[tuple[int, ...], tuple[int, ...]]]


def vecalign(src: Sequence[str], tgt: Sequence[str], encoder: object) -> Beads:
    import sentalign

    if not src or not tgt:
        return [((i,), ()) for i in range(len(src))] + [((), (j,)) for j in range(len(tgt))]
    res = sentalign.sentalign(list(src), list(tgt), encoder)
    return [(tuple(a.src_indices), tuple(a.tgt_indices)) for a in res.alignments]


def galechurch(src: Sequence[str], tgt: Sequence[str]) -> Beads:
    import galechurch as gc

    if not src or not tgt:
        return [((i,), ()) for i in range(len(src))] + [((), (j,)) for j in range(len(tgt))]
    block = gc.align(list(src), list(tgt))
    return [
        (tuple(range(b.source_start, b.source_end)), tuple(range(b.target_start, b.target_end)))
        for b in block.beads
    ]
