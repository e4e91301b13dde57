"""Moses: two line-aligned plain-text files, ``PREFIX.<src lang>`` and ``PREFIX.<tgt
lang>``, as Moses and OPUS use; line k of one translates line k of the other. Texts are
escaped as in TSV (:func:`escape_line`). There is no room for a document id: with many
documents the pairs simply follow each other."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._base import Format, Langs, Parts, PathArg, escape_line, open_text, unescape_line

if TYPE_CHECKING:  # pragma: no cover
    from ..corpus import ParallelCorpus


def suffixes(langs: Langs) -> tuple[str, str]:
    return f".{langs[0]}", f".{langs[1]}"


def rows(corpus: ParallelCorpus, doc: str | None) -> Parts:
    pairs = corpus.pairs
    return (
        "".join(escape_line(b.src_text) + "\n" for b in pairs),
        "".join(escape_line(b.tgt_text) + "\n" for b in pairs),
    )


def read_files(src_path: PathArg, tgt_path: PathArg) -> list[tuple[str, str]]:
    with open_text(src_path, "r") as fs:
        src = [unescape_line(line.rstrip("\n")) for line in fs]
    with open_text(tgt_path, "r") as ft:
        tgt = [unescape_line(line.rstrip("\n")) for line in ft]
    return list(zip(src, tgt, strict=True))


def read(prefix: PathArg, langs: Langs) -> list[tuple[str, str]]:
    a, b = suffixes(langs)
    return read_files(f"{prefix}{a}", f"{prefix}{b}")


FORMAT = Format(
    name="moses",
    help="two line-aligned files PREFIX.SRC and PREFIX.TGT (give -o PREFIX)",
    many_help="OUTPUT.SRC and OUTPUT.TGT, without document ids",
    rows=rows,
    read=read,
    suffixes=suffixes,
)
