"""A persistent cache: each distinct text embedded once per encoder, ever.

Re-running a corpus, or aligning the same boilerplate across thousands of pages, then
costs a lookup instead of the encoder. The same store keeps the language counts of each
document's sample (the check that a document is in the language it is said to be in),
keyed by the detector and the sample's texts, and each document's finished alignment,
keyed by everything that decides it (:class:`ResultStore`), so a re-run reads those
too. The store is one SQLite file (standard library, WAL journal); vectors are keyed by
the encoder's identity and a hash of the text. Several worker processes
(``align_many(workers=...)``, Ray actors on one node) can share it: readers never
block, writers wait their turn, and a text two processes embed at once is stored once.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .corpus import Bead, ParallelCorpus, Segment
from .embed import declared_identity, encoder_label
from .errors import InputError
from .segment import ReadDocument

FILENAME = "embeddings.sqlite"
_CHUNK = 500  # keys per SELECT, below SQLite's default limit of variables


def encoder_identity(embedder: object) -> str:
    """What names an encoder's vectors (:func:`bialign.embed.declared_identity`); an
    InputError for an encoder that says nothing."""
    value = declared_identity(embedder)
    if value is not None:
        return value
    raise InputError(
        f"cache_dir needs to know which encoder made the vectors, and {type(embedder).__name__} "
        "has neither an 'identity' nor a 'name' string attribute: give it one "
        "(and change it whenever its vectors change)"
    )


def _connect(path: Path) -> sqlite3.Connection:
    """The store's SQLite file, in WAL mode so that processes share it (see above)."""
    db = sqlite3.connect(path, timeout=60.0, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    return db


def open_vectors(cache_dir: str | Path) -> sqlite3.Connection:
    """The cache file's connection, its vector table made: an InputError naming the
    folder or file when SQLite cannot work there. bialign.Aligner calls it when it is
    made, so that a bad cache_dir stops a run at once rather than fail each document."""
    folder = Path(cache_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the cache folder {folder}: {exc}") from exc
    path = folder / FILENAME
    try:
        db = _connect(path)
        db.execute(
            "CREATE TABLE IF NOT EXISTS vectors (encoder TEXT NOT NULL, key BLOB NOT NULL, "
            "dim INTEGER NOT NULL, vec BLOB NOT NULL, PRIMARY KEY (encoder, key)) WITHOUT ROWID"
        )
    except sqlite3.Error as exc:
        raise InputError(
            f"cannot use the cache file {path}: {exc} (the cache folder must be writable, "
            "on a local disk; or leave cache_dir out)"
        ) from exc
    return db


class CachedEmbedder:
    """Wraps an encoder: texts already in the store are read, the rest are embedded by the
    inner encoder and written."""

    def __init__(self, inner: object, cache_dir: str | Path) -> None:
        self.inner = inner
        self.identity = encoder_identity(inner)
        self.name = getattr(inner, "name", self.identity)
        self._bialign_label = encoder_label(inner)
        self.path = Path(cache_dir) / FILENAME
        self.hits = 0
        self.misses = 0
        self._db = open_vectors(cache_dir)

    @staticmethod
    def _key(text: str) -> bytes:
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        keys = [self._key(t) for t in texts]
        found: dict[bytes, np.ndarray] = {}
        for k in range(0, len(keys), _CHUNK):
            chunk = list(dict.fromkeys(keys[k : k + _CHUNK]))
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT key, dim, vec FROM vectors WHERE encoder = ? AND key IN ({marks})",
                [self.identity, *chunk],
            )
            for key, dim, vec in rows:
                found[key] = np.frombuffer(vec, dtype=np.float32).reshape(dim)
        missing = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in found))
        self.hits += len(texts) - sum(1 for k in keys if k not in found)
        self.misses += len(missing)
        if missing:
            fresh = np.asarray(self.inner.encode(missing), dtype=np.float32)  # type: ignore[attr-defined]
            if fresh.ndim != 2 or fresh.shape[0] != len(missing):
                return fresh  # let the caller report the encoder's bad shape
            rows_in = []
            for text, vec in zip(missing, fresh, strict=True):
                key = self._key(text)
                found[key] = vec
                rows_in.append((self.identity, key, vec.shape[0], vec.tobytes()))
            with self._db:  # one transaction: other processes wait (timeout) for it
                self._db.execute("BEGIN IMMEDIATE")
                self._db.executemany(
                    "INSERT OR IGNORE INTO vectors (encoder, key, dim, vec) VALUES (?, ?, ?, ?)",
                    rows_in,
                )
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        return np.stack([found[k] for k in keys])

    def close(self) -> None:
        self._db.close()


