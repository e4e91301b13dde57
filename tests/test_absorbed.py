"""A sentence with no translation that a large bead took in is let go (bialign.absorbed)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import bialign
from bialign.absorbed import ABSORBED_COSINE, release_absorbed

BASIS = np.linalg.qr(np.random.default_rng(1).standard_normal((32, 32)))[0]


def _streams() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Source 0-1 translate target 0-1 as a 2-2 (two pairs cut at other words); source
    2 is a long sentence about something else; target 2-3 stand for source 3."""
    src = np.array([BASIS[0] + BASIS[1], BASIS[1] + BASIS[2], BASIS[9], BASIS[4]])
    tgt = np.array([BASIS[0] + 0.9 * BASIS[1], BASIS[1] + BASIS[2], BASIS[4], BASIS[4]])
    return src, tgt, np.full(4, 120.0), np.full(4, 120.0)


def test_a_long_unrelated_member_leaves_a_large_bead_and_the_order_is_kept() -> None:
    src, tgt, sl, tl = _streams()
    beads = [((0, 1, 2), (0, 1), 0.4), ((3,), (2, 3), 0.5)]
    assert float(BASIS[9] @ (tgt[0] + tgt[1])) <= ABSORBED_COSINE
    out = release_absorbed(beads, src, tgt, sl, tl)
    assert out == [((0, 1), (0, 1), 0.4), ((2,), (), 0.0), ((3,), (2, 3), 0.5)]


def test_related_members_short_members_and_small_beads_stay() -> None:
    src, tgt, sl, tl = _streams()
    # A right 2-2: every member resembles the other side.
    assert release_absorbed([((0, 1), (0, 1), 0.4)], src, tgt, sl, tl) == [((0, 1), (0, 1), 0.4)]
    # The unrelated member is short: a fragment, not a sentence.
    short = sl.copy()
    short[2] = 20.0
    beads = [((0, 1, 2), (0, 1), 0.4)]
    assert release_absorbed(beads, src, tgt, short, tl) == beads
    # Three segments (a 2-1): left to the search, even with an unrelated member.
    beads = [((1, 2), (1,), 0.4)]
    assert release_absorbed(beads, src, tgt, sl, tl) == beads


@given(
    sizes=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=1, max_size=8),
    seed=st.integers(0, 1000),
)
def test_output_covers_the_same_segments_in_stream_order(
    sizes: list[tuple[int, int]], seed: int
) -> None:
    """Whatever is let go: every segment once, each stream in order, pairs only shrink."""
    beads, i, j = [], 0, 0
    for a, b in sizes:
        if a or b:
            beads.append((tuple(range(i, i + a)), tuple(range(j, j + b)), 0.3))
            i, j = i + a, j + b
    rng = np.random.default_rng(seed)
    src, tgt = rng.standard_normal((max(i, 1), 16)), rng.standard_normal((max(j, 1), 16))
    out = release_absorbed(beads, src, tgt, rng.uniform(0, 200, len(src)),
                           rng.uniform(0, 200, len(tgt)))  # fmt: skip
    assert [x for s, _, _ in out for x in s] == list(range(i))
    assert [x for _, t, _ in out for x in t] == list(range(j))
    pairs_in = [(set(s), set(t)) for s, t, _ in beads if s and t]
    for s, t, _ in out:
        if s and t:
            assert any(set(s) <= a and set(t) <= b for a, b in pairs_in)
    assert len(out) - len(beads) == sum(1 for s, t, _ in out if bool(s) != bool(t)) - sum(
        1 for s, t, _ in beads if bool(s) != bool(t)
    )


def test_a_left_out_sentence_is_not_paired_between_two_documents() -> None:
    """End to end: the Spanish document leaves a sentence out where two sentences were
    translated as a 2-2; the English sentence stays unaligned."""
    en = [
        "The council approved the new budget for the city's public schools on Monday evening.",
        "Teachers will receive a raise, and three new buildings are planned for next year.",
        "Meanwhile, the football club announced that its stadium will be renovated in 2030.",
        "The mayor said the decision was long overdue and thanked the parents for their patience.",
    ]
    es = [
        "El consejo aprobó el lunes por la noche el nuevo presupuesto para las escuelas "
        "públicas de la ciudad, y los maestros",
        "recibirán un aumento; además, se planean tres edificios nuevos para el año que viene.",
        "El alcalde dijo que la decisión llegaba tarde y agradeció a los padres su paciencia.",
    ]
    corpus = bialign.align_documents(en, es)
    assert ((2,), ()) in [(b.src, b.tgt) for b in corpus.beads]
    assert ((3,), (2,)) in [(b.src, b.tgt) for b in corpus.beads]
