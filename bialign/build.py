"""``bialign build-dataset``: from a crawl to a published parallel corpus, in one run.

The input is a folder of HTML or text files, a JSONL file of documents (``{"id" or
"url": .., "text" or "html": ..}``) or a WARC file (``warcio``). Every document is
sorted by the languages a sample of its segments shows:

- a document with both languages (the minority at least :data:`MIXED_SHARE` of its
  labelled sample) is aligned on its own, as ``bialign align`` does;
- documents in one language are matched with their translation among the documents in
  the other language (:func:`bialign.match_documents`) and each matched pair aligned, as
  ``bialign align-docs`` does; a one-language document left unmatched that still holds
  a few segments of the other language is aligned on its own as a last chance.

The pairs then go through :func:`bialign.dataset.clean`, :func:`deduplicate` and
:func:`split`, and :func:`bialign.publish.publish` writes the dataset and its card.
Each distinct segment is embedded once for the whole run: matching and alignment share
an in-memory cache.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .dataset import CleanConfig, PairRecord, check_sizes, clean, deduplicate, split
from .embed import Embedder, load_embedder
from .errors import BialignError, InputError, require
from .publish import BuildSummary, publish
from .segment import ReadDocument

#: A document is "mixed" when its minority language holds at least this share of its
#: sampled segments that have a language.
MIXED_SHARE = 0.2
TEXT_SUFFIXES = {".txt", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}


@dataclass(frozen=True)
class InputDocument:
    """One document of the input: an id (a path or URL) and its content (once read, the
    read document)."""

    id: str
    content: str | Path | ReadDocument


def read_inputs(source: Path) -> Iterator[InputDocument]:
    """The documents of a folder, a JSONL file or a WARC file, in a stable order."""
    if source.is_dir():
        for path in sorted(source.rglob("*")):
            if path.is_file() and path.suffix.lower() in TEXT_SUFFIXES | HTML_SUFFIXES:
                yield InputDocument(str(path.relative_to(source)), path)
        return
    if not source.exists():
        raise InputError(f"no such file or folder: {source}", path=source)
    name = source.name.lower()
    if name.endswith((".warc", ".warc.gz")):
        yield from _read_warc(source)
        return
    if name.endswith((".jsonl", ".json")):
        with open(source, encoding="utf-8-sig") as f:
            for lineno, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(f"{source} line {lineno}: not JSON ({exc.msg})") from None
                if not isinstance(obj, dict):
                    raise InputError(f"{source} line {lineno}: not a JSON object")
                text = obj.get("text", obj.get("html"))
                if not isinstance(text, str):
                    raise InputError(f"{source} line {lineno}: needs a 'text' or 'html' string")
                yield InputDocument(str(obj.get("id", obj.get("url", lineno))), text)
        return
    raise InputError(
        f"{source}: give a folder of .html/.txt files, a .jsonl of documents or a .warc(.gz)",
        path=source,
    )


def _read_warc(path: Path) -> Iterator[InputDocument]:
    warcio: Any = require("warcio.archiveiterator", "dataset", "reading WARC files")
    with open(path, "rb") as stream:
        for record in warcio.ArchiveIterator(stream):
            if record.rec_type != "response" or record.http_headers is None:
                continue
            ctype = record.http_headers.get_header("Content-Type") or ""
            if "html" not in ctype and "text/plain" not in ctype:
                continue
            body = record.content_stream().read()
            charset = "utf-8"
            if "charset=" in ctype:
                charset = ctype.split("charset=")[-1].split(";")[0].strip() or charset
            try:
                text = body.decode(charset, errors="replace")
            except LookupError:
                text = body.decode("utf-8", errors="replace")
            url = record.rec_headers.get_header("WARC-Target-URI") or ""
            yield InputDocument(url, text)


class _SharedCache:
    """One embedding per distinct text for the whole build. It keeps the encoder's name,
    so that the encoder's calibrated profile is found through it."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = getattr(inner, "name", None)
        self.vectors: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.vectors]
        if missing:
            for t, v in zip(missing, np.asarray(self.inner.encode(missing)), strict=True):
                self.vectors[t] = v
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        return np.stack([self.vectors[t] for t in texts])


