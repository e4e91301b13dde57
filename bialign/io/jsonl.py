"""JSONL: one JSON object per pair, texts keyed by language, with score, confidence and
the segment indices; with many documents a ``doc`` key comes first."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ._base import Format, Langs, Parts, PathArg, open_text

if TYPE_CHECKING:  # pragma: no cover
    from ..corpus import Bead, ParallelCorpus


def pair_record(bead: Bead, langs: Sequence[str], doc: str | None = None) -> dict[str, Any]:
    """One pair as a JSON-ready dict; ``doc`` (the source document's id) comes first.
    Also the row of ``to_records()`` and of :mod:`bialign.ray_data`."""
    head = {} if doc is None else {"doc": doc}
    return (
        head
        | {
            langs[0]: bead.src_text,
            langs[1]: bead.tgt_text,
            "score": round(bead.score, 6),
            "confidence": bead.confidence,
            "src": list(bead.src),
            "tgt": list(bead.tgt),
        }
        | ({"paragraph": bead.paragraph} if bead.paragraph >= 0 else {})
    )


def rows(corpus: ParallelCorpus, doc: str | None) -> Parts:
    return (
        "".join(
            json.dumps(pair_record(b, corpus.langs, doc), ensure_ascii=False) + "\n"
            for b in corpus.pairs
        ),
    )


def read_records(path: PathArg) -> list[dict[str, Any]]:
    with open_text(path, "r") as f:
        return [json.loads(line) for line in f if line.strip()]


def read(path: PathArg, langs: Langs) -> list[tuple[str, str]]:
    return [(r[langs[0]], r[langs[1]]) for r in read_records(path)]


FORMAT = Format(
    name="jsonl",
    help="one JSON object per pair",
    many_help="with a doc field in each pair",
    rows=rows,
    read=read,
)
