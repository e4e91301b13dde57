"""What every format module shares: the :class:`Format` record and line escaping."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TextIO

if TYPE_CHECKING:  # pragma: no cover
    from ..corpus import ParallelCorpus

#: The text of an output, one string per file the format writes (Moses writes two).
Parts = tuple[str, ...]
Langs = tuple[str, str]
#: A file path, or for a format of several files the prefix of their names.
PathArg = str | os.PathLike[str]

_ESC = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_UNESC = {v: k for k, v in _ESC.items()}
_ESC_TABLE = str.maketrans(_ESC)


@dataclass(frozen=True)
class Format:
    """One output format as three pieces of text: what starts an output, the rows of one
    corpus, and what ends it.

    Splitting a writer this way lets one definition serve a corpus written whole to a
    file, the same corpus on standard output, and ``align-many``, which appends document
    after document and must be able to cut the output back after any of them.

    ``rows(corpus, doc)`` takes the document's id when many documents share the output
    (``align-many``) and None for one corpus; ``header(langs, signature, many)`` is told
    which of the two follows. Each returns one string per file (see ``suffixes``).
    """

    name: str
    #: What ``--format NAME`` writes, for the command line's help.
    help: str
    rows: Callable[[ParallelCorpus, str | None], Parts]
    header: Callable[[Langs, str, bool], Parts] | None = None
    footer: Callable[[], Parts] | None = None
    #: Reads a file written in this format back to ``(src, tgt)`` pairs: (target, langs).
    read: Callable[[PathArg, Langs], list[tuple[str, str]]] | None = None
    #: The files of a format that writes several, as suffixes of the target path (Moses:
    #: ``.en``, ``.es``); None for one file at the target itself, which can also be a stream.
    suffixes: Callable[[Langs], tuple[str, ...]] | None = None
    #: Whether documents can be appended one by one to one output (``align-many``).
    many: bool = True
    #: What ``align-many --format NAME`` writes, for the command line's help.
    many_help: str = ""
    #: Whether a file written from a corpus gets the ``PATH.meta.json`` signature sidecar
    #: (formats that cannot hold the signature themselves).
    sidecar: bool = True

    @property
    def one_stream(self) -> bool:
        """True when the output is one file, so that it can go to standard output."""
        return self.suffixes is None

    def files(self, target: PathArg, langs: Langs) -> tuple[Path, ...]:
        """The files an output at ``target`` (a path, or a prefix for several) consists of."""
        if self.suffixes is None:
            return (Path(target),)
        return tuple(Path(f"{target}{s}") for s in self.suffixes(langs))

    def start(self, langs: Langs, signature: str = "", many: bool = False) -> Parts:
        if self.header is not None:
            return self.header(langs, signature, many)
        return ("",) * len(self.files("", langs))

    def end(self, langs: Langs) -> Parts:
        if self.footer is not None:
            return self.footer()
        return ("",) * len(self.files("", langs))


def escape_line(text: str) -> str:
    """Backslash, tab, newline and CR as ``\\\\``, ``\\t``, ``\\n``, ``\\r``: the line-based
    formats keep one pair per line whatever a hand-built corpus holds."""
    return text.translate(_ESC_TABLE)


def unescape_line(text: str) -> str:
    return re.sub(r"\\[\\tnr]", lambda m: _UNESC[m.group(0)], text)


def open_text(path: PathArg, mode: Literal["r", "w"] = "w") -> TextIO:
    """UTF-8 with ``\\n`` line ends on every platform."""
    return open(path, mode, encoding="utf-8", newline="\n")  # noqa: SIM115
