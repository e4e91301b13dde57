"""JSON: the whole alignment, every segment with its language and every bead (unaligned
ones too), so that nothing the Python API returns is lost. One corpus is one indented
document; many documents (``align-many``) are one compact document per line."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ._base import Format, Langs, Parts, PathArg, open_text

if TYPE_CHECKING:  # pragma: no cover
    from ..corpus import ParallelCorpus, Segment


def document_record(corpus: ParallelCorpus, doc: str | None = None) -> dict[str, Any]:
    """The whole alignment as a JSON-ready dict; ``doc`` (the document's id) comes first."""
    head = {} if doc is None else {"doc": doc}

    def segments(segs: list[Segment]) -> list[dict[str, Any]]:
        return [
            {
                "index": s.index,
                "text": s.text,
                "lang": s.lang,
                "lang_confidence": round(s.lang_confidence, 6),
                "line": s.line,
            }
            for s in segs
        ]

    body: dict[str, Any] = {"langs": list(corpus.langs), "mixed": corpus.mixed}
    if corpus.mixed:
        body["segments"] = segments(corpus.src_segments)
    else:
        body["src_segments"] = segments(corpus.src_segments)
        body["tgt_segments"] = segments(corpus.tgt_segments)
    body["beads"] = [
        {
            "src": list(b.src),
            "tgt": list(b.tgt),
            "kind": b.kind,
            "src_text": b.src_text,
            "tgt_text": b.tgt_text,
            "score": round(b.score, 6),
            "confidence": b.confidence,
            **({"paragraph": b.paragraph} if b.paragraph >= 0 else {}),
        }
        for b in corpus.beads
    ]
    body["signature"] = corpus.signature
    body["warnings"] = list(corpus.warnings)
    return head | body


def rows(corpus: ParallelCorpus, doc: str | None) -> Parts:
    if doc is None:  # one corpus: indented, for people
        return (json.dumps(document_record(corpus), ensure_ascii=False, indent=1) + "\n",)
    return (json.dumps(document_record(corpus, doc), ensure_ascii=False) + "\n",)


def read_records(path: PathArg) -> list[dict[str, Any]]:
    """The document records of a file: one indented document, or one per line."""
    with open_text(path, "r") as f:
        text = f.read()
    try:
        return [json.loads(text)]
    except json.JSONDecodeError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]


def read(path: PathArg, langs: Langs) -> list[tuple[str, str]]:
    """The pairs (beads with both sides), as ``ParallelCorpus.pairs`` has them."""
    return [
        (b["src_text"], b["tgt_text"])
        for record in read_records(path)
        for b in record["beads"]
        if b["src"] and b["tgt"]
    ]


FORMAT = Format(
    name="json",
    help="the whole alignment, every segment with its language and every bead, unaligned ones too",
    many_help="one line per document with every segment and bead",
    rows=rows,
    read=read,
    sidecar=False,
)
