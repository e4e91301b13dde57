"""The persistent embedding cache: same vectors, each text embedded once, shared safely."""

from __future__ import annotations

import dataclasses
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bialign
from bialign.cache import FILENAME, CachedEmbedder, ResultStore, pack_corpus, unpack_corpus
from bialign.langid import LinguaDetector


class HashEncoder:
    """Deterministic vectors from the text's characters; counts what it embeds."""

    def __init__(self, name: str = "hash-v1") -> None:
        self.name = name
        self.seen: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.seen += texts
        out = np.zeros((len(texts), 16), dtype=np.float32)
        for i, t in enumerate(texts):
            for j, ch in enumerate(t):
                out[i, (ord(ch) + j) % 16] += 1.0
            out[i, 0] += len(t) + 1
        return out


def _forget_results(folder: Path) -> None:
    with sqlite3.connect(folder / FILENAME) as db:
        db.execute("DELETE FROM results")


def test_second_run_reads_everything_and_gives_the_same_corpus(tmp_path: Path) -> None:
    src = ["The house is red.", "The cat sleeps.", "Read more"]
    tgt = ["La casa es roja.", "El gato duerme.", "Leer más"]
    first_enc = HashEncoder()
    first = bialign.align_documents(src, tgt, model=first_enc, cache_dir=tmp_path)
    assert first_enc.seen
    _forget_results(tmp_path)  # so that the vectors, not the finished corpus, are read
    again_enc = HashEncoder()
    again = bialign.align_documents(src, tgt, model=again_enc, cache_dir=tmp_path)
    assert again_enc.seen == []
    assert [(b.src, b.tgt, b.score) for b in again.beads] == [
        (b.src, b.tgt, b.score) for b in first.beads
    ]


def test_a_rerun_reads_each_documents_language_counts(tmp_path: Path) -> None:
    """The language check of each document's sample is stored beside the vectors: a
    re-run asks the detector nothing and gets the same counts and confidences."""
    src = ["The house is red.", "The cat sleeps on the sofa.", "Read more"]
    tgt = ["La casa es roja.", "El gato duerme en el sofá.", "Leer más"]

    class CountingDetector(LinguaDetector):
        calls = 0

        def probabilities(self, texts, langs):  # type: ignore[no-untyped-def]
            CountingDetector.calls += len(texts)
            return super().probabilities(texts, langs)

    def run() -> bialign.ParallelCorpus:
        return bialign.align_documents(
            src, tgt, model=HashEncoder(), cache_dir=tmp_path, detector=CountingDetector()
        )

    first = run()
    asked = CountingDetector.calls
    assert asked > 0
    _forget_results(tmp_path)
    again = run()
    assert CountingDetector.calls == asked
    assert [s.lang_confidence for s in again.src_segments] == [
        s.lang_confidence for s in first.src_segments
    ]
    with sqlite3.connect(tmp_path / FILENAME) as db:
        # Per document: its label counts and what its longest segments read as.
        assert db.execute("SELECT COUNT(*) FROM samples").fetchone()[0] == 4


def test_language_counts_need_no_encoder_and_a_named_detector(tmp_path: Path) -> None:
    """Sorting pages by language with cache_dir loads no model (one that cannot load is
    not touched), and a detector without an ``identity`` is never read from the store: two
    such detectors could not be told apart."""
    aligner = bialign.Aligner(cache_dir=tmp_path, model=str(tmp_path / "no-such-model"))
    assert aligner.sample_languages("The house is red. The cat sleeps.")["en"] == 1

    class Nameless:
        calls = 0

        def probabilities(self, texts, langs):  # type: ignore[no-untyped-def]
            Nameless.calls += 1
            return [{lang: 1.0 / len(langs) for lang in langs} for _ in texts]

    for _ in range(2):
        bialign.Aligner(cache_dir=tmp_path, detector=Nameless()).sample_languages("Short line")
    assert Nameless.calls == 2


def test_encoders_do_not_share_vectors(tmp_path: Path) -> None:
    a = CachedEmbedder(HashEncoder("a"), tmp_path)
    a.encode(["hola"])
    b_inner = HashEncoder("b")
    CachedEmbedder(b_inner, tmp_path).encode(["hola"])
    assert b_inner.seen == ["hola"]
    rows = sqlite3.connect(tmp_path / FILENAME).execute("SELECT COUNT(*) FROM vectors")
    assert rows.fetchone()[0] == 2


def test_an_encoder_without_a_name_is_refused(tmp_path: Path) -> None:
    class Anonymous:
        def encode(self, texts: list[str]) -> np.ndarray:
            return np.ones((len(texts), 2), dtype=np.float32)

    with pytest.raises(bialign.InputError, match="identity"):
        CachedEmbedder(Anonymous(), tmp_path)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.text(max_size=30), max_size=12), st.lists(st.text(max_size=30), max_size=12))