def _optional_table(cache_dir: str | Path, create: str) -> sqlite3.Connection | None:
    """The cache file's connection with the table ``create`` makes, or None where the
    file cannot take it (read-only): the stores beside the vectors are a help, never a
    reason for an alignment to fail."""
    try:
        folder = Path(cache_dir)
        folder.mkdir(parents=True, exist_ok=True)
        db = _connect(folder / FILENAME)
    except (OSError, sqlite3.Error):
        return None
    try:
        db.execute(create)
    except sqlite3.Error:
        db.close()
        return None
    return db


class SampleCounts:
    """The language counts of documents' samples, in the same file as the vectors but
    opened without the encoder (sorting a crawl's pages by language loads no model).
    Keyed by the detector's identity and the sample's texts. A file that cannot take the
    table (read-only) leaves it off: the counts are then computed every time."""

    def __init__(self, cache_dir: str | Path) -> None:
        self._db = _optional_table(
            cache_dir,
            "CREATE TABLE IF NOT EXISTS samples (detector TEXT NOT NULL, key BLOB NOT NULL, "
            "counts TEXT NOT NULL, PRIMARY KEY (detector, key)) WITHOUT ROWID",
        )

    @staticmethod
    def _key(sample: Sequence[str]) -> bytes:
        payload = json.dumps(list(sample), ensure_ascii=False).encode("utf-8", "surrogatepass")
        return hashlib.blake2b(payload, digest_size=16).digest()

    def get(self, detector: str, sample: Sequence[str]) -> dict[str, int] | None:
        """The counts stored for this detector and sample, or None."""
        if self._db is None:
            return None
        row = self._db.execute(
            "SELECT counts FROM samples WHERE detector = ? AND key = ?",
            [detector, self._key(sample)],
        ).fetchone()
        return {str(k): int(v) for k, v in json.loads(row[0]).items()} if row else None

    def put(self, detector: str, sample: Sequence[str], counts: dict[str, int]) -> None:
        if self._db is None:
            return
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.execute(
                    "INSERT OR IGNORE INTO samples (detector, key, counts) VALUES (?, ?, ?)",
                    [detector, self._key(sample), json.dumps(counts)],
                )
        except sqlite3.Error:  # read-only after all: keep computing
            self._db = None


#: Bump when the stored form of a corpus changes.
RESULTS_FORMAT = 1


def document_key(basis: str, docs: Sequence[ReadDocument]) -> bytes:
    """The key of one alignment: ``basis`` (everything about the aligner that decides
    its result) and the read documents' segments, with how each was given."""
    payload = [basis] + [
        [d.segmented, [[s.text, s.line, s.lang_hint] for s in d.segments]] for d in docs
    ]
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=20).digest()


