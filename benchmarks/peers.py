"""The peers, run on the same embeddings: Vecalign's DP (sentalign), Bertalign's score
(bertalign_dp) and Gale-Church."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bertalign_dp import bertalign_dp
from common import Timer

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


#: Table names of the peers, in table order.
VECALIGN = "vecalign (sentalign)"
BERTALIGN = "Bertalign's score (reimpl., full DP)"
GALECHURCH = "gale-church"


def run_peers(
    pairs: Sequence[tuple[Sequence[str], Sequence[str]]], encoder: object
) -> dict[str, tuple[list[Beads], float]]:
    """Every peer on the (source, target) document pairs with the same encoder: its beads
    per document and its seconds, by table name."""
    runs: dict[str, Callable[[Sequence[str], Sequence[str]], Beads]] = {
        VECALIGN: lambda src, tgt: vecalign(src, tgt, encoder),
        BERTALIGN: lambda src, tgt: bertalign_dp(src, tgt, encoder),
        GALECHURCH: galechurch,
    }
    out = {}
    for name, run in runs.items():
        with Timer() as timer:
            pred = [run(src, tgt) for src, tgt in pairs]
        out[name] = (pred, timer.seconds)
    return out
