"""Old home of the writers and readers, kept so that code importing them still runs;
everything lives in :mod:`bialign.io` now (docs/confidence.md documented
``bialign.formats.read_signature``). New code imports from there."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from .io import escape_line, meta_path, names, read_signature, unescape_line, write_meta
from .io.json import document_record
from .io.jsonl import pair_record
from .io.jsonl import read_records as read_jsonl
from .io.moses import read_files as read_moses
from .io.tmx import read_units as read_tmx
from .io.tmx import xml_safe
from .io.tsv import read_rows as read_tsv

if TYPE_CHECKING:  # pragma: no cover
    from .corpus import ParallelCorpus

#: Formats of one corpus (``moses`` writes two files, so it needs a path prefix).
FORMATS = names()
#: Formats ``align-many`` can append to document by document.
BATCH_FORMATS = names(many=True)


def write_stream(corpus: ParallelCorpus, fmt: str, f: TextIO) -> None:
    """``corpus.write(f, fmt)``."""
    corpus.write(f, fmt)


__all__ = [
    "BATCH_FORMATS",
    "FORMATS",
    "document_record",
    "escape_line",
    "meta_path",
    "pair_record",
    "read_jsonl",
    "read_moses",
    "read_signature",
    "read_tmx",
    "read_tsv",
    "unescape_line",
    "write_meta",
    "write_stream",
    "xml_safe",
]