class ResultStore:
    """Finished alignments, in the same file as the vectors: a re-run of a corpus reads
    each document's corpus back instead of aligning it again. Keyed by
    :func:`document_key`. The store never stops an alignment: a file that cannot take
    the table (read-only) leaves it off, a write that fails (read-only after all, a
    busy or full disk, a corpus over SQLite's size limit) stops the writing, and a row
    that cannot be read back counts as absent."""

    def __init__(self, cache_dir: str | Path) -> None:
        self._writable = True
        self._db = _optional_table(
            cache_dir,
            "CREATE TABLE IF NOT EXISTS results (key BLOB NOT NULL PRIMARY KEY, "
            "corpus BLOB NOT NULL, src_emb BLOB, tgt_emb BLOB) WITHOUT ROWID",
        )

    def has(self, key: bytes) -> bool:
        if self._db is None:
            return False
        try:
            row = self._db.execute("SELECT 1 FROM results WHERE key = ?", [key]).fetchone()
        except sqlite3.Error:
            return False
        return row is not None

    def get(self, key: bytes) -> ParallelCorpus | None:
        """The corpus stored under ``key``, or None."""
        if self._db is None:
            return None
        try:
            row = self._db.execute(
                "SELECT corpus, src_emb, tgt_emb FROM results WHERE key = ?", [key]
            ).fetchone()
            return unpack_corpus(*row) if row else None
        except Exception:  # unreadable (another version's form, a damaged row): align again
            return None

    def put(self, key: bytes, corpus: ParallelCorpus) -> None:
        if self._db is None or not self._writable:
            return
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.execute(
                    "INSERT OR IGNORE INTO results (key, corpus, src_emb, tgt_emb) "
                    "VALUES (?, ?, ?, ?)",
                    [key, *pack_corpus(corpus)],
                )
        except sqlite3.Error:
            self._writable = False  # keep reading what is there

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def _array(arr: np.ndarray | None) -> bytes | None:
    if arr is None:
        return None
    arr = np.ascontiguousarray(arr, dtype=np.float32)
    return np.int64(arr.shape[1] if arr.ndim == 2 else 0).tobytes() + arr.tobytes()


def _unarray(data: bytes | None) -> np.ndarray | None:
    if data is None:
        return None
    dim = int(np.frombuffer(data[:8], dtype=np.int64)[0])
    flat = np.frombuffer(data[8:], dtype=np.float32)
    return flat.reshape(-1, dim).copy() if dim else flat.reshape(0, 0).copy()


def _bead_row(b: Bead) -> list[Any]:
    return [b.src, b.tgt, b.src_text, b.tgt_text, b.score, b.paragraph, b.confidence]


def _bead(row: list[Any]) -> Bead:
    src, tgt, src_text, tgt_text, score, paragraph, confidence = row
    return Bead(tuple(src), tuple(tgt), src_text, tgt_text, score, paragraph, confidence)


def pack_corpus(corpus: ParallelCorpus) -> tuple[bytes, bytes | None, bytes | None]:
    """A corpus as stored: compressed JSON of everything but the embeddings (float
    scores written by repr, so they come back exactly), and the two embedding arrays."""
    segs = [[s.index, s.text, s.lang, s.lang_confidence, s.line] for s in corpus.src_segments]
    tgt = None if corpus.mixed else [
        [s.index, s.text, s.lang, s.lang_confidence, s.line] for s in corpus.tgt_segments
    ]  # fmt: skip
    doc = {
        "format": RESULTS_FORMAT,
        "beads": [_bead_row(b) for b in corpus.beads],
        "src_segments": segs,
        "tgt_segments": tgt,
        "langs": list(corpus.langs),
        "warnings": corpus.warnings,
        "signature": corpus.signature,
        "src_stream": corpus.src_stream,
        "tgt_stream": corpus.tgt_stream,
        "paragraph_beads": [_bead_row(b) for b in corpus.paragraph_beads],
    }
    data = zlib.compress(json.dumps(doc, ensure_ascii=False).encode("utf-8", "surrogatepass"), 1)
    return data, _array(corpus.src_embeddings), _array(corpus.tgt_embeddings)


def unpack_corpus(data: bytes, src_emb: bytes | None, tgt_emb: bytes | None) -> ParallelCorpus:
    """The corpus :func:`pack_corpus` stored (its timings hold only the time read back)."""
    doc = json.loads(zlib.decompress(data).decode("utf-8", "surrogatepass"))
    if doc.get("format") != RESULTS_FORMAT:
        raise ValueError(f"stored corpus of format {doc.get('format')!r}")
    src = [Segment(*row) for row in doc["src_segments"]]
    tgt = src if doc["tgt_segments"] is None else [Segment(*row) for row in doc["tgt_segments"]]
    a, b = doc["langs"]
    return ParallelCorpus(
        [_bead(row) for row in doc["beads"]],
        src,
        tgt,
        (a, b),
        list(doc["warnings"]),
        {},
        doc["signature"],
        src_stream=list(doc["src_stream"]),
        tgt_stream=list(doc["tgt_stream"]),
        src_embeddings=_unarray(src_emb),
        tgt_embeddings=_unarray(tgt_emb),
        paragraph_beads=[_bead(row) for row in doc["paragraph_beads"]],
    )
