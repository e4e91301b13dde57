"""TSV: a header, then one pair per line (source, target, score, confidence).

Tab, newline, CR and backslash inside a text are escaped (:func:`escape_line`), so every
line stays one pair. With many documents (``align-many``) a ``doc`` column comes first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._base import Format, Langs, Parts, PathArg, escape_line, open_text, unescape_line

if TYPE_CHECKING:  # pragma: no cover
    from ..corpus import Bead, ParallelCorpus


def header(langs: Langs, signature: str, many: bool) -> Parts:
    return (("doc\t" if many else "") + f"{langs[0]}\t{langs[1]}\tscore\tconfidence\n",)


def row(bead: Bead, doc: str | None = None) -> str:
    """One escaped line: source, target, score, confidence (empty on a bead made by hand,
    which has none); with ``doc``, the id comes first."""
    cells = [bead.src_text, bead.tgt_text] if doc is None else [doc, bead.src_text, bead.tgt_text]
    confidence = "" if bead.confidence is None else f"{bead.confidence:.4f}"
    return "\t".join(escape_line(c) for c in cells) + f"\t{bead.score:.6f}\t{confidence}\n"


def rows(corpus: ParallelCorpus, doc: str | None) -> Parts:
    return ("".join(row(b, doc) for b in corpus.pairs),)


def read_rows(path: PathArg) -> list[tuple[str, str, float]]:
    """``(src, tgt, score)`` per line; a ``doc`` column (``align-many``) and the
    confidence column (absent in files of bialign 0.2.0 and before) are dropped."""
    out = []
    with open_text(path, "r") as f:
        first = next(f, "")
        skip = 1 if first.startswith("doc\t") else 0
        for line in f:
            src, tgt, score = line.rstrip("\n").split("\t")[skip : skip + 3]
            out.append((unescape_line(src), unescape_line(tgt), float(score)))
    return out


def read(path: PathArg, langs: Langs) -> list[tuple[str, str]]:
    return [(src, tgt) for src, tgt, _ in read_rows(path)]


FORMAT = Format(
    name="tsv",
    help="one pair per line (header: the two languages, score and confidence)",
    many_help="with a doc column first",
    header=header,
    rows=rows,
    read=read,
)
