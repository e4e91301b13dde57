"""Fuzz targets: each takes bytes, drives bialign, and fails only on a real bug.

A bug is any exception other than a documented :class:`bialign.BialignError`, a result
that breaks an invariant (beads out of order, a segment in two beads, indices out of
range), or a writer whose output does not read back to what was written. The targets
use a fast deterministic stand-in encoder so that the fuzzer spends its time in
bialign's own code (segmentation, language identification, alignment, writers), not in
the neural network.

Run them with ``python fuzz/run.py TARGET SECONDS`` (atheris, coverage-guided); the
tests call each target on a few fixed inputs so the harness cannot rot.
"""

from __future__ import annotations

import hashlib
import tempfile
import warnings
from pathlib import Path

import numpy as np

import bialign
import bialign.io as bio
from bialign.corpus import Bead, ParallelCorpus
from bialign.io.tmx import xml_safe


class HashEncoder:
    """Deterministic pseudo-embeddings: equal texts get equal unit vectors."""

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.empty((len(texts), 16), dtype=np.float32)
        for k, text in enumerate(texts):
            seed = int.from_bytes(
                hashlib.blake2b(text.encode("utf-8", "surrogatepass")).digest()[:8], "little"
            )
            v = np.random.default_rng(seed).standard_normal(16)
            out[k] = v / np.linalg.norm(v)
        return out


ENCODER = HashEncoder()
ALIGNER = bialign.Aligner(model=ENCODER, progress=False)


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def _check(corpus: bialign.ParallelCorpus) -> None:
    a, b = corpus.langs
    src = [i for bead in corpus.beads for i in bead.src]
    tgt = [j for bead in corpus.beads for j in bead.tgt]
    if corpus.mixed:
        want_src = [s.index for s in corpus.segments if s.lang == a]
        want_tgt = [s.index for s in corpus.segments if s.lang == b]
    else:
        want_src = [s.index for s in corpus.src_segments if s.text]
        want_tgt = [s.index for s in corpus.tgt_segments if s.text]
    assert src == want_src, (src, want_src)
    assert tgt == want_tgt, (tgt, want_tgt)
    for bead in corpus.beads:
        assert bead.src or bead.tgt
        assert np.isfinite(bead.score)


def align_text(data: bytes) -> None:
    """One mixed document from arbitrary bytes (split into lines)."""
    try:
        corpus = ALIGNER.align(_text(data))
    except bialign.BialignError:
        return
    _check(corpus)


def align_segments(data: bytes) -> None:
    """Two documents given as lists of segments (split at NUL bytes and at a 0xFF byte)."""
    left, _, right = data.partition(b"\xff")
    src = [_text(x) for x in left.split(b"\x00")]
    tgt = [_text(x) for x in right.split(b"\x00")]
    try:
        corpus = ALIGNER.align_documents(src, tgt)
    except bialign.BialignError:
        return
    _check(corpus)


def read_file(data: bytes) -> None:
    """A file of arbitrary bytes: decoded or refused with an InputError."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.txt"
        path.write_bytes(data)
        try:
            corpus = ALIGNER.align(path)
        except bialign.BialignError:
            return
        _check(corpus)


def writers(data: bytes) -> None:
    """Pairs of arbitrary text written in every format and read back."""
    parts = _text(data).split("\x00")
    pairs = [
        Bead((k,), (k,), parts[k], parts[k + 1] if k + 1 < len(parts) else "", 0.5)
        for k in range(0, len(parts), 2)
    ]
    corpus = ParallelCorpus(pairs, [], [], ("en", "es"))
    want = [(p.src_text, p.tgt_text) for p in pairs]
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore", bialign.BialignWarning)  # TMX: U+FFFD, as expected
        d = Path(tmp)
        for fmt in bio.names():
            corpus.write(d / f"p.{fmt}", fmt)
            got = bio.read_pairs(fmt, d / f"p.{fmt}")
            if fmt == "tmx":
                assert got == [(xml_safe(a), xml_safe(b)) for a, b in want], fmt
            else:
                assert got == want, fmt


#: Starting inputs: small bilingual documents, so mutations start inside the aligner.
SEEDS = [
    "The minister spoke on Tuesday.\nEl ministro habló el martes.\nSOURCE: EFE\n".encode(),
    (
        "Prices rose by 3% in May.\nLos precios subieron un 3% en mayo.\n"
        "Read in English\nLeer en español\n2026\n¿Qué pasó?\nWhat happened?\n"
    ).encode(),
    "Posted on 05/02/2026\x00Publicado el 05/02/2026\xffHola\x00mundo".encode(),
    "a\tb\x00c\nd\x00<&>\x00\r\x00\u200f\U0001f600\x00\x01\x0b".encode(),
]

TARGETS = {
    "align_text": align_text,
    "align_segments": align_segments,
    "read_file": read_file,
    "writers": writers,
}
