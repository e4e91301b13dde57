import pytest

from bialign.evaluate import error_breakdown, oracle_choice, score_alignments

GOLD = [((0,), (0,)), ((1, 2), (1,)), ((), (2,)), ((3,), (3,))]


def test_perfect_prediction() -> None:
    s = score_alignments([GOLD], [GOLD])
    assert (s.strict_p, s.strict_r, s.strict_f1) == (1.0, 1.0, 1.0)


def test_split_merge_is_lax_but_not_strict() -> None:
    test = [((0,), (0,)), ((1,), (1,)), ((2,), ()), ((), (2,)), ((3,), (3,))]
    s = score_alignments([GOLD], [test])
    # precision: 5 predicted beads; strict hits (0,0), ([],[2]), (3,3) = 3; lax adds (1)-(1)
    assert s.strict_p == pytest.approx(3 / 5)
    assert s.lax_p == pytest.approx(4 / 5)
    # recall: gold without empty sides = 3 beads; strict hits 2; lax 3 ((1,2)-(1) overlaps)
    assert s.strict_r == pytest.approx(2 / 3)
    assert s.lax_r == pytest.approx(1.0)


def test_wrong_pair_is_wrong_both_ways() -> None:
    s = score_alignments([[((0,), (0,)), ((1,), (1,))]], [[((0,), (1,)), ((1,), (0,))]])
    assert s.strict_f1 == 0.0 and s.lax_f1 == 0.0


def test_pooled_over_documents() -> None:
    s = score_alignments([GOLD, [((0,), (0,))]], [GOLD, [((0,), (1,))]])
    assert s.strict_p == pytest.approx(4 / 5)
    assert s.strict_r == pytest.approx(3 / 4)


def test_document_count_must_match() -> None:
    with pytest.raises(ValueError):
        score_alignments([GOLD], [])


# A gold 2-2 bead, two 1-1 beads, and a 2-1 bead whose second source sentence is a fragment.
GOLD_KINDS = [((0,), (0,)), ((1, 2), (1, 2)), ((3,), (3,)), ((4,), (4,)), ((5, 6), (5,))]


def test_error_breakdown_sorts_splits_merges_and_the_rest() -> None:
    pred = [
        ((0,), (0,)),
        ((1,), (1,)),  # the 2-2 cut in two: one split
        ((2,), (2,)),
        ((3, 4), (3, 4)),  # two gold beads joined: one merge
        ((5,), (5,)),  # the fragment left out: a second split
        ((6,), ()),
    ]
    e = error_breakdown([GOLD_KINDS], [pred])
    assert (e.split, e.merged, e.other) == (2, 1, 0)
    assert e.strict_f1 == score_alignments([GOLD_KINDS], [pred]).strict_f1
    # All splits repaired: 0-0, 12-12, 34-34, 56-5 -> P 3/4, R 3/5.
    assert e.f1_without_split == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    # The merge repaired: 0-0, 1-1, 2-2, 3-3, 4-4, 5-5, 6-0 -> P 3/7, R 3/5.
    assert e.f1_without_merged == pytest.approx(2 * (3 / 7) * 0.6 / (3 / 7 + 0.6))


def test_a_shifted_boundary_is_neither_split_nor_merge() -> None:
    gold = [((0, 1), (0,)), ((2,), (1, 2))]
    pred = [((0,), (0,)), ((1, 2), (1, 2))]
    e = error_breakdown([gold], [pred])
    assert (e.split, e.merged, e.other) == (0, 0, 2)
    assert e.f1_without_split == e.f1_without_merged == e.strict_f1 == 0.0


def test_oracle_choice_takes_the_better_region_of_each() -> None:
    gold = [((0,), (0,)), ((1,), (1,)), ((2, 3), (2,)), ((4,), (3,))]
    first = [((0,), (0,)), ((1,), (1,)), ((2,), (2,)), ((3,), ()), ((4,), (3,))]
    second = [((0, 1), (0, 1)), ((2, 3), (2,)), ((4,), (3,))]
    assert score_alignments([gold], [first]).strict_f1 < 1.0
    assert score_alignments([gold], [second]).strict_f1 < 1.0
    assert oracle_choice([gold], [first], [second]).strict_f1 == 1.0
    assert oracle_choice([gold], [first], [first]) == score_alignments([gold], [first])
