"""A line that a 1-2 or 2-1 bead of a mixed page took in without being part of it, let go.

Inside one mixed page a translator's split sentence is one unit (a 1-2 or 2-1 bead at no
extra cost, :data:`bialign.search.MIXED`). But a page can hold lines of the other
language with no translation right next to a pair: an untranslated paragraph, a sidebar
of another article in that language. The search then sometimes folds such a line into
its neighbour's pair ("A bitter political dispute..." against "Los que quieren pasar en
Špindlerův Mlýn..." + "Entre la izquierda..."), and the whole bead, scored near 0 by
the confidence model, is lost under any confidence floor, its true pair with it.

A member that is part of the translation adds to the bead's meaning; one that is not
dilutes it: dropping it raises the bead's cosine. On the dev mixed pages of
benchmarks/hard_enes.py no right 1-2 or 2-1 bead gained more than 0.056 from losing a
member; the three such beads of a new user's trial pages (a foreign article interleaved)
gained 0.11-0.21. A member whose removal raises the cosine by ``absorbed_gain`` (0.08
for mixed pages, :class:`bialign.search.AlignConfig`) is let go as an unaligned segment,
and the rest of the bead keeps the score the aligner gave it (as :mod:`bialign.attach`'s
extended beads keep theirs). The gain is on the default encoder's scale; for an encoder
whose cosines spread less (e5's by about a third) the same number is a stricter rule.
"""

from __future__ import annotations

import numpy as np

from .search import Bead, cosine


def release_absorbed(
    beads: list[Bead], src_emb: np.ndarray, tgt_emb: np.ndarray, min_gain: float
) -> list[Bead]:
    """The beads with each member that dilutes its 1-2 or 2-1 bead let go.

    Indices are stream positions into the embeddings, as
    :func:`bialign.search.align_embeddings` returns them; stream order is kept (a first
    member let go comes before the rest of its bead, a last one after)."""
    if not np.isfinite(min_gain):
        return beads
    out: list[Bead] = []
    for s, t, score in beads:
        found = _diluting(s, t, src_emb, tgt_emb, min_gain) if len(s) + len(t) == 3 else None
        if found is None:
            out.append((s, t, score))
            continue
        out.extend(let_go((s, t, score), *found))
    return out


def let_go(bead: Bead, side: int, member: int) -> list[Bead]:
    """``bead`` without ``member`` of ``side`` (keeping its score) and that member as an
    unaligned segment, in stream order: a first member before the rest, a last one after.
    Shared by this module and :mod:`bialign.attach`, which let members go."""
    sides = [bead[0], bead[1]]
    first = member == sides[side][0]
    sides[side] = tuple(x for x in sides[side] if x != member)
    lone: Bead = ((member,), (), 0.0) if side == 0 else ((), (member,), 0.0)
    rest: Bead = (sides[0], sides[1], bead[2])
    return [lone, rest] if first else [rest, lone]


def _diluting(
    s: tuple[int, ...], t: tuple[int, ...], src_emb: np.ndarray, tgt_emb: np.ndarray, gain: float
) -> tuple[int, int] | None:
    """(side, member) of the two-member side whose removal raises the bead's cosine by
    ``gain`` or more (the larger rise of the two), or None."""
    side, members, own, other = (
        (0, s, src_emb, tgt_emb[list(t)].sum(axis=0))
        if len(s) == 2
        else (1, t, tgt_emb, src_emb[list(s)].sum(axis=0))
    )
    units = np.asarray(own[list(members)], dtype=np.float64)
    whole = units.sum(axis=0)
    before = cosine(whole, other)
    rises = [cosine(whole - u, other) - before for u in units]
    k = int(np.argmax(rises))
    return (side, members[k]) if rises[k] >= gain else None