def build_dataset(
    source: Path,
    out: Path,
    *,
    langs: tuple[str, str] = ("en", "es"),
    model: str | Embedder | None = None,
    clean_config: CleanConfig | None = None,
    sizes: dict[str, float] | None = None,
    near_duplicates: float | None = 0.8,
    progress: bool | None = None,
) -> BuildSummary:
    """Read, sort, match, align, clean, deduplicate, split and publish; see the module."""
    from tqdm import tqdm

    from .docmatch import match_documents
    from .pipeline import Aligner

    show = progress if progress is not None else sys.stderr.isatty()
    sizes = check_sizes(sizes)  # bad settings and missing extras fail before any work
    for module in ("pyarrow", "datasets", *(("datasketch",) if near_duplicates else ())):
        require(module, "dataset", "bialign build-dataset")
    encoder = _SharedCache(load_embedder(model))
    aligner = Aligner(langs=langs, model=encoder, progress=False)
    summary = BuildSummary(langs=langs, sources=[str(source)])
    summary.options = {
        "langs": "-".join(langs),
        "model": encoder.name or type(encoder.inner).__name__,
        "near_duplicate_threshold": near_duplicates,
        "mixed_share": MIXED_SHARE,
    }
    records: list[PairRecord] = []
    # Documents are told apart by their position in the input, never by id: ids repeat
    # (a URL crawled twice, a WARC record without one).
    mono: dict[str, list[int]] = {langs[0]: [], langs[1]: []}
    minority: dict[int, int] = {}
    # Each page is read (and its language sample taken) once: matching and alignment
    # take the read document.
    docs: list[InputDocument] = []
    for k, item in enumerate(
        tqdm(read_inputs(source), desc="sorting", unit="doc", disable=not show, file=sys.stderr)
    ):
        summary.documents += 1
        try:
            doc = InputDocument(item.id, aligner.read(item.content, item.id))
            counts = aligner.sample_languages(doc.content, doc.id)
        except BialignError:
            summary.failed_documents += 1
            docs.append(InputDocument(item.id, ""))
            continue
        docs.append(doc)
        a, b = counts.get(langs[0], 0), counts.get(langs[1], 0)
        if min(a, b) >= max(1, MIXED_SHARE * (a + b)):
            summary.mixed_documents += 1
            records.extend(_align_mixed(aligner, doc, summary))
        elif a + b:
            mono[langs[0] if a >= b else langs[1]].append(k)
            minority[k] = min(a, b)
        else:  # no segment with a language of its own: nothing to align
            summary.failed_documents += 1
    src_docs, tgt_docs = mono[langs[0]], mono[langs[1]]
    matches = match_documents(
        [docs[k].content for k in src_docs], [docs[k].content for k in tgt_docs], model=encoder
    ) if src_docs and tgt_docs else []  # fmt: skip
    summary.matched_document_pairs = len(matches)
    matched = {src_docs[m.src] for m in matches} | {tgt_docs[m.tgt] for m in matches}
    for m in tqdm(matches, desc="aligning", unit="pair", disable=not show, file=sys.stderr):
        s, t = docs[src_docs[m.src]], docs[tgt_docs[m.tgt]]
        try:
            corpus = aligner.align_documents(s.content, t.content)
        except BialignError:
            summary.failed_documents += 2
            continue
        doc_id = f"{s.id} | {t.id}"
        records.extend(
            PairRecord(p.src_text, p.tgt_text, p.score, doc_id, confidence=p.confidence)
            for p in corpus.pairs
        )
    for k in src_docs + tgt_docs:
        if k in matched:
            continue
        summary.unmatched_documents += 1
        if minority.get(k, 0) >= 1:
            records.extend(_align_mixed(aligner, docs[k], summary))
    summary.aligned_pairs = len(records)
    kept, summary.cleaning = clean(records, clean_config)
    unique, summary.duplicates, groups = deduplicate(kept, near=near_duplicates)
    summary.published = len(unique)
    publish(split(unique, sizes, groups), out, summary)
    return summary


def _align_mixed(aligner: Any, doc: InputDocument, summary: BuildSummary) -> list[PairRecord]:
    try:
        corpus = aligner.align(doc.content)
    except BialignError:
        summary.failed_documents += 1
        return []
    return [
        PairRecord(p.src_text, p.tgt_text, p.score, doc.id, confidence=p.confidence)
        for p in corpus.pairs
    ]
