"""A sentence with no translation that a large bead took in, let go.

Between two documents the search prefers a merge to a fragment left unaligned (its
``merge_penalty`` is negative), and so a 2-2, 3-1 or larger bead sometimes takes in a
whole sentence that has no translation: one the translator left out, or a furniture line
of one site ("Subscribe now" is short; "Most deaths happen as a result of fatigue..."
is not). Such a member is long, embeds unlike the other side's text, and the bead's
cosine rises without it. This pass looks at the first and last member of each side of
every bead of four segments or more and lets go of the one that shows all three, as an
unaligned segment next to the rest of the bead, which keeps its score (as
:mod:`bialign.attach`'s extended beads keep theirs).

The thresholds were chosen on the dev splits (benchmarks/hard_enes.py, docs_enes.py's
newstest2010 documents, Text+Berg dev, FLORES en-es/fr/de of flores_pairs.py): on the
beads of four or more segments they turned 11 wrong beads into right ones and no right
bead into a wrong one; 2-1 and 1-2 beads are left alone (there a loosely translated
sentence looks the same, and 7 right beads would have broken for 13 mended). The cosine
is on the default encoder's scale; with an encoder whose unrelated texts embed closer
than ABSORBED_COSINE (e5's sit near 0.8), the pass does nothing.
"""

from __future__ import annotations

import numpy as np

from .search import Bead

#: A member this long or longer (bialign.languages.text_length units, about letters) is
#: a sentence, not a fragment of one.
ABSORBED_LENGTH = 60.0
#: ...whose cosine with the other side's text is at most this...
ABSORBED_COSINE = 0.35
#: ...and without which the bead's cosine rises by at least this, has no translation.
ABSORBED_GAIN = 0.03
#: Beads of fewer segments are left alone (see the module docstring).
MIN_MEMBERS = 4


def release_absorbed(
    beads: list[Bead],
    src_emb: np.ndarray,
    tgt_emb: np.ndarray,
    src_len: np.ndarray,
    tgt_len: np.ndarray,
) -> list[Bead]:
    """The beads with each absorbed sentence let go (see the module docstring).

    Indices are stream positions into the embeddings and lengths, as
    :func:`bialign.search.align_embeddings` returns them. The order of the streams is
    kept: a first member let go comes before the rest of its bead, a last one after."""
    out: list[Bead] = []
    for s, t, score in beads:
        found = _absorbed(s, t, src_emb, tgt_emb, src_len, tgt_len) if s and t else None
        if found is None:
            out.append((s, t, score))
            continue
        side, member = found
        lone: Bead = ((member,), (), 0.0) if side == 0 else ((), (member,), 0.0)
        rest: Bead = (
            (tuple(x for x in s if x != member), t, score)
            if side == 0
            else (s, tuple(x for x in t if x != member), score)
        )
        first = member == (s if side == 0 else t)[0]
        out.extend([lone, rest] if first else [rest, lone])
    return out


def _absorbed(
    s: tuple[int, ...],
    t: tuple[int, ...],
    src_emb: np.ndarray,
    tgt_emb: np.ndarray,
    src_len: np.ndarray,
    tgt_len: np.ndarray,
) -> tuple[int, int] | None:
    """(side, member) of the sentence to let go from bead (s, t), or None."""
    if len(s) + len(t) < MIN_MEMBERS:
        return None
    us, ut = _unit(src_emb[list(s)]), _unit(tgt_emb[list(t)])
    vs, vt = us.sum(axis=0), ut.sum(axis=0)
    before = _cos(vs, vt)
    best: tuple[float, int, int] | None = None
    for side, members, units, own, other, lengths in (
        (0, s, us, vs, vt, src_len),
        (1, t, ut, vt, vs, tgt_len),
    ):
        if len(members) < 2:
            continue
        for k in {0, len(members) - 1}:
            if lengths[members[k]] < ABSORBED_LENGTH or _cos(units[k], other) > ABSORBED_COSINE:
                continue
            gain = _cos(own - units[k], other) - before
            if gain >= ABSORBED_GAIN and (best is None or gain > best[0]):
                best = (gain, side, members[k])
    return None if best is None else (best[1], best[2])


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / max(float(np.linalg.norm(a) * np.linalg.norm(b)), 1e-12))