def test_cached_vectors_equal_the_encoders(first: list[str], second: list[str]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        cache = CachedEmbedder(HashEncoder(), tmp)
        cache.encode(first)
        for texts in (second, first + second):
            got = cache.encode(texts)
            if texts:
                assert np.array_equal(got, HashEncoder().encode(texts))
        assert len(set(cache.inner.seen)) == len(cache.inner.seen)  # each text once
        cache.close()


_WRITER = textwrap.dedent(
    """
    import sys
    import numpy as np
    from bialign.cache import CachedEmbedder

    class Enc:
        name = "shared"
        def encode(self, texts):
            return np.array([[len(t), ord(t[-1])] for t in texts], dtype=np.float32)

    cache = CachedEmbedder(Enc(), sys.argv[1])
    start = int(sys.argv[2])
    for k in range(start, start + 400, 20):
        cache.encode([f"text {i}" for i in range(k, k + 20)])
    """
)


def test_several_processes_share_one_cache(tmp_path: Path) -> None:
    procs = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(tmp_path), str(start)])
        for start in (0, 200, 100)  # overlapping ranges, written at the same time
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    db = sqlite3.connect(tmp_path / FILENAME)
    rows = db.execute("SELECT dim, vec FROM vectors WHERE encoder = 'shared'").fetchall()
    assert len(rows) == 600  # texts 0..599, each stored once
    cache = CachedEmbedder(HashEncoder("shared"), tmp_path)
    got = cache.encode(["text 5", "text 599"])
    assert cache.inner.seen == []
    assert got.tolist() == [[6.0, ord("5")], [8.0, ord("9")]]


# -- finished alignments ---------------------------------------------------------------

SRC = ["The house is red.", "The cat sleeps on the sofa.", "Read more"]
TGT = ["La casa es roja.", "El gato duerme en el sofá.", "Leer más"]
PAGE = ["The house is red.", "La casa es roja.", "SOURCE: EFE", "The cat sleeps.",
        "El gato duerme."]  # fmt: skip


def _same(a: bialign.ParallelCorpus, b: bialign.ParallelCorpus) -> None:
    """Every field equal (timings aside), arrays included; a field added to the corpus
    later is compared too, so the stored form cannot silently drop it."""
    for f in dataclasses.fields(a):
        if f.name == "timings":
            continue
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
            np.testing.assert_array_equal(x, y)
        else:
            assert x == y, f.name
    assert a.mixed == b.mixed


@pytest.mark.parametrize("granularity", ["paragraph", "sentence"])
def test_a_corpus_comes_back_from_its_stored_form_exactly(granularity: str) -> None:
    text = "The house is red. It has a door.\nLa casa es roja. Tiene una puerta."
    for corpus in (
        bialign.align(text, model=HashEncoder(), granularity=granularity, split="sentences"),
        bialign.align(PAGE, model=HashEncoder()),
        bialign.align_documents(SRC, TGT, model=HashEncoder()),
    ):
        _same(corpus, unpack_corpus(*pack_corpus(corpus)))


