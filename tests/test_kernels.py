"""The compiled loops (bialign.kernels) against the numpy ones they replace: the same
gains, scores and beads on every input the aligner can get."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bialign import kernels
from bialign.errors import BialignWarning
from bialign.search import MIXED, AlignConfig, _Band, _Scorer, align_embeddings

pytest.importorskip("numba")


def _unit(rng: np.random.Generator, n: int, d: int = 16) -> np.ndarray:
    x = rng.normal(size=(n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _inputs(n: int, m: int, seed: int) -> tuple[tuple, dict]:
    """Two streams where most items have a noisy translation (so real beads form), with
    random lengths, merge breaks, lines that stand alone and sentence boundaries."""
    rng = np.random.default_rng(seed)
    src = _unit(rng, n)
    base = src[rng.integers(0, max(n, 1), size=m)] if n else _unit(rng, m)
    tgt = base + 0.7 * _unit(rng, m)
    tgt /= np.maximum(np.linalg.norm(tgt, axis=1, keepdims=True), 1e-9)
    lengths = (rng.integers(1, 200, size=n).astype(float), rng.integers(1, 200, size=m) * 1.0)
    flags = {
        "src_breaks": rng.random(n) < 0.2,
        "tgt_breaks": rng.random(m) < 0.2,
        "src_alone": rng.random(n) < 0.2,
        "tgt_alone": rng.random(m) < 0.2,
        "src_open": rng.integers(0, 3, size=n + 1).astype(np.int8),
        "tgt_open": rng.integers(0, 3, size=m + 1).astype(np.int8),
    }
    return (src, tgt, *lengths), flags


def _align(mode: str, args: tuple, kw: dict) -> list:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BIALIGN_KERNELS", mode)
        return align_embeddings(*args, **kw)


configs = st.sampled_from([
    AlignConfig(), MIXED, AlignConfig(boundary_weight=0.6, length_power=0.5),
    AlignConfig(max_side=2, alone_floor=0.5, member_floor=0.1),
])  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 40), m=st.integers(0, 40), seed=st.integers(0, 10**6), cfg=configs)
def test_compiled_and_numpy_loops_give_the_same_beads(
    n: int, m: int, seed: int, cfg: AlignConfig
) -> None:
    args, kw = _inputs(n, m, seed)
    numpy_beads = _align("numpy", args, {**kw, "config": cfg})
    compiled_beads = _align("numba", args, {**kw, "config": cfg})
    assert compiled_beads == numpy_beads  # indices and float scores, exactly


@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 30), m=st.integers(1, 30), seed=st.integers(0, 10**6), cfg=configs)
def test_compiled_gains_equal_the_numpy_gains_cell_by_cell(
    n: int, m: int, seed: int, cfg: AlignConfig
) -> None:
    (src, tgt, sl, tl), kw = _inputs(n, m, seed)
    band = _Band(lo=np.zeros(n + 1, dtype=np.int64), width=m + 1)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BIALIGN_KERNELS", "numba")
        scorer = _Scorer(
            src, tgt, sl, tl, band, cfg, kw["src_breaks"], kw["tgt_breaks"],
            (kw["src_alone"], kw["tgt_alone"]), (kw["src_open"], kw["tgt_open"]),
        )  # fmt: skip
    assert scorer.kernels is not None
    gains, scores = scorer.rows(0, n + 1)
    scorer.kernels = None
    ref_gains, ref_scores = scorer.rows(0, n + 1)
    np.testing.assert_array_equal(gains, ref_gains)
    chosen = ref_gains[:, 1:] > -1e17  # a score is read only where its move can be taken
    np.testing.assert_array_equal(scores[chosen], ref_scores[chosen])


def test_a_long_banded_document_gives_the_same_beads() -> None:
    rng = np.random.default_rng(11)
    n = 3000
    src = _unit(rng, n, 32)
    keep = rng.random(n) > 0.03
    tgt = src[keep] + 0.5 * _unit(rng, int(keep.sum()), 32)
    tgt /= np.linalg.norm(tgt, axis=1, keepdims=True)
    lengths = rng.integers(5, 80, n) * 1.0
    args = (src, tgt, lengths, lengths[keep] * 1.1)
    kw = {"src_alone": rng.random(n) < 0.05, "config": AlignConfig(member_floor=-0.2)}
    compiled_beads = _align("numba", args, kw)
    assert compiled_beads == _align("numpy", args, kw)
    assert sum(1 for s, t, _ in compiled_beads if len(s) == len(t) == 1) > 0.9 * len(tgt)


def test_small_bands_and_the_override_choose_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BIALIGN_KERNELS", raising=False)
    assert kernels.compiled(kernels.COMPILED_MIN_CELLS - 1) is None
    assert kernels.compiled(kernels.COMPILED_MIN_CELLS) is not None
    monkeypatch.setenv("BIALIGN_KERNELS", "numpy")
    assert kernels.compiled(10**9) is None
    monkeypatch.setenv("BIALIGN_KERNELS", "numba")
    assert kernels.compiled(1) is not None


def test_numba_unable_to_cache_falls_back_to_numpy_with_one_warning(monkeypatch) -> None:
    """A read-only install with no writable home: numba refuses cache=True when the
    loops are made. bialign warns and aligns with numpy, the same beads."""
    import numba

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("cannot cache function '_fill_rows': no locator available")

    monkeypatch.setattr(kernels, "_loaded", {})
    monkeypatch.setattr(numba, "njit", refuse)
    args, kw = _inputs(30, 30, 3)
    with pytest.warns(BialignWarning, match="no locator available"):
        assert kernels.compiled(10**9) is None
    assert kernels.compiled(10**9) is None  # decided once
    assert _align("numba", args, kw) == _align("numpy", args, kw)


def test_a_kernel_that_fails_to_compile_gives_way_to_numpy(monkeypatch) -> None:
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise TypeError("numba typing error")

    monkeypatch.setattr(
        kernels, "_loaded", {"kernels": {"fill_rows": broken, "pair_gains": broken}}
    )
    args, kw = _inputs(30, 30, 4)
    with pytest.warns(BialignWarning, match="numba typing error") as record:
        beads = _align("numba", args, kw)
    assert len([w for w in record if issubclass(w.category, BialignWarning)]) == 1
    assert beads == _align("numpy", args, kw)
    assert kernels._loaded["kernels"] is None
