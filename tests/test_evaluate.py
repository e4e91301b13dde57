import pytest

from bialign.evaluate import score_alignments

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