def test_a_rerun_reads_each_finished_alignment(tmp_path: Path, monkeypatch) -> None:
    """Same documents, same settings: the corpus is read back, nothing is embedded,
    labelled or aligned; any other setting or document aligns again."""
    enc = HashEncoder()
    first = bialign.align_documents(SRC, TGT, model=enc, cache_dir=tmp_path)
    page = bialign.align(PAGE, model=enc, cache_dir=tmp_path)
    seen = len(enc.seen)

    def fail(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("aligned again")

    with monkeypatch.context() as mp:
        mp.setattr(bialign.Aligner, "_align_streams", fail)
        again = bialign.align_documents(SRC, TGT, model=enc, cache_dir=tmp_path)
        page_again = bialign.align(PAGE, model=enc, cache_dir=tmp_path)
    assert len(enc.seen) == seen
    _same(first, again)
    _same(page, page_again)
    assert "cache" in again.timings
    changed = [
        {"docs_config": bialign.AlignConfig(threshold=-0.3)},  # "given" in the signature
        {"min_confidence": 0.5},
        {"langs": ("en", "es"), "attach": False},
    ]
    runs = 0
    real = bialign.Aligner._align_streams

    def counted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal runs
        runs += 1
        return real(self, *args, **kwargs)

    monkeypatch.setattr(bialign.Aligner, "_align_streams", counted)
    for options in changed:
        bialign.align_documents(SRC, TGT, model=enc, cache_dir=tmp_path, **options)
    bialign.align_documents(SRC, [*TGT[:2], "Leer más tarde"], model=enc, cache_dir=tmp_path)
    bialign.align_documents(SRC, TGT, model=HashEncoder("hash-v2"), cache_dir=tmp_path)
    assert runs == len(changed) + 2


def test_a_list_and_the_same_text_are_different_documents(tmp_path: Path) -> None:
    """A list is kept as given; the same lines as text may be split into sentences."""
    lines = ["The house is red. It has a door.", "La casa es roja. Tiene una puerta."]
    kw = {"model": HashEncoder(), "cache_dir": tmp_path, "split": "sentences"}
    as_list = bialign.align(lines, **kw)
    as_text = bialign.align("\n".join(lines), **kw)
    assert len(as_list.segments) == 2
    assert len(as_text.segments) == 4


def test_no_stored_results_for_a_nameless_detector_or_a_read_only_file(tmp_path: Path) -> None:
    class Nameless(LinguaDetector):
        identity = None  # type: ignore[assignment]

    def stored() -> int:
        with sqlite3.connect(tmp_path / FILENAME) as db:
            names = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
            return (
                db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
                if "results" in names
                else 0
            )

    bialign.align_documents(SRC, TGT, model=HashEncoder(), cache_dir=tmp_path, detector=Nameless())
    assert stored() == 0
    bialign.align_documents(SRC, TGT, model=HashEncoder(), cache_dir=tmp_path)
    assert stored() == 1
    # A file the process may read but not write (as root, file modes do not stop
    # writes, so the store is given a read-only connection).
    store = ResultStore(tmp_path)
    store._db = sqlite3.connect(f"file:{tmp_path / FILENAME}?mode=ro", uri=True)
    corpus = bialign.align_documents(SRC, TGT, model=HashEncoder())
    store.put(b"k" * 20, corpus)  # refused by SQLite: the store turns itself off
    assert store.get(b"k" * 20) is None
    assert not store.has(b"k" * 20)


def test_align_many_rerun_embeds_nothing(tmp_path: Path) -> None:
    docs = [(SRC, TGT), PAGE, (SRC[:2], TGT[:2])]
    enc = HashEncoder()
    first = [r.corpus for r in bialign.align_many(docs, model=enc, cache_dir=tmp_path)]
    seen = len(enc.seen)
    again = [r.corpus for r in bialign.align_many(docs, model=enc, cache_dir=tmp_path)]
    assert len(enc.seen) == seen
    for a, b in zip(first, again, strict=True):
        assert a is not None and b is not None
        _same(a, b)


def test_a_damaged_row_is_aligned_again_and_a_failed_write_keeps_reading(tmp_path: Path) -> None:
    first = bialign.align_documents(SRC, TGT, model=HashEncoder(), cache_dir=tmp_path)
    with sqlite3.connect(tmp_path / FILENAME) as db:
        db.execute("UPDATE results SET corpus = ?", [b"not zlib"])
    again = bialign.align_documents(SRC, TGT, model=HashEncoder(), cache_dir=tmp_path)
    _same(first, again)
    assert "cache" not in again.timings  # aligned, not read
    store = ResultStore(tmp_path)
    store.put(b"a" * 20, first)
    store._db.execute("PRAGMA query_only = ON")  # writes now fail, reads do not
    store.put(b"b" * 20, first)
    assert store.get(b"b" * 20) is None
    assert store.get(b"a" * 20) is not None, "stored results are still read"


def test_a_detector_subclass_does_not_read_the_stock_detectors_results(tmp_path: Path) -> None:
    class Contrary(LinguaDetector):  # same identity string, other answers
        pass

    enc = HashEncoder()
    bialign.align_documents(SRC, TGT, model=enc, cache_dir=tmp_path)
    bialign.align_documents(SRC, TGT, model=enc, cache_dir=tmp_path, detector=Contrary())
    with sqlite3.connect(tmp_path / FILENAME) as db:
        assert db.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 2


def test_a_rerun_that_finds_every_result_loads_no_encoder(tmp_path: Path, monkeypatch) -> None:
    """The default encoder's identity is known without loading it, so a script or a
    command run again reads its results back without the model's load time."""
    first = bialign.align_documents(SRC, TGT, cache_dir=tmp_path)

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the encoder was loaded")

    monkeypatch.setattr("bialign.pipeline.load_embedder", refuse)
    again = bialign.align_documents(SRC, TGT, cache_dir=tmp_path)
    _same(first, again)
    assert "cache" in again.timings


def test_the_predicted_identity_is_the_loaded_encoders() -> None:
    from bialign.embed import load_embedder, predicted_identity

    assert predicted_identity(None) == load_embedder(None).identity
    assert predicted_identity("e5-small") == "e5-small"
    assert predicted_identity(HashEncoder("h")) == "h"


def test_a_detector_subclass_does_not_read_the_stock_detectors_language_counts(
    tmp_path: Path,
) -> None:
    class Contrary(LinguaDetector):  # same identity string, other answers
        pass

    bialign.align_documents(SRC, TGT, model=HashEncoder(), cache_dir=tmp_path)
    _forget_results(tmp_path)
    bialign.align_documents(SRC, TGT, model=HashEncoder(), cache_dir=tmp_path, detector=Contrary())
    with sqlite3.connect(tmp_path / FILENAME) as db:
        # Counts and fit reading, per document and detector.
        assert db.execute("SELECT COUNT(*) FROM samples").fetchone()[0] == 8
